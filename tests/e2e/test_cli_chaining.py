"""A store written before the log-wide ledger, opened by the command line for the first time:
its events are chained into the ledger once, behind a progress bar on standard error."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

from participatie import Participation
from tests.e2e.test_cli import run

CORPUS = Path(__file__).parents[1] / "compat" / "0.1.0"


def _old_store(folder: Path) -> tuple[str, str]:
    db = folder / "store.db"
    with gzip.open(CORPUS / "store.db.gz", "rb") as packed, db.open("wb") as raw:
        shutil.copyfileobj(packed, raw)
    secret = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["secret"]
    return f"sqlite:///{db}", secret


def test_the_first_opening_shows_the_chaining_then_never_again(tmp_path: Path) -> None:
    url, secret = _old_store(tmp_path)
    env = {"PARTICIPATIE_SECRET": secret}

    first = run("verify", "--store", url, cwd=tmp_path, env=env)

    assert first.returncode == 0, first.stderr
    bar = re.search(
        r"Chaining events stored before this release into the ledger.*?(\d+)/(\d+)", first.stderr
    )
    assert bar is not None, first.stderr
    with Participation.open(url, secret=secret, create=False) as app:
        events = app.event_count()
    assert int(bar.group(1)) == int(bar.group(2)) == events
    assert "Chaining" not in first.stdout  # the report or JSON on stdout stays clean

    second = run("verify", "--store", url, cwd=tmp_path, env=env)

    assert second.returncode == 0, second.stderr
    assert "Chaining" not in second.stderr


def test_the_library_reports_the_chaining_to_a_progress_function(tmp_path: Path) -> None:
    url, secret = _old_store(tmp_path)
    calls: list[tuple[int, int]] = []

    with Participation.open(
        url, secret=secret, chaining_progress=lambda *c: calls.append(c)
    ) as app:
        events = app.event_count()

    assert calls, "an old store is chained on first opening"
    assert calls[-1] == (events, events)
    assert all(done <= total for done, total in calls)
    calls.clear()
    with Participation.open(url, secret=secret, chaining_progress=lambda *c: calls.append(c)):
        pass
    assert calls == []  # once only
