"""The outcome report for people: an HTML page with the figures and charts, in Dutch or English.

``participatie report --html FILE`` writes :func:`html_report`: the figures of
:meth:`OutcomeReport.figure_rows` and five charts (outflow by reason, reach against the target,
contact compliance per month, the change in happiness, and coaching hours per week per month) as
SVG inside one self-contained HTML file, in Dutch unless ``lang="en"``. Each chart is an image
with a title and a description in words, beside a table of its values (WCAG 2.1 AA, checked with
axe-core in tests/browser). The charts need matplotlib (the ``report`` extra:
``pip install participatie[report]``).

``breakdowns`` adds a table per dimension (``"referral"``, ``"benefit"``, ``"coach"``,
``"municipality"``) of reach and outflow by group (:meth:`participatie.Participation.breakdown`);
a breakdown names its reader, so ``by`` is then required and authorised as the breakdown is.

With ``suppress_small_cells`` the report's hidden cells (every count from 1 to 4, and whatever
would let a reader work one out: :meth:`OutcomeReport.hidden_cells`) are blanked, in the rows and
in the charts, so that a published report does not single out a handful of residents; the page's
legend explains the ``x`` that takes their place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from participatie.domain.values import Actor
from participatie.errors import InvalidInput
from participatie.i18n import DEFAULT_LANGUAGE, language
from participatie.projections.figures import OutcomeReport
from participatie.reporting.breakdown_tables import breakdown_section
from participatie.reporting.charts import charts
from participatie.reporting.page import page
from participatie.reporting.svg import pyplot

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = ["html_report", "monthly_reports"]


def _month_ends(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months that overlap [start, end], clipped to it."""
    months = []
    first = start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        months.append((first, min(end, following - timedelta(days=1))))
        first = following
    return months


def monthly_reports(
    app: Participation,
    *,
    period: tuple[date, date],
    municipality: str | None = None,
    as_of: date | None = None,
) -> list[tuple[date, OutcomeReport]]:
    """The outcome report of each calendar month of ``period`` (the first and last clipped)."""
    return [
        (first, app.outcomes(period=(first, last), municipality=municipality, as_of=as_of))
        for first, last in _month_ends(*period)
        if as_of is None or first <= as_of
    ]


def html_report(
    app: Participation,
    *,
    period: tuple[date | None, date | None] | None = None,
    municipality: str | None = None,
    target: int | None = None,
    as_of: date | None = None,
    suppress_small_cells: bool = False,
    lang: str = DEFAULT_LANGUAGE,
    breakdowns: Sequence[str] = (),
    by: Actor | None = None,
) -> str:
    """A self-contained HTML page with the period's figures and charts (SVG inside), in Dutch
    (``lang="nl"``, the default) or English (``lang="en"``), and a table per breakdown asked
    for (read by ``by``).

    ``period`` as in :meth:`participatie.Participation.outcomes`; the page shows the period
    counted."""
    words = language(lang)
    if breakdowns and by is None:
        raise InvalidInput("a report with breakdowns names its reader: pass by=Actor(...)")
    tables = [
        app.breakdown(dimension, by=by, period=period, municipality=municipality, as_of=as_of)
        for dimension in breakdowns
        if by is not None
    ]
    plt = pyplot()
    _ = words.gettext
    report = app.outcomes(period=period, municipality=municipality, target=target, as_of=as_of)
    first, last = report.period
    months = monthly_reports(app, period=report.period, municipality=municipality, as_of=as_of)
    suppress = suppress_small_cells

    def hidden(counted: OutcomeReport) -> frozenset[str]:
        return counted.hidden_cells() if suppress else frozenset()

    title = _("Outcomes: {where}, {first} to {last}").format(
        where=municipality or _("all municipalities"),
        first=words.day(first),
        last=words.day(last),
    )
    notes = []
    if as_of is not None:
        notes.append(_("Only what had happened by {day}.").format(day=words.day(as_of)))
    return page(
        words,
        title=title,
        notes=notes,
        rows=report.figure_rows(lang=lang, suppress_small_cells=suppress),
        charts=charts(plt, words, report, months, hidden),
        suppressed=suppress,
        tables=[
            breakdown_section(words, table, suppressed=suppress, number=number)
            for number, table in enumerate(tables, 1)
        ],
    )
