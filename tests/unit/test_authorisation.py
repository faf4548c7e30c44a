"""Every row of the authorisation table: each role is allowed what it may do and refused the rest.

A refused action raises NotAuthorised (a PermissionError) and appends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from participatie import (
    Activity,
    Actor,
    ExtensionReason,
    Goal,
    JobCoach,
    NotAuthorised,
    OutflowReason,
    Participation,
    PlacementKind,
    Provider,
    Role,
    VisitKind,
)
from participatie.privacy.authorisation import DEFAULT_PERMISSIONS, Action
from tests.support import (
    TEST_SECRET,
    Clock,
    assert_appended_only_refusals,
    assert_refused,
    log_position,
)

DAY = date(2020, 6, 1)
ASSIGNED_JOB_COACH = "jc-3"


def actor(role: Role, municipality: str | None = "haaren") -> Actor:
    identity = ASSIGNED_JOB_COACH if role is Role.JOB_COACH else f"{role.value}-1"
    return Actor(identity, role, municipality=municipality)


COACH = actor(Role.COACH)
BROKER = actor(Role.JOB_BROKER)
ASSESSOR = actor(Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = actor(Role.COORDINATOR)


class World:
    """Residents in every state an action needs, all in Haaren."""

    def __init__(self, app: Participation) -> None:
        self.app = app
        self.new = self._register(bsn="123456782")  # registered, no intake yet
        self.free = self._with_intake()  # intake, nothing else
        self.requested = self._with_intake()
        app.request_job_broker(self.requested, on=date(2020, 1, 7), by=COACH)
        self.closed = self._with_intake()
        app.close_trajectory(
            self.closed, reason=OutflowReason.MOVED_AWAY, on=date(2020, 2, 1), by=COACH
        )
        self.placed = self._placed()
        app.start_activity(self.placed, activity=Activity.TRAINING, on=date(2020, 2, 1), by=COACH)
        self.needing = self._placed()
        self.coached = self._placed()
        self.coaching = app.start_job_coaching(
            self.coached,
            provider=Provider("Restart", recognised=True),
            coach=JobCoach(ASSIGNED_JOB_COACH, hbo_degree=True),
            on=date(2020, 3, 16),
            by=COORDINATOR,
        )

    def _register(self, bsn: str | None = None) -> UUID:
        return self.app.register_resident(
            referral="walk_in",
            benefit="none",
            municipality="haaren",
            bsn=bsn,
            name="A",
            on=date(2020, 1, 6),
            by=COACH,
        )

    def _with_intake(self) -> UUID:
        rid = self._register()
        self.app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2020, 1, 6), by=COACH)
        return rid

    def _placed(self) -> UUID:
        rid = self._with_intake()
        self.app.place(
            rid,
            employer="Bakker",
            kind=PlacementKind.PAID_WORK,
            hours_per_week=20,
            contract_months=12,
            on=date(2020, 3, 2),
            by=BROKER,
        )
        self.app.assess_wage_value(
            rid, percent=60, needs_job_coaching=True, on=date(2020, 3, 9), by=ASSESSOR
        )
        return rid


#: For each action: which resident (if any) it changes, and how to take it as ``by``.
ACTIONS: dict[Action, tuple[str | None, Callable[[World, Actor], Any]]] = {
    Action.REGISTER: (
        None,
        lambda w, by: w.app.register_resident(
            referral="walk_in", benefit="none", municipality="haaren", on=DAY, by=by
        ),
    ),
    Action.HOLD_INTAKE: (
        "new",
        lambda w, by: w.app.hold_intake(w.new, goal=Goal.WORK, happiness=5, on=DAY, by=by),
    ),
    Action.RECORD_CONVERSATION: (
        "free",
        lambda w, by: w.app.record_conversation(w.free, happiness=6, on=DAY, by=by),
    ),
    Action.CHANGE_GOAL: (
        "free",
        lambda w, by: w.app.change_goal(w.free, goal=Goal.MEANINGFUL_DAY, on=DAY, by=by),
    ),
    Action.VISIT_WORKPLACE: (
        "free",
        lambda w, by: w.app.visit_workplace(
            w.free, organisation="Zorgboerderij", kind=VisitKind.WALK, on=DAY, by=by
        ),
    ),
    Action.START_ACTIVITY: (
        "free",
        lambda w, by: w.app.start_activity(
            w.free, activity=Activity.LANGUAGE_COURSE, on=DAY, by=by
        ),
    ),
    Action.END_ACTIVITY: (
        "placed",
        lambda w, by: w.app.end_activity(w.placed, activity=Activity.TRAINING, on=DAY, by=by),
    ),
    Action.REQUEST_JOB_BROKER: (
        "free",
        lambda w, by: w.app.request_job_broker(w.free, on=DAY, by=by),
    ),
    Action.WITHDRAW_JOB_BROKER_REQUEST: (
        "requested",
        lambda w, by: w.app.withdraw_job_broker_request(w.requested, on=DAY, by=by),
    ),
    Action.PLACE: (
        "free",
        lambda w, by: w.app.place(
            w.free, employer="Bakker", kind="paid_work", hours_per_week=20, on=DAY, by=by
        ),
    ),
    Action.END_PLACEMENT: (
        "placed",
        lambda w, by: w.app.end_placement(w.placed, reason="contract_ended", on=DAY, by=by),
    ),
    Action.ASSESS_WAGE_VALUE: (
        "placed",
        lambda w, by: w.app.assess_wage_value(
            w.placed, percent=70, needs_job_coaching=False, on=DAY, by=by
        ),
    ),
    Action.CLOSE_TRAJECTORY: (
        "free",
        lambda w, by: w.app.close_trajectory(w.free, reason=OutflowReason.WITHDREW, on=DAY, by=by),
    ),
    Action.REOPEN_TRAJECTORY: (
        "closed",
        lambda w, by: w.app.reopen_trajectory(w.closed, on=DAY, by=by),
    ),
    Action.START_JOB_COACHING: (
        "needing",
        lambda w, by: w.app.start_job_coaching(
            w.needing,
            provider=Provider("Restart", recognised=True),
            coach=JobCoach(ASSIGNED_JOB_COACH, hbo_degree=True),
            on=DAY,
            by=by,
        ),
    ),
    Action.LOG_COACHING_HOURS: (
        "coaching",
        lambda w, by: w.app.log_coaching_hours(
            w.coaching, hours=1, counterpart="employee", on=DAY, by=by
        ),
    ),
    Action.EVALUATE_JOB_COACHING: (
        "coaching",
        lambda w, by: w.app.evaluate_job_coaching(w.coaching, on=DAY, by=by),
    ),
    Action.EXTEND_JOB_COACHING: (
        "coaching",
        lambda w, by: w.app.extend_job_coaching(
            w.coaching, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=DAY, by=by
        ),
    ),
    Action.COMPLETE_JOB_COACHING: (
        "coaching",
        lambda w, by: w.app.complete_job_coaching(w.coaching, outcome="independent", on=DAY, by=by),
    ),
    Action.FIND_RESIDENT: (None, lambda w, by: w.app.find_resident(bsn="123456782", by=by)),
    Action.READ_PERSONAL_DATA: (None, lambda w, by: w.app.personal_data(w.new, by=by)),
    Action.READ_TRAJECTORY: (None, lambda w, by: w.app.resident(w.new, by=by)),
    Action.READ_HISTORY: (None, lambda w, by: w.app.history(w.new, by=by)),
    Action.EXPORT: (None, lambda w, by: w.app.export(w.new, by=by)),
    Action.ERASE: (
        "new",
        lambda w, by: w.app.erase_personal_data(w.new, reason="residents_request", by=by),
    ),
    Action.ROTATE_KEYS: (None, lambda w, by: w.app.rotate_keys(by=by)),
    Action.READ_PROCESSING_LOG: (None, lambda w, by: w.app.processing_log(w.free, by=by)),
    Action.READ_SECURITY_LOG: (None, lambda w, by: w.app.security_log(by=by)),
    # A resident's rights (service/rights.py).
    Action.CORRECT_PERSONAL_DATA: (
        "new",
        lambda w, by: w.app.correct_personal_data(
            w.new, name="J. Jansen", reason="typing_error", on=DAY, by=by
        ),
    ),
    Action.ADD_NOTE: ("new", lambda w, by: w.app.add_note(w.new, text="belde", on=DAY, by=by)),
    Action.READ_NOTES: ("new", lambda w, by: w.app.notes(w.new, by=by)),
    Action.SUBJECT_ACCESS: ("new", lambda w, by: w.app.subject_access(w.new, by=by)),
    Action.READ_CASELOAD: (None, lambda w, by: w.app.caseload(by=by)),
    Action.READ_SIGNALS: (None, lambda w, by: w.app.signals(by=by)),
    Action.READ_BREAKDOWNS: (None, lambda w, by: w.app.breakdown("coach", by=by)),
}


@pytest.fixture
def world(clock: Clock) -> World:
    return World(Participation.open("memory://", secret=TEST_SECRET, clock=clock))


def test_every_action_is_in_the_table() -> None:
    assert set(ACTIONS) == set(Action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_do_what_the_table_allows_and_nothing_else(
    world: World, role: Role, action: Action
) -> None:
    target, take = ACTIONS[action]
    by = actor(role)
    stream = None if target is None else getattr(world, target)
    if action in DEFAULT_PERMISSIONS[role]:
        take(world, by)
    elif target == "coaching":
        position = log_position(world.app)
        with pytest.raises(NotAuthorised):
            take(world, by)
        assert_appended_only_refusals(world.app, position)
    else:
        assert_refused(world.app, stream, NotAuthorised, lambda: take(world, by))


def test_a_coach_of_another_municipality_is_refused(world: World) -> None:
    elsewhere = Actor("coach-9", Role.COACH, municipality="oss")
    assert_refused(
        world.app,
        world.free,
        NotAuthorised,
        lambda: world.app.record_conversation(world.free, happiness=5, on=DAY, by=elsewhere),
        match="oss",
    )
    assert_refused(
        world.app,
        None,
        NotAuthorised,
        lambda: world.app.register_resident(
            referral="walk_in", benefit="none", municipality="haaren", on=DAY, by=elsewhere
        ),
    )
    with pytest.raises(NotAuthorised):
        world.app.personal_data(world.new, by=elsewhere)
    assert world.app.find_resident(bsn="123456782", by=elsewhere) is None


def test_a_coach_without_a_municipality_serves_them_all(world: World) -> None:
    everywhere = Actor("coach-0", Role.COACH)
    world.app.record_conversation(world.free, happiness=5, on=DAY, by=everywhere)
    assert world.app.find_resident(bsn="123456782", by=everywhere) == world.new


def test_a_job_coach_acts_only_on_the_coaching_assigned_to_them(world: World) -> None:
    other = Actor("jc-9", Role.JOB_COACH)
    position = log_position(world.app)
    with pytest.raises(NotAuthorised, match="not the job coach assigned"):
        world.app.log_coaching_hours(
            world.coaching, hours=1, counterpart="employee", on=DAY, by=other
        )
    assert_appended_only_refusals(world.app, position)


def test_a_municipality_may_configure_the_table(clock: Clock) -> None:
    # Here the job broker registers, and coaches do not.
    permissions = {
        **DEFAULT_PERMISSIONS,
        Role.JOB_BROKER: frozenset({Action.REGISTER}),
        Role.COACH: frozenset(),
    }
    with Participation.open(
        "memory://", secret=TEST_SECRET, clock=clock, permissions=permissions
    ) as app:
        app.register_resident(
            referral="walk_in", benefit="none", municipality="haaren", on=DAY, by=BROKER
        )
        with pytest.raises(PermissionError):
            app.register_resident(
                referral="walk_in", benefit="none", municipality="haaren", on=DAY, by=COACH
            )


def test_a_forged_role_is_invalid_input() -> None:
    with pytest.raises(ValueError, match="role"):
        Actor("x", "superuser")


def test_reading_a_trajectory_is_authorised_scoped_and_recorded_in_the_access_log(
    world: World,
) -> None:
    elsewhere = Actor("coach-9", Role.COACH, municipality="oss")
    policy_officer = Actor("policy-1", Role.POLICY_OFFICER)
    for refused in (elsewhere, policy_officer):
        position = log_position(world.app)
        with pytest.raises(NotAuthorised):
            world.app.resident(world.new, by=refused)
        assert_appended_only_refusals(world.app, position)
    with pytest.raises(NotAuthorised):
        world.app.resident_ids(by=policy_officer)
    assert world.app.resident_ids(by=elsewhere) == []  # no resident of Oss
    assert world.new in world.app.resident_ids(by=COACH)
    world.app.resident(world.new, by=COACH, purpose="case meeting")
    (entry,) = [
        e
        for e in world.app.access_log(world.new, by=Actor("auditor-1", Role.AUDITOR))
        if e.kind.value == "trajectory"
    ]
    assert (entry.actor.id, entry.purpose) == (COACH.id, "case meeting")
