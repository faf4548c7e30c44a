"""Audit: a resident's history across both aggregates, and bitemporal as-of replay."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from participatie import (
    CoachingOutcome,
    Counterpart,
    ExtensionReason,
    Goal,
    InvalidInput,
    NotFound,
    OutflowReason,
    Participation,
    ResidentTrajectory,
    Role,
    TrajectoryStatus,
)
from participatie.audit.history import HistoryEntry
from participatie.service import core_of
from tests.actors import AUDITOR, COORDINATOR, JOB_COACH_ACTOR
from tests.support import COACH, READER, register, register_with_intake
from tests.unit.test_job_coaching_rules import placed_and_assessed, start


def test_history_covers_both_aggregates_in_recorded_order(app: Participation) -> None:
    rid = placed_and_assessed(app)
    cid = start(app, rid)
    app.record_conversation(rid, happiness=7, on=date(2020, 3, 20), by=COACH)
    app.log_coaching_hours(
        cid, hours=2, counterpart=Counterpart.COLLEAGUES, on=date(2020, 3, 23), by=JOB_COACH_ACTOR
    )
    history = app.history(rid, by=AUDITOR)
    assert [(e.aggregate, e.event) for e in history] == [
        ("ResidentTrajectory", "Registered"),
        ("ResidentTrajectory", "IntakeHeld"),
        ("ResidentTrajectory", "Placed"),
        ("ResidentTrajectory", "WageValueAssessed"),
        ("JobCoachingTrajectory", "JobCoachingStarted"),
        ("ResidentTrajectory", "ConversationHeld"),
        ("JobCoachingTrajectory", "CoachingHoursLogged"),
    ]
    recorded = [e.recorded_at for e in history]
    assert recorded == sorted(recorded)
    hours = history[-1]
    assert hours.aggregate_id == cid
    assert hours.version == 2
    assert hours.occurred_on == date(2020, 3, 23)
    assert (hours.actor.id, hours.actor.role) == (JOB_COACH_ACTOR.id, Role.JOB_COACH)
    assert hours.data == {
        "hours": "2",
        "counterpart": "colleagues",
        "coaching_year": 1,
        "policy_version": app.policy.version,
    }
    assert history[4].data["resident_id"] == str(rid)


def test_history_contains_no_personal_data(app: Participation) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen", notes="lives at Kerkstraat 1")
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    dumped = json.dumps([entry.to_dict() for entry in app.history(rid, by=AUDITOR)])
    assert "123456782" not in dumped
    assert "Jansen" not in dumped
    assert "Kerkstraat" not in dumped


def test_history_entries_are_frozen_values(app: Participation) -> None:
    rid = register(app)
    (entry,) = app.history(rid, by=AUDITOR)
    assert isinstance(entry, HistoryEntry)
    with pytest.raises(AttributeError):
        entry.version = 2  # type: ignore[misc]


def test_history_of_an_unknown_resident_is_not_found(app: Participation) -> None:
    with pytest.raises(NotFound):
        app.history(uuid4(), by=AUDITOR)


def test_as_of_before_and_after_closure(app: Participation) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 6, 1), by=COACH)
    before = app.resident(rid, as_of=date(2019, 5, 31), by=READER)
    assert before.status is TrajectoryStatus.OPEN
    assert before.outflow_reason is None
    assert before.version == 2
    on_the_day = app.resident(rid, as_of=date(2019, 6, 1), by=READER)  # as_of is inclusive
    assert on_the_day.status is TrajectoryStatus.CLOSED
    assert on_the_day == app.resident(rid, by=READER)


def test_as_of_before_registration_is_not_found(app: Participation) -> None:
    rid = register(app)
    with pytest.raises(NotFound, match="as of 2019-01-07"):
        app.resident(rid, as_of=date(2019, 1, 7), by=READER)


def test_a_late_entry_shows_up_only_when_known(app: Participation) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    app.record_conversation(rid, happiness=6, on=date(2019, 3, 10), by=COACH)
    before_late_entry = datetime.now(tz=UTC)
    app.record_conversation(rid, happiness=8, on=date(2019, 3, 3), by=COACH)  # entered late
    after_late_entry = datetime.now(tz=UTC)

    then = app.resident(rid, as_of=date(2019, 3, 5), known_at=before_late_entry, by=READER)
    assert then.happiness == ((date(2019, 1, 8), 5),)
    now = app.resident(rid, as_of=date(2019, 3, 5), known_at=after_late_entry, by=READER)
    assert now.happiness == ((date(2019, 1, 8), 5), (date(2019, 3, 3), 8))
    assert app.resident(rid, known_at=before_late_entry, by=READER).happiness == (
        (date(2019, 1, 8), 5),
        (date(2019, 3, 10), 6),
    )


def test_known_at_before_registration_is_not_found(app: Participation) -> None:
    rid = register(app)
    with pytest.raises(NotFound):
        app.resident(rid, known_at=datetime.now(tz=UTC) - timedelta(days=1), by=READER)


@pytest.mark.parametrize(
    ("as_of", "known_at"),
    [
        (datetime(2019, 5, 1, tzinfo=UTC), None),
        ("2019-05-01", None),
        (None, datetime(2019, 5, 1)),
        (None, date(2019, 5, 1)),
    ],
)
def test_malformed_moments_are_invalid_input(
    app: Participation, as_of: object, known_at: object
) -> None:
    rid = register(app)
    with pytest.raises(InvalidInput):
        app.resident(rid, as_of=as_of, known_at=known_at, by=READER)  # type: ignore[arg-type]


def test_job_coaching_as_of_before_its_extension_and_completion(app: Participation) -> None:
    rid = placed_and_assessed(app)
    cid = start(app, rid)
    app.extend_job_coaching(
        cid, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=date(2021, 9, 1), by=COORDINATOR
    )
    app.complete_job_coaching(
        cid, outcome=CoachingOutcome.INDEPENDENT, on=date(2022, 9, 1), by=COORDINATOR
    )
    before = app.job_coaching(cid, as_of=date(2021, 8, 31), by=READER)
    assert (before.extended, before.planned_end, before.completed_outcome) == (
        False,
        date(2022, 3, 16),
        None,
    )
    assert app.job_coaching(cid, as_of=date(2022, 9, 1), by=READER) == app.job_coaching(
        cid, by=READER
    )


def test_as_of_replay_of_every_date_agrees_with_the_full_replay_at_the_end(
    app: Participation,
) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    for day in range(9, 28):
        app.record_conversation(rid, happiness=1 + day % 10, on=date(2019, 1, day), by=COACH)
    for day in range(8, 28):
        as_of = app.resident(rid, as_of=date(2019, 1, day), by=READER)
        assert as_of.conversation_count == day - 8
    assert app.resident(rid, as_of=date(2019, 12, 31), by=READER) == app.resident(rid, by=READER)


def test_a_save_that_lost_a_race_leaves_the_chain_intact(app: Participation) -> None:
    # Two copies of one trajectory in one process (as two threads of a web application have):
    # the first saves version 3, a third copy loads it, the second copy's save of its own
    # version 3 is refused; the third copy's version 4 must chain on the stored version 3.
    rid = register_with_intake(app)
    events = core_of(app).store
    first: ResidentTrajectory = events.repository.get(rid)
    second: ResidentTrajectory = events.repository.get(rid)
    first.record_conversation(happiness=7, on=date(2019, 2, 1), by=COACH, policy=app.policy)
    events.save(first)
    third: ResidentTrajectory = events.repository.get(rid)
    second.record_conversation(happiness=2, on=date(2019, 2, 2), by=COACH, policy=app.policy)
    with pytest.raises(IntegrityError):
        events.save(second)
    third.record_conversation(happiness=8, on=date(2019, 2, 3), by=COACH, policy=app.policy)
    events.save(third)
    assert third.version == 4
    assert app.verify(rid).ok


def test_history_as_of_a_date_and_known_at_a_moment_keeps_only_what_counted_then(
    app: Participation,
) -> None:
    rid = register_with_intake(app, on=date(2019, 1, 8))
    app.record_conversation(rid, happiness=6, on=date(2019, 2, 1), by=COACH)
    everything = app.history(rid, by=AUDITOR)
    early = app.history(rid, by=AUDITOR, as_of=date(2019, 1, 31))
    assert [e.event for e in early] == ["Registered", "IntakeHeld"]
    first_recorded = everything[0].recorded_at
    assert [e.event for e in app.history(rid, by=AUDITOR, known_at=first_recorded)] == [
        "Registered"
    ]
    with pytest.raises(InvalidInput):
        app.history(rid, by=AUDITOR, known_at=datetime(2019, 1, 1))


def test_the_worker_signs_a_checkpoint_while_it_follows_when_the_log_grew(
    app: Participation, tmp_path: Any
) -> None:
    import threading  # noqa: PLC0415

    from participatie import Checkpoint, generate_signing_key  # noqa: PLC0415

    public_key = generate_signing_key(tmp_path / "signing.key")
    register_with_intake(app)
    stop = threading.Event()
    kept: list[Checkpoint] = []

    def keep(checkpoint: Checkpoint) -> None:
        kept.append(checkpoint)
        stop.set()

    app.project(
        follow=True,
        stop=stop,
        poll_seconds=0.01,
        checkpoints=keep,
        signing_key=tmp_path / "signing.key",
    )
    (checkpoint,) = kept
    assert checkpoint.events == app.event_count()
    read_back = Checkpoint.from_json(checkpoint.to_json(), public_key=public_key)
    assert app.verify(checkpoint=read_back).ok
