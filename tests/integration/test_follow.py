"""``participatie project --follow``: a worker process keeps the outcomes view current.

The tests read the view's position directly (``outcomes()`` would catch up by itself), kill the
worker with SIGKILL in the middle of the work, and check that a new worker resumes without
counting any event twice or missing one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from participatie import Goal, Participation
from participatie.projections.views import TRACKING_KEY
from participatie.service import core_of
from tests.support import COACH, TEST_SECRET, events_but_processing_records, register

YEAR = (date(2019, 1, 1), date(2019, 12, 31))


@contextmanager
def worker(url: str) -> Iterator[subprocess.Popen[str]]:
    """``participatie project --follow`` in a process of its own."""
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "participatie",
            "project",
            "--follow",
            "--poll",
            "0.2",
            "--store",
            url,
        ],
        env={**os.environ, "PARTICIPATIE_SECRET": TEST_SECRET},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def position(app: Participation) -> int:
    return core_of(app).store.facts_view().max_tracking_id(TRACKING_KEY) or 0


def wait_until_current(app: Participation, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while position(app) < app.event_count():
        assert time.monotonic() < deadline, (position(app), app.event_count())
        time.sleep(0.05)


def residents(app: Participation, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        rid = register(app, on=date(2019, 1, 7) + timedelta(days=number))
        on = date(2019, 2, 1) + timedelta(days=number)
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=on, by=COACH)
        for week in range(3):
            app.record_conversation(rid, happiness=6, on=on + timedelta(weeks=week), by=COACH)


def test_a_worker_keeps_the_view_current_and_resumes_after_being_killed(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        with worker(store_url) as first:
            residents(app, 20)
            wait_until_current(app)
            residents(app, 40, start=20)
            first.send_signal(signal.SIGKILL)  # in the middle of following, without warning
            first.wait(timeout=30)
        residents(app, 20, start=60)
        with worker(store_url) as second:
            wait_until_current(app)
            second.send_signal(signal.SIGTERM)
            _, errors = second.communicate(timeout=30)
            assert second.returncode == 0, errors
        view = core_of(app).store.facts_view()
        facts = view.select_facts(None)
        assert len(facts) == len({(f.stream_id, f.version) for f in facts})
        # Every event of these residents is a fact (their processing records are not).
        assert len(facts) == events_but_processing_records(app)
        live = app.outcomes(period=YEAR)
        assert live.reach == 80
        app.rebuild()
        assert app.outcomes(period=YEAR) == live


def test_project_without_follow_catches_up_once(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        residents(app, 3)
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "participatie", "project", "--store", store_url],
            env={**os.environ, "PARTICIPATIE_SECRET": TEST_SECRET},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert f"{app.event_count()} new events" in result.stdout
        assert position(app) == app.event_count()
