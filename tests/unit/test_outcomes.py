"""Outcome statistics: the Haaren figures, catching up, rebuilding, crashes, reporting dates."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import IntegrityError, Tracking
from hypothesis import given, settings

from participatie import (
    DEFAULT_POLICY,
    Activity,
    Actor,
    CoachingOutcome,
    Counterpart,
    Goal,
    InvalidInput,
    JobCoach,
    OutcomeReport,
    OutflowReason,
    Participation,
    PlacementKind,
    Provider,
    Ratio,
    Role,
)
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.projections import runner
from participatie.projections.outcomes import OutcomesProjection
from participatie.projections.views import TRACKING_KEY
from participatie.projections.views_memory import POPOFactsView
from participatie.service import core_of
from participatie.testing import commands as c
from participatie.testing import strategies as pst
from participatie.testing.machine import count_over_history
from tests.actors import COORDINATOR
from tests.actors import JOB_COACH_ACTOR as JOB_COACH
from tests.support import BROKER, COACH, READER, TEST_SECRET, register, register_with_intake

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


def haaren(app: Participation) -> OutcomeReport:
    return app.outcomes(period=YEAR_2019, municipality="haaren", target=30)


def test_the_haaren_demo_reproduces_the_pilots_figures(app: Participation) -> None:
    record_haaren_2019(app)
    report = haaren(app)
    assert report.reach == 50
    assert report.reach_against_target == Ratio(50, 30)
    assert str(report.reach_against_target) == "50/30 (167%)"
    assert report.outflow[OutflowReason.WORK] == Ratio(23, 50)
    assert str(report.outflow[OutflowReason.WORK]) == "23/50 (46%)"
    assert report.outflow[OutflowReason.VOLUNTEER_WORK] == Ratio(5, 50)
    assert report.outflow[OutflowReason.MOVED_AWAY] == Ratio(2, 50)
    assert report.still_coached == 20
    assert report.activities[Activity.LANGUAGE_COURSE] == 6
    assert report.reinflow == 0


def test_a_commands_effect_is_visible_in_the_next_report(app: Participation) -> None:
    rid = register_with_intake(app)
    assert haaren(app).reach == 1
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 3, 1), by=COACH)
    report = haaren(app)
    assert report.outflow[OutflowReason.MOVED_AWAY] == Ratio(1, 1)
    assert report.still_coached == 0


def test_rebuild_gives_the_live_figures(app: Participation) -> None:
    record_haaren_2019(app)
    live = haaren(app)
    assert app.rebuild() == app.event_count()
    assert haaren(app) == live


def fail_once(
    monkeypatch: pytest.MonkeyPatch, view: Any, *, at: int, error: Exception
) -> list[int]:
    """Make the view refuse, once, the page that ends at position ``at`` with ``error``; return
    the positions of the pages it is asked to write, in order."""
    original = type(view).record
    asked: list[int] = []

    def record(self: Any, facts: Any, tracking: Any, *, after: int) -> None:
        asked.append(tracking.notification_id)
        if tracking.notification_id == at and asked.count(at) == 1:
            raise error
        original(self, facts, tracking, after=after)

    monkeypatch.setattr(type(view), "record", record)
    return asked


@pytest.mark.parametrize("write_behind", [False, True], ids=["in-turn", "write-behind"])
def test_a_crash_midway_loses_and_doubles_nothing(
    app: Participation, monkeypatch: pytest.MonkeyPatch, write_behind: bool
) -> None:
    record_haaren_2019(app)
    view = core_of(app).store.facts_view()
    asked = fail_once(monkeypatch, view, at=300, error=RuntimeError("the process was killed"))
    with pytest.raises(RuntimeError, match="killed"):
        runner.catch_up(core_of(app).store, view, page_size=100, write_behind=write_behind)
    assert asked == [100, 200, 300]  # nothing after the failed page was written, or tried
    assert view.max_tracking_id(TRACKING_KEY) == 200
    monkeypatch.undo()
    resumed = haaren(app)
    assert len(view.select_facts(None)) == len(
        {(f.stream_id, f.version) for f in view.select_facts(None)}
    )
    app.rebuild()
    assert haaren(app) == resumed


@pytest.mark.parametrize("write_behind", [False, True], ids=["in-turn", "write-behind"])
def test_a_page_refused_midway_is_read_again_from_the_views_position(
    app: Participation, monkeypatch: pytest.MonkeyPatch, write_behind: bool
) -> None:
    record_haaren_2019(app)
    view = core_of(app).store.facts_view()
    refusal = IntegrityError("another process recorded this page first")
    asked = fail_once(monkeypatch, view, at=400, error=refusal)
    counted: list[int] = []
    events = app.event_count()
    done = runner.catch_up(
        core_of(app).store, view, page_size=100, progress=counted.append, write_behind=write_behind
    )
    assert asked.count(400) == 2
    assert done == sum(counted) == events
    assert view.max_tracking_id(TRACKING_KEY) == events
    facts = view.select_facts(None)
    assert [f.position for f in facts] == sorted({f.position for f in facts})
    monkeypatch.undo()
    live = haaren(app)
    app.rebuild()
    assert view.select_facts(None) == facts
    assert haaren(app) == live


def test_only_a_catch_up_of_more_than_one_page_writes_behind(app: Participation) -> None:
    record_haaren_2019(app)
    view = core_of(app).store.facts_view()

    def writers(_: int) -> None:
        seen.append(any(t.name == "participatie-outcomes-writer" for t in threading.enumerate()))

    seen: list[bool] = []
    runner.catch_up(core_of(app).store, view, page_size=100, progress=writers, write_behind=True)
    assert seen[-1]
    assert not any(t.name == "participatie-outcomes-writer" for t in threading.enumerate())
    register_with_intake(app)
    seen.clear()
    # Two events (their processing records are rows, not events).
    assert runner.catch_up(core_of(app).store, view, progress=writers, write_behind=True) == 2
    assert seen == [False]  # one short page: written at once, no thread


def test_the_projection_records_one_event_at_a_time_as_eventsourcing_runs_it(
    app: Participation,
) -> None:
    record_haaren_2019(app)
    live = haaren(app)
    paged = core_of(app).store.facts_view().select_facts(None)
    view = POPOFactsView()
    projection = OutcomesProjection(view)
    assert projection.name == core_of(app).store.name  # the same settings and tables
    notifications = core_of(app).store.recorder.select_notifications(1, app.event_count())
    upstream = core_of(app).store.name
    for notification in notifications[:300]:
        event = core_of(app).store.mapper.to_domain_event(notification)
        projection.process_event(event, Tracking(upstream, notification.id))
    assert view.max_tracking_id(TRACKING_KEY) == 300
    # A runner started again from the beginning passes over what was recorded.
    again = OutcomesProjection(view)
    for notification in notifications:
        event = core_of(app).store.mapper.to_domain_event(notification)
        again.process_event(event, Tracking(upstream, notification.id))
    assert view.max_tracking_id(TRACKING_KEY) == app.event_count()
    assert view.select_facts(None) == paged
    assert live.reach == 50


def test_outcomes_as_of_a_date_use_only_what_had_happened(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 6, 1), by=COACH)
    before = app.outcomes(period=YEAR_2019, as_of=date(2019, 5, 31))
    assert before.outflow[OutflowReason.WITHDREW] == Ratio(0, 1)
    assert before.still_coached == 1
    assert before.period == (date(2019, 1, 1), date(2019, 5, 31))


def test_outcomes_known_at_leave_out_late_entries(app: Participation) -> None:
    rid = register_with_intake(app)
    reported = datetime.now(tz=UTC)
    app.close_trajectory(rid, reason=OutflowReason.CARE, on=date(2019, 6, 1), by=COACH)
    reissued = app.outcomes(period=YEAR_2019, known_at=reported)
    assert reissued.outflow[OutflowReason.CARE].numerator == 0
    assert app.outcomes(period=YEAR_2019).outflow[OutflowReason.CARE].numerator == 1


def test_a_resident_counts_once_by_the_last_closure_of_the_period(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 3, 1), by=COACH)
    app.reopen_trajectory(rid, on=date(2019, 5, 1), by=COACH)
    app.place(
        rid,
        employer="Bakker",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=20,
        on=date(2019, 6, 1),
        by=BROKER,
    )
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 9, 1), by=COACH)
    report = app.outcomes(period=YEAR_2019)
    assert report.outflow[OutflowReason.WORK] == Ratio(1, 1)
    assert report.outflow[OutflowReason.MOVED_AWAY] == Ratio(0, 1)
    assert report.reinflow == 1


def test_contact_compliance_counts_whole_open_months(app: Participation) -> None:
    rid = register(app, on=date(2019, 1, 15))
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 15), by=COACH)
    for day in (3, 17):
        app.record_conversation(rid, happiness=6, on=date(2019, 2, day), by=COACH)
    app.record_conversation(rid, happiness=7, on=date(2019, 3, 10), by=COACH)
    report = app.outcomes(period=(date(2019, 1, 1), date(2019, 3, 31)))
    assert report.contact_compliance == Ratio(1, 2)  # February yes, March no, January not whole
    assert report.happiness.rising == Ratio(1, 1)
    assert report.happiness.mean_change == Decimal(2)


def test_durability_counts_paid_placements_that_lasted(app: Participation) -> None:
    lasting, dropped = register_with_intake(app), register_with_intake(app)
    for rid in (lasting, dropped):
        app.place(
            rid, employer="X", kind="paid_work", hours_per_week=20, on=date(2019, 2, 1), by=BROKER
        )
    app.end_placement(dropped, reason="dismissed", on=date(2019, 5, 1), by=COACH)
    report = app.outcomes(period=(date(2019, 1, 1), date(2020, 6, 30)))
    assert report.durability.six_months == Ratio(1, 2)
    assert report.durability.twelve_months == Ratio(1, 2)


def test_small_cells_are_suppressed_on_request(app: Participation) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
    report = app.outcomes(period=YEAR_2019)
    assert report.to_dict()["outflow"]["withdrew"]["numerator"] == 1
    suppressed = report.to_dict(suppress_small_cells=True)
    assert suppressed["outflow"]["withdrew"]["numerator"] is None
    assert suppressed["reach"] is None


def test_a_published_haaren_report_hides_moved_away_so_that_it_cannot_be_worked_out(
    app: Participation,
) -> None:
    record_haaren_2019(app)
    published = haaren(app).to_dict(suppress_small_cells=True)
    outflow = {reason: ratio["numerator"] for reason, ratio in published["outflow"].items()}
    # 50 - 23 - 5 - 20 = 2 would give moved away if the zeros beside it were shown.
    assert outflow == {
        "work": 23,
        "volunteer_work": 5,
        "education": None,
        "moved_away": None,
        "care": None,
        "withdrew": None,
        "other": None,
    }
    assert (published["reach"], published["still_coached"]) == (50, 20)
    assert published["outflow"]["moved_away"]["percent"] is None


def test_a_denominator_under_5_is_hidden_with_its_percentage(app: Participation) -> None:
    for day in (date(2019, 2, 1), date(2019, 3, 1), date(2019, 4, 1)):
        register_with_intake(app, on=day)
    published = app.outcomes(period=YEAR_2019).to_dict(suppress_small_cells=True)
    assert published["reach"] is None
    assert all(r["denominator"] is None for r in published["outflow"].values())
    assert all(r["percent"] is None for r in published["outflow"].values())
    assert (
        "3"
        not in dict(
            app.outcomes(period=YEAR_2019).figure_rows(lang="en", suppress_small_cells=True)
        )["reach"]
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {"period": (date(2019, 12, 31), date(2019, 1, 1))},
        {"period": (datetime(2019, 1, 1, tzinfo=UTC), date(2019, 12, 31))},
        {"target": 0},
        {"target": "30"},
        {"as_of": "2019-01-01"},
    ],
)
def test_malformed_report_arguments_are_invalid_input(
    app: Participation, arguments: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput):
        app.outcomes(**arguments)


def test_ratios_print_as_counts_and_percentages() -> None:
    assert str(Ratio(23, 50)) == "23/50 (46%)"
    assert str(Ratio(0, 0)) == "0/0 (-)"
    assert Ratio(1, 3).to_dict() == {"numerator": 1, "denominator": 3, "percent": 33.3}


@settings(max_examples=25, deadline=None)
@given(pst.command_sequences(max_size=40))
def test_the_projection_equals_a_brute_force_count_over_the_history(
    sequence: list[c.Command],
) -> None:
    with Participation.open("memory://") as app:
        c.run_commands(app, sequence)
        for period in [
            (date(2019, 1, 1), date(2019, 6, 30)),
            (date(2019, 3, 1), date(2025, 12, 31)),
        ]:
            report = app.outcomes(period=period)
            reach, still, outflow = count_over_history(app, app.resident_ids(by=READER), period)
            assert report.reach == reach
            assert report.still_coached == still
            assert {
                r.value: n.numerator for r, n in report.outflow.items() if n.numerator
            } == outflow
            for ratio in report.outflow.values():
                assert ratio.denominator == report.reach


def test_project_catches_up_and_a_follower_stops_when_told(app: Participation) -> None:
    register_with_intake(app)
    assert app.project() == 2  # two events (their processing records are rows)
    assert app.project() == 0
    with pytest.raises(InvalidInput, match="stop"):
        app.project(follow=True)
    stop = threading.Event()
    seen: list[int] = []
    follower = threading.Thread(
        target=lambda: seen.append(app.project(follow=True, stop=stop, poll_seconds=0.01))
    )
    follower.start()
    register_with_intake(app)
    view = core_of(app).store.facts_view()
    deadline = time.monotonic() + 10
    while view.max_tracking_id(TRACKING_KEY) != app.event_count():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    stop.set()
    follower.join(timeout=10)
    assert seen == [2]  # two events (their processing records are rows)


def test_events_that_make_no_facts_are_passed_over_but_counted_in_the_position(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    app.history(rid, by=Actor("auditor-1", Role.AUDITOR))  # access log events: no facts
    app.change_goal(rid, goal=Goal.VOLUNTEER_WORK, on=date(2019, 1, 9), by=COACH)  # no fact
    assert app.project() == app.event_count()
    view = core_of(app).store.facts_view()
    assert view.max_tracking_id(TRACKING_KEY) == app.event_count()
    assert sorted(f.kind for f in view.select_facts(None)) == ["happiness", "registered"]


def test_a_report_with_nothing_to_catch_up_reads_no_resident_lookups(
    app: Participation, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_haaren_2019(app)
    first = haaren(app)
    view = core_of(app).store.facts_view()
    original = type(view).municipalities
    lookups = 0

    def counted(self: Any) -> dict[str, str]:
        nonlocal lookups
        lookups += 1
        return original(self)

    monkeypatch.setattr(type(view), "municipalities", counted)
    assert haaren(app) == first
    assert lookups == 0
    register_with_intake(app)
    assert haaren(app).reach == first.reach + 1
    assert lookups == 1


# The period a report counts.


def test_a_report_counts_the_period_up_to_the_reporting_date_and_says_so(
    app: Participation,
) -> None:
    record_haaren_2019(app)
    report = app.outcomes(period=YEAR_2019, municipality="haaren", as_of=date(2019, 6, 30))
    assert report.period == (date(2019, 1, 1), date(2019, 6, 30))
    assert report.to_dict()["period"] == ["2019-01-01", "2019-06-30"]


def test_a_period_given_by_its_first_or_last_day_alone_is_completed() -> None:
    from participatie.service.statistics import reporting_period  # noqa: PLC0415

    today = date(2026, 11, 24)
    assert reporting_period((date(2019, 3, 1), None), as_of=None, today=today) == (
        date(2019, 3, 1),
        today,
    )
    assert reporting_period((None, date(2019, 6, 30)), as_of=None, today=today) == (
        date(2019, 1, 1),
        date(2019, 6, 30),
    )
    assert reporting_period(None, as_of=date(2019, 6, 30), today=today) == (
        date(2019, 1, 1),
        date(2019, 6, 30),
    )


def test_a_period_that_ends_in_the_future_is_counted_up_to_today(app: Participation) -> None:
    register_with_intake(app)
    today = app.today()
    report = app.outcomes(period=(date(2019, 1, 1), date(2099, 1, 1)))
    assert report.period == (date(2019, 1, 1), today)


@pytest.mark.parametrize(
    "period",
    [date(2019, 1, 1), (date(2019, 1, 1),), "2019", (date(2019, 1, 1), "2019-12-31")],
    ids=["a date", "one day", "text", "text as a day"],
)
def test_a_period_that_is_not_a_pair_of_days_is_invalid_input(
    app: Participation, period: Any
) -> None:
    with pytest.raises(InvalidInput, match="period"):
        app.outcomes(period=period)


@pytest.mark.parametrize("start", [date(1, 1, 1), date(1899, 12, 31)])
def test_a_period_starting_before_1900_is_invalid_input_not_an_overflow(
    app: Participation, start: date
) -> None:
    register(app, on=date(2019, 1, 8))
    with pytest.raises(InvalidInput, match="before 1900-01-01"):
        app.outcomes(period=(start, None))


def test_a_report_as_of_a_day_after_today_is_invalid_input(app: Participation) -> None:
    with pytest.raises(InvalidInput, match="after today"):
        app.outcomes(as_of=date(9999, 12, 31))


# Reach, inflow and outflow (domain.md, decisions of 2026-11-29).


def test_reach_counts_residents_carried_over_open_and_inflow_only_those_registered(
    app: Participation,
) -> None:
    carried = register_with_intake(app, on=date(2018, 11, 5))
    register_with_intake(app, on=date(2019, 2, 1))
    closed_before = register_with_intake(app, on=date(2018, 3, 1))
    app.close_trajectory(
        closed_before, reason=OutflowReason.WITHDREW, on=date(2018, 9, 1), by=COACH
    )
    app.close_trajectory(carried, reason=OutflowReason.CARE, on=date(2019, 4, 1), by=COACH)
    report = app.outcomes(period=YEAR_2019)
    assert report.reach == 2
    assert report.inflow == 1
    assert report.outflow[OutflowReason.CARE] == Ratio(1, 2)
    assert report.outflow[OutflowReason.WITHDREW] == Ratio(0, 2)
    assert report.still_coached == 1


def test_a_resident_reopened_in_the_period_is_reached(app: Participation) -> None:
    rid = register_with_intake(app, on=date(2018, 3, 1))
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2018, 6, 1), by=COACH)
    app.reopen_trajectory(rid, on=date(2019, 5, 1), by=COACH)
    report = app.outcomes(period=YEAR_2019)
    assert (report.reach, report.inflow, report.reinflow, report.still_coached) == (1, 0, 1, 1)
    assert report.outflow[OutflowReason.MOVED_AWAY] == Ratio(0, 1)


def test_a_resident_closed_in_the_period_and_open_again_at_its_end_is_still_coached(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    app.close_trajectory(rid, reason=OutflowReason.MOVED_AWAY, on=date(2019, 3, 1), by=COACH)
    app.reopen_trajectory(rid, on=date(2019, 5, 1), by=COACH)
    report = app.outcomes(period=YEAR_2019)
    assert report.outflow[OutflowReason.MOVED_AWAY] == Ratio(0, 1)
    assert report.still_coached == 1


def test_inflow_is_a_figure_of_its_own_in_the_dict_and_the_rows(app: Participation) -> None:
    register_with_intake(app, on=date(2018, 11, 5))
    register_with_intake(app, on=date(2019, 2, 1))
    report = app.outcomes(period=YEAR_2019)
    assert (report.to_dict()["reach"], report.to_dict()["inflow"]) == (2, 1)
    assert ("inflow (registered in the period)", "1") in report.figure_rows(lang="en")


@settings(max_examples=40, deadline=None)
@given(
    pst.command_sequences(max_size=40),
    pst.business_dates(),
    pst.business_dates(),
)
def test_every_reached_resident_is_in_one_outflow_reason_or_still_coached(
    sequence: list[c.Command], first: date, second: date
) -> None:
    start, end = min(first, second), max(first, second)
    with Participation.open("memory://") as app:
        c.run_commands(app, sequence)
        report = app.outcomes(period=(start, end))
        outflow = sum(ratio.numerator for ratio in report.outflow.values())
        assert outflow + report.still_coached == report.reach
        assert report.inflow <= report.reach
        assert all(ratio.denominator == report.reach for ratio in report.outflow.values())


def test_a_job_lost_after_outflow_to_work_counts_as_dropout_in_durability(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    app.place(
        rid, employer="X", kind="paid_work", hours_per_week=20, on=date(2019, 2, 1), by=BROKER
    )
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 3, 1), by=COACH)
    app.end_placement(rid, reason="dismissed", on=date(2019, 5, 1), by=COACH)
    report = app.outcomes(period=(date(2019, 1, 1), date(2020, 6, 30)))
    assert report.durability.six_months == Ratio(0, 1)
    assert report.outflow[OutflowReason.WORK] == Ratio(1, 1)  # the outflow itself stays


# Coaching intensity against the cap, and the evaluation signal (domain.md, job coaching).


def coached_resident(app: Participation, *, hours_per_week: int = 20, on: date) -> UUID:
    """A resident placed ``hours_per_week``, assessed with need, and coached from ``on``."""
    rid = register_with_intake(app, on=on - timedelta(days=20))
    app.place(rid, employer="Visverwerking Urk", kind=PlacementKind.PAID_WORK,
              hours_per_week=hours_per_week, contract_months=12, on=on - timedelta(days=14),
              by=BROKER)  # fmt: skip
    app.assess_wage_value(rid, percent=55, needs_job_coaching=True, on=on - timedelta(days=7),
                          by=Actor("assessor-1", Role.WAGE_VALUE_ASSESSOR))  # fmt: skip
    return app.start_job_coaching(
        rid,
        provider=Provider("Werkcorporatie", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=on,
        by=COORDINATOR,
    )


def log_hours(app: Participation, cid: UUID, hours: int, on: date) -> None:
    app.log_coaching_hours(cid, hours=hours, counterpart=Counterpart.EMPLOYEE, on=on, by=JOB_COACH)


def test_cap_use_is_reported_per_coaching_year_with_the_share_near_the_cap(
    app: Participation,
) -> None:
    near = coached_resident(app, on=date(2020, 3, 16))
    log_hours(app, near, 150, date(2020, 6, 1))  # of 156 (15% of 20 x 52): 96%
    log_hours(app, near, 7, date(2021, 3, 16))  # of 78 (7.5%) in year 2: 9%
    light = coached_resident(app, on=date(2020, 3, 16))
    log_hours(app, light, 78, date(2020, 6, 1))  # 50% of year 1
    report = app.outcomes(period=(date(2021, 1, 1), date(2021, 12, 31)))
    cap_use = report.job_coaching.cap_use
    assert set(cap_use) == {1, 2}
    assert cap_use[1].years == 2
    assert cap_use[1].mean_percent == (Decimal(15000) / 156 + Decimal(50)) / 2
    assert cap_use[2].years == 2
    assert cap_use[2].mean_percent == Decimal(700) / 78 / 2
    assert report.job_coaching.near_cap == Ratio(1, 4)
    data = report.to_dict()["job_coaching"]
    assert data["cap_use"]["1"] == {"years": 2, "mean_percent": 73.08}
    assert data["near_cap"] == {"numerator": 1, "denominator": 4, "percent": 25.0}
    rows = dict(report.figure_rows(lang="en"))
    assert rows["  cap use in coaching year 1 (mean)"] == "73% (2 coaching years)"
    assert rows["  coaching years at 90%+ of the cap"] == "1/4 (25%)"


def test_cap_use_is_counted_against_the_reporting_applications_policy(clock: Any) -> None:
    strict = attrs.evolve(DEFAULT_POLICY, version="strict", coaching_hours_caps=(Decimal(10),))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=strict) as app:
        cid = coached_resident(app, on=date(2020, 3, 16))
        log_hours(app, cid, 100, date(2020, 6, 1))  # of 104 (10% of 20 x 52)
        report = app.outcomes(period=(date(2020, 1, 1), date(2020, 12, 31)))
    assert report.job_coaching.cap_use[1].mean_percent == Decimal(10000) / 104
    assert report.job_coaching.near_cap == Ratio(1, 1)


def test_running_coaching_without_an_evaluation_for_six_months_is_signalled(
    app: Participation,
) -> None:
    evaluated = coached_resident(app, on=date(2020, 3, 16))
    app.evaluate_job_coaching(evaluated, on=date(2020, 9, 14), by=JOB_COACH)
    coached_resident(app, on=date(2020, 11, 2))  # started less than 6 months before
    completed = coached_resident(app, on=date(2019, 3, 4))
    app.complete_job_coaching(
        completed, outcome=CoachingOutcome.INDEPENDENT, on=date(2020, 6, 1), by=COORDINATOR
    )
    on_time = app.outcomes(period=(date(2021, 1, 1), date(2021, 3, 14))).job_coaching
    assert (on_time.running, on_time.evaluation_overdue) == (2, Ratio(0, 2))
    late = app.outcomes(period=(date(2021, 1, 1), date(2021, 3, 15))).job_coaching
    assert late.evaluation_overdue == Ratio(1, 2)
    report = app.outcomes(period=(date(2021, 1, 1), date(2021, 3, 15)))
    assert report.to_dict()["job_coaching"]["evaluation_overdue"]["numerator"] == 1
    assert (
        dict(report.figure_rows(lang="en"))["  running, no evaluation for 6+ months"] == "1/2 (50%)"
    )
