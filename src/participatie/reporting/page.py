"""The report's HTML page: the figures as a table, each chart with its table, and the legend of
the signs (as CBS StatLine explains its ``x`` for a cell kept secret).

The page is built for WCAG 2.1 AA: its language is set, headings go h1 then h2, every chart is an
image with a name and a description, and its values are in a table beside it; the colours stand
out from the background by 4.5:1 or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from participatie.i18n import Language
from participatie.projections.figure_rows import NO_VALUE, SUB
from participatie.projections.figures import HIDDEN, SMALL
from participatie.reporting.charts import Chart
from participatie.reporting.svg import accessible

__all__ = ["page"]

STYLE = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222222; background: #ffffff; line-height: 1.4; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th { text-align: left; font-weight: normal; padding: 0.2rem 2rem 0.2rem 0; }
thead th { font-weight: bold; border-bottom: 1px solid #222222; }
thead th + th { text-align: right; padding-right: 0; }
th.sub { padding-left: 1.5rem; }
td { text-align: right; padding: 0.2rem 0; }
section svg { max-width: 100%; height: auto; }
div.wide { overflow-x: auto; }
div.wide th[scope="col"] + th { text-align: right; padding: 0.2rem 0 0.2rem 1rem; }
div.wide td { padding-left: 1rem; }
details { margin-bottom: 2rem; }
dl.signs dt { float: left; clear: left; width: 2rem; font-weight: bold; }
dl.signs dd { margin-left: 2rem; }
"""


def page(
    lang: Language,
    *,
    title: str,
    notes: Sequence[str],
    rows: Sequence[tuple[str, str]],
    charts: Sequence[Chart],
    suppressed: bool,
    tables: Sequence[str] = (),
) -> str:
    """The page: ``rows`` are the figure rows, ``charts`` the charts in order, ``tables`` more
    sections (the breakdowns) after them."""
    _ = lang.gettext
    figures = "\n".join(_figure_row(label, value) for label, value in rows)
    sections = "\n".join(
        [*(_section(lang, number, chart) for number, chart in enumerate(charts, 1)), *tables]
    )
    signs = [(NO_VALUE, _("no value: nothing to count it over (such as a share of nobody)"))]
    if suppressed:
        signs.append(
            (
                HIDDEN,
                _(
                    "secret: not shown so that no resident can be singled out (counts under "
                    "{small}, and counts that would let a reader work one of those out; in the "
                    "charts such a bar is drawn as 0 and labelled x)"
                ).format(small=SMALL),
            )
        )
    legend = "\n".join(f"<dt>{escape(sign)}</dt><dd>{escape(text)}</dd>" for sign, text in signs)
    paragraphs = "".join(f"<p>{escape(note)}</p>\n" for note in notes)
    head = _head((_("figure"), _("value")))
    figures_heading, signs_heading = escape(_("Figures")), escape(_("Signs used"))
    return f"""<!DOCTYPE html>
<html lang="{lang.code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{escape(title)}</h1>
{paragraphs}<h2 id="figures">{figures_heading}</h2>
<table aria-labelledby="figures" aria-describedby="signs">
<thead><tr>{head}</tr></thead>
<tbody>
{figures}
</tbody>
</table>
{sections}
<section>
<h2 id="signs-heading">{signs_heading}</h2>
<dl class="signs" id="signs">
{legend}
</dl>
</section>
</main>
</body>
</html>
"""


def _head(columns: Sequence[str]) -> str:
    return "".join(f'<th scope="col">{escape(column)}</th>' for column in columns)


def _figure_row(label: str, value: str) -> str:
    sub = ' class="sub"' if label.startswith(SUB) else ""
    return f'<tr><th scope="row"{sub}>{escape(label.strip())}</th><td>{escape(value)}</td></tr>'


def _section(lang: Language, number: int, chart: Chart) -> str:
    _ = lang.gettext
    svg = accessible(chart.svg, prefix=f"chart{number}", title=chart.title, desc=chart.desc)
    table = ""
    if chart.points:
        head = _head(chart.columns)
        body = "\n".join(
            f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
            for label, value in chart.points
        )
        summary = escape(_("The figures of this chart"))
        table = (
            f"<details>\n<summary>{summary}</summary>\n"
            f"<table>\n<caption>{escape(chart.title)}</caption>\n"
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</details>\n"
        )
    return f"<section>\n<h2>{escape(chart.title)}</h2>\n{svg}\n{table}</section>"
