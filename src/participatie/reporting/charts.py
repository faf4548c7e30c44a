"""The report's five charts, each with the words and the table that say what it shows.

A zero is a value and a missing value is a gap: a month with 0% contact compliance is drawn as a
bar of 0 labelled "0%", a month without any whole month of open trajectories (or without job
coaching) is left empty and labelled "no data", and a hidden value is labelled "x". A chart
says that it has nothing to show only when no month (or no resident) has a value at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import attrs

from participatie.i18n import Language
from participatie.projections.figures import HIDDEN, OutcomeReport
from participatie.projections.labels import OUTFLOW_REASONS
from participatie.reporting.svg import BAR, FALL, NOTE, TEXT, draw_svg

__all__ = ["Chart", "charts"]

#: One month's report, from its first day.
Months = list[tuple[date, OutcomeReport]]


@attrs.frozen
class Chart:
    """A chart, what it shows in words, and its values as a table of two columns."""

    title: str
    #: What the chart shows, in a sentence (the first part of the SVG's ``<desc>``).
    summary: str
    columns: tuple[str, str]
    #: Each bar or point: its label and its value as shown (``x`` when hidden).
    points: list[tuple[str, str]]
    svg: str

    @property
    def desc(self) -> str:
        """The summary and the values, in words."""
        values = "; ".join(f"{label}: {value}" for label, value in self.points)
        return f"{self.summary} {values[:1].upper()}{values[1:]}." if values else self.summary


def charts(
    plt: Any,
    lang: Language,
    report: OutcomeReport,
    months: Months,
    hidden: Callable[[OutcomeReport], frozenset[str]],
) -> list[Chart]:
    """The five charts of a report and its months; ``hidden(report)`` names a report's hidden
    cells."""
    draw = _Drawer(plt, lang, hidden)
    return [
        draw.outflow(report),
        draw.reach(report),
        draw.compliance(months),
        draw.happiness(report),
        draw.hours(months),
    ]


@attrs.frozen
class _Drawer:
    plt: Any
    lang: Language
    hidden: Callable[[OutcomeReport], frozenset[str]]

    def _(self, message: str) -> str:
        return self.lang.gettext(message)

    def _svg(self, draw: Callable[[Any], None]) -> str:
        return draw_svg(self.plt, self.lang, draw)

    def _empty(self, title: str, columns: tuple[str, str], note: str) -> Chart:
        return Chart(title, note, columns, [], self._svg(lambda axes: _note_empty(axes, note)))

    def outflow(self, report: OutcomeReport) -> Chart:
        _, lang = self._, self.lang
        title, columns = _("Outflow by reason"), (_("reason"), _("residents"))
        if not report.reach:
            # Nobody was reached: outflow has no denominator (a gap, not a zero).
            return self._empty(
                title, columns, _("No outflow in this period: no resident was reached.")
            )
        # Every reason is shown, a reason nobody left for as a bar of 0.
        hidden = self.hidden(report)
        reasons = list(report.outflow.items())
        labels = [_(OUTFLOW_REASONS[reason]) for reason, _ratio in reasons]
        values = [ratio.numerator for _reason, ratio in reasons]
        hides = [f"outflow.{reason.value}" in hidden for reason, _ratio in reasons]
        reach = HIDDEN if "reach" in hidden else lang.integer(report.reach)

        def draw(axes: Any) -> None:
            _bars(axes, lang, labels, values, hides)
            axes.set_xlabel(_("residents (of {reach} reached)").format(reach=reach))

        summary = _("Bar chart: the residents who flowed out, by reason, of {reach} reached.")
        return Chart(
            title,
            summary.format(reach=reach),
            columns,
            _points(lang, labels, values, hides),
            self._svg(draw),
        )

    def reach(self, report: OutcomeReport) -> Chart:
        _, lang = self._, self.lang
        labels, values = [_("reached")], [report.reach]
        hides = ["reach" in self.hidden(report)]
        if report.target is not None:
            labels.append(_("target"))
            values.append(report.target)
            hides.append(False)

        def draw(axes: Any) -> None:
            _bars(axes, lang, labels, values, hides)
            axes.set_xlabel(_("residents"))

        summary = (
            _("Bar chart: the residents reached in the period, beside the target.")
            if report.target is not None
            else _("Bar chart: the residents reached in the period (no target was set).")
        )
        return Chart(
            _("Reach against the target"),
            summary,
            (_("figure"), _("residents")),
            _points(lang, labels, values, hides),
            self._svg(draw),
        )

    def compliance(self, months: Months) -> Chart:
        _, lang = self._, self.lang
        title, columns = _("Contact compliance per month"), (_("month"), _("share"))
        # A month whose share is 0% is a bar of 0; a month without whole months of open
        # trajectories has no share at all: a gap, marked "no data".
        labels, shares, notes = [], [], []
        for first, report in months:
            ratio = report.contact_compliance
            labels.append(lang.month(first))
            if ratio.percent is None:
                shares.append(0.0)
                notes.append(_("no data"))
            elif {
                "contact_compliance.numerator",
                "contact_compliance.denominator",
            } & self.hidden(report):
                shares.append(0.0)
                notes.append(HIDDEN)
            else:
                shares.append(float(ratio.percent))
                notes.append(lang.percent(ratio.percent))
        if all(note == _("no data") for note in notes):
            return self._empty(title, columns, _("No whole months of open trajectories."))

        def draw(axes: Any) -> None:
            axes.bar(labels, shares, color=BAR)
            _month_labels(axes, labels, notes, shares, _("no data"))
            axes.set_ylim(0, 115)
            axes.set_yticks(range(0, 101, 20))
            axes.set_ylabel(_("residents with 2+ conversations (%)"))
            axes.tick_params(axis="x", labelrotation=45)

        summary = _(
            "Bar chart: per month, the share of residents with an open trajectory all month who "
            "had at least two conversations."
        )
        return Chart(
            title, summary, columns, list(zip(labels, notes, strict=True)), self._svg(draw)
        )

    def happiness(self, report: OutcomeReport) -> Chart:
        _, lang = self._, self.lang
        title, columns = _("Change in happiness"), (_("change"), _("residents"))
        changes = report.happiness.changes
        if not changes:
            return self._empty(title, columns, _("No resident with two scores in this period."))
        hidden = self.hidden(report)
        steps = list(changes)
        hides = [f"happiness.changes.{step:+d}" in hidden for step in steps]
        values = list(changes.values())
        labels = [lang.decimal(step, places=0, signed=True) for step in steps]
        mean = report.happiness.mean_change
        headline = None
        if mean is not None and not any(hides):
            headline = _("mean change {change}").format(change=lang.decimal(mean, signed=True))

        def draw(axes: Any) -> None:
            counts = [0 if hide else n for n, hide in zip(values, hides, strict=True)]
            colours = [FALL if step < 0 else BAR for step in steps]
            axes.bar(labels, counts, color=colours)
            for label, hide in zip(labels, hides, strict=True):
                if hide:
                    axes.annotate(HIDDEN, (label, 0), ha="center", va="bottom")
            axes.set_xlabel(_("last minus first happiness score"))
            axes.set_ylabel(_("residents"))
            if headline is not None:
                axes.set_title(headline, fontsize="medium")

        summary = _(
            "Bar chart: how many residents' happiness score went up or down, and by how much, "
            "from their first to their last score in the period."
        )
        if headline is not None:
            summary = f"{summary} {headline[:1].upper()}{headline[1:]}."
        return Chart(title, summary, columns, _points(lang, labels, values, hides), self._svg(draw))

    def hours(self, months: Months) -> Chart:
        _, lang = self._, self.lang
        title = _("Coaching hours per week, per month")
        columns = (_("month"), _("mean hours per week"))
        # A month without job coaching has no mean: a gap in the line, marked "no data"; a mean
        # over fewer than five trajectories is suppressed like a small count.
        labels, hours, notes, shown = [], [], [], []
        for first, report in months:
            labels.append(lang.month(first))
            mean = report.job_coaching.mean_hours_per_week
            if mean is None:
                hours.append(float("nan"))
                notes.append(_("no data"))
            elif "job_coaching.trajectories" in self.hidden(report):
                hours.append(float("nan"))
                notes.append(HIDDEN)
            else:
                hours.append(float(mean))
                notes.append("")
            shown.append(notes[-1] or lang.decimal(mean or 0))
        if all(note == _("no data") for note in notes):
            return self._empty(title, columns, _("No job coaching in this period."))

        def draw(axes: Any) -> None:
            axes.plot(labels, hours, marker="o", color=BAR)
            # Every month keeps its place on the axis, also one without a point.
            axes.set_xlim(-0.5, len(labels) - 0.5)
            gaps = [i for i, note in enumerate(notes) if note]
            _month_labels(
                axes,
                [labels[i] for i in gaps],
                [notes[i] for i in gaps],
                [hours[i] for i in gaps],
                _("no data"),
            )
            values = [h for h in hours if not math.isnan(h)]
            axes.set_ylim(bottom=0, top=max(max(values, default=0.0) * 1.4, 1.0))
            axes.set_ylabel(_("mean hours per week"))
            axes.tick_params(axis="x", labelrotation=45)

        summary = _(
            "Line chart: per month, the mean hours of job coaching per week of the trajectories "
            "coached that month."
        )
        return Chart(
            title, summary, columns, list(zip(labels, shown, strict=True)), self._svg(draw)
        )


def _points(
    lang: Language, labels: Sequence[str], values: Sequence[int], hides: Sequence[bool]
) -> list[tuple[str, str]]:
    return [
        (label, HIDDEN if hide else lang.integer(value))
        for label, value, hide in zip(labels, values, hides, strict=True)
    ]


def _note_empty(axes: Any, what: str) -> None:
    axes.text(0.5, 0.5, what, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _bars(
    axes: Any,
    lang: Language,
    labels: Sequence[str],
    values: Sequence[int],
    hidden: Sequence[bool],
) -> None:
    shown = [0 if hide else v for v, hide in zip(values, hidden, strict=True)]
    bars = axes.barh(labels, shown, color=BAR)
    for bar, value, hide in zip(bars, values, hidden, strict=True):
        axes.annotate(
            HIDDEN if hide else lang.integer(value),
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    axes.invert_yaxis()


def _month_labels(
    axes: Any,
    labels: Sequence[str],
    notes: Sequence[str],
    heights: Sequence[float],
    no_data: str,
) -> None:
    """Write each month's value (or why it has none) above its bar or point, or above the axis."""
    for label, note, height in zip(labels, notes, heights, strict=True):
        axes.annotate(
            note,
            (label, 0.0 if math.isnan(height) else height),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            rotation=90,
            fontsize="small",
            color=NOTE if note == no_data else TEXT,
        )
