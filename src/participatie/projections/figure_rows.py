"""The outcome report as rows of text in a language (:meth:`OutcomeReport.figure_rows`): the rows
``participatie stats`` prints and the HTML report's table shows.

A row under another (outflow under reach, activities under still coached, the job coaching
details) starts with two spaces. A hidden cell reads :data:`~participatie.projections.report.HIDDEN`
(``x``), a ratio or mean without a value ``-``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from participatie.i18n import Language, language
from participatie.projections.labels import ACTIVITY_ROWS, OUTCOME_ROWS, OUTFLOW_ROWS

if TYPE_CHECKING:
    from participatie.projections.figure_values import Ratio
    from participatie.projections.report import OutcomeReport

__all__ = ["NO_VALUE", "figure_rows"]

#: What a ratio or a mean without a value (an empty denominator) reads as.
NO_VALUE = "-"
#: Indents a row under the row before it.
SUB = "  "


@attrs.frozen
class _Cells:
    """Writes the report's cells in one language, hidden ones as ``x``."""

    lang: Language
    hidden: frozenset[str]
    mark: str

    def __call__(self, name: str) -> bool:
        return name in self.hidden

    def any_of(self, *names: str) -> bool:
        return any(name in self.hidden for name in names)

    def count(self, name: str, value: int) -> str:
        return self.mark if name in self.hidden else self.lang.integer(value)

    def ratio(self, numerator: str, denominator: str, ratio: Ratio) -> str:
        """``23/50 (46%)``; a hidden numerator or denominator hides the percentage too, since with
        one of them it would give the other."""
        hide = self.any_of(numerator, denominator)
        percent = ratio.percent
        shown = self.mark if hide else NO_VALUE if percent is None else self.lang.percent(percent)
        top = self.count(numerator, ratio.numerator)
        bottom = self.count(denominator, ratio.denominator)
        return f"{top}/{bottom} ({shown})"

    def named(self, name: str, ratio: Ratio) -> str:
        return self.ratio(f"{name}.numerator", f"{name}.denominator", ratio)


def figure_rows(
    report: OutcomeReport, *, lang: str, hidden: frozenset[str], mark: str
) -> list[tuple[str, str]]:
    """The report's figures as (label, value) text in ``lang``; ``hidden`` cells read ``mark``."""
    words = language(lang)
    _ = words.gettext
    cells = _Cells(words, hidden, mark)
    count, ratio = cells.count, cells.ratio
    reach = count("reach", report.reach)
    against = report.reach_against_target
    if against is not None and report.target is not None and against.percent is not None:
        reach = _("{reach} of target {target} ({percent})").format(
            reach=reach,
            target=words.integer(report.target),
            percent=mark if cells("reach") else words.percent(against.percent),
        )
    rows = [
        (_("reach"), reach),
        (_("inflow (registered in the period)"), count("inflow", report.inflow)),
    ]
    rows += [
        (SUB + _(OUTFLOW_ROWS[reason]), ratio(f"outflow.{reason.value}", "reach", value))
        for reason, value in report.outflow.items()
        if value.numerator or cells(f"outflow.{reason.value}")
    ]
    rows.append((_("still coached at the end"), count("still_coached", report.still_coached)))
    rows += [
        (SUB + _(ACTIVITY_ROWS[activity]), count(f"activities.{activity.value}", n))
        for activity, n in report.activities.items()
        if n
    ]
    rows.append(
        (
            _("contact compliance (2+ a month)"),
            cells.named("contact_compliance", report.contact_compliance),
        )
    )
    happiness = report.happiness
    change = (
        NO_VALUE
        if happiness.mean_change is None
        else words.decimal(happiness.mean_change, signed=True)
    )
    changes = [f"happiness.changes.{k:+d}" for k in happiness.changes]
    if cells.any_of("happiness.residents", "happiness.rising", *changes):
        change = mark
    rising = ratio("happiness.rising", "happiness.residents", happiness.rising)
    durability = report.durability
    rows += [
        (
            _("happiness rising"),
            _("{rising}, mean change {change}").format(rising=rising, change=change),
        ),
        (_("re-inflow"), count("reinflow", report.reinflow)),
        (
            _("paid placements lasting 6 months"),
            cells.named("durability.six_months", durability.six_months),
        ),
        (
            _("paid placements lasting 12 months"),
            cells.named("durability.twelve_months", durability.twelve_months),
        ),
    ]
    coaching = report.job_coaching
    if coaching.need_rate.denominator or coaching.trajectories:
        rows += _job_coaching_rows(report, cells)
    if report.uncounted:
        rows.append((_("events not counted"), words.integer(len(report.uncounted))))
    return rows


def _job_coaching_rows(report: OutcomeReport, cells: _Cells) -> list[tuple[str, str]]:
    words, mark = cells.lang, cells.mark
    _ = words.gettext
    count, ratio = cells.count, cells.ratio
    coaching = report.job_coaching
    hours = coaching.mean_hours_per_week
    mean = NO_VALUE if hours is None else words.decimal(hours)
    if cells("job_coaching.trajectories"):
        mean = mark
    rows = [
        (
            _("job coaching need at assessment"),
            cells.named("job_coaching.need_rate", coaching.need_rate),
        ),
        (_("job coaching trajectories"), count("job_coaching.trajectories", coaching.trajectories)),
        (SUB + _("mean hours per week"), mean),
        (
            SUB + _("completed within two years"),
            ratio(
                "job_coaching.completed_within_two_years",
                "job_coaching.completed",
                coaching.completed_within_two_years,
            ),
        ),
        (SUB + _("extended by a year"), count("job_coaching.extended", coaching.extended)),
    ]
    rows += [
        (SUB + _(OUTCOME_ROWS[outcome]), count(f"job_coaching.outcomes.{outcome.value}", n))
        for outcome, n in coaching.outcomes.items()
        if n or cells(f"job_coaching.outcomes.{outcome.value}")
    ]
    for year, use in coaching.cap_use.items():
        name = f"job_coaching.cap_use.{year}"
        value = NO_VALUE
        if use.mean_percent is not None:
            # A hidden count takes the plural, which says nothing about it.
            value = words.ngettext(
                "{percent} ({years} coaching year)",
                "{percent} ({years} coaching years)",
                2 if cells(name) else use.years,
            ).format(
                percent=mark if cells(name) else words.percent(use.mean_percent),
                years=count(name, use.years),
            )
        label = _("cap use in coaching year {year} (mean)").format(year=year)
        rows.append((SUB + label, value))
    rows += [
        (
            SUB + _("coaching years at 90%+ of the cap"),
            ratio("job_coaching.near_cap", "job_coaching.coaching_years", coaching.near_cap),
        ),
        (SUB + _("running at the end"), count("job_coaching.running", coaching.running)),
        (
            SUB + _("running, no evaluation for 6+ months"),
            ratio(
                "job_coaching.evaluation_overdue",
                "job_coaching.running",
                coaching.evaluation_overdue,
            ),
        ),
    ]
    return rows
