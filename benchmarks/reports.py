"""Outcome reports at size: ``outcomes()`` of all municipalities and of one, side by side with
reading the rows it reads raw, with peak memory; and today's path before the monthly counters.

    python benchmarks/reports.py [--events 100000 1000000] [--rounds 3] [--stores sqlite postgresql]

The store is filled as worklist.py fills it (``_harness.fill``: residents of 10 municipalities
registered in 2019, an intake and 37 conversations each, every other one closed), its outcomes
view built, and (on PostgreSQL) VACUUM ANALYZE run; stores are kept in ``benchmarks/.cache/``
(SQLite files; PostgreSQL schemas ``bench_reports_<events>`` named there) and reused by later
runs (``--fresh`` builds them again). A child process of its own then times, best of
``--rounds``, on a view already current:

- all / one: ``outcomes(period=2019)`` of all municipalities / of ``gemeente-4``: whole months,
  read from the monthly counters;
- all / one mid-month: the period 10 March to 20 November 2019: the counters of April to October
  and the scores of the days around them;
- raw: the rows of the "all" report read with the database driver alone (the same query, every
  row fetched, nothing made of them): what the database and the driver cost;
- known_at: ``outcomes(period=2019, known_at=...)`` of all municipalities (one round): a report
  known at a moment reads every fact, one stream at a time;

and prints the peak resident memory (RSS) of that process before the first report and after the
last. Another child times today's path before the counters (``compute`` over
``select_facts``, every fact in a list; one round; all municipalities and one) with its own
peak memory. With two sizes it
also projects the times to 10,000,000 events, by the growth from the smaller to the larger size.
Only ratios from one run on one machine mean anything.
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _harness import POSTGRES_URL, SECRET, fill, in_child, peak_rss_mb, print_table, settle

from participatie.service import core_of

CACHE = Path(__file__).parent / ".cache"
YEAR = (date(2019, 1, 1), date(2019, 12, 31))
MID_MONTH = (date(2019, 3, 10), date(2019, 11, 20))
ONE = "gemeente-4"


def _best(rounds: int, work: Callable[[], object]) -> float:
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def cached_store(store: str, events: int, *, fresh: bool) -> str:
    """The URL of a filled store of ``events`` events with its view built, made if need be."""
    CACHE.mkdir(exist_ok=True)
    done = CACHE / f"reports-{store}-{events}.done"
    if store == "sqlite":
        url = f"sqlite:///{CACHE / f'reports-{events}.db'}"
    else:
        url = f"{POSTGRES_URL}?schema=bench_reports_{events}"
    if fresh or not done.exists():
        _drop(store, events)
        in_child(__file__, "fill", url, str(events))
        settle(url)
        done.write_text(url)
    # The view is current (rebuilt here if this code's view differs from the cached one's), so
    # that the measuring child does no more than report.
    in_child(__file__, "project", url, "0")
    settle(url)  # the view's new rows too, as autovacuum would (index-only scans need it)
    return url


def _drop(store: str, events: int) -> None:
    if store == "sqlite":
        for suffix in ("", "-wal", "-shm", ".secret"):
            (CACHE / f"reports-{events}.db{suffix}").unlink(missing_ok=True)
        return
    import psycopg  # noqa: PLC0415

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "bench_reports_{events}" CASCADE')
        conn.execute(f'CREATE SCHEMA "bench_reports_{events}"')


def raw_rows(url: str) -> int:
    """Fetch every row of the all-municipalities year report with the driver alone."""
    from participatie.projections.monthly import ReadPlan  # noqa: PLC0415
    from participatie.projections.views import FACTS_TABLE, MONTHS_TABLE  # noqa: PLC0415
    from participatie.projections.views_sql import (  # noqa: PLC0415
        summary_parameters,
        summary_statement,
    )

    plan = ReadPlan.of(*YEAR)
    rows = 0
    if url.startswith("sqlite"):
        statement = summary_statement(
            FACTS_TABLE, MONTHS_TABLE, lambda name: f":{name}", municipality=False
        )
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            cursor = conn.execute(statement, summary_parameters(plan, None, date.isoformat))
            while batch := cursor.fetchmany(5000):
                rows += len(batch)
        return rows
    import psycopg  # noqa: PLC0415

    schema = url.rsplit("schema=", 1)[1]
    statement = summary_statement(
        f'"{schema}".{FACTS_TABLE}',
        f'"{schema}".{MONTHS_TABLE}',
        lambda name: f"%({name})s",
        municipality=False,
    )
    with (
        psycopg.connect(POSTGRES_URL) as server,
        server.cursor(name=f"raw_{secrets.token_hex(4)}") as named,
    ):
        named.itersize = 5000
        named.execute(statement, summary_parameters(plan, None, _same))
        for _ in named:
            rows += 1
    return rows


def _same(day: date) -> date:
    return day


def measure(url: str, rounds: int) -> dict[str, Any]:
    """Time the reports (in a child process of its own, so that its peak memory is theirs)."""
    from participatie import Participation  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        app.outcomes(period=YEAR, municipality=ONE)  # connections and caches warm
        before = peak_rss_mb()
        events = app.event_count()
        result: dict[str, Any] = {"events": events, "rss_before": before}
        for name, period, municipality in (
            ("all", YEAR, None),
            ("one", YEAR, ONE),
            ("all_mid", MID_MONTH, None),
            ("one_mid", MID_MONTH, ONE),
        ):

            def report(p: tuple[date, date] = period, m: str | None = municipality) -> object:
                return app.outcomes(period=p, municipality=m)

            result[name] = 1000 * _best(rounds, report)
        result["raw"] = 1000 * _best(rounds, lambda: raw_rows(url))
        result["rows"] = raw_rows(url)
        known_at = datetime.now(tz=UTC)
        result["known_at"] = 1000 * _best(1, lambda: app.outcomes(period=YEAR, known_at=known_at))
        assert app.outcomes(period=YEAR, known_at=known_at) == app.outcomes(period=YEAR)
        result["rss_peak"] = peak_rss_mb()
    return result


def measure_today(url: str) -> dict[str, Any]:
    """Today's path before the counters: every fact of the period in a list, then compute()."""
    from participatie import Participation  # noqa: PLC0415
    from participatie.projections.figures import compute  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        view = core_of(app).store.facts_view()
        before = peak_rss_mb()
        times = {}
        for name, municipality in (("today_one", ONE), ("today", None)):
            started = time.perf_counter()
            report = compute(
                view.select_facts(municipality, through=YEAR[1]),
                period=YEAR,
                municipality=municipality,
                target=None,
                policy=app.policy,
            )
            times[name] = 1000 * (time.perf_counter() - started)
            assert report == app.outcomes(period=YEAR, municipality=municipality)
    return {**times, "today_before": before, "today_peak": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--fresh", action="store_true", help="build the cached stores again")
    parser.add_argument("--no-today", action="store_true", help="leave out today's path")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, url, number = arguments.child
        from participatie import Participation  # noqa: PLC0415

        if step == "measure":
            print(json.dumps(measure(url, int(number))))
        elif step == "today":
            print(json.dumps(measure_today(url)))
        else:
            with Participation.open(url, secret=SECRET) as app:
                if step == "fill":
                    fill(app, int(number), close_every=2)
                app.project()
            print(json.dumps({}))
        return
    rows = []
    for store in arguments.stores:
        for events in arguments.events:
            url = cached_store(store, events, fresh=arguments.fresh)
            result = {"store": store, **in_child(__file__, "measure", url, str(arguments.rounds))}
            if not arguments.no_today:
                result |= in_child(__file__, "today", url, "0")
            rows.append(result)
            print(json.dumps(result), file=sys.stderr)  # progress: a run takes a while
    columns = [
        ("store", "store"),
        ("events", "events"),
        ("all", "all ms"),
        ("one", "one ms"),
        ("all_mid", "all mid-month ms"),
        ("one_mid", "one mid-month ms"),
        ("raw", "raw rows ms"),
        ("rows", "rows"),
        ("known_at", "known_at ms"),
        ("today", "today's path ms"),
        ("today_one", "today's one ms"),
        ("rss_before", "RSS before MB"),
        ("rss_peak", "RSS peak MB"),
        ("today_peak", "today's peak MB"),
    ]
    print_table(columns, rows)
    projected = _projections(rows, [key for key, _ in columns[2:11]])
    if projected:
        print()
        print("projected to 10,000,000 events (by the growth from the smaller size to the larger):")
        print_table(columns[:11], projected)


def _projections(rows: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    projected = []
    for store in dict.fromkeys(row["store"] for row in rows):
        sizes = sorted((row for row in rows if row["store"] == store), key=lambda r: r["events"])
        if len(sizes) < 2:
            continue
        small, large = sizes[0], sizes[-1]
        growth = math.log(10_000_000 / large["events"]) / math.log(
            large["events"] / small["events"]
        )
        row: dict[str, Any] = {"store": store, "events": 10_000_000}
        for key in keys:
            if key in small and key in large and small[key]:
                row[key] = large[key] * (large[key] / small[key]) ** growth
        projected.append(row)
    return projected


if __name__ == "__main__":
    main()
