"""What the benchmark scripts share: fresh stores, child processes, peak memory and the table.

Each measurement runs in a child process of its own (so that peak memory is that run's), on a
fresh store: a SQLite file in a temporary folder, a PostgreSQL schema of its own at
PARTICIPATIE_TEST_POSTGRES_URL (dropped afterwards), or memory.
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SECRET = os.environ.get("PARTICIPATIE_SECRET") or "benchmark secret, not for production use!!"
POSTGRES_URL = os.environ.get(
    "PARTICIPATIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
STORES = ("memory", "sqlite", "postgresql")
#: Events of each resident :func:`fill` saves.
EVENTS_PER_RESIDENT = 40
MUNICIPALITIES = 10


def fill(app: Any, events: int, *, close_every: int = 1) -> None:
    """Save about ``events`` events: residents of ``MUNICIPALITIES`` municipalities, registered
    in 2019, each with an intake and conversations (``EVENTS_PER_RESIDENT`` events in all); one
    in ``close_every`` residents is closed 60 days after registering, the others stay open.
    Saved 25 residents at a time, as an import would, each event with its processing record (as
    an import keeps them: in the ledger row of the resident's last event of the batch)."""
    from participatie import Actor, OutflowReason, ResidentTrajectory, Role  # noqa: PLC0415
    from participatie.service import core_of  # noqa: PLC0415

    coach = Actor("coach-1", Role.COACH)
    policy = app.policy
    batch: list[ResidentTrajectory] = []
    records: list[tuple[Any, Any]] = []
    for number in range(max(1, events // EVENTS_PER_RESIDENT)):
        day = date(2019, 1, 1) + timedelta(days=number % 300)
        trajectory = ResidentTrajectory.register(
            referral="walk_in",
            benefit="none",
            municipality=f"gemeente-{number % MUNICIPALITIES}",
            on=day,
            by=coach,
            policy=policy,
        )
        trajectory.hold_intake(goal="work", happiness=5, on=day, by=coach, policy=policy)
        for week in range(EVENTS_PER_RESIDENT - 3):
            trajectory.record_conversation(
                happiness=1 + week % 10, on=day + timedelta(days=week), by=coach, policy=policy
            )
        if number % close_every == close_every - 1:
            trajectory.close(
                reason=OutflowReason.WITHDREW, on=day + timedelta(days=60), by=coach, policy=policy
            )
        batch.append(trajectory)
        records += [
            (trajectory.id, _record(trajectory.id, event)) for event in trajectory.pending_events
        ]
        if len(batch) == 25:
            core_of(app).store.save(*batch, processing_records=records)
            batch.clear()
            records = []
    if batch:
        core_of(app).store.save(*batch, processing_records=records)


def _record(resident_id: Any, event: Any) -> Any:
    """The processing record a command that stored ``event`` would have made."""
    from participatie.audit.processing import (  # noqa: PLC0415
        DATA_SUBJECT_ID_TYPE,
        ProcessingRecord,
        TraceContext,
        new_span_id,
        unconfigured_activity,
    )

    name = type(event).__name__.lower()
    return ProcessingRecord(
        trace_id=TraceContext.new().trace_id,
        span_id=new_span_id(),
        parent_span_id=None,
        name=name,
        status="Ok",
        start_time=event.timestamp,
        end_time=event.timestamp,
        processing_activity_id=unconfigured_activity(name),
        data_subject_id=str(resident_id),
        data_subject_id_type=DATA_SUBJECT_ID_TYPE,
        foreign_operation_processor=None,
    )


@contextmanager
def fresh_store(store: str) -> Iterator[str]:
    """The URL of an empty store of the given kind, removed afterwards."""
    if store == "memory":
        yield "memory://"
        return
    with tempfile.TemporaryDirectory() as directory:
        if store == "sqlite":
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
            return
        import psycopg  # noqa: PLC0415

        schema = f"bench_{secrets.token_hex(4)}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{POSTGRES_URL}?schema={schema}"
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def settle(url: str) -> None:
    """Let a freshly filled store settle before it is timed: on PostgreSQL, ``VACUUM ANALYZE``
    its schema's tables, which the server's autovacuum would otherwise do in the middle of a
    measurement (it starts within a minute of a large fill, on the same cores)."""
    if not url.startswith("postgresql"):
        return
    import psycopg  # noqa: PLC0415
    from psycopg.sql import SQL, Identifier  # noqa: PLC0415

    from participatie.stores import parse_store_url  # noqa: PLC0415

    schema = parse_store_url(url).settings.get("POSTGRES_SCHEMA", "public")
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            conn.execute(SQL("VACUUM ANALYZE {}.{}").format(Identifier(schema), Identifier(table)))


def raw_env(url: str) -> dict[str, str]:
    """eventsourcing's settings for a plain reference application on the same store."""
    if url.startswith("sqlite"):
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": url[10:]}
    if url.startswith("postgresql"):
        from participatie.stores import parse_store_url  # noqa: PLC0415

        settings = parse_store_url(url).settings
        return {k: v for k, v in settings.items() if "RECORDER_TOPIC" not in k}
    return {}


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(script: str, *arguments: str) -> dict[str, Any]:
    """Run ``script --child ARGUMENTS`` and return the JSON object it printed last."""
    output = subprocess.run(  # noqa: S603 (one of our scripts, with our own arguments)
        [sys.executable, script, "--child", *arguments],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def fill_child(url: str, events: str, *, close_every: int) -> None:
    """The child step of a script measuring a filled store: fill it with :func:`fill` (and
    print the empty JSON object :func:`in_child` reads)."""
    from participatie import Participation  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        fill(app, int(events), close_every=close_every)
    print(json.dumps({}))


def measured_fills(
    script: str,
    sizes: Sequence[tuple[str, int]],
    extra: Callable[[str, int], Sequence[str]],
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """For each (store, events): a fresh store filled by ``script``'s child step, left to
    settle, then measured by its ``measure`` child step; ``extra(store, events)`` are the
    arguments both steps take after the store's URL. Yields (store, events, measurement)."""
    for store, events in sizes:
        with fresh_store(store) as url:
            arguments = extra(store, events)
            in_child(script, str(events), url, *arguments)
            settle(url)
            yield store, events, in_child(script, "measure", url, *arguments)


def print_table(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]) -> None:
    """Print rows as a table: ``columns`` are (key, header); numbers right-aligned."""
    widths = [
        max(len(header), *(len(_cell(row.get(key))) for row in rows)) for key, header in columns
    ]
    print(
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, ((_, h), w) in enumerate(zip(columns, widths, strict=True))
        )
    )
    print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for row in rows:
        cells = [_cell(row.get(key)) for key, _ in columns]
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def main(
    script: str,
    doc: str,
    options: Sequence[tuple[str, type, Any]],
    measure: Callable[..., dict[str, Any]],
    columns: Sequence[tuple[str, str]],
) -> None:
    """Parse ``options`` (flag, type, default) and ``--stores``; measure each store in a child
    process (``measure(store, *option values)``) and print the rows as a table."""
    parser = argparse.ArgumentParser(description=doc.split("\n", maxsplit=1)[0])
    for flag, kind, default in options:
        parser.add_argument(flag, type=kind, default=default)
    parser.add_argument("--stores", nargs="+", default=list(STORES), choices=STORES)
    parser.add_argument("--child", nargs=len(options) + 1, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        store, *values = arguments.child
        typed = [kind(value) for (_, kind, _), value in zip(options, values, strict=True)]
        print(json.dumps(measure(store, *typed)))
        return
    values = [str(getattr(arguments, flag.lstrip("-").replace("-", "_"))) for flag, _, _ in options]
    print_table(columns, [in_child(script, store, *values) for store in arguments.stores])
