"""Fact kinds are an enum whose values are the text stored in the facts table, and one function
decides whether a file involved a statutory decision, from the trajectory or from its facts."""

from __future__ import annotations

import gzip
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from participatie import (
    Benefit,
    JobCoach,
    Participation,
    PlacementKind,
    Provider,
)
from participatie.domain.retention import involved_statutory_decision
from participatie.projections.facts import FactKind, facts_show_statutory_decision
from participatie.service import core_of
from tests.actors import COORDINATOR
from tests.support import ASSESSOR, BROKER, READER, register, register_with_intake

CORPUS = Path(__file__).parents[1] / "compat" / "0.1.0" / "store.db.gz"


def test_the_fact_kinds_are_the_kinds_release_0_1_0_stored(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    db.write_bytes(gzip.decompress(CORPUS.read_bytes()))
    with sqlite3.connect(db) as connection:
        stored = {
            kind
            for (kind,) in connection.execute(
                "SELECT DISTINCT kind FROM participatie_outcome_facts_v3"
            )
        }
    # UNCOUNTED is new in 0.2.0 (an event the statistics could not count).
    assert stored == {kind.value for kind in FactKind} - {FactKind.UNCOUNTED.value}


def test_a_fact_kind_equals_its_stored_text_and_hashes_alike() -> None:
    stored: str = "closed"  # as a store gives it back: plain text
    assert stored == FactKind.CLOSED
    assert {stored: 1}[FactKind.CLOSED] == 1
    assert stored in frozenset({FactKind.CLOSED, FactKind.REOPENED})


def test_the_job_coaching_fact_kinds_are_those_that_start_with_coaching() -> None:
    coaching = {kind for kind in FactKind if kind.startswith("coaching_")}
    assert coaching == {
        FactKind.COACHING_STARTED,
        FactKind.COACHING_HOURS,
        FactKind.COACHING_EVALUATED,
        FactKind.COACHING_EXTENDED,
        FactKind.COACHING_COMPLETED,
    }


@pytest.mark.parametrize(
    ("benefit", "assessed", "coaching", "statutory"),
    [
        (Benefit.NONE, False, False, False),
        (Benefit.SOCIAL_ASSISTANCE, False, False, True),
        (Benefit.UNEMPLOYMENT, False, False, True),
        (Benefit.NONE, True, False, True),
        (Benefit.NONE, False, True, True),
    ],
)
def test_a_benefit_an_assessment_or_job_coaching_is_a_statutory_decision(
    benefit: Benefit, assessed: bool, coaching: bool, statutory: bool
) -> None:
    assert (
        involved_statutory_decision(
            benefit=benefit, wage_value_assessed=assessed, job_coaching=coaching
        )
        is statutory
    )


def _placed(app: Participation) -> UUID:
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
    return rid


def _walk_in(app: Participation) -> UUID:
    return register_with_intake(app)


def _on_benefit(app: Participation) -> UUID:
    return register(app, benefit=Benefit.UNEMPLOYMENT)


def _assessed(app: Participation) -> UUID:
    rid = _placed(app)
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=False, on=date(2019, 3, 8), by=ASSESSOR
    )
    return rid


def _coached(app: Participation) -> UUID:
    rid = _placed(app)
    app.assess_wage_value(
        rid, percent=60, needs_job_coaching=True, on=date(2019, 3, 8), by=ASSESSOR
    )
    app.start_job_coaching(
        rid,
        provider=Provider("USG Restart", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=date(2019, 3, 15),
        by=COORDINATOR,
    )
    return rid


@pytest.mark.parametrize(
    ("make", "statutory"),
    [
        pytest.param(_walk_in, False, id="walk-in"),
        pytest.param(_placed, False, id="placed-without-assessment"),
        pytest.param(_on_benefit, True, id="on-benefit"),
        pytest.param(_assessed, True, id="assessed"),
        pytest.param(_coached, True, id="job-coaching"),
    ],
)
def test_the_trajectory_and_its_facts_agree_on_a_statutory_decision(
    app: Participation, make: Callable[[Participation], UUID], statutory: bool
) -> None:
    rid = make(app)
    trajectory = app.resident(rid, by=READER)
    has_job_coaching = make is _coached
    assert trajectory.involved_statutory_decision(has_job_coaching=has_job_coaching) is statutory
    facts = [f for f in core_of(app).current_facts(None) if f.resident_id == rid.hex]
    assert facts
    assert facts_show_statutory_decision(facts) is statutory
