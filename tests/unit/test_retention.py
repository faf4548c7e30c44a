"""Retention by the selection list: each file's class, archive nomination and archive action date,
what erasure and ``retention_due`` make of them, and a municipality's own table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import attrs
import pytest

from participatie import (
    DEFAULT_POLICY,
    SELECTIELIJST_2020,
    Actor,
    ArchiveNomination,
    Benefit,
    CoachingOutcome,
    FileResult,
    InvalidInput,
    JobCoach,
    NotAuthorised,
    OutflowReason,
    Participation,
    PlacementKind,
    Provider,
    RetentionClass,
    RetentionRequired,
    RetentionTable,
    Role,
)
from tests.actors import ADMIN, AUDITOR, COORDINATOR
from tests.support import (
    ASSESSOR,
    BROKER,
    COACH,
    TEST_SECRET,
    Clock,
    assert_refused,
    register,
    register_with_intake,
)


def _coached(app: Participation) -> tuple[UUID, UUID]:
    rid = register_with_intake(app)
    app.place(
        rid,
        employer="Bakkerij Van Gils",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=20,
        contract_months=12,
        on=date(2019, 3, 1),
        by=BROKER,
    )
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=True, on=date(2019, 3, 8), by=ASSESSOR
    )
    coaching = app.start_job_coaching(
        rid,
        provider=Provider("USG Restart", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=date(2019, 3, 15),
        by=COORDINATOR,
    )
    return rid, coaching


def test_a_walk_in_is_class_3_1_and_a_benefit_class_8_1(app: Participation) -> None:
    walk_in = register(app)
    on_benefit = register(app, benefit=Benefit.SOCIAL_ASSISTANCE)
    for rid in (walk_in, on_benefit):
        app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 5, 6), by=COACH)
    short = app.retention(walk_in, by=COACH)
    long = app.retention(on_benefit, by=COACH)
    assert (short.selectielijst_class, short.result, short.archive_action_date) == (
        "3.1",
        FileResult.PLAN_ONLY,
        date(2024, 5, 6),
    )
    assert (long.selectielijst_class, long.result, long.archive_action_date) == (
        "8.1",
        FileResult.PROVISION_GRANTED,
        date(2029, 5, 6),
    )
    assert short.archive_nomination is long.archive_nomination is ArchiveNomination.DESTROY
    assert not short.kept_against_erasure
    assert long.kept_against_erasure


def test_an_open_file_has_no_archive_action_date(app: Participation) -> None:
    rid = register(app, benefit=Benefit.UNEMPLOYMENT)
    retention = app.retention(rid, by=COACH)
    assert retention.archive_action_date is None
    assert retention.refuses_erasure_on(date(2100, 1, 1))
    assert "it has not" in retention.reason


def test_job_coaching_that_ends_after_the_closure_ends_the_file(app: Participation) -> None:
    rid, coaching = _coached(app)
    app.close_trajectory(rid, reason=OutflowReason.WORK, on=date(2019, 6, 3), by=COACH)
    # The coaching still runs: the file has not ended, whatever the closure says.
    assert app.retention(rid, by=COACH).archive_action_date is None
    app.complete_job_coaching(
        coaching, outcome=CoachingOutcome.INDEPENDENT, on=date(2020, 9, 1), by=COORDINATOR
    )
    assert app.retention(rid, by=COACH).archive_action_date == date(2030, 9, 1)


def test_due_from_the_archive_action_date_not_the_day_before() -> None:
    closed = date(2016, 11, 24)  # ten years before the test clock's day
    for today, due in ((date(2026, 11, 23), False), (date(2026, 11, 24), True)):
        clock = Clock(datetime(today.year, today.month, today.day, 12, tzinfo=UTC))
        with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
            rid = register(app, benefit=Benefit.UNEMPLOYMENT, on=date(2016, 1, 4))
            app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=closed, by=COACH)
            assert (rid in app.retention_due(by=ADMIN)) is due
            if due:
                app.erase_personal_data(rid, by=ADMIN, reason="retention_ended")
            else:
                assert_refused(
                    app,
                    rid,
                    RetentionRequired,
                    lambda: app.erase_personal_data(rid, by=ADMIN, reason="retention_ended"),  # noqa: B023
                    match="until 2026-11-24",
                )


def test_a_class_kept_permanently_is_never_due_and_never_erased(clock: Clock) -> None:
    keep = attrs.evolve(
        DEFAULT_POLICY,
        version="keep-all",
        retention_table=SELECTIELIJST_2020.evolve(
            FileResult.PLAN_ONLY,
            name="keep-walk-ins",
            nomination=ArchiveNomination.KEEP,
            years=None,
            kept_against_erasure=True,
        ),
    )
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=keep) as app:
        rid = register(app, on=date(2001, 1, 8))
        app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2001, 2, 1), by=COACH)
        retention = app.retention(rid, by=COACH)
        assert retention.archive_nomination is ArchiveNomination.KEEP
        assert retention.archive_action_date is None
        assert app.retention_due(by=ADMIN) == []
        assert_refused(
            app,
            rid,
            RetentionRequired,
            lambda: app.erase_personal_data(rid, by=ADMIN, reason="residents_request"),
        )


def test_a_walk_in_may_still_be_erased_at_once_on_request(app: Participation) -> None:
    rid = register(app, name="A. Jansen")
    assert not app.retention(rid, by=COACH).refuses_erasure_on(date(2019, 1, 9))
    app.erase_personal_data(rid, by=ADMIN, reason="residents_request")
    assert app.personal_data(rid, by=COACH).erased


def test_reading_a_retention_is_authorised(app: Participation) -> None:
    rid = register(app)
    assert app.retention(rid, by=AUDITOR).selectielijst_class == "3.1"
    with pytest.raises(NotAuthorised):
        app.retention(rid, by=Actor("beleid-1", Role.POLICY_OFFICER))


def test_a_table_must_be_whole_and_each_class_consistent() -> None:
    with pytest.raises(InvalidInput, match="no class for"):
        RetentionTable(name="half", classes={})
    with pytest.raises(InvalidInput, match="needs its years"):
        RetentionClass(
            code="x", title="x", nomination=ArchiveNomination.DESTROY, years=None, source="x"
        )
    with pytest.raises(InvalidInput, match="needs its years"):
        RetentionClass(code="x", title="x", nomination=ArchiveNomination.KEEP, years=5, source="x")
    with pytest.raises(InvalidInput, match="whole number"):
        SELECTIELIJST_2020.evolve(FileResult.PLAN_ONLY, years=-1)


def test_the_policy_names_its_years_and_stays_hashable() -> None:
    assert DEFAULT_POLICY.retention_years == 10
    seven = attrs.evolve(
        DEFAULT_POLICY,
        version="seven",
        retention_table=SELECTIELIJST_2020.evolve(FileResult.PROVISION_GRANTED, years=7),
    )
    assert seven.retention_years == 7
    assert hash(seven) != hash(DEFAULT_POLICY)
    assert seven.retention_table != DEFAULT_POLICY.retention_table
