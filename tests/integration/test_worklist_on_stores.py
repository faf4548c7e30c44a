"""The working day on a SQLite file and on PostgreSQL: the same caseload and signals as in
memory, after reopening and after a rebuild; processes catching up together write each event's
row once; pages stay stable while another process registers residents."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from participatie import Actor, CaseloadPage, Participation, Role, SignalKind
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.service import core_of
from tests.support import TEST_SECRET, race, register

EVERYWHERE = Actor("coach-0", Role.COACH)
HAAREN = Actor("coach-17", Role.COACH, municipality="haaren")
DAYS = (date(2019, 3, 1), date(2019, 7, 1), date(2019, 12, 31))


def _day(app: Participation) -> tuple[object, ...]:
    """The caseloads and signals of some days, without ids (each store draws its own)."""

    def entries(page: CaseloadPage) -> list[str]:
        return sorted(repr({**e.as_dict(), "resident_id": None}) for e in page.entries)

    pages = [entries(app.caseload(by=EVERYWHERE, status=None, as_of=d, limit=1000)) for d in DAYS]
    signals = [
        sorted((s.kind.value, s.since, s.detail) for s in app.signals(by=HAAREN, on=d))
        for d in DAYS
    ]
    return pages, signals, entries(app.caseload(by=HAAREN, limit=1000))


def test_the_haaren_year_answers_as_in_memory_after_reopening_and_rebuilding(
    store_url: str,
) -> None:
    with Participation.open("memory://", secret=TEST_SECRET) as memory:
        record_haaren_2019(memory)
        expected = _day(memory)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
        assert _day(app) == expected
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        assert _day(app) == expected
        app.rebuild()
        assert _day(app) == expected
        # The Haaren year's two months with one conversation (its contact compliance is
        # 266/268) show on the first days of the months after.
        for day in (date(2019, 3, 1), date(2019, 7, 1)):
            overdue = [
                s
                for s in app.signals(by=HAAREN, on=day)
                if s.kind is SignalKind.CONVERSATION_OVERDUE
            ]
            assert [s.since for s in overdue] == [day]


def test_processes_catching_up_together_write_each_row_once(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        record_haaren_2019(app)
    pages = race(store_url, 3, lambda own: own.caseload(by=HAAREN, limit=1000))
    assert pages[0] == pages[1] == pages[2]
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rows = core_of(app).store.worklist_view().rows(None)
        assert len(rows) == len({r.position for r in rows})
        assert [r.position for r in rows] == sorted(r.position for r in rows)


def test_pages_stay_stable_while_another_process_registers(store_url: str) -> None:
    with (
        Participation.open(store_url, secret=TEST_SECRET) as reader,
        Participation.open(store_url, secret=TEST_SECRET) as writer,
    ):
        first = {register(writer) for _ in range(9)}
        seen: list[UUID] = []
        page = reader.caseload(by=HAAREN, limit=4)
        while True:
            seen.extend(e.resident_id for e in page.entries)
            register(writer)
            register(writer)
            if page.next_after is None:
                break
            page = reader.caseload(by=HAAREN, limit=4, after=page.next_after)
        assert len(seen) == len(set(seen))
        assert first <= set(seen)
        assert seen == sorted(seen, key=lambda u: u.hex)
