"""The outcome report for people: figures as rows of text, and an HTML page with charts.

``participatie stats`` prints :meth:`OutcomeReport.figure_rows`; ``participatie report --html
FILE`` writes :func:`html_report`: the same figures and five charts (outflow by reason, reach
against the target, contact compliance per month, the change in happiness, and coaching hours
per week per month) as SVG inside one self-contained HTML file. The charts need matplotlib (the
``report`` extra: ``pip install participatie[report]``).

With ``suppress_small_cells`` every count under 5 is blanked, in the rows and in the charts, so
that a published report does not single out a handful of residents.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from participatie.errors import ConfigurationError
from participatie.projections.figures import SMALL, OutcomeReport, is_small_cell

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = ["html_report", "monthly_reports"]


def _small(value: int, suppress: bool) -> bool:
    return suppress and is_small_cell(value)


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
        notes.append(f"Counts under {SMALL} are not shown.")
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


def _bars(axes: Any, labels: Sequence[str], values: Sequence[int], suppress: bool) -> None:
    shown = [0 if _small(v, suppress) else v for v in values]
    bars = axes.barh(labels, shown, color="#2f6f9f")
    for bar, value in zip(bars, values, strict=True):
        text = f"<{SMALL}" if _small(value, suppress) else str(value)
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
        counted = [(r, ratio) for r, ratio in report.outflow.items() if ratio.numerator]
        if not counted:
            _note_empty(axes, "no outflow in this period")
            return
        _bars(
            axes,
            [reason.value.replace("_", " ") for reason, _ in counted],
            [ratio.numerator for _, ratio in counted],
            suppress,
        )
        axes.set_xlabel(f"residents (of {report.reach} reached)")

    return _svg(plt, draw)


def _reach_chart(plt: Any, report: OutcomeReport, suppress: bool) -> str:
    def draw(axes: Any) -> None:
        labels, values = ["reached"], [report.reach]
        if report.target is not None:
            labels.append("target")
            values.append(report.target)
        _bars(axes, labels, values, suppress)
        axes.set_xlabel("residents")

    return _svg(plt, draw)


def _compliance_chart(plt: Any, months: list[tuple[date, OutcomeReport]], suppress: bool) -> str:
    def draw(axes: Any) -> None:
        labels, shares = [], []
        for first, report in months:
            ratio = report.contact_compliance
            labels.append(first.strftime("%Y-%m"))
            hidden = ratio.percent is None or _small(ratio.denominator, suppress)
            shares.append(0.0 if hidden or ratio.percent is None else float(ratio.percent))
        if not any(shares):
            _note_empty(axes, "no whole months of open trajectories")
            return
        axes.bar(labels, shares, color="#2f6f9f")
        axes.set_ylim(0, 100)
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
        counts = [0 if _small(n, suppress) else n for n in changes.values()]
        colours = ["#b5523b" if step < 0 else "#2f6f9f" for step in steps]
        labels = [f"{step:+d}" for step in steps]
        axes.bar(labels, counts, color=colours)
        for label, n in zip(labels, changes.values(), strict=True):
            if _small(n, suppress):
                axes.annotate(f"<{SMALL}", (label, 0), ha="center", va="bottom")
        axes.set_xlabel("last minus first happiness score")
        axes.set_ylabel("residents")
        mean = report.happiness.mean_change
        if mean is not None:
            axes.set_title(f"mean change {mean:+.2f}", fontsize="medium")

    return _svg(plt, draw)


def _hours_chart(plt: Any, months: list[tuple[date, OutcomeReport]], suppress: bool) -> str:
    def draw(axes: Any) -> None:
        # A mean over fewer than five trajectories is suppressed like a small count.
        points = [
            (
                first.strftime("%Y-%m"),
                None
                if _small(report.job_coaching.trajectories, suppress)
                else report.job_coaching.mean_hours_per_week,
            )
            for first, report in months
        ]
        if all(hours is None for _, hours in points):
            _note_empty(axes, "no job coaching in this period")
            return
        axes.plot(
            [label for label, _ in points],
            [float(hours) if hours is not None else float("nan") for _, hours in points],
            marker="o",
            color="#2f6f9f",
        )
        axes.set_ylim(bottom=0)
        axes.set_ylabel("mean hours per week")
        axes.tick_params(axis="x", labelrotation=45)

    return _svg(plt, draw)
