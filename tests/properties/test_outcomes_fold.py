"""The report a view folds from its monthly counters (and from its facts, known at a moment) is
the report :func:`~participatie.projections.figures.compute` makes of every fact: on arbitrary
facts (late entries, closures on the day of a reopening, periods that start and end mid-month),
in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import Tracking
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participatie import DEFAULT_POLICY, Participation
from participatie.domain.values import Activity, CoachingOutcome, OutflowReason
from participatie.projections.facts import Fact, FactKind
from participatie.projections.figures import compute
from participatie.projections.fold import fold
from participatie.projections.monthly import ReadPlan
from participatie.projections.views import TRACKING_KEY, FactsView, counter_problems
from participatie.projections.views_memory import POPOFactsView
from participatie.service import core_of
from tests.support import TEST_SECRET

FIRST = date(2019, 1, 1)
DAYS = 800  # a little over two years: counters of many months, periods across years
MUNICIPALITIES = ("haaren", "vught")
K = FactKind

_RESIDENT_KINDS = (
    K.REGISTERED,
    K.HAPPINESS,
    K.HAPPINESS,
    K.HAPPINESS,
    K.ACTIVITY_STARTED,
    K.ACTIVITY_ENDED,
    K.PLACED,
    K.PLACEMENT_ENDED,
    K.ASSESSED,
    K.CLOSED,
    K.REOPENED,
)
_COACHING_KINDS = (
    K.COACHING_HOURS,
    K.COACHING_HOURS,
    K.COACHING_EVALUATED,
    K.COACHING_EXTENDED,
    K.COACHING_COMPLETED,
)


def _day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


@st.composite
def _value_and_amount(draw: Any, kind: FactKind) -> tuple[str, Decimal]:  # noqa: PLR0911 (a kind each)
    pick = draw
    if kind == K.REGISTERED:
        return "none", Decimal(0)
    if kind == K.HAPPINESS:
        return pick(st.sampled_from(["intake", "conversation"])), Decimal(pick(st.integers(0, 10)))
    if kind in (K.ACTIVITY_STARTED, K.ACTIVITY_ENDED):
        return pick(st.sampled_from([a.value for a in Activity][:2])), Decimal(0)
    if kind == K.PLACED:
        return pick(st.sampled_from(["paid_work", "volunteer_work"])), Decimal(
            pick(st.integers(1, 40))
        )
    if kind == K.PLACEMENT_ENDED:
        return "contract_ended", Decimal(0)
    if kind == K.ASSESSED:
        return pick(st.sampled_from(["need", "no_need"])), Decimal(pick(st.integers(0, 100)))
    if kind == K.CLOSED:
        return pick(st.sampled_from([r.value for r in OutflowReason][:3])), Decimal(0)
    if kind == K.COACHING_HOURS:
        hours = pick(st.decimals(min_value=0, max_value=300, places=pick(st.integers(0, 4))))
        return str(pick(st.integers(1, 3))), hours
    if kind in (K.COACHING_STARTED, K.COACHING_EXTENDED):
        return _day(pick(st.integers(200, DAYS + 900))).isoformat(), Decimal(
            pick(st.integers(1, 40))
        )
    if kind == K.COACHING_COMPLETED:
        return pick(st.sampled_from([o.value for o in CoachingOutcome])), Decimal(0)
    return "", Decimal(0)


@st.composite
def fact_logs(draw: Any) -> list[Fact]:
    """Facts of a few residents and coaching trajectories, in log order: each stream starts with
    its registration (or the start of its coaching); other facts follow on any day from a little
    before it (late entries, back-dated closures), in any number and kind."""
    streams: list[tuple[str, str, list[FactKind], int]] = []
    for number in range(draw(st.integers(1, 6))):
        kinds = draw(st.lists(st.sampled_from(_RESIDENT_KINDS), max_size=14))
        streams.append((f"{number:032x}", "resident", [K.REGISTERED, *kinds], number))
    for number in range(draw(st.integers(0, 3))):
        kinds = draw(st.lists(st.sampled_from(_COACHING_KINDS), max_size=10))
        streams.append((f"c{number:031x}", "coaching", [K.COACHING_STARTED, *kinds], number))
    pending = [(stream, kinds) for stream, _, kinds, _ in streams]
    facts: list[Fact] = []
    versions: dict[str, int] = {}
    begun: dict[str, int] = {}
    municipality = {s: draw(st.sampled_from(MUNICIPALITIES)) for s, _, _, _ in streams}
    while pending:
        index = draw(st.integers(0, len(pending) - 1))
        stream, kinds = pending[index]
        kind = kinds.pop(0)
        if not kinds:
            pending.pop(index)
        version = versions[stream] = versions.get(stream, 0) + 1
        if stream not in begun:
            begun[stream] = draw(st.integers(0, DAYS - 60))
        offset = max(0, min(DAYS, begun[stream] + draw(st.integers(-20, 400))))
        if version == 1:
            offset = begun[stream]
        value, amount = draw(_value_and_amount(kind))
        position = len(facts) + 1
        facts.append(
            Fact(
                stream_id=stream,
                version=version,
                kind=kind,
                municipality=municipality[stream],
                resident_id=stream if not stream.startswith("c") else "",
                occurred_on=_day(offset),
                recorded_at=datetime(2021, 1, 1, tzinfo=UTC) + timedelta(hours=position),
                value=value,
                amount=amount,
                position=position,
            )
        )
        if draw(st.integers(0, 40)) == 0:
            facts.append(
                Fact(
                    stream_id="",
                    version=1,
                    kind=K.UNCOUNTED,
                    municipality="",
                    resident_id="",
                    occurred_on=date(1970, 1, 1),
                    recorded_at=datetime(1970, 1, 1, tzinfo=UTC),
                    value="it does not decode",
                    position=len(facts) + 1,
                )
            )
    return facts


@st.composite
def reports(draw: Any) -> tuple[tuple[date, date], str | None, datetime | None]:
    """A period (often whole months, often not), a municipality or all, and perhaps known_at."""
    first = _day(draw(st.integers(-40, DAYS)))
    if draw(st.booleans()):
        first = first.replace(day=1)
    last = first + timedelta(days=draw(st.integers(0, 500)))
    if draw(st.booleans()):
        last = (last.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    known_at = None
    if draw(st.booleans()):
        known_at = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(hours=draw(st.integers(0, 200)))
    return (first, last), draw(st.sampled_from([None, *MUNICIPALITIES])), known_at


def _both(
    view: FactsView, period: tuple[date, date], municipality: str | None, known_at: Any
) -> tuple[Any, Any]:
    start, end = period
    expected = compute(
        view.select_facts(municipality, through=end, known_at=known_at),
        period=period,
        municipality=municipality,
        target=None,
        policy=DEFAULT_POLICY,
    )
    if known_at is None:
        rows = view.summary_rows(municipality, ReadPlan.of(start, end))
    else:
        rows = view.fact_rows(municipality, through=end, known_at=known_at)
    folded, _ = fold(
        rows,
        period=period,
        municipality=municipality,
        target=None,
        policy=DEFAULT_POLICY,
        uncounted=view.uncounted_positions(through=end, known_at=known_at),
    )
    return folded, expected


def _record(view: FactsView, facts: list[Fact]) -> None:
    """Record the facts in pages of up to 7 (counters are added across pages)."""
    view.reset()
    at = 0
    for first in range(0, len(facts), 7):
        page = facts[first : first + 7]
        view.record(page, Tracking(TRACKING_KEY, page[-1].position), after=at)
        at = page[-1].position


def _check(view: FactsView, facts: list[Fact], asked: list[Any]) -> None:
    _record(view, facts)
    assert counter_problems(view) == []
    for period, municipality, known_at in asked:
        folded, expected = _both(view, period, municipality, known_at)
        assert folded == expected


_REPORTS = st.lists(reports(), min_size=1, max_size=4)


@given(facts=fact_logs(), asked=_REPORTS)
def test_the_folded_report_is_the_computed_one_in_memory(
    facts: list[Fact], asked: list[Any]
) -> None:
    _check(POPOFactsView(), facts, asked)


@pytest.fixture(scope="module")
def sqlite_view(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FactsView]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fold')}/fold.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        yield core_of(app).store.facts_view()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=fact_logs(), asked=_REPORTS)
def test_the_folded_report_is_the_computed_one_on_sqlite(
    sqlite_view: FactsView, facts: list[Fact], asked: list[Any]
) -> None:
    _check(sqlite_view, facts, asked)


@pytest.fixture(scope="module")
def postgres_view(postgres_url: str) -> Iterator[FactsView]:
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        with Participation.open(f"{postgres_url}?schema={schema}", secret=TEST_SECRET) as app:
            yield core_of(app).store.facts_view()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.mark.postgres
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=fact_logs(), asked=_REPORTS)
def test_the_folded_report_is_the_computed_one_on_postgresql(
    postgres_view: FactsView, facts: list[Fact], asked: list[Any]
) -> None:
    _check(postgres_view, facts, asked)
