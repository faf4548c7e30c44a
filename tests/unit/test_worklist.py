"""The working day on the in-process store: the caseload, a resident's job coachings and each
signal at its edge dates (the day before, the day itself, the day after)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from participatie import (
    DEFAULT_POLICY,
    SELECTIELIJST_2020,
    Activity,
    Actor,
    Benefit,
    CaseloadPage,
    Counterpart,
    ExtensionReason,
    FileResult,
    Goal,
    InvalidInput,
    JobCoach,
    NotAuthorised,
    NotFound,
    OutflowReason,
    Participation,
    PlacementKind,
    Provider,
    Role,
    SignalKind,
    TrajectoryStatus,
)
from participatie.projections.worklist_views import (
    WORKLIST_TRACKING_KEY,
    catch_up_worklist,
    rows_writer,
)
from participatie.service import core_of
from tests.support import TEST_SECRET, Clock, assert_refused, log_position

COACH = Actor("coach-17", Role.COACH, municipality="haaren")
OTHER_COACH = Actor("coach-18", Role.COACH, municipality="haaren")
OSS_COACH = Actor("coach-9", Role.COACH, municipality="oss")
BROKER = Actor("broker-2", Role.JOB_BROKER)
ASSESSOR = Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = Actor("coordinator-1", Role.COORDINATOR)
JOB_COACH = Actor("jc-3", Role.JOB_COACH)
ADMIN = Actor("admin-1", Role.ADMIN)
EVERYWHERE = Actor("coach-0", Role.COACH)


def register(app: Participation, on: date = date(2020, 1, 6), **kwargs: object) -> UUID:
    fields: dict[str, object] = {
        "referral": "walk_in",
        "benefit": "none",
        "municipality": "haaren",
        "on": on,
        "by": COACH,
    }
    fields.update(kwargs)
    return app.register_resident(**fields)  # type: ignore[arg-type]


def with_intake(app: Participation, on: date = date(2020, 1, 6), by: Actor = COACH) -> UUID:
    rid = register(app, on=on)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=on, by=by)
    return rid


def coached(app: Participation) -> tuple[UUID, UUID]:
    """A resident placed at 20 hours a week on 2 March 2020, coached from 16 March 2020."""
    rid = with_intake(app)
    app.place(
        rid,
        employer="Bakker",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=20,
        contract_months=12,
        on=date(2020, 3, 2),
        by=BROKER,
    )
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=True, on=date(2020, 3, 9), by=ASSESSOR
    )
    cid = app.start_job_coaching(
        rid,
        provider=Provider("Restart", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=date(2020, 3, 16),
        by=COORDINATOR,
    )
    return rid, cid


def shown(app: Participation, kind: SignalKind, on: date) -> list[tuple[UUID | None, date]]:
    return [
        (s.resident_id or s.coaching_id, s.since)
        for s in app.signals(by=EVERYWHERE, on=on)
        if s.kind is kind
    ]


def edges(app: Participation, kind: SignalKind, subject: UUID, due: date) -> None:
    """The signal is not shown the day before ``due``, and is on it and the day after."""
    assert (subject, due) not in shown(app, kind, due - timedelta(days=1))
    assert all(s != subject for s, _ in shown(app, kind, due - timedelta(days=1)))
    assert (subject, due) in shown(app, kind, due)
    assert (subject, due) in shown(app, kind, due + timedelta(days=1))


def test_intake_pending_from_fourteen_days_after_registration(app: Participation) -> None:
    rid = register(app)
    edges(app, SignalKind.INTAKE_PENDING, rid, date(2020, 1, 20))
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2020, 1, 22), by=COACH)
    assert shown(app, SignalKind.INTAKE_PENDING, date(2020, 1, 22)) == []
    assert shown(app, SignalKind.INTAKE_PENDING, date(2020, 1, 21)) == [(rid, date(2020, 1, 20))]


def test_conversation_overdue_after_a_whole_month_with_fewer_than_two(
    app: Participation,
) -> None:
    one = with_intake(app)
    two = with_intake(app)
    app.record_conversation(one, happiness=5, on=date(2020, 2, 10), by=COACH)
    for day in (date(2020, 2, 10), date(2020, 2, 20)):
        app.record_conversation(two, happiness=5, on=day, by=COACH)
    edges(app, SignalKind.CONVERSATION_OVERDUE, one, date(2020, 3, 1))
    assert all(s != two for s, _ in shown(app, SignalKind.CONVERSATION_OVERDUE, date(2020, 3, 1)))
    # January was not a whole month of coaching (registered on the 6th): no signal in February.
    assert shown(app, SignalKind.CONVERSATION_OVERDUE, date(2020, 2, 15)) == []
    # Closed: no longer signalled.
    app.close_trajectory(one, reason=OutflowReason.MOVED_AWAY, on=date(2020, 3, 5), by=COACH)
    assert all(s != one for s, _ in shown(app, SignalKind.CONVERSATION_OVERDUE, date(2020, 3, 5)))
    assert (one, date(2020, 3, 1)) in shown(app, SignalKind.CONVERSATION_OVERDUE, date(2020, 3, 4))


def test_job_broker_request_open_after_eight_weeks(app: Participation) -> None:
    rid = with_intake(app)
    app.request_job_broker(rid, on=date(2020, 1, 7), by=COACH)
    edges(app, SignalKind.JOB_BROKER_REQUEST_OPEN, rid, date(2020, 3, 3))
    app.withdraw_job_broker_request(rid, on=date(2020, 3, 4), by=COACH)
    assert shown(app, SignalKind.JOB_BROKER_REQUEST_OPEN, date(2020, 3, 4)) == []


def test_evaluation_overdue_six_months_after_the_start_or_the_last_evaluation(
    app: Participation,
) -> None:
    _, cid = coached(app)
    edges(app, SignalKind.EVALUATION_OVERDUE, cid, date(2020, 9, 16))
    app.evaluate_job_coaching(cid, on=date(2020, 9, 20), by=JOB_COACH)
    assert shown(app, SignalKind.EVALUATION_OVERDUE, date(2020, 9, 20)) == []
    edges(app, SignalKind.EVALUATION_OVERDUE, cid, date(2021, 3, 20))


def test_coaching_ending_three_months_before_the_planned_end(app: Participation) -> None:
    _, cid = coached(app)
    edges(app, SignalKind.COACHING_ENDING, cid, date(2021, 12, 16))
    app.extend_job_coaching(
        cid, reason=ExtensionReason.MORE_TIME_TO_INDEPENDENCE, on=date(2021, 12, 20), by=COORDINATOR
    )
    assert shown(app, SignalKind.COACHING_ENDING, date(2021, 12, 20)) == []
    assert shown(app, SignalKind.COACHING_ENDING, date(2021, 12, 19)) == [(cid, date(2021, 12, 16))]


def test_hours_cap_near_from_the_logging_that_reaches_ninety_percent(
    app: Participation,
) -> None:
    _, cid = coached(app)  # year 1's cap: 20 hours x 52 weeks x 15% = 156; 90% = 140.4
    app.log_coaching_hours(
        cid, hours=140, counterpart=Counterpart.EMPLOYEE, on=date(2020, 4, 1), by=JOB_COACH
    )
    app.log_coaching_hours(
        cid,
        hours=Decimal("0.4"),
        counterpart=Counterpart.MANAGER,
        on=date(2020, 4, 2),
        by=JOB_COACH,
    )
    edges(app, SignalKind.HOURS_CAP_NEAR, cid, date(2020, 4, 2))
    # A new coaching year starts from nothing.
    assert shown(app, SignalKind.HOURS_CAP_NEAR, date(2021, 3, 16)) == []


def test_a_job_coach_sees_the_signals_of_the_coachings_assigned_to_them_only(
    app: Participation,
) -> None:
    _, cid = coached(app)  # assigned to jc-3
    late = with_intake(app)  # a resident whose conversations are overdue by April
    on = date(2020, 9, 16)
    everything = {
        (s.kind, s.resident_id or s.coaching_id) for s in app.signals(by=EVERYWHERE, on=on)
    }
    assert (SignalKind.EVALUATION_OVERDUE, cid) in everything
    assert (SignalKind.CONVERSATION_OVERDUE, late) in everything

    mine = app.signals(by=JOB_COACH, on=on)
    assert {(s.kind, s.coaching_id) for s in mine} == {(SignalKind.EVALUATION_OVERDUE, cid)}
    assert app.signals(by=Actor("jc-4", Role.JOB_COACH), on=on) == []
    # A coordinator arranges every coaching: all of them.
    assert (SignalKind.EVALUATION_OVERDUE, cid) in {
        (s.kind, s.coaching_id) for s in app.signals(by=COORDINATOR, on=on)
    }


def test_retention_due_when_the_file_may_be_erased(clock: Clock) -> None:
    policy = attrs.evolve(
        DEFAULT_POLICY,
        version="kort-1",
        retention_table=SELECTIELIJST_2020.evolve(FileResult.PROVISION_GRANTED, years=1).evolve(
            FileResult.PLAN_ONLY, years=0
        ),
    )
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=policy) as app:
        walk_in = with_intake(app)
        app.close_trajectory(
            walk_in, reason=OutflowReason.MOVED_AWAY, on=date(2020, 2, 1), by=COACH
        )
        kept = register(app, benefit=Benefit.SOCIAL_ASSISTANCE)
        app.hold_intake(kept, goal=Goal.WORK, happiness=5, on=date(2020, 1, 6), by=COACH)
        app.close_trajectory(kept, reason=OutflowReason.MOVED_AWAY, on=date(2020, 2, 1), by=COACH)
        edges(app, SignalKind.RETENTION_DUE, walk_in, date(2020, 2, 1))
        edges(app, SignalKind.RETENTION_DUE, kept, date(2021, 2, 1))
        due = {
            s.resident_id for s in app.signals(by=EVERYWHERE) if s.kind is SignalKind.RETENTION_DUE
        }
        assert due == set(app.retention_due(by=ADMIN)) == {walk_in, kept}
        app.erase_personal_data(walk_in, reason="retention_ended", by=ADMIN)
        assert all(s != walk_in for s, _ in shown(app, SignalKind.RETENTION_DUE, clock().date()))


def test_the_caseload_shows_each_open_resident_with_its_coach(app: Participation) -> None:
    one = with_intake(app)
    app.start_activity(one, activity=Activity.LANGUAGE_COURSE, on=date(2020, 1, 8), by=COACH)
    app.record_conversation(one, happiness=6, on=date(2020, 2, 3), by=OTHER_COACH)
    two = register(app, on=date(2020, 1, 9))
    closed = with_intake(app)
    app.close_trajectory(closed, reason=OutflowReason.MOVED_AWAY, on=date(2020, 2, 1), by=COACH)
    page = app.caseload(by=COACH)
    assert {e.resident_id for e in page.entries} == {one, two}
    assert page.next_after is None
    entry = next(e for e in page.entries if e.resident_id == one)
    assert entry.coach_id == "coach-18"
    assert entry.goal is Goal.WORK
    assert entry.activities == (Activity.LANGUAGE_COURSE,)
    assert entry.last_conversation_on == date(2020, 2, 3)
    assert entry.registered_on == date(2020, 1, 6)
    assert [e.resident_id for e in app.caseload(by=COACH, coach="coach-18").entries] == [one]
    assert [e.resident_id for e in app.caseload(by=COACH, status="closed").entries] == [closed]
    assert len(app.caseload(by=COACH, status=None).entries) == 3
    assert [e.resident_id for e in app.caseload(by=COACH, goal=Goal.WORK).entries] == sorted(
        [one], key=str
    )
    # As of a past day: the closed resident was open, the conversation not yet held.
    before = app.caseload(by=COACH, as_of=date(2020, 1, 31))
    assert {e.resident_id for e in before.entries} == {one, two, closed}
    assert next(e for e in before.entries if e.resident_id == one).coach_id == "coach-17"
    assert app.caseload(by=COACH, as_of=date(2020, 1, 5)).entries == ()


def test_caseload_pages_by_resident_id_stay_stable_while_residents_are_registered(
    app: Participation,
) -> None:
    first = {register(app) for _ in range(7)}
    seen: list[UUID] = []
    page: CaseloadPage = app.caseload(by=COACH, limit=3)
    while True:
        seen.extend(e.resident_id for e in page.entries)
        register(app)  # a write between pages, at a random place in the order of ids
        if page.next_after is None:
            break
        page = app.caseload(by=COACH, limit=3, after=page.next_after)
    assert len(seen) == len(set(seen))
    assert first <= set(seen)
    assert seen == sorted(seen, key=lambda u: u.hex)


def test_reads_are_scoped_to_the_actors_municipality(app: Participation) -> None:
    haaren = with_intake(app)
    oss = register(app, municipality="oss", by=OSS_COACH)
    assert [e.resident_id for e in app.caseload(by=COACH).entries] == [haaren]
    assert [e.resident_id for e in app.caseload(by=OSS_COACH).entries] == [oss]
    assert {e.resident_id for e in app.caseload(by=EVERYWHERE).entries} == {haaren, oss}
    assert [e.resident_id for e in app.caseload(by=EVERYWHERE, municipality="OSS").entries] == [oss]
    today = date(2020, 2, 1)
    assert {s.resident_id for s in app.signals(by=OSS_COACH, on=today)} == {oss}
    for read in (
        lambda: app.caseload(by=COACH, municipality="oss"),
        lambda: app.signals(by=COACH, municipality="oss"),
        lambda: app.coachings_of(oss, by=COACH),
    ):
        assert_refused(app, None, NotAuthorised, read)


def test_refused_and_invalid_reads_append_nothing(app: Participation) -> None:
    rid = with_intake(app)
    auditor = Actor("auditor-1", Role.AUDITOR)
    reads: list[Callable[[], object]] = [
        lambda: app.caseload(by=auditor),
        lambda: app.signals(by=auditor),
        lambda: app.coachings_of(rid, by=ADMIN),
    ]
    for read in reads:
        assert_refused(app, None, NotAuthorised, read)
    for bad in (
        lambda: app.caseload(by=COACH, limit=0),
        lambda: app.caseload(by=COACH, status="ajar"),
        lambda: app.caseload(by=COACH, as_of=date(2030, 1, 1)),
        lambda: app.signals(by=COACH, on=date(2030, 1, 1)),
    ):
        assert_refused(app, None, InvalidInput, bad)
    assert_refused(app, None, NotFound, lambda: app.coachings_of(UUID(int=5), by=COACH))


def test_lists_log_nothing_and_a_residents_coachings_are_logged(app: Participation) -> None:
    rid, cid = coached(app)
    position = log_position(app)
    app.caseload(by=COACH)
    app.signals(by=COACH)
    assert log_position(app) == position
    coachings = app.coachings_of(rid, by=COACH)
    assert [(c.coaching_id, c.state, c.planned_end) for c in coachings] == [
        (cid, "running", date(2022, 3, 16))
    ]
    assert log_position(app) > position  # the resident's access log (opened on its first read)
    assert app.access_log(rid, by=Actor("auditor-1", Role.AUDITOR))[-1].actor.id == COACH.id
    assert app.coachings_of(with_intake(app), by=COACH) == []


def test_the_view_resumes_and_a_rebuild_gives_the_same_rows(app: Participation) -> None:
    rid, cid = coached(app)
    app.record_conversation(rid, happiness=7, on=date(2020, 4, 1), by=COACH)
    app.evaluate_job_coaching(cid, on=date(2020, 5, 1), by=JOB_COACH)
    store = core_of(app).store
    view = store.worklist_view()
    catch_up_worklist(store, view)
    rows = view.rows(None)
    assert rows == sorted(rows, key=lambda r: r.position)
    # A catch-up stopped after a page resumes from there, and counts each event once.
    view.reset()
    catch_up_worklist(_FirstPageOnly(store), view, page_size=3)
    assert view.max_tracking_id(WORKLIST_TRACKING_KEY) == 3
    assert catch_up_worklist(store, view) == log_position(app) - 3
    assert view.rows(None) == rows
    app.rebuild()
    assert view.rows(None) == rows
    assert app.caseload(by=COACH).entries[0].resident_id == rid
    status = app.caseload(by=COACH).entries[0].status
    assert status is TrajectoryStatus.OPEN


class _FirstPageOnly:
    """A store whose log ends after its first page: a catch-up that stops halfway."""

    def __init__(self, store: object) -> None:
        self.mapper = store.mapper  # type: ignore[attr-defined]
        self._recorder = store.recorder  # type: ignore[attr-defined]
        self.recorder = self

    def select_notifications(self, start: int, limit: int) -> list[object]:
        return list(self._recorder.select_notifications(start, limit)) if start == 1 else []


def test_a_rebuild_reads_and_decodes_each_event_once_for_both_views(
    app: Participation, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cid = coached(app)
    app.evaluate_job_coaching(cid, on=date(2020, 5, 1), by=JOB_COACH)
    store = core_of(app).store
    catch_up_worklist(store, store.worklist_view())
    year = (date(2020, 1, 1), None)
    before = (store.worklist_view().rows(None), app.outcomes(period=year))
    decoded: list[int] = []
    mapper: Any = store.mapper  # the chain mapper, whose decode_only skips remembering hashes
    original = mapper.decode_only

    def counting(notification: Any) -> Any:
        decoded.append(notification.id)
        return original(notification)

    monkeypatch.setattr(mapper, "decode_only", counting)
    app.rebuild()
    assert decoded  # the events that make facts or rows
    assert len(decoded) == len(set(decoded))  # each once, not once a view
    monkeypatch.undo()
    assert (
        store.worklist_view().rows(None),
        app.outcomes(period=(date(2020, 1, 1), None)),
    ) == before


def test_a_rebuild_finishes_the_worklist_when_another_process_wrote_a_page_of_it_first(
    app: Participation,
) -> None:
    with_intake(app)
    store = core_of(app).store
    view = store.worklist_view()
    catch_up_worklist(store, view)
    rows = view.rows(None)
    # The shared reading stops writing at the first page it cannot write; the worklist's own
    # catch-up goes on from the view's position.
    writer = rows_writer(view)
    writer([], lambda n: n, 0)  # the view is not at 0: nothing is written, the writer stops
    assert view.rows(None) == rows
    app.rebuild()
    assert view.rows(None) == rows
