"""Erasure by crypto-shredding (AVG art. 17), with the retention the Archiefwet requires."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs
import pytest

from participatie import (
    DEFAULT_POLICY,
    SELECTIELIJST_2020,
    Actor,
    Benefit,
    ErasureGround,
    FileResult,
    Goal,
    NotAuthorised,
    OutflowReason,
    Participation,
    PersonalData,
    PersonalDataAlreadyErased,
    PlacementKind,
    RetentionRequired,
    Role,
)
from tests.actors import ADMIN, AUDITOR
from tests.support import COACH, READER, TEST_SECRET, Clock, assert_refused, register


def walk_in(app: Participation) -> UUID:
    rid = register(app, bsn="123456782", name="A. Jansen", notes="wants to garden")
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    return rid


def test_a_walk_in_without_decisions_is_erased_at_once(app: Participation) -> None:
    rid = walk_in(app)
    history_before = [e.to_dict() for e in app.history(rid, by=AUDITOR)]
    report_before = app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31)))
    app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
    assert app.personal_data(rid, by=COACH) == PersonalData(erased=True)
    assert app.find_resident(bsn="123456782", by=COACH) is None
    history = app.history(rid, by=AUDITOR)
    assert [e.to_dict() for e in history[:-1]] == history_before
    assert history[-1].event == "PersonalDataErased"
    assert history[-1].data["ground"] == "residents_request"
    assert app.resident(rid, by=READER).personal_data_erased
    assert app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31))) == report_before
    assert app.verify().ok


def test_erasing_twice_is_refused(app: Participation) -> None:
    rid = walk_in(app)
    app.erase_personal_data(rid, by=ADMIN, reason="residents_request")
    assert_refused(
        app,
        rid,
        PersonalDataAlreadyErased,
        lambda: app.erase_personal_data(rid, by=ADMIN, reason="residents_request"),
    )


def test_a_file_with_a_benefit_is_kept_while_open(app: Participation) -> None:
    rid = register(app, benefit=Benefit.SOCIAL_ASSISTANCE, name="B")
    assert_refused(
        app,
        rid,
        RetentionRequired,
        lambda: app.erase_personal_data(rid, by=ADMIN, reason="residents_request"),
    )


def test_a_file_with_a_benefit_is_kept_ten_years_after_closure(clock: Clock) -> None:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        rid = register(app, benefit=Benefit.UNEMPLOYMENT, name="B")
        app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
        assert_refused(
            app,
            rid,
            RetentionRequired,
            lambda: app.erase_personal_data(rid, by=ADMIN, reason="retention_ended"),
            match="kept until 2029-02-01",
        )


def test_after_the_retention_period_the_file_may_be_erased(clock: Clock) -> None:
    short = attrs.evolve(
        DEFAULT_POLICY,
        version="short-retention",
        retention_table=SELECTIELIJST_2020.evolve(FileResult.PROVISION_GRANTED, years=5),
    )
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=short) as app:
        rid = register(app, benefit=Benefit.UNEMPLOYMENT, name="B")
        app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
        app.erase_personal_data(rid, by=ADMIN, reason="retention_ended")
        assert app.personal_data(rid, by=COACH).erased


def test_a_legal_obligation_overrides_retention(app: Participation) -> None:
    rid = register(app, benefit=Benefit.SOCIAL_ASSISTANCE, name="B")
    app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.LEGAL_OBLIGATION)
    assert app.personal_data(rid, by=COACH).erased


def test_only_an_admin_erases(app: Participation) -> None:
    rid = walk_in(app)
    assert_refused(
        app,
        rid,
        NotAuthorised,
        lambda: app.erase_personal_data(rid, by=COACH, reason="residents_request"),
    )


def test_an_unknown_ground_is_invalid_input(app: Participation) -> None:
    rid = walk_in(app)
    assert_refused(
        app, rid, ValueError, lambda: app.erase_personal_data(rid, by=ADMIN, reason="because")
    )


def test_the_bsn_may_be_registered_again_after_erasure(app: Participation) -> None:
    rid = walk_in(app)
    app.erase_personal_data(rid, by=ADMIN, reason="residents_request")
    again = register(app, bsn="123456782")
    assert again != rid


def test_files_whose_retention_ended_are_due(clock: Clock) -> None:
    short = attrs.evolve(
        DEFAULT_POLICY,
        version="five-years",
        retention_table=SELECTIELIJST_2020.evolve(FileResult.PROVISION_GRANTED, years=5),
    )
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock, policy=short) as app:
        old = register(app, benefit=Benefit.UNEMPLOYMENT, name="B")
        app.close_trajectory(old, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
        recent = register(app, benefit=Benefit.UNEMPLOYMENT, name="C")
        app.close_trajectory(recent, reason=OutflowReason.WITHDREW, on=date(2023, 2, 1), by=COACH)
        walk_in_closed = register(app, name="D")
        app.close_trajectory(
            walk_in_closed, reason=OutflowReason.WITHDREW, on=date(2020, 2, 1), by=COACH
        )
        recent_walk_in = register(app, name="G")  # class 3.1: kept five years after closure
        app.close_trajectory(
            recent_walk_in, reason=OutflowReason.WITHDREW, on=date(2023, 2, 1), by=COACH
        )
        still_open = register(app, benefit=Benefit.UNEMPLOYMENT, name="E")
        assert set(app.retention_due(by=ADMIN)) == {old, walk_in_closed}
        app.erase_personal_data(old, by=ADMIN, reason="retention_ended")
        assert app.retention_due(by=ADMIN) == [walk_in_closed]
        assert still_open not in app.retention_due(by=ADMIN)
        with pytest.raises(NotAuthorised):
            app.retention_due(by=COACH)


def test_an_assessment_keeps_a_file_and_only_the_last_closure_counts(clock: Clock) -> None:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        assessed = register(app, name="F")
        app.hold_intake(assessed, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        app.place(
            assessed,
            employer="Bakker",
            kind=PlacementKind.PAID_WORK,
            hours_per_week=20,
            on=date(2019, 1, 20),
            by=Actor("broker-2", Role.JOB_BROKER),
        )
        app.assess_wage_value(
            assessed,
            percent=70,
            needs_job_coaching=False,
            on=date(2019, 2, 1),
            by=Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR),
        )
        app.close_trajectory(assessed, reason=OutflowReason.WORK, on=date(2019, 3, 1), by=COACH)
        reopened = register(app, name="G")
        app.close_trajectory(reopened, reason=OutflowReason.WITHDREW, on=date(2019, 3, 1), by=COACH)
        app.reopen_trajectory(reopened, on=date(2019, 4, 1), by=COACH)
        closed_again = register(app, name="H")
        app.close_trajectory(
            closed_again, reason=OutflowReason.WITHDREW, on=date(2019, 3, 1), by=COACH
        )
        app.reopen_trajectory(closed_again, on=date(2019, 4, 1), by=COACH)
        app.close_trajectory(
            closed_again, reason=OutflowReason.MOVED_AWAY, on=date(2019, 5, 1), by=COACH
        )
        # Kept until 2029 (an assessment is a statutory decision); open again; closed for good.
        assert app.retention_due(by=ADMIN) == [closed_again]
        haaren_admin = Actor("admin-2", Role.ADMIN, municipality="oss")
        assert app.retention_due(by=haaren_admin) == []
