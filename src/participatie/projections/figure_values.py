"""The values the outcome figures take: a :class:`Ratio` (a count out of a total), and the groups
of figures of an :class:`OutcomeReport <participatie.projections.report.OutcomeReport>`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from participatie.domain.values import CoachingOutcome

__all__ = ["CapUse", "Durability", "HappinessTrend", "JobCoachingFigures", "Ratio"]


@attrs.frozen
class Ratio:
    """A count out of a total, printed as ``23/50 (46%)``.

    >>> print(Ratio(23, 50))
    23/50 (46%)
    """

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """The ratio as a percentage, or None for an empty denominator."""
        if self.denominator == 0:
            return None
        return Decimal(100) * self.numerator / self.denominator

    def __str__(self) -> str:
        percent = self.percent
        shown = "-" if percent is None else f"{percent:.0f}%"
        return f"{self.numerator}/{self.denominator} ({shown})"

    def to_dict(self) -> dict[str, Any]:
        percent = self.percent
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "percent": None if percent is None else float(round(percent, 1)),
        }


@attrs.frozen
class HappinessTrend:
    residents: int
    rising: Ratio
    mean_change: Decimal | None
    #: How many residents changed by how much (last minus first score), e.g. ``{2: 7, -1: 3}``.
    changes: Mapping[int, int] = attrs.field(factory=dict)


@attrs.frozen
class Durability:
    six_months: Ratio
    twelve_months: Ratio


@attrs.frozen
class CapUse:
    """How much of the policy's cap the coaching years of one number (1, 2, 3) used."""

    #: Coaching years of this number counted (one per trajectory).
    years: int
    #: Their mean of hours logged over the year's cap, in percent (None when none counted).
    mean_percent: Decimal | None


@attrs.frozen
class JobCoachingFigures:
    need_rate: Ratio
    trajectories: int
    mean_hours_per_week: Decimal | None
    completed: int
    completed_within_two_years: Ratio
    extended: int
    completed_within_three_years: Ratio
    outcomes: Mapping[CoachingOutcome, int]
    #: Per coaching year number, the cap use of the coaching years overlapping the period.
    cap_use: Mapping[int, CapUse] = attrs.field(factory=dict)
    #: Coaching years at 90% of their cap or more, over all coaching years counted.
    near_cap: Ratio = Ratio(0, 0)
    #: Coaching running at the end of the period (started, not completed, before its planned end).
    running: int = 0
    #: Of those, the ones whose last evaluation (or start) is more than 6 months before the end.
    evaluation_overdue: Ratio = Ratio(0, 0)
