"""The statisticians' export of the figures: one flat record per municipality, figure and group.

Each record names its municipality (and CBS code), its period, a stable figure id (``reach``,
``outflow_work``, ``job_coaching_need_rate``, ...; :data:`FIGURE_IDS`), for a breakdown its
dimension and group, the numerator and the denominator (None for a count that is no ratio), and
whether it is suppressed. A suppressed record has None for both numerator and denominator, never
the real numbers; whether a figure is suppressed follows the report's and the breakdown's own
small-cell suppression (:meth:`OutcomeReport.hidden_cells`, :meth:`Breakdown.hidden_cells`), so
an export shows no number that the published report or breakdown hides.

The JSON form follows the JSON Schema shipped as ``participatie/schemas/figures-v1.schema.json``
(:data:`SCHEMA_PATH`); the CSV form has the records' fields as columns, empty for None.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from importlib import metadata, resources
from typing import Any

import attrs

from participatie.domain.values import Activity, CoachingOutcome, OutflowReason
from participatie.projections.breakdowns import COLUMNS, Breakdown
from participatie.projections.report import OutcomeReport

__all__ = ["FIGURE_IDS", "SCHEMA_PATH", "FigureRecord", "FiguresExport", "export_of"]

#: The name of the JSON Schema of the export in the package.
SCHEMA_PATH = "schemas/figures-v1.schema.json"
FORMAT = "participatie-figures"
VERSION = 1

#: Each figure id of the report, with the report's cells (:meth:`OutcomeReport.cells`) of its
#: numerator and denominator (None: a count, not a ratio). Ids never change meaning.
_REPORT_FIGURES: tuple[tuple[str, str, str | None], ...] = (
    ("reach", "reach", None),
    ("inflow", "inflow", None),
    *((f"outflow_{r.value}", f"outflow.{r.value}", "reach") for r in OutflowReason),
    ("still_coached", "still_coached", None),
    *((f"activity_{a.value}", f"activities.{a.value}", None) for a in Activity),
    ("contact_compliance", "contact_compliance.numerator", "contact_compliance.denominator"),
    ("happiness_rising", "happiness.rising", "happiness.residents"),
    ("reinflow", "reinflow", None),
    (
        "durability_six_months",
        "durability.six_months.numerator",
        "durability.six_months.denominator",
    ),
    (
        "durability_twelve_months",
        "durability.twelve_months.numerator",
        "durability.twelve_months.denominator",
    ),
    (
        "job_coaching_need_rate",
        "job_coaching.need_rate.numerator",
        "job_coaching.need_rate.denominator",
    ),
    ("job_coaching_trajectories", "job_coaching.trajectories", None),
    ("job_coaching_completed", "job_coaching.completed", None),
    (
        "job_coaching_completed_within_two_years",
        "job_coaching.completed_within_two_years",
        "job_coaching.completed",
    ),
    (
        "job_coaching_completed_within_three_years",
        "job_coaching.completed_within_three_years",
        "job_coaching.completed",
    ),
    ("job_coaching_extended", "job_coaching.extended", None),
    *(
        (f"job_coaching_outcome_{o.value}", f"job_coaching.outcomes.{o.value}", None)
        for o in CoachingOutcome
    ),
    ("job_coaching_near_cap", "job_coaching.near_cap", "job_coaching.coaching_years"),
    ("job_coaching_running", "job_coaching.running", None),
    (
        "job_coaching_evaluation_overdue",
        "job_coaching.evaluation_overdue",
        "job_coaching.running",
    ),
)

#: The figure ids of a breakdown's groups, by column (:data:`breakdowns.COLUMNS`).
_BREAKDOWN_FIGURES = {column: column.replace(".", "_") for column in COLUMNS}

#: Every figure id an export may hold, in the order of its records.
FIGURE_IDS: tuple[str, ...] = tuple(figure for figure, _, _ in _REPORT_FIGURES)


@attrs.frozen
class FigureRecord:
    """One figure of one municipality (and group) in a period; see the module."""

    municipality: str
    #: The CBS code (GM and four digits) from the store's municipality register; None when the
    #: store was opened without one.
    municipality_code: str | None
    period_start: date
    period_end: date
    figure: str
    #: The breakdown's dimension and group (None, None for the municipality's own figures; a
    #: group None in a breakdown by coach: residents without a coach).
    dimension: str | None
    group: str | None
    numerator: int | None
    denominator: int | None
    suppressed: bool

    def to_dict(self) -> dict[str, Any]:
        """The record in JSON's types."""
        return {
            "municipality": self.municipality,
            "municipality_code": self.municipality_code,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "figure": self.figure,
            "dimension": self.dimension,
            "group": self.group,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "suppressed": self.suppressed,
        }


#: The CSV columns: the record's fields in order.
CSV_COLUMNS = tuple(field.name for field in attrs.fields(FigureRecord))


@attrs.frozen
class FiguresExport:
    """The export: its period and moment, whether small cells were suppressed, and the records."""

    period: tuple[date, date]
    as_of: date | None
    known_at: datetime | None
    small_cells_suppressed: bool
    records: tuple[FigureRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        """The export as JSON-safe data, valid against :data:`SCHEMA_PATH`."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "generator": f"participatie {_version()}",
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "known_at": None if self.known_at is None else self.known_at.isoformat(),
            "small_cells_suppressed": self.small_cells_suppressed,
            "records": [record.to_dict() for record in self.records],
        }

    def to_csv(self) -> str:
        """The records as CSV with a header line (empty for None; ``true``/``false``)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in self.records:
            writer.writerow(_csv_value(v) for v in record.to_dict().values())
        return buffer.getvalue()


def _version() -> str:
    """The installed release (read from the package's metadata: projections/ sits below the
    package's ``__init__``, which holds ``__version__``, and must not import it)."""
    try:
        return metadata.version("participatie")
    except metadata.PackageNotFoundError:  # pragma: no cover (run from a source tree)
        return "unknown"


def schema() -> str:
    """The text of the export's JSON Schema, as shipped in the package."""
    return resources.files("participatie").joinpath(SCHEMA_PATH).read_text(encoding="utf-8")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export_of(
    parts: Iterable[tuple[str, str | None, OutcomeReport, Sequence[Breakdown]]],
    *,
    period: tuple[date, date],
    as_of: date | None,
    known_at: datetime | None,
    suppressed: bool,
) -> FiguresExport:
    """The export of each municipality's (name, CBS code, report, breakdowns)."""
    records: list[FigureRecord] = []
    for name, code, report, breakdowns in parts:
        where = {
            "municipality": name,
            "municipality_code": code,
            "period_start": period[0],
            "period_end": period[1],
        }
        values, _ = report.cells()
        hidden = report.hidden_cells() if suppressed else frozenset()
        records.extend(
            _record(
                where,
                figure,
                None,
                None,
                (values[numerator], numerator in hidden),
                None if denominator is None else (values[denominator], denominator in hidden),
            )
            for figure, numerator, denominator in _REPORT_FIGURES
        )
        for breakdown in breakdowns:
            cells = breakdown.cells()
            hidden_cells = breakdown.hidden_cells() if suppressed else frozenset()
            for i, row in enumerate(breakdown.rows):
                reach = (cells[(i, "reach")], (i, "reach") in hidden_cells)
                records.extend(
                    _record(
                        where,
                        _BREAKDOWN_FIGURES[column],
                        breakdown.dimension.value,
                        row.group,
                        (cells[(i, column)], (i, column) in hidden_cells),
                        reach if column.startswith("outflow.") else None,
                    )
                    for column in COLUMNS
                )
    return FiguresExport(
        period=period,
        as_of=as_of,
        known_at=known_at,
        small_cells_suppressed=suppressed,
        records=tuple(records),
    )


def _record(  # noqa: PLR0917 (the fields of a record, in its order)
    where: Mapping[str, Any],
    figure: str,
    dimension: str | None,
    group: str | None,
    numerator: tuple[int, bool],
    denominator: tuple[int, bool] | None,
) -> FigureRecord:
    """A record of a figure: ``numerator`` and ``denominator`` are (value, hidden?)."""
    suppressed = numerator[1] or (denominator is not None and denominator[1])
    return FigureRecord(
        **where,
        figure=figure,
        dimension=dimension,
        group=group,
        numerator=None if suppressed else numerator[0],
        denominator=None if suppressed or denominator is None else denominator[0],
        suppressed=suppressed,
    )
