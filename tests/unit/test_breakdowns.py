"""Breakdowns of reach and outflow by referral channel, benefit, coach and municipality."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from participatie import (
    Actor,
    Benefit,
    Breakdown,
    Dimension,
    Goal,
    InvalidInput,
    NotAuthorised,
    OutflowReason,
    Participation,
    Referral,
    Role,
    TrajectoryStatus,
)
from participatie.demo import MUNICIPALITIES
from participatie.demo.haaren_2019 import record_haaren_2019
from tests.actors import ADMIN, AUDITOR, COORDINATOR, JOB_COACH_ACTOR
from tests.support import TEST_SECRET, Clock, assert_refused, register

YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))
OFFICER = Actor("beleid-1", Role.POLICY_OFFICER)
COACH_1 = Actor("coach-1", Role.COACH, municipality="haaren")
COACH_2 = Actor("coach-2", Role.COACH, municipality="haaren")


@pytest.fixture
def served(clock: Clock) -> Iterator[Participation]:
    """A store serving the demos' municipalities."""
    with Participation.open(
        "memory://", secret=TEST_SECRET, clock=clock, municipalities=MUNICIPALITIES
    ) as application:
        yield application


def totals_match_outcomes(app: Participation, breakdown: Breakdown, **kwargs: object) -> None:
    report = app.outcomes(period=breakdown.period, **kwargs)  # type: ignore[arg-type]
    assert breakdown.total.reach == report.reach
    assert breakdown.total.still_coached == report.still_coached
    assert dict(breakdown.total.outflow) == {
        r: ratio.numerator for r, ratio in report.outflow.items()
    }


def rows_add_up(breakdown: Breakdown) -> None:
    for row in (*breakdown.rows, breakdown.total):
        assert row.reach == sum(row.outflow.values()) + row.still_coached


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_breakdown_of_the_haaren_year_adds_up_to_the_report(
    served: Participation, dimension: Dimension
) -> None:
    record_haaren_2019(served)
    breakdown = served.breakdown(dimension, by=OFFICER, period=YEAR_2019)
    totals_match_outcomes(served, breakdown)
    rows_add_up(breakdown)
    assert breakdown.total.reach == 50
    assert breakdown.total.outflow[OutflowReason.WORK] == 23


def test_referral_and_benefit_have_a_row_for_every_channel_even_when_empty(
    served: Participation,
) -> None:
    register(served, referral=Referral.WALK_IN, benefit=Benefit.UNEMPLOYMENT)
    by_referral = served.breakdown("referral", by=OFFICER, period=YEAR_2019)
    assert [row.group for row in by_referral.rows] == [r.value for r in Referral]
    assert [row.reach for row in by_referral.rows] == [0, 0, 1]
    by_benefit = served.breakdown(Dimension.BENEFIT, by=OFFICER, period=YEAR_2019)
    assert [(row.group, row.reach) for row in by_benefit.rows] == [
        ("social_assistance", 0),
        ("unemployment", 1),
        ("none", 0),
    ]


def test_municipalities_are_the_ones_the_store_serves(served: Participation) -> None:
    register(served, municipality="Urk", by=COORDINATOR_AS_COACH)
    breakdown = served.breakdown("municipality", by=OFFICER, period=YEAR_2019)
    assert [(row.group, row.reach) for row in breakdown.rows] == [
        ("haaren", 0),
        ("noordoostpolder", 0),
        ("urk", 1),
    ]


COORDINATOR_AS_COACH = Actor("coach-urk", Role.COACH, municipality="urk")


def story_of_coaches(app: Participation) -> dict[str, object]:
    """Three residents: one whose conversations moved to coach-2, one with coach-1's intake
    only, and one without an intake; coach-2's conversation with the first is entered late."""
    moved = register(app, by=COACH_1)
    app.hold_intake(moved, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH_1)
    app.record_conversation(moved, happiness=6, on=date(2019, 3, 1), by=COACH_1)
    intake_only = register(app, by=COACH_1)
    app.hold_intake(intake_only, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH_1)
    app.close_trajectory(intake_only, reason=OutflowReason.OTHER, on=date(2019, 6, 1), by=COACH_1)
    no_intake = register(app, by=COACH_2)
    # Entered after coach-1's conversation of 1 March, but dated before it: the last recorded.
    app.record_conversation(moved, happiness=7, on=date(2019, 2, 1), by=COACH_2)
    return {"moved": moved, "intake_only": intake_only, "no_intake": no_intake}


def test_a_residents_coach_is_who_held_the_last_conversation_or_else_the_intake(
    served: Participation,
) -> None:
    story_of_coaches(served)
    breakdown = served.breakdown("coach", by=OFFICER, period=YEAR_2019)
    rows = {row.group: row for row in breakdown.rows}
    assert list(rows) == ["coach-1", "coach-2", None]  # no coach comes last
    assert rows["coach-1"].reach == 1
    assert rows["coach-1"].outflow[OutflowReason.OTHER] == 1
    assert rows["coach-2"].reach == 1
    assert rows["coach-2"].still_coached == 1
    assert rows[None].reach == 1
    totals_match_outcomes(served, breakdown)


def test_the_coach_of_a_breakdown_is_the_caseloads_coach_at_the_end_of_the_period(
    served: Participation,
) -> None:
    story_of_coaches(served)
    for end in (date(2019, 1, 31), date(2019, 2, 15), date(2019, 12, 31)):
        breakdown = served.breakdown("coach", by=OFFICER, period=(date(2019, 1, 1), end))
        caseload = served.caseload(by=COACH_1, status=None, as_of=end)
        expected: dict[str | None, int] = {}
        for entry in caseload.entries:
            expected[entry.coach_id] = expected.get(entry.coach_id, 0) + 1
        assert {row.group: row.reach for row in breakdown.rows} == expected, end


def test_a_breakdown_as_of_a_day_and_known_at_a_moment_is_the_report_of_then(
    served: Participation,
) -> None:
    record_haaren_2019(served)
    known = datetime.now(tz=UTC)  # events are recorded at the real time
    late = register(served, on=date(2019, 5, 1), referral=Referral.MUNICIPALITY)
    served.close_trajectory(late, reason=OutflowReason.CARE, on=date(2019, 6, 1), by=COACH_1)
    for kwargs in (
        {"as_of": date(2019, 5, 31)},
        {"known_at": known},
        {"known_at": known, "as_of": date(2019, 9, 30)},
        {},
    ):
        breakdown = served.breakdown("referral", by=OFFICER, period=YEAR_2019, **kwargs)
        totals_match_outcomes(served, breakdown, **kwargs)
        rows_add_up(breakdown)
    before = served.breakdown("referral", by=OFFICER, period=YEAR_2019, known_at=known)
    after = served.breakdown("referral", by=OFFICER, period=YEAR_2019)
    assert after.rows[0].reach == before.rows[0].reach + 1
    assert (
        after.rows[0].outflow[OutflowReason.CARE] == before.rows[0].outflow[OutflowReason.CARE] + 1
    )


def test_a_coach_reads_the_breakdown_of_their_own_municipality_when_none_is_named(
    served: Participation,
) -> None:
    register(served, by=COACH_1)
    register(served, municipality="urk", by=COORDINATOR_AS_COACH)
    breakdown = served.breakdown("municipality", by=COACH_1, period=YEAR_2019)
    assert breakdown.municipality == "haaren"
    assert [(row.group, row.reach) for row in breakdown.rows] == [("haaren", 1)]
    everywhere = served.breakdown("municipality", by=COORDINATOR, period=YEAR_2019)
    assert everywhere.total.reach == 2


@pytest.mark.parametrize("actor", [JOB_COACH_ACTOR, AUDITOR, ADMIN])
def test_roles_without_statistics_may_not_read_a_breakdown(
    served: Participation, actor: Actor
) -> None:
    register(served, by=COACH_1)
    assert_refused(
        served, None, NotAuthorised, lambda: served.breakdown("coach", by=actor), "breakdowns"
    )
    assert_refused(
        served, None, NotAuthorised, lambda: served.export_figures(by=actor), "breakdowns"
    )


def test_a_coach_of_another_municipality_may_not_read_its_breakdown(
    served: Participation,
) -> None:
    register(served, by=COACH_1)
    assert_refused(
        served,
        None,
        NotAuthorised,
        lambda: served.breakdown("coach", by=COORDINATOR_AS_COACH, municipality="Haaren"),
        "works for urk",
    )
    assert_refused(
        served,
        None,
        NotAuthorised,
        lambda: served.export_figures(by=COORDINATOR_AS_COACH, municipality="haaren"),
        "works for urk",
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda app: app.breakdown("coach", by=OFFICER, municipality="Haarne"), "not one"),
        (lambda app: app.breakdown("goal", by=OFFICER), "dimension"),
        (lambda app: app.breakdown("coach", by=OFFICER, as_of=datetime.now(tz=UTC)), "as_of"),
        (lambda app: app.breakdown("coach", by=OFFICER, period=(date(2019, 5, 1),)), "period"),
        (lambda app: app.export_figures(by=OFFICER, municipality="Haarne"), "not one"),
        (lambda app: app.export_figures(by=OFFICER, dimensions=("municipality",)), "already"),
        (lambda app: app.breakdown("coach", by="beleid-1"), "Actor"),
    ],
)
def test_malformed_breakdown_reads_are_invalid_input_and_append_nothing(
    served: Participation, call: object, match: str
) -> None:
    register(served, by=COACH_1)
    assert callable(call)
    assert_refused(served, None, InvalidInput, lambda: call(served), match)


def test_without_a_register_an_unknown_municipality_is_invalid_input(app: Participation) -> None:
    register(app, by=COACH_1)
    assert app.breakdown("coach", by=OFFICER, municipality="HAAREN").total.reach == 1
    assert_refused(
        app,
        None,
        InvalidInput,
        lambda: app.breakdown("coach", by=OFFICER, municipality="oss"),
        "no resident of municipality 'oss'",
    )


def test_a_published_breakdown_hides_small_cells_and_the_percentages_that_reveal_them(
    served: Participation,
) -> None:
    record_haaren_2019(served)
    breakdown = served.breakdown("coach", by=OFFICER, period=YEAR_2019)
    shown = breakdown.to_dict(suppress_small_cells=True)
    full = breakdown.to_dict()
    report = served.outcomes(period=YEAR_2019).to_dict(suppress_small_cells=True)
    assert shown["total"]["reach"] == report["reach"] == 50
    assert shown["total"]["outflow"]["moved_away"]["numerator"] is None  # 2: small
    assert full["total"]["outflow"]["moved_away"]["numerator"] == 2
    for row in shown["rows"]:
        for ratio in row["outflow"].values():
            if ratio["numerator"] is None:
                assert ratio["percent"] is None
            else:
                assert not 0 < ratio["numerator"] < 5
    text = breakdown.table_rows(suppress_small_cells=True)
    assert text[0][:3] == ["coach", "reach", "work"]
    assert text[-1][0] == "total"
    assert "x" in text[-1]


def test_a_breakdown_of_residents_still_open_from_before_counts_them_in_reach(
    served: Participation,
) -> None:
    old = register(served, on=date(2018, 6, 1), by=COACH_1)
    served.hold_intake(old, goal=Goal.WORK, happiness=5, on=date(2018, 6, 1), by=COACH_1)
    closed_before = register(served, on=date(2018, 6, 1), by=COACH_1)
    served.close_trajectory(
        closed_before, reason=OutflowReason.OTHER, on=date(2018, 9, 1), by=COACH_1
    )
    breakdown = served.breakdown("coach", by=OFFICER, period=YEAR_2019)
    assert [(row.group, row.reach) for row in breakdown.rows] == [("coach-1", 1)]
    assert served.resident(old, by=COACH_1).status is TrajectoryStatus.OPEN
