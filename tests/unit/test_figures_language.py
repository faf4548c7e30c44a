"""The figures in Dutch (the default) or English: figure names from docs/glossary.md, numbers and
dates as each language writes them, and no other language accepted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest

from participatie import InvalidInput, OutcomeReport, Participation, Ratio, language
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.projections.figure_values import CapUse
from tests.support import TEST_SECRET, Clock

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


@pytest.fixture(scope="module")
def demo() -> Iterator[Participation]:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        record_haaren_2019(app)
        record_noordoostpolder(app)
        yield app


@pytest.fixture(scope="module")
def haaren(demo: Participation) -> OutcomeReport:
    return demo.outcomes(period=YEAR_2019, municipality="haaren", target=30)


def test_the_figures_are_dutch_by_default_with_the_glossarys_names(haaren: OutcomeReport) -> None:
    rows = dict(haaren.figure_rows())
    assert rows["Bereik"] == "50 van streefwaarde 30 (167%)"
    assert rows["  Uitstroom naar werk"] == "23/50 (46%)"
    assert rows["  Uitstroom naar vrijwilligerswerk"] == "5/50 (10%)"
    assert rows["Nog in begeleiding"] == "20"
    assert rows["  waarvan in taalles"] == "6"
    assert rows["Geluksgevoel gestegen"].startswith("40/50 (80%), gemiddelde verandering +")
    assert haaren.figure_rows() == haaren.figure_rows(lang="nl")


def test_english_on_request_reads_as_before(haaren: OutcomeReport) -> None:
    rows = dict(haaren.figure_rows(lang="en"))
    assert rows["reach"] == "50 of target 30 (167%)"
    assert rows["  outflow: work"] == "23/50 (46%)"
    assert rows["still coached at the end"] == "20"
    assert rows["  in language course"] == "6"


def test_both_languages_give_the_same_rows_in_the_same_order(demo: Participation) -> None:
    report = demo.outcomes(period=(date(2019, 1, 1), date(2022, 12, 31)))
    dutch, english = report.figure_rows(), report.figure_rows(lang="en")
    assert len(dutch) == len(english)
    for (nl_label, _), (en_label, _) in zip(dutch, english, strict=True):
        assert nl_label.startswith("  ") == en_label.startswith("  ")
        assert nl_label != en_label


def test_dutch_numbers_have_thousands_points_and_decimal_commas(haaren: OutcomeReport) -> None:
    # A shared service's year: more than a thousand residents, a mean of 2.44 hours.
    coaching = attrs.evolve(
        haaren.job_coaching,
        trajectories=1234,
        need_rate=Ratio(1234, 2468),
        mean_hours_per_week=Decimal("2.444"),
        cap_use={1: CapUse(years=1234, mean_percent=Decimal("46.4"))},
    )
    big = attrs.evolve(haaren, reach=1234, target=1000, job_coaching=coaching)
    dutch, english = dict(big.figure_rows()), dict(big.figure_rows(lang="en"))
    assert dutch["Bereik"] == "1.234 van streefwaarde 1.000 (123%)"
    assert dutch["Jobcoachtrajecten"] == "1.234"
    assert dutch["Behoefte aan jobcoaching bij loonwaardebepaling"] == "1.234/2.468 (50%)"
    assert dutch["  gemiddeld uren per week"] == "2,44"
    cap_use = "  benutting urenplafond in begeleidingsjaar 1 (gemiddeld)"
    assert dutch[cap_use] == "46% (1.234 begeleidingsjaren)"
    assert english["  mean hours per week"] == "2.44"
    assert english["job coaching trajectories"] == "1,234"


def test_one_coaching_year_is_singular_unless_its_count_is_hidden(
    haaren: OutcomeReport,
) -> None:
    coaching = attrs.evolve(
        haaren.job_coaching,
        trajectories=6,
        cap_use={1: CapUse(years=1, mean_percent=Decimal(30))},
    )
    report = attrs.evolve(haaren, job_coaching=coaching)
    label = "  cap use in coaching year 1 (mean)"
    assert dict(report.figure_rows(lang="en"))[label] == "30% (1 coaching year)"
    # Hidden, the count takes the plural, which tells nothing about it.
    published = dict(report.figure_rows(lang="en", suppress_small_cells=True))
    assert published[label] == "x (x coaching years)"


def test_a_mean_change_is_signed_with_a_decimal_comma_in_dutch(haaren: OutcomeReport) -> None:
    happiness = attrs.evolve(haaren.happiness, mean_change=Decimal("0.4449"))
    report = attrs.evolve(haaren, happiness=happiness)
    assert dict(report.figure_rows())["Geluksgevoel gestegen"].endswith("verandering +0,44")
    assert dict(report.figure_rows(lang="en"))["happiness rising"].endswith("change +0.44")


@pytest.mark.parametrize("lang", ["de", "NL", "", "nl_NL"])
def test_another_language_is_refused_by_name(haaren: OutcomeReport, lang: str) -> None:
    with pytest.raises(InvalidInput, match="nl, en"):
        haaren.figure_rows(lang=lang)
    with pytest.raises(InvalidInput, match="nl, en"):
        language(lang)


def test_dutch_dates_are_written_out_and_english_ones_stay_iso() -> None:
    assert language("nl").day(date(2019, 12, 31)) == "31 december 2019"
    assert language("nl").month(date(2019, 10, 1)) == "okt 2019"
    assert language("en").day(date(2019, 12, 31)) == "2019-12-31"
    assert language("en").month(date(2019, 10, 1)) == "2019-10"
