"""Snapshots: taken at intervals, used by loads and as-of replay, checked by verify()."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from participatie import (
    Activity,
    ConfigurationError,
    Goal,
    Participation,
    Placement,
    PlacementKind,
)
from participatie.audit.snapshots import Snapshot, pack, unpack
from participatie.service import core_of
from tests.support import COACH, READER, TEST_SECRET, Clock, register

START = date(2020, 1, 6)


def snapshotting(clock: Clock, interval: int = 3) -> Participation:
    return Participation.open(
        "memory://", secret=TEST_SECRET, clock=clock, snapshot_interval=interval
    )


def snapshots_of(app: Participation, stream: UUID) -> list[Any]:
    store = core_of(app).store.snapshots
    assert store is not None
    return list(store.get(stream))


def with_conversations(app: Participation, count: int) -> UUID:
    rid = register(app, on=START)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=START, by=COACH)
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=START, by=COACH)
    for day in range(count):
        app.record_conversation(
            rid, happiness=1 + day % 10, on=START + timedelta(days=day), by=COACH
        )
    return rid


def test_state_with_tuples_enum_keys_and_attrs_values_packs_and_unpacks() -> None:
    placement = Placement(
        employer="Bakker",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=Decimal("19.5"),
        contract_months=12,
        trial=False,
        started_on=START,
        placed_version=7,
    )
    state = {
        "happiness": ((START, 5), (START, 6)),
        "activities": {Activity.TRAINING: START},
        "hours_by_year": {1: Decimal("1.5")},
        "placement": placement,
        "goal": Goal.WORK,
    }
    assert unpack(pack(state)) == state


def test_a_trajectory_is_snapshotted_each_time_its_version_reaches_the_interval(
    clock: Clock,
) -> None:
    with snapshotting(clock) as app:
        rid = with_conversations(app, 7)  # versions 1..10; conversations from version 4
        assert [s.originator_version for s in snapshots_of(app, rid)] == [3, 6, 9]
        assert snapshots_of(app, rid)[-1].occurred_through == START + timedelta(days=5)
        # Loading starts from the last snapshot and gives the full state.
        resident = app.resident(rid, by=READER)
        assert resident.version == 10
        assert len(resident.happiness) == 8
        assert resident.activities == {Activity.LANGUAGE_COURSE: START}


def test_a_late_entry_keeps_as_of_replay_from_starting_at_a_snapshot_it_is_in(
    clock: Clock,
) -> None:
    with snapshotting(clock) as app:
        rid = with_conversations(app, 3)  # versions 1..6, snapshots at 3 and 6
        # Entered late: a conversation on the first day, as version 7 (no snapshot covers it
        # as of that day, since snapshot 6 reaches two days later).
        app.record_conversation(rid, happiness=9, on=START, by=COACH)
        day_one = app.resident(rid, as_of=START, by=READER)
        assert day_one.happiness == ((START, 5), (START, 1), (START, 9))
        assert day_one.version == 7
        assert app.resident(rid, as_of=START + timedelta(days=2), by=READER).happiness[-1] == (
            START,
            9,
        )


def test_snapshots_are_not_used_when_the_interval_is_none(clock: Clock) -> None:
    with Participation.open(
        "memory://", secret=TEST_SECRET, clock=clock, snapshot_interval=None
    ) as app:
        rid = with_conversations(app, 5)
        assert core_of(app).store.snapshots is None
        assert app.resident(rid, by=READER).version == 8


@pytest.mark.parametrize("interval", [0, 1, -5, True, 2.5, "100"])
def test_a_snapshot_interval_below_two_or_not_whole_is_a_configuration_error(
    interval: object,
) -> None:
    with pytest.raises(ConfigurationError, match="snapshot_interval"):
        Participation.open("memory://", secret=TEST_SECRET, snapshot_interval=interval)  # type: ignore[arg-type]


def test_a_failing_snapshot_does_not_fail_the_command(
    clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> Snapshot:
        msg = "disk full"
        raise OSError(msg)

    with snapshotting(clock) as app:
        monkeypatch.setattr(Snapshot, "of", broken)
        with caplog.at_level(logging.ERROR):
            rid = with_conversations(app, 1)  # version 3 is committed, its snapshot fails; 4 too
        assert app.resident(rid, by=READER).version == 4
        assert snapshots_of(app, rid) == []
        assert "no snapshot of" in caplog.text


def _replace_snapshot(app: Participation, stream: UUID, version: int, state: bytes) -> None:
    store = core_of(app).store.snapshots
    assert store is not None
    recorder: Any = store.recorder
    stored = recorder._stored_events
    index = next(
        i
        for i, s in enumerate(stored)
        if s.originator_id == stream and s.originator_version == version
    )
    stored[index] = replace(stored[index], state=state)


def test_verify_finds_a_snapshot_that_does_not_match_its_events(clock: Clock) -> None:
    with snapshotting(clock) as app:
        rid = with_conversations(app, 4)
        assert app.verify().ok
        store = core_of(app).store.snapshots
        assert store is not None
        (stored,) = store.recorder.select_events(rid, lte=3, gt=2)
        tampered = stored.state.replace(b'["goal",', b'["goal_changed",')
        assert tampered != stored.state
        _replace_snapshot(app, rid, 3, tampered)
        verification = app.verify()
        assert not verification.ok
        assert verification.problems == [f"{rid}: snapshot v3 does not match the stream's events"]


def test_verify_finds_a_snapshot_that_does_not_decode(clock: Clock) -> None:
    with snapshotting(clock) as app:
        rid = with_conversations(app, 1)
        _replace_snapshot(app, rid, 3, b"{not json")
        (problem,) = app.verify().problems
        assert problem.startswith(f"{rid}: snapshot v3 does not decode")
