"""Breakdowns: reach, outflow by reason and still coached of a period, by group.

A breakdown answers "for whom did it work?" the way Divosa's benchmark and CBS StatLine do: one
row per group of a :class:`Dimension` (referral channel, benefit, coach, municipality), one column
per figure, and a totals row that is the outcome report's own figures (the same reach, outflow and
still coached as :meth:`participatie.Participation.outcomes`). Every reached resident is in
exactly one group, and within a group in exactly one outflow reason or still coached, so every
row and every column adds up.

The groups:

- **referral**: the referral channel at registration (:class:`~participatie.Referral`);
- **benefit**: the benefit at registration (:class:`~participatie.Benefit`);
- **coach**: the resident's coach at the end of the period, as the caseload says it
  (:attr:`participatie.CaseloadEntry.coach_id` of ``caseload(as_of=<the period's end>)``): the
  actor who held the last conversation by then, in the order the events were recorded, or else
  the intake; residents without an intake by then are in the group ``None`` ("no coach");
- **municipality**: the resident's municipality.

Referral channels and benefits have a row each even when no one is in it (the table keeps its
shape from period to period); coaches appear when they coach someone reached; municipalities are
those the store serves (within the reader's scope).

Suppression (:meth:`Breakdown.hidden_cells`) covers the whole table, totals included: see
:mod:`participatie.projections.table_suppression`.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from participatie.domain.values import Benefit, OutflowReason, Referral
from participatie.projections.facts import Fact, FactKind
from participatie.projections.figure_values import Ratio
from participatie.projections.kinds import CLOSED, HAPPINESS, REGISTERED
from participatie.projections.periods import in_order, open_on, was_reached
from participatie.projections.report import HIDDEN
from participatie.projections.suppression import hidden_cells
from participatie.projections.table_suppression import Cell, hidden_table_cells

__all__ = ["COLUMNS", "TOTAL", "Breakdown", "BreakdownRow", "Dimension", "compute_breakdown"]


class Dimension(enum.StrEnum):
    """What a breakdown groups residents by (see :mod:`participatie.projections.breakdowns`)."""

    REFERRAL = "referral"
    BENEFIT = "benefit"
    COACH = "coach"
    MUNICIPALITY = "municipality"


#: The columns of a breakdown, named as the outcome report names its cells
#: (:meth:`participatie.OutcomeReport.cells`): reach, outflow by each reason, still coached.
COLUMNS: tuple[str, ...] = (
    "reach",
    *(f"outflow.{reason.value}" for reason in OutflowReason),
    "still_coached",
)

#: The row key of the totals row in :meth:`Breakdown.cells` (a group's key is its index).
TOTAL = "total"


@attrs.frozen
class BreakdownRow:
    """One group of a breakdown: ``group`` is the referral channel's or benefit's value, the
    coach's actor id or the municipality (``None``: residents without a coach; the totals row)."""

    group: str | None
    reach: int
    outflow: Mapping[OutflowReason, int]
    still_coached: int

    def counts(self) -> dict[str, int]:
        """The row's counts by column (see :data:`COLUMNS`)."""
        return {
            "reach": self.reach,
            **{f"outflow.{r.value}": self.outflow[r] for r in OutflowReason},
            "still_coached": self.still_coached,
        }


@attrs.frozen
class Breakdown:
    """Reach, outflow by reason and still coached of a period by group, with their totals.

    ``total`` equals the figures of :meth:`participatie.Participation.outcomes` for the same
    period, municipality and moment; ``rows`` are the groups in a stable order (enum order for
    referral and benefit, by name for coaches, "no coach" last, and municipalities by name).
    """

    dimension: Dimension
    period: tuple[date, date]
    municipality: str | None
    rows: tuple[BreakdownRow, ...]
    total: BreakdownRow

    def cells(self) -> dict[Cell, int]:
        """Every count of the table by (row, column): a group's row is its index in ``rows``,
        the totals row :data:`TOTAL`; the columns are :data:`COLUMNS`."""
        values: dict[Cell, int] = {}
        for key, row in [*enumerate(self.rows), (TOTAL, self.total)]:
            values |= {(key, column): n for column, n in row.counts().items()}
        return values

    def identities(self) -> list[tuple[str, list[str]]]:
        """The sums the table states, over cell names ``"<row>/<column>"`` (the form of
        :mod:`participatie.projections.suppression`): each row's reach is its outflow plus still
        coached, and each column's total the sum of its groups."""
        keys: list[object] = [*range(len(self.rows)), TOTAL]
        sums = [(f"{key}/reach", [f"{key}/{c}" for c in COLUMNS[1:]]) for key in keys]
        sums += [(f"{TOTAL}/{c}", [f"{i}/{c}" for i in range(len(self.rows))]) for c in COLUMNS]
        return sums

    def hidden_cells(self) -> frozenset[Cell]:
        """The cells a published breakdown hides: every count from 1 to 4, and whatever would
        let a reader work one out from the rest of the table or from the outcome report of the
        same period (whose reach, outflow and still coached are the totals row)."""
        totals = self.total.counts()
        # The outcome report hides these totals (its other identities share no cell with them).
        report_hides = hidden_cells(totals, [("reach", list(COLUMNS[1:]))])
        return hidden_table_cells(
            self.cells(),
            fixed_hidden=[(TOTAL, c) for c in COLUMNS if c in report_hides],
            fixed_shown=[(TOTAL, c) for c in COLUMNS if c not in report_hides],
        )

    def to_dict(self, *, suppress_small_cells: bool = False) -> dict[str, Any]:
        """The breakdown as JSON-safe data: each row's counts and, for outflow, the ratio to the
        group's reach; with ``suppress_small_cells`` a hidden count is None, and so is a
        percentage that would reveal one."""
        hidden = self.hidden_cells() if suppress_small_cells else frozenset()

        def row_dict(key: object, row: BreakdownRow) -> dict[str, Any]:
            def count(column: str) -> int | None:
                return None if (key, column) in hidden else row.counts()[column]

            outflow = {}
            for reason in OutflowReason:
                column = f"outflow.{reason.value}"
                data = Ratio(row.outflow[reason], row.reach).to_dict()
                if (key, column) in hidden or (key, "reach") in hidden:
                    data["percent"] = None
                data["numerator"], data["denominator"] = count(column), count("reach")
                outflow[reason.value] = data
            return {
                "group": row.group,
                "reach": count("reach"),
                "outflow": outflow,
                "still_coached": count("still_coached"),
            }

        return {
            "dimension": self.dimension.value,
            "period": [self.period[0].isoformat(), self.period[1].isoformat()],
            "municipality": self.municipality,
            "rows": [row_dict(i, row) for i, row in enumerate(self.rows)],
            "total": row_dict(TOTAL, self.total),
        }

    def table_rows(self, *, suppress_small_cells: bool = False) -> list[list[str]]:
        """The table as text: a header, a row per group and the totals row; a hidden count
        reads ``x`` (see :meth:`hidden_cells`); a group ``None`` reads ``(none)``."""
        hidden = self.hidden_cells() if suppress_small_cells else frozenset()
        header = [self.dimension.value, *(c.removeprefix("outflow.") for c in COLUMNS)]
        lines = [header]
        for key, row in [*enumerate(self.rows), (TOTAL, self.total)]:
            label = TOTAL if key == TOTAL else "(none)" if row.group is None else row.group
            counts = row.counts()
            lines.append(
                [label, *(HIDDEN if (key, c) in hidden else str(counts[c]) for c in COLUMNS)]
            )
        return lines


def group_of(dimension: Dimension, facts: Sequence[Fact]) -> str | None:
    """The group of a resident (facts in stream order, up to the period's end) in ``dimension``."""
    if dimension is Dimension.COACH:
        intake = conversation = None
        for fact in facts:
            if fact.kind == HAPPINESS:
                if fact.value == "conversation":
                    conversation = fact.detail
                else:
                    intake = fact.detail
        return conversation or intake
    if dimension is Dimension.MUNICIPALITY:
        return facts[0].municipality
    registration = next(f for f in facts if f.kind == REGISTERED)
    return registration.detail if dimension is Dimension.REFERRAL else registration.value


def compute_breakdown(
    facts: Iterable[Fact],
    *,
    dimension: Dimension,
    period: tuple[date, date],
    municipality: str | None,
    groups: Sequence[str] = (),
) -> Breakdown:
    """The breakdown of ``period`` (inclusive) from facts already filtered to what counts (as
    for :func:`participatie.projections.figures.compute`); ``groups`` are shown even when empty
    (the municipalities served; referral channels and benefits always are)."""
    start, end = period
    by_resident: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        # Job coaching's facts say nothing of reach or outflow; uncounted ones nothing at all.
        if (
            fact.occurred_on <= end
            and fact.kind != FactKind.UNCOUNTED
            and not fact.kind.startswith("coaching_")
        ):
            by_resident[fact.resident_id].append(fact)
    reach: Counter[str | None] = Counter()
    still: Counter[str | None] = Counter()
    outflow: dict[str | None, Counter[str]] = defaultdict(Counter)
    for resident_facts in by_resident.values():
        if not any(f.kind == REGISTERED for f in resident_facts):
            continue  # the registration is after the period: not reached
        ordered = in_order(resident_facts)
        if not was_reached(ordered, start):
            continue
        group = group_of(dimension, sorted(resident_facts, key=lambda f: f.version))
        reach[group] += 1
        if open_on(ordered, end):
            still[group] += 1
        else:
            # Reached, so open at a moment of the period: the last closure lies inside it.
            outflow[group][next(f.value for f in reversed(ordered) if f.kind == CLOSED)] += 1
    keys = _ordered_groups(dimension, {*reach, *groups})
    rows = tuple(_row(key, reach, outflow, still) for key in keys)
    total = BreakdownRow(
        group=None,
        reach=sum(r.reach for r in rows),
        outflow={r: sum(row.outflow[r] for row in rows) for r in OutflowReason},
        still_coached=sum(r.still_coached for r in rows),
    )
    return Breakdown(
        dimension=dimension, period=period, municipality=municipality, rows=rows, total=total
    )


def _row(
    key: str | None,
    reach: Counter[str | None],
    outflow: Mapping[str | None, Counter[str]],
    still: Counter[str | None],
) -> BreakdownRow:
    reasons = outflow.get(key, Counter())
    return BreakdownRow(
        group=key,
        reach=reach[key],
        outflow={r: reasons[r.value] for r in OutflowReason},
        still_coached=still[key],
    )


def _ordered_groups(dimension: Dimension, seen: set[str | None]) -> list[str | None]:
    named: list[str | None]
    if dimension is Dimension.REFERRAL:
        named = [r.value for r in Referral]
    elif dimension is Dimension.BENEFIT:
        named = [b.value for b in Benefit]
    else:
        named = []
    rest = sorted(key for key in seen if key is not None and key not in named)
    return [*named, *rest, *([None] if None in seen else [])]
