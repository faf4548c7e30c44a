"""The resident file export and its manifest."""

from __future__ import annotations

import copy
from datetime import date

from participatie import Goal, Participation
from tests.actors import AUDITOR
from tests.support import COACH, register


def test_export_round_trip_verifies(app: Participation) -> None:
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    document = app.export(rid, by=AUDITOR)
    manifest = document["manifest"]
    assert manifest["counts"] == {"events": 2, "streams": 1}
    assert manifest["generated_by"] == {"id": "auditor-1", "role": "auditor"}
    assert manifest["chain_heads"][str(rid)]["version"] == 2
    assert app.check_export(document).ok


def test_export_still_verifies_after_the_resident_file_grew(app: Participation) -> None:
    rid = register(app)
    document = app.export(rid, by=AUDITOR)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    assert app.check_export(document).ok


def test_a_changed_export_is_found(app: Participation) -> None:
    rid = register(app)
    document = app.export(rid, by=AUDITOR)
    changed = copy.deepcopy(document)
    changed["history"][0]["data"]["municipality"] = "oss"
    result = app.check_export(changed)
    assert not result.ok
    assert "changed after export" in result.problems[0]


def test_an_export_of_another_store_does_not_verify(app: Participation) -> None:
    rid = register(app)
    document = app.export(rid, by=AUDITOR)
    with Participation.open("memory://") as other:
        (problem,) = other.check_export(document).problems
    assert "no longer in the store" in problem


def test_something_else_is_not_an_export(app: Participation) -> None:
    assert not app.check_export({"history": []}).ok
    assert not app.check_export([1, 2]).ok
