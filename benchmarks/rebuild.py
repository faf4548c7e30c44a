"""Rebuilding the outcome statistics, side by side with reading and decoding the same events.

    python benchmarks/rebuild.py [--events 100000 300000] [--stores sqlite postgresql]

For each store and size, a child process fills a fresh store with residents' events (registrations,
intakes, conversations and closures, saved in batches), then times in one run:

- read + decode: every event through eventsourcing's recorder and participatie's mapper (decoding
  as the projection does);
- rebuild: ``Participation.rebuild()``, i.e. the same reading plus facts and their tracking, one
  transaction per page of 1,000 events;

and prints events per second, their ratio, and the child's peak memory (RSS). Only ratios from one
run on one machine mean anything. PostgreSQL is used at PARTICIPATIE_TEST_POSTGRES_URL in a schema
of its own, dropped afterwards; its deployment secret comes from PARTICIPATIE_SECRET or a fixed
benchmark value.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SECRET = os.environ.get("PARTICIPATIE_SECRET") or "benchmark secret, not for production use!!"
POSTGRES_URL = os.environ.get(
    "PARTICIPATIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
EVENTS_PER_RESIDENT = 40


def fill(app: Any, events: int) -> None:
    """Save about ``events`` events: residents with an intake, conversations and a closure."""
    from participatie import Actor, OutflowReason, ResidentTrajectory, Role  # noqa: PLC0415

    coach = Actor("coach-1", Role.COACH)
    batch: list[ResidentTrajectory] = []
    for number in range(max(1, events // EVENTS_PER_RESIDENT)):
        day = date(2019, 1, 1) + timedelta(days=number % 300)
        trajectory = ResidentTrajectory.register(
            referral="walk_in",
            benefit="none",
            municipality=f"gemeente-{number % 10}",
            on=day,
            by=coach,
            policy=app.policy,
        )
        trajectory.hold_intake(goal="work", happiness=5, on=day, by=coach, policy=app.policy)
        for week in range(EVENTS_PER_RESIDENT - 3):
            trajectory.record_conversation(
                happiness=1 + week % 10,
                on=day + timedelta(days=week),
                by=coach,
                policy=app.policy,
            )
        trajectory.close(
            reason=OutflowReason.WITHDREW, on=day + timedelta(days=60), by=coach, policy=app.policy
        )
        batch.append(trajectory)
        if len(batch) == 25:
            app._events.save(*batch)
            batch.clear()
    if batch:
        app._events.save(*batch)


def measure(url: str, events: int) -> dict[str, float]:
    """Fill the store, then time read + decode and the rebuild (runs in a child process)."""
    from participatie import Participation  # noqa: PLC0415
    from participatie.audit.chain import ChainMapper  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        fill(app, events)
        total = app.event_count()
        recorder = app._events.recorder
        # The same decoding the projection uses (no chain-hash memory), so the ratio shows only
        # what making and writing facts costs.
        mapper = app._events.mapper
        assert isinstance(mapper, ChainMapper)
        decode = mapper.decode_only
        started = time.perf_counter()
        position, decoded = 1, 0
        while True:
            page = recorder.select_notifications(position, 1000)
            for notification in page:
                decode(notification)
            decoded += len(page)
            if len(page) < 1000:
                break
            position = page[-1].id + 1
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        rebuilt = app.rebuild()
        rebuild_seconds = time.perf_counter() - started
    assert decoded == rebuilt == total, (decoded, rebuilt, total)
    return {
        "events": total,
        "read_rate": total / read_seconds,
        "rebuild_rate": total / rebuild_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(store: str, events: int) -> dict[str, float]:
    schema = None
    with tempfile.TemporaryDirectory() as directory:
        if store == "sqlite":
            url = f"sqlite:///{Path(directory) / 'bench.db'}"
        else:
            import psycopg  # noqa: PLC0415

            schema = f"bench_{secrets.token_hex(4)}"
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            url = f"{POSTGRES_URL}?schema={schema}"
        try:
            output = subprocess.run(  # noqa: S603 (this script, with our own arguments)
                [sys.executable, __file__, "--child", url, str(events)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            if schema is not None:
                import psycopg  # noqa: PLC0415

                with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        url, events = arguments.child
        print(json.dumps(measure(url, int(events))))
        return
    header = (
        f"{'store':<11}{'events':>10}{'read+decode/s':>15}{'rebuild/s':>12}"
        f"{'ratio':>8}{'peak RSS MB':>13}"
    )
    print(header)
    print("-" * len(header))
    for store in arguments.stores:
        for events in arguments.events:
            r = run_child(store, events)
            print(
                f"{store:<11}{int(r['events']):>10}{r['read_rate']:>15,.0f}"
                f"{r['rebuild_rate']:>12,.0f}{r['rebuild_rate'] / r['read_rate']:>8.2f}"
                f"{r['peak_rss_mb']:>13.0f}"
            )


if __name__ == "__main__":
    main()
