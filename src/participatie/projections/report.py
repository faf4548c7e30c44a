"""The outcome report (:class:`OutcomeReport`): its figures, the counts it publishes and the
identities between them (what small-cell suppression protects), and the report as text rows (in
:mod:`participatie.projections.figure_rows`) and as JSON-safe data, with hidden cells shown as
:data:`HIDDEN` or None."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from participatie.domain.values import Activity, OutflowReason
from participatie.i18n import DEFAULT_LANGUAGE
from participatie.projections.figure_values import (
    Durability,
    HappinessTrend,
    JobCoachingFigures,
    Ratio,
)
from participatie.projections.suppression import Identity, hidden_cells

__all__ = ["HIDDEN", "OutcomeReport"]


#: What a hidden cell reads as in figure rows and charts: it claims no range, since a cell hidden
#: so that another cannot be worked out may hold any number.
HIDDEN = "x"


@attrs.frozen
class OutcomeReport:
    """The outcome statistics of a period (see :mod:`participatie.projections.figures`)."""

    period: tuple[date, date]
    municipality: str | None
    reach: int
    target: int | None
    #: Residents registered in the period (reach also counts those carried over open).
    inflow: int
    outflow: Mapping[OutflowReason, Ratio]
    still_coached: int
    activities: Mapping[Activity, int]
    contact_compliance: Ratio
    happiness: HappinessTrend
    reinflow: int
    durability: Durability
    job_coaching: JobCoachingFigures
    #: Positions of events the statistics could not count (see :class:`FactKind.UNCOUNTED`):
    #: the figures leave them out; ``participatie verify`` names each.
    uncounted: tuple[int, ...] = ()

    @property
    def reach_against_target(self) -> Ratio | None:
        """Reach over the target (50 against 30 is 167%), when a target was set."""
        return None if self.target is None else Ratio(self.reach, self.target)

    def cells(self) -> tuple[dict[str, int], list[Identity]]:
        """Every count the report publishes, by name, and the identities between them that it
        states: what small-cell suppression protects (:meth:`hidden_cells`).

        A ratio's numerator and denominator are cells (``contact_compliance.numerator``); a
        denominator that is another figure is that figure's cell (outflow's is ``reach``).
        """
        values: dict[str, int] = {"reach": self.reach, "inflow": self.inflow}
        values |= {f"outflow.{r.value}": ratio.numerator for r, ratio in self.outflow.items()}
        values["still_coached"] = self.still_coached
        values |= {f"activities.{a.value}": n for a, n in self.activities.items()}
        ratios = {
            "contact_compliance": self.contact_compliance,
            "durability.six_months": self.durability.six_months,
            "durability.twelve_months": self.durability.twelve_months,
            "job_coaching.need_rate": self.job_coaching.need_rate,
        }
        for name, ratio in ratios.items():
            values[f"{name}.numerator"] = ratio.numerator
            values[f"{name}.denominator"] = ratio.denominator
        happiness, coaching = self.happiness, self.job_coaching
        values["happiness.residents"] = happiness.residents
        values["happiness.rising"] = happiness.rising.numerator
        values |= {f"happiness.changes.{k:+d}": n for k, n in happiness.changes.items()}
        values["reinflow"] = self.reinflow
        values["job_coaching.trajectories"] = coaching.trajectories
        values["job_coaching.completed"] = coaching.completed
        values["job_coaching.completed_within_two_years"] = (
            coaching.completed_within_two_years.numerator
        )
        values["job_coaching.completed_within_three_years"] = (
            coaching.completed_within_three_years.numerator
        )
        values["job_coaching.extended"] = coaching.extended
        values |= {f"job_coaching.outcomes.{o.value}": n for o, n in coaching.outcomes.items()}
        values |= {f"job_coaching.cap_use.{y}": use.years for y, use in coaching.cap_use.items()}
        values["job_coaching.near_cap"] = coaching.near_cap.numerator
        values["job_coaching.coaching_years"] = coaching.near_cap.denominator
        values["job_coaching.running"] = coaching.running
        values["job_coaching.evaluation_overdue"] = coaching.evaluation_overdue.numerator
        identities: list[Identity] = [
            ("reach", [*(f"outflow.{r.value}" for r in self.outflow), "still_coached"]),
            ("happiness.residents", [f"happiness.changes.{k:+d}" for k in happiness.changes]),
            ("happiness.rising", [f"happiness.changes.{k:+d}" for k in happiness.changes if k > 0]),
            (
                "job_coaching.completed",
                [f"job_coaching.outcomes.{o.value}" for o in coaching.outcomes],
            ),
            (
                "job_coaching.coaching_years",
                [f"job_coaching.cap_use.{y}" for y in coaching.cap_use],
            ),
        ]
        return values, identities

    def hidden_cells(self) -> frozenset[str]:
        """The cells a published report hides (see :mod:`participatie.projections.suppression`):
        every count from 1 to 4, and whatever would let a reader work one of them out."""
        values, identities = self.cells()
        return hidden_cells(values, identities)

    def _hider(self, suppress: bool) -> _Hider:
        return _Hider(self.hidden_cells() if suppress else frozenset())

    def figure_rows(
        self, *, lang: str = DEFAULT_LANGUAGE, suppress_small_cells: bool = False
    ) -> list[tuple[str, str]]:
        """The figures as (label, value) text, as ``participatie stats`` prints them, in Dutch or
        (``lang="en"``) English; with ``suppress_small_cells`` a hidden count reads ``x`` (see
        :meth:`hidden_cells`)."""
        # The rows' module names figures through this class: imported here, not at the top.
        from participatie.projections.figure_rows import figure_rows  # noqa: PLC0415

        hidden = self.hidden_cells() if suppress_small_cells else frozenset()
        return figure_rows(self, lang=lang, hidden=hidden, mark=HIDDEN)

    def _change_cells(self) -> list[str]:
        return [f"happiness.changes.{k:+d}" for k in self.happiness.changes]

    def to_dict(self, *, suppress_small_cells: bool = False) -> dict[str, Any]:
        """The report as JSON-safe data; with ``suppress_small_cells`` a hidden count is None, and
        so is a percentage or mean that would reveal one (see :meth:`hidden_cells`)."""
        hide = self._hider(suppress_small_cells)
        cell, ratio, named = hide.value, hide.ratio_dict, hide.named_ratio_dict
        coaching, happiness = self.job_coaching, self.happiness
        mean_change = _number(happiness.mean_change)
        if hide.any_of("happiness.residents", "happiness.rising", *self._change_cells()):
            mean_change = None
        data: dict[str, Any] = {
            "period": [self.period[0].isoformat(), self.period[1].isoformat()],
            "municipality": self.municipality,
            "reach": cell("reach", self.reach),
            "target": self.target,
            "inflow": cell("inflow", self.inflow),
            "outflow": {
                reason.value: ratio(f"outflow.{reason.value}", "reach", r)
                for reason, r in self.outflow.items()
            },
            "still_coached": cell("still_coached", self.still_coached),
            "activities": {
                a.value: cell(f"activities.{a.value}", n) for a, n in self.activities.items()
            },
            "contact_compliance": named("contact_compliance", self.contact_compliance),
            "happiness": {
                "residents": cell("happiness.residents", happiness.residents),
                "rising": ratio("happiness.rising", "happiness.residents", happiness.rising),
                "mean_change": mean_change,
                "changes": {
                    f"{k}": cell(f"happiness.changes.{k:+d}", n)
                    for k, n in happiness.changes.items()
                },
            },
            "reinflow": cell("reinflow", self.reinflow),
            "durability": {
                "six_months": named("durability.six_months", self.durability.six_months),
                "twelve_months": named("durability.twelve_months", self.durability.twelve_months),
            },
            "job_coaching": {
                "need_rate": named("job_coaching.need_rate", coaching.need_rate),
                "trajectories": cell("job_coaching.trajectories", coaching.trajectories),
                "mean_hours_per_week": None
                if hide("job_coaching.trajectories")
                else _number(coaching.mean_hours_per_week),
                "completed": cell("job_coaching.completed", coaching.completed),
                "completed_within_two_years": ratio(
                    "job_coaching.completed_within_two_years",
                    "job_coaching.completed",
                    coaching.completed_within_two_years,
                ),
                "extended": cell("job_coaching.extended", coaching.extended),
                "completed_within_three_years": ratio(
                    "job_coaching.completed_within_three_years",
                    "job_coaching.completed",
                    coaching.completed_within_three_years,
                ),
                "outcomes": {
                    o.value: cell(f"job_coaching.outcomes.{o.value}", n)
                    for o, n in coaching.outcomes.items()
                },
                "cap_use": {
                    str(year): {
                        "years": cell(f"job_coaching.cap_use.{year}", use.years),
                        "mean_percent": None
                        if hide(f"job_coaching.cap_use.{year}")
                        else _number(use.mean_percent),
                    }
                    for year, use in coaching.cap_use.items()
                },
                "near_cap": ratio(
                    "job_coaching.near_cap", "job_coaching.coaching_years", coaching.near_cap
                ),
                "running": cell("job_coaching.running", coaching.running),
                "evaluation_overdue": ratio(
                    "job_coaching.evaluation_overdue",
                    "job_coaching.running",
                    coaching.evaluation_overdue,
                ),
            },
        }
        if self.uncounted:  # present only when there are any, as earlier releases wrote it
            data["uncounted_events"] = list(self.uncounted)
        return data


@attrs.frozen
class _Hider:
    """Shows or hides the named cells of a report (nothing is hidden without suppression)."""

    hidden: frozenset[str]

    def __call__(self, name: str) -> bool:
        return name in self.hidden

    def any_of(self, *names: str) -> bool:
        return any(name in self.hidden for name in names)

    def value(self, name: str, value: int) -> int | None:
        return None if name in self.hidden else value

    def ratio_dict(self, numerator: str, denominator: str, ratio: Ratio) -> dict[str, Any]:
        data = ratio.to_dict()
        if numerator in self.hidden:
            data["numerator"] = None
        if denominator in self.hidden:
            data["denominator"] = None
        if self.any_of(numerator, denominator):
            data["percent"] = None  # with one of them it would give the other
        return data

    def named_ratio_dict(self, name: str, ratio: Ratio) -> dict[str, Any]:
        return self.ratio_dict(f"{name}.numerator", f"{name}.denominator", ratio)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))
