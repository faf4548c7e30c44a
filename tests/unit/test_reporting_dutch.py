"""The HTML report in Dutch, as a municipality publishes it, and what makes it accessible without a
browser at hand: the page's language, headings in order, every chart an image with a name and a
description in words, its text as text, and a table of its values beside it
(tests/browser checks the same pages with axe-core in Chromium)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from participatie import Actor, InvalidInput, NotAuthorised, Participation, Role
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.reporting import html_report
from tests.support import TEST_SECRET, Clock
from tests.unit.test_reporting_gaps import chart_texts

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))
CHARTS = [
    "Uitstroom naar reden",
    "Bereik tegenover de streefwaarde",
    "Contactnorm per maand",
    "Verandering in geluksgevoel",
    "Uren jobcoaching per week, per maand",
]


@pytest.fixture(scope="module")
def demo() -> Iterator[Participation]:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        record_haaren_2019(app)
        record_noordoostpolder(app)
        yield app


@pytest.fixture(scope="module")
def haaren(demo: Participation) -> str:
    return html_report(
        demo, period=YEAR_2019, municipality="haaren", target=30, suppress_small_cells=True
    )


def test_the_report_is_dutch_by_default(haaren: str) -> None:
    assert haaren.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "<h1>Resultaten: haaren, 1 januari 2019 t/m 31 december 2019</h1>" in haaren
    assert '<th scope="row">Bereik</th><td>50 van streefwaarde 30 (167%)</td>' in haaren
    assert '<th scope="row" class="sub">Uitstroom naar werk</th><td>23/50 (46%)</td>' in haaren
    assert '<th scope="row">Nog in begeleiding</th><td>20</td>' in haaren
    assert re.findall(r"<h2>(.*?)</h2>", haaren) == CHARTS
    months = chart_texts(haaren, "Contactnorm per maand")
    assert {"jan 2019", "mrt 2019", "okt 2019", "dec 2019"} <= set(months)


def test_english_on_request_sets_the_pages_language(demo: Participation) -> None:
    page = html_report(demo, period=YEAR_2019, municipality="haaren", lang="en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>Outcomes: haaren, 2019-01-01 to 2019-12-31</h1>" in page


def test_headings_go_from_one_h1_to_h2s(haaren: str) -> None:
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", haaren)]
    assert levels[0] == 1
    assert levels.count(1) == 1
    assert set(levels[1:]) == {2}


def test_every_chart_is_an_image_named_and_described_in_words(haaren: str) -> None:
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", haaren, re.DOTALL)
    assert len(svgs) == 5
    for number, (svg, chart) in enumerate(zip(svgs, CHARTS, strict=True), 1):
        opening = svg[: svg.index(">")]
        assert 'role="img"' in opening
        assert f'aria-labelledby="chart{number}-title chart{number}-desc"' in opening
        assert f'<title id="chart{number}-title">{chart}</title>' in svg
    for svg in svgs[:4]:
        assert re.search(r'<desc id="chart\d-desc">\w+diagram: .+\.</desc>', svg)
    # Haaren had no job coaching: the empty chart says so, in its drawing and its description.
    assert '<desc id="chart5-desc">Geen jobcoaching in deze periode.</desc>' in svgs[4]
    outflow = svgs[0]
    assert "van 50 bereikte inwoners. Werk: 23; vrijwilligerswerk: 5; opleiding: x;" in outflow


def test_chart_text_is_text_not_glyph_paths(haaren: str) -> None:
    assert "<text " in haaren
    assert "DejaVuSans-" not in haaren  # the id of a glyph drawn as a path
    assert "werk" in chart_texts(haaren, "Uitstroom naar reden")


def test_ids_are_unique_across_the_charts_of_a_page(haaren: str) -> None:
    ids = Counter(re.findall(r'\bid="([^"]+)"', haaren))
    assert [name for name, count in ids.items() if count > 1] == []
    # What refers to an id within a chart still finds it.
    for reference in re.findall(r'(?:href="#|url\(#)([^")]+)', haaren):
        assert reference in ids


def test_every_chart_with_values_has_a_table_of_them(haaren: str) -> None:
    def section(chart: str) -> str:
        return haaren.split(f"<h2>{chart}</h2>")[1].split("</section>", maxsplit=1)[0]

    for chart in CHARTS[:4]:
        assert "<summary>De cijfers bij deze grafiek</summary>" in section(chart)
        assert f"<caption>{chart}</caption>" in section(chart)
    assert "<table>" not in section(CHARTS[4])  # no job coaching: nothing to tabulate
    outflow = haaren.split("<caption>Uitstroom naar reden</caption>")[1].split(
        "</table>", maxsplit=1
    )[0]
    assert '<tr><th scope="row">werk</th><td>23</td></tr>' in outflow
    assert '<tr><th scope="row">verhuisd</th><td>x</td></tr>' in outflow


def test_the_legend_explains_the_x_of_a_suppressed_cell(haaren: str) -> None:
    assert '<h2 id="signs-heading">Verklaring van tekens</h2>' in haaren
    assert "<dt>x</dt><dd>geheim: niet getoond, zodat geen inwoner herkenbaar wordt" in haaren
    assert 'aria-describedby="signs"' in haaren


def test_without_suppression_the_legend_does_not_mention_an_x(demo: Participation) -> None:
    page = html_report(demo, period=YEAR_2019, municipality="haaren")
    assert "<dt>x</dt>" not in page
    assert "<dt>-</dt><dd>geen waarde" in page


def test_dutch_numbers_in_the_hours_chart_and_its_table(demo: Participation) -> None:
    page = html_report(demo, period=(date(2020, 1, 1), date(2020, 6, 30)))
    table = page.split("<caption>Uren jobcoaching per week, per maand</caption>")[1]
    hours = re.findall(r"<td>(\d+,\d\d)</td>", table.split("</table>")[0])
    assert hours  # the months with job coaching, with a decimal comma
    assert "." not in " ".join(hours)


def test_the_report_shows_each_breakdown_asked_for_as_a_table_with_its_small_cells_hidden(
    clock: Clock,
) -> None:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        record_haaren_2019(app)
        officer = Actor("beleid-1", Role.POLICY_OFFICER)
        year = (date(2019, 1, 1), date(2019, 12, 31))
        page = html_report(
            app,
            period=year,
            municipality="haaren",
            suppress_small_cells=True,
            breakdowns=("benefit",),
            by=officer,
        )
        table = app.breakdown("benefit", by=officer, period=year, municipality="haaren")
        with pytest.raises(InvalidInput, match="names its reader"):
            html_report(app, period=year, breakdowns=("coach",))
        with pytest.raises(NotAuthorised):
            html_report(app, period=year, breakdowns=("coach",), by=Actor("jc-3", Role.JOB_COACH))
    section = page[page.index("Bereik en uitstroom naar uitkering") :]
    section = section[: section.index("</section>")]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', section)
    cells = {label: re.findall(r"<td>([^<]*)</td>", rest) for label, rest in rows}
    assert list(cells) == ["bijstand", "WW", "geen uitkering", "totaal"]
    hidden = table.hidden_cells()
    shown = table.table_rows(suppress_small_cells=True)[1:]
    # The page shows exactly what the breakdown shows, and an x where it hides a count.
    assert [cells[label] for label in cells] == [line[1:] for line in shown]
    assert hidden
    assert any("x" in line for line in shown)
    assert cells["totaal"][0] == "50"
