"""Helpers shared by the tests: actors, a settable clock, and checks that nothing was appended."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from participatie import Benefit, Goal, NotAuthorised, Participation, Referral
from tests.actors import ASSESSOR, BROKER, COACH, READER

TEST_SECRET = "test secret of the participatie suite, 40+ characters long"
TODAY = date(2026, 11, 24)
POSTGRES_URL = os.environ.get(
    "PARTICIPATIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

# The actors live in tests.actors; these names stay importable from here.
__all__ = ["ASSESSOR", "BROKER", "COACH", "READER"]


class Clock:
    """A settable clock: tests decide what "now" is."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def register(app: Participation, on: date = date(2019, 1, 8), **kwargs: Any) -> UUID:
    """Register a walk-in resident without benefit in Haaren."""
    fields: dict[str, Any] = {
        "referral": Referral.WALK_IN,
        "benefit": Benefit.NONE,
        "municipality": "haaren",
        "on": on,
        "by": COACH,
    }
    fields.update(kwargs)
    return app.register_resident(**fields)


def register_with_intake(app: Participation, on: date = date(2019, 1, 8)) -> UUID:
    rid = register(app, on=on)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=on, by=COACH)
    return rid


def log_position(app: Participation) -> int:
    """The id of the last stored event in the whole store (0 when empty)."""
    return app.event_count()


def assert_refused(
    app: Participation,
    resident_id: UUID | None,
    error: type[BaseException],
    command: Callable[[], object],
    match: str | None = None,
) -> None:
    """The command raises ``error`` and appends nothing: no version, no event anywhere, but
    for a refusal of the actor (``NotAuthorised``) exactly one entry in the security log (and
    the opening of the day's security log, the first time that day)."""
    version = None if resident_id is None else _version(app, resident_id)
    position = log_position(app)
    with pytest.raises(error, match=match):
        command()
    if resident_id is not None:
        assert _version(app, resident_id) == version
    assert_appended_only_refusals(app, position, 1 if issubclass(error, NotAuthorised) else 0)


def assert_appended_only_refusals(app: Participation, position: int, refusals: int = 1) -> None:
    """Since log ``position``, only ``refusals`` entries of the security log were appended (and
    the day's security log opened, the first time that day): no data."""
    appended = [n.topic for n in _notifications_after(app, position)]
    assert appended.count(_REFUSED) == refusals, appended
    assert all(topic in (_REFUSED, _SECURITY_OPENED) for topic in appended), appended


_REFUSED = "participatie.audit.security:SecurityLog.AttemptRefused"
_SECURITY_OPENED = "participatie.audit.security:SecurityLog.Opened"


def _notifications_after(app: Participation, position: int) -> list[Any]:
    from participatie.service import core_of  # noqa: PLC0415

    return list(core_of(app).store.recorder.select_notifications(position + 1, 1000))


def together(threads: int, work: Callable[[Callable[[], object]], object]) -> list[object]:
    """Run ``work(ready)`` in ``threads`` threads: each calls ``ready()`` once it is set up, and
    they all go on from there at once. Returns what each returned; any error fails the test."""
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads, timeout=30)

    def run() -> None:
        try:
            results.append(work(start.wait))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert errors == [], errors
    assert len(results) == threads
    return results


def race(url: str, racers: int, attempt: Callable[[Participation], object]) -> list[object]:
    """Run ``attempt`` at once in ``racers`` threads, each with an app of its own on ``url``.

    Returns what each returned, or the ParticipatieError it raised; anything else fails the test.
    """
    from participatie import ParticipatieError  # noqa: PLC0415

    def run(ready: Callable[[], object]) -> object:
        with Participation.open(url, secret=TEST_SECRET) as own:
            ready()
            try:
                return attempt(own)
            except ParticipatieError as refused:
                return refused

    return together(racers, run)


def _version(app: Participation, stream_id: UUID) -> int:
    """A stream's version, read without an access-log entry (a read would append one)."""
    return app.events(stream_id)[-1].originator_version


def events_but_processing_records(app: Participation) -> int:
    """How many events the store holds besides the processing log's (one record per processing
    of a resident's data: see participatie.audit.processing)."""
    from participatie.service import core_of  # noqa: PLC0415

    return sum(
        1
        for n in core_of(app).notifications()
        if not n.topic.startswith("participatie.audit.processing:")
    )
