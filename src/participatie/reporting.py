"""The outcome report for people: figures as rows of text, and an HTML page with charts.

``participatie stats`` prints :meth:`OutcomeReport.figure_rows`; ``participatie report --html
FILE`` writes :func:`html_report`: the same figures and five charts (outflow by reason, reach
against the target, contact compliance per month, the change in happiness, and coaching hours
per week per month) as SVG inside one self-contained HTML file. The charts need matplotlib (the
``report`` extra: ``pip install participatie[report]``).

With ``suppress_small_cells`` the report's hidden cells (every count from 1 to 4, and whatever
would let a reader work one out: :meth:`OutcomeReport.hidden_cells`) are blanked, in the rows and
in the charts, so that a published report does not single out a handful of residents.

A zero is a value and a missing value is a gap: a month with 0% contact compliance is drawn as a
bar of 0 labelled "0%", a month without any whole month of open trajectories (or without job
coaching) is left empty and labelled "no data", and a hidden value is labelled "x". A chart
says that it has nothing to show only when no month (or no resident) has a value at all.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from participatie.errors import ConfigurationError
from participatie.projections.figures import HIDDEN, SMALL, OutcomeReport

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = ["html_report", "monthly_reports"]


def _hidden(report: OutcomeReport, suppress: bool) -> frozenset[str]:
    return report.hidden_cells() if suppress else frozenset()


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
) -> str:
    """A self-contained HTML page with the period's figures and charts (SVG inside).

    ``period`` as in :meth:`participatie.Participation.outcomes`; the page shows the period
    counted."""
    plt = _pyplot()
    report = app.outcomes(period=period, municipality=municipality, target=target, as_of=as_of)
    period = report.period
    months = monthly_reports(app, period=report.period, municipality=municipality, as_of=as_of)
    suppress = suppress_small_cells
    charts = [
        ("Outflow by reason", _outflow_chart(plt, report, suppress)),
        ("Reach against the target", _reach_chart(plt, report, suppress)),
        ("Contact compliance per month", _compliance_chart(plt, months, suppress)),
        ("Change in happiness", _happiness_chart(plt, report, suppress)),
        ("Coaching hours per week, per month", _hours_chart(plt, months, suppress)),
    ]
    where = municipality or "all municipalities"
    title = f"Outcomes: {where}, {report.period[0]} to {report.period[1]}"
    rows = "\n".join(
        f"<tr><th>{html.escape(label.strip())}</th><td>{html.escape(value)}</td></tr>"
        for label, value in report.figure_rows(suppress_small_cells=suppress)
    )
    sections = "\n".join(
        f"<section><h2>{html.escape(name)}</h2>\n{svg}\n</section>" for name, svg in charts
    )
    notes = []
    if as_of is not None:
        notes.append(f"Only what had happened by {as_of}.")
    if suppress:
        notes.append(
            f"x: not shown (counts under {SMALL}, and counts that would let a reader work one "
            "of those out)."
        )
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
th {{ text-align: left; font-weight: normal; padding: 0.2rem 2rem 0.2rem 0; }}
td {{ text-align: right; padding: 0.2rem 0; }}
section svg {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(" ".join(notes))}</p>
<table>
{rows}
</table>
{sections}
</body>
</html>
"""


def _pyplot() -> Any:
    try:
        import matplotlib as mpl  # noqa: PLC0415
    except ImportError:
        raise ConfigurationError("charts need matplotlib: install participatie[report]") from None
    mpl.use("Agg")
    mpl.rcParams["svg.hashsalt"] = "participatie"  # the same report gives the same file
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def _svg(plt: Any, draw: Callable[[Any], None]) -> str:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    try:
        draw(axes)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _note_empty(axes: Any, what: str) -> None:
    axes.text(0.5, 0.5, what, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _bars(axes: Any, labels: Sequence[str], values: Sequence[int], hidden: Sequence[bool]) -> None:
    shown = [0 if hide else v for v, hide in zip(values, hidden, strict=True)]
    bars = axes.barh(labels, shown, color="#2f6f9f")
    for bar, value, hide in zip(bars, values, hidden, strict=True):
        text = HIDDEN if hide else str(value)
        axes.annotate(
            text,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    axes.invert_yaxis()


def _outflow_chart(plt: Any, report: OutcomeReport, suppress: bool) -> str:
    def draw(axes: Any) -> None:
        if not report.reach:
            # Nobody was reached: outflow has no denominator (a gap, not a zero).
            _note_empty(axes, "no outflow in this period: no resident was reached")
            return
        # Every reason is shown, a reason nobody left for as a bar of 0.
        hidden = _hidden(report, suppress)
        reasons = list(report.outflow.items())
        _bars(
            axes,
            [reason.value.replace("_", " ") for reason, _ in reasons],
            [ratio.numerator for _, ratio in reasons],
            [f"outflow.{reason.value}" in hidden for reason, _ in reasons],
        )
        reach = HIDDEN if "reach" in hidden else str(report.reach)
        axes.set_xlabel(f"residents (of {reach} reached)")

    return _svg(plt, draw)


def _reach_chart(plt: Any, report: OutcomeReport, suppress: bool) -> str:
    def draw(axes: Any) -> None:
        labels, values, hidden = ["reached"], [report.reach], ["reach" in _hidden(report, suppress)]
        if report.target is not None:
            labels.append("target")
            values.append(report.target)
            hidden.append(False)
        _bars(axes, labels, values, hidden)
        axes.set_xlabel("residents")

    return _svg(plt, draw)


#: What a month without a value shows instead of a bar or a point.
NO_DATA = "no data"


def _month_labels(
    axes: Any, labels: Sequence[str], notes: Sequence[str], heights: Sequence[float]
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
            color="#555555" if note == NO_DATA else "#222222",
        )


def _compliance_chart(plt: Any, months: list[tuple[date, OutcomeReport]], suppress: bool) -> str:
    def draw(axes: Any) -> None:
        # A month whose share is 0% is a bar of 0; a month without whole months of open
        # trajectories has no share at all: a gap, marked "no data".
        labels, shares, notes = [], [], []
        for first, report in months:
            ratio = report.contact_compliance
            labels.append(first.strftime("%Y-%m"))
            hidden = _hidden(report, suppress)
            if ratio.percent is None:
                shares.append(0.0)
                notes.append(NO_DATA)
            elif {"contact_compliance.numerator", "contact_compliance.denominator"} & hidden:
                shares.append(0.0)
                notes.append(HIDDEN)
            else:
                shares.append(float(ratio.percent))
                notes.append(f"{ratio.percent:.0f}%")
        if all(note == NO_DATA for note in notes):
            _note_empty(axes, "no whole months of open trajectories")
            return
        axes.bar(labels, shares, color="#2f6f9f")
        _month_labels(axes, labels, notes, shares)
        axes.set_ylim(0, 115)
        axes.set_yticks(range(0, 101, 20))
        axes.set_ylabel("% of residents with 2+ conversations")
        axes.tick_params(axis="x", labelrotation=45)

    return _svg(plt, draw)


def _happiness_chart(plt: Any, report: OutcomeReport, suppress: bool) -> str:
    def draw(axes: Any) -> None:
        changes = report.happiness.changes
        if not changes:
            _note_empty(axes, "no resident with two scores in this period")
            return
        steps = list(changes)
        hidden = _hidden(report, suppress)
        hides = [f"happiness.changes.{step:+d}" in hidden for step in steps]
        counts = [0 if hide else n for n, hide in zip(changes.values(), hides, strict=True)]
        colours = ["#b5523b" if step < 0 else "#2f6f9f" for step in steps]
        labels = [f"{step:+d}" for step in steps]
        axes.bar(labels, counts, color=colours)
        for label, hide in zip(labels, hides, strict=True):
            if hide:
                axes.annotate(HIDDEN, (label, 0), ha="center", va="bottom")
        axes.set_xlabel("last minus first happiness score")
        axes.set_ylabel("residents")
        mean = report.happiness.mean_change
        if mean is not None and not any(hides):
            axes.set_title(f"mean change {mean:+.2f}", fontsize="medium")

    return _svg(plt, draw)


def _hours_chart(plt: Any, months: list[tuple[date, OutcomeReport]], suppress: bool) -> str:
    def draw(axes: Any) -> None:
        # A month without job coaching has no mean: a gap in the line, marked "no data"; a mean
        # over fewer than five trajectories is suppressed like a small count.
        labels, hours, notes = [], [], []
        for first, report in months:
            labels.append(first.strftime("%Y-%m"))
            coaching = report.job_coaching
            mean = coaching.mean_hours_per_week
            if mean is None:
                hours.append(float("nan"))
                notes.append(NO_DATA)
            elif "job_coaching.trajectories" in _hidden(report, suppress):
                hours.append(float("nan"))
                notes.append(HIDDEN)
            else:
                hours.append(float(mean))
                notes.append("")
        if all(note == NO_DATA for note in notes):
            _note_empty(axes, "no job coaching in this period")
            return
        axes.plot(labels, hours, marker="o", color="#2f6f9f")
        # Every month keeps its place on the axis, also one without a point.
        axes.set_xlim(-0.5, len(labels) - 0.5)
        gaps = [i for i, note in enumerate(notes) if note]
        _month_labels(
            axes, [labels[i] for i in gaps], [notes[i] for i in gaps], [hours[i] for i in gaps]
        )
        shown = [h for h in hours if not math.isnan(h)]
        axes.set_ylim(bottom=0, top=max(max(shown, default=0.0) * 1.4, 1.0))
        axes.set_ylabel("mean hours per week")
        axes.tick_params(axis="x", labelrotation=45)

    return _svg(plt, draw)
