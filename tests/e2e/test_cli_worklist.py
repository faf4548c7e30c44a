"""``participatie caseload`` and ``participatie signals`` on the demo store, in a subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.e2e.test_cli import run


def test_the_demo_store_answers_caseload_and_signals(tmp_path: Path) -> None:
    assert run("demo", cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""}).returncode == 0
    page = run(
        "caseload",
        "--municipality",
        "haaren",
        "--format",
        "json",
        "--limit",
        "1000",
        "--actor",
        "coach-1",
        cwd=tmp_path,
    )
    assert page.returncode == 0, page.stderr
    entries = json.loads(page.stdout)
    assert len(entries) == 20  # Haaren's residents still coached at the end of 2019
    assert {e["status"] for e in entries} == {"open"}
    first = run("caseload", "--limit", "7", "--format", "csv", "--actor", "c", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(list(csv.DictReader(io.StringIO(first.stdout)))) == 7
    after = first.stderr.split("--after ")[1].strip()
    rest = run(
        "caseload",
        "--limit",
        "1000",
        "--after",
        after,
        "--format",
        "json",
        "--actor",
        "c",
        cwd=tmp_path,
    )
    assert rest.returncode == 0, rest.stderr
    assert all(e["resident_id"] > after for e in json.loads(rest.stdout))
    shown = run(
        "signals",
        "--on",
        "2019-07-01",
        "--format",
        "json",
        "--municipality",
        "haaren",
        "--actor",
        "coach-1",
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    assert "conversation_overdue" in {s["kind"] for s in json.loads(shown.stdout)}
    refused = run("signals", "--actor", "a-1", "--role", "auditor", cwd=tmp_path)
    assert refused.returncode == 1
    assert "may not read the worklist's signals" in refused.stderr
