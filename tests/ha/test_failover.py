"""A primary killed while writers send commands: afterwards every acknowledged command is in the
store exactly once, every stream's versions are contiguous, ``verify()`` is ok, and the
projection worker went on on the new primary with the figures a rebuild gives.

Writers (separate processes) send ``record_conversation`` commands for ``WRITE_SECONDS``, each
with a command id of its own, and send a command that failed again with the same id until it
is acknowledged. Halfway the primary's keeper and postmaster are killed (SIGKILL, see
scripts/ha-cluster kill-primary); pg_auto_failover promotes the standby. What the clients saw
and how long no command was acknowledged go into ``PARTICIPATIE_HA_RESULTS`` (a JSON line per
run) and onto the terminal.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from participatie import Actor, Goal, Participation, Role
from participatie.service import core_of
from tests.ha.conftest import cluster, with_schema
from tests.support import TEST_SECRET, register

pytestmark = pytest.mark.ha

WRITE_SECONDS = float(os.environ.get("PARTICIPATIE_HA_WRITE_SECONDS", "30"))
WRITERS = 4
RESIDENTS_PER_WRITER = 5
COACH = Actor("coach-17", Role.COACH, municipality="haaren")
DAY = date(2019, 1, 9)
#: How long a writer keeps sending one command again before it gives up on it.
GIVE_UP_SECONDS = 120.0


def write(url: str, residents: list[str], ready: Any, start: Any, out: str) -> None:
    """One writer process: once ``start`` is set, commands for ``WRITE_SECONDS``, each sent
    until it is acknowledged (``ready`` says the store is open)."""
    acknowledged: list[dict[str, Any]] = []
    unacknowledged: list[str] = []
    errors: list[tuple[str, float]] = []
    with Participation.open(url, secret=TEST_SECRET) as app:
        app.resident(UUID(residents[0]), by=COACH)  # connected, caches warm
        ready.set()
        start.wait()
        until = time.time() + WRITE_SECONDS
        while time.time() < until:
            resident, command_id = UUID(random.choice(residents)), uuid4()  # noqa: S311
            sent = time.time()
            while True:
                try:
                    app.record_conversation(
                        resident,
                        happiness=random.randint(1, 10),  # noqa: S311
                        on=DAY,
                        by=COACH,
                        command_id=command_id,
                    )
                except Exception as error:  # every error a client sees is counted
                    errors.append((type(error).__name__, time.time()))
                    if time.time() - sent > GIVE_UP_SECONDS:
                        unacknowledged.append(str(command_id))
                        break
                    time.sleep(0.2)
                    continue
                acknowledged.append(
                    {"id": str(command_id), "resident": str(resident), "at": time.time()}
                )
                break
    Path(out).write_text(
        json.dumps(
            {"acknowledged": acknowledged, "unacknowledged": unacknowledged, "errors": errors}
        )
    )


def stored_commands(url: str, schema: str) -> set[str]:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT command_id FROM {schema}.participatie_commands").fetchall()
    return {str(row[0]) for row in rows}


def gaps_in_versions(url: str, schema: str) -> list[str]:
    """Streams whose versions are not 1, 2, ... without a gap."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT originator_id, count(*), min(originator_version), max(originator_version) "
            f"FROM {schema}.participation_events GROUP BY originator_id"
        ).fetchall()
    return [str(r[0]) for r in rows if not (r[2] == 1 and r[3] == r[1])]


def prepare(url: str) -> list[str]:
    """Residents with an intake, ready for conversations."""
    with Participation.open(url, secret=TEST_SECRET) as app:
        residents = []
        for _ in range(WRITERS * RESIDENTS_PER_WRITER):
            rid = register(app)
            app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
            residents.append(str(rid))
    return residents


def write_through_a_kill(url: str, residents: list[str], tmp_path: Path) -> dict[str, Any]:
    """Run the writers, kill the primary halfway, let the killed node rejoin; what they saw."""
    spawn = multiprocessing.get_context("spawn")
    outs = [str(tmp_path / f"writer-{n}.json") for n in range(WRITERS)]
    readies = [spawn.Event() for _ in range(WRITERS)]
    start = spawn.Event()
    writers = [
        spawn.Process(target=write, args=(url, residents[n::WRITERS], readies[n], start, outs[n]))
        for n in range(WRITERS)
    ]
    for process in writers:
        process.start()
    for ready in readies:
        assert ready.wait(timeout=120)
    started = time.time()
    start.set()
    time.sleep(max(0.0, started + WRITE_SECONDS / 2 - time.time()))
    killed_at = time.time()
    killed_node = cluster("kill-primary").split()[0]
    for process in writers:
        process.join(timeout=WRITE_SECONDS + GIVE_UP_SECONDS + 60)
        assert process.exitcode == 0
    cluster("rejoin", killed_node)
    results = [json.loads(Path(out).read_text()) for out in outs]
    return {
        "started": started,
        "killed_at": killed_at,
        "acknowledged": [ack for result in results for ack in result["acknowledged"]],
        "unacknowledged": {c for result in results for c in result["unacknowledged"]},
        "errors": Counter(name for result in results for name, _ in result["errors"]),
    }


def conversations_stored(app: Participation, residents: list[str]) -> Counter[str]:
    return Counter(
        {
            resident: [type(e).__name__ for e in app.events(UUID(resident))].count(
                "ConversationHeld"
            )
            for resident in residents
        }
    )


def check_worker_went_on(app: Participation, worker: subprocess.Popen[bytes]) -> None:
    """The worker caught up on the new primary, and its facts are those a rebuild makes."""
    deadline = time.time() + 120
    while app.facts_lag().positions_behind and time.time() < deadline:
        time.sleep(0.5)
    assert app.facts_lag().positions_behind == 0
    assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
    view = core_of(app).store.facts_view()
    followed = view.select_facts(None)
    period = (date(2019, 1, 1), date(2019, 12, 31))
    followed_report = app.outcomes(period=period).to_dict()
    app.rebuild()
    assert view.select_facts(None) == followed
    assert app.outcomes(period=period).to_dict() == followed_report


def summary(run: dict[str, Any], lost: int, duplicated: int, stored: set[str]) -> dict[str, Any]:
    """The run's line in the results: counts, the time without service, the errors seen."""
    started, killed_at = run["started"], run["killed_at"]
    ack_times = sorted(ack["at"] for ack in run["acknowledged"])
    # The time without service: the longest wait for an acknowledgement from the kill on (the
    # writers never stop sending).
    marks = [killed_at] + [t for t in ack_times if t > killed_at]
    longest, gap_start = max((b - a, a) for a, b in itertools.pairwise(marks))
    per_second = Counter(int(t - started) for t in ack_times)
    return {
        "at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "writers": WRITERS,
        "write_seconds": WRITE_SECONDS,
        "acknowledged": len(run["acknowledged"]),
        "lost": lost,
        "duplicated": duplicated,
        "unacknowledged": len(run["unacknowledged"]),
        "unacknowledged_but_stored": len(run["unacknowledged"] & stored),
        "killed_at_s": round(killed_at - started, 1),
        "seconds_without_service": round(longest, 1),
        "outage_from_s": round(gap_start - started, 1),
        "acks_per_second": [per_second.get(n, 0) for n in range(int(WRITE_SECONDS) + 1)],
        "client_errors": dict(run["errors"]),
    }


@pytest.mark.parametrize("run", range(int(os.environ.get("PARTICIPATIE_HA_RUNS", "1"))))
def test_acknowledged_commands_survive_a_killed_primary_exactly_once(
    ha_url: str, ha_schema: str, tmp_path: Path, run: int
) -> None:
    del run  # each run kills the primary of the moment: the nodes take turns
    url = with_schema(ha_url, ha_schema)
    residents = prepare(url)
    worker = subprocess.Popen(  # noqa: S603 (the package's own command line)
        [sys.executable, "-m", "participatie", "project", "--follow", "--store", url],
        env={**os.environ, "PARTICIPATIE_SECRET": TEST_SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    outcome = write_through_a_kill(url, residents, tmp_path)
    acknowledged = outcome["acknowledged"]
    stored = stored_commands(ha_url, ha_schema)
    acked_ids = {ack["id"] for ack in acknowledged}
    assert len(acked_ids) == len(acknowledged)
    lost = acked_ids - stored
    with Participation.open(url, secret=TEST_SECRET) as app:
        # Each stored conversation is one acknowledged command, or one never acknowledged whose
        # commit went through: none is missing, none is recorded twice.
        found = conversations_stored(app, residents)
        expected = Counter(ack["resident"] for ack in acknowledged)
        duplicated = (
            sum(found.values()) - len(acknowledged) - len(outcome["unacknowledged"] & stored)
        )
        record = summary(outcome, len(lost), duplicated, stored)
        print("\nfailover run:", json.dumps(record))
        results_file = os.environ.get("PARTICIPATIE_HA_RESULTS")
        if results_file:
            with Path(results_file).open("a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
        assert lost == set(), f"acknowledged commands lost: {sorted(lost)[:5]}"
        assert all(found[resident] >= expected[resident] for resident in residents)
        assert duplicated == 0
        assert gaps_in_versions(ha_url, ha_schema) == []
        verification = app.verify()
        assert verification.ok, verification.problems
        check_worker_went_on(app, worker)
    worker.terminate()
    worker.wait(timeout=30)
