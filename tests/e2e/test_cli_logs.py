"""``participatie processing-log`` and ``security-log``, run in a subprocess as an auditor would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from participatie import Actor, NotAuthorised, Participation, Role
from tests.actors import AUDITOR
from tests.e2e.test_cli import run
from tests.support import COACH, TEST_SECRET, register


def test_the_processing_log_as_otlp_and_the_security_log_as_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.hold_intake(rid, goal="work", happiness=5, on=date(2019, 1, 9), by=COACH)
        with app.trace(origin="werkplek-oss-4"), pytest.raises(NotAuthorised):
            app.personal_data(rid, by=Actor("coach-9", Role.COACH, municipality="oss"))
        stored = app.processing_log(rid, by=AUDITOR)
    env = {"PARTICIPATIE_SECRET": TEST_SECRET}

    otlp = run(
        "processing-log", str(rid), "--format", "otlp", "--store", url, cwd=tmp_path, env=env
    )

    assert otlp.returncode == 0, otlp.stderr
    (resource,) = json.loads(otlp.stdout)["resourceSpans"]
    (scope,) = resource["scopeSpans"]
    spans = scope["spans"]
    assert [s["spanId"] for s in spans] == [r.span_id for r in stored]
    assert [s["name"] for s in spans] == ["register", "hold_intake"]
    attributes = {a["key"]: a["value"]["stringValue"] for a in spans[0]["attributes"]}
    assert attributes["dpl.core.data_subject_id"] == str(rid)

    table = run("processing-log", "--store", url, cwd=tmp_path, env=env)
    assert table.returncode == 0, table.stderr
    assert "2 records" in table.stdout

    refused = run("security-log", "--format", "json", "--store", url, cwd=tmp_path, env=env)

    assert refused.returncode == 0, refused.stderr
    (attempt,) = json.loads(refused.stdout)
    assert (attempt["actor"], attempt["action"], attempt["object"], attempt["result"]) == (
        "coach-9",
        "read_personal_data",
        str(rid),
        "refused",
    )
    assert attempt["origin"] == "werkplek-oss-4"
