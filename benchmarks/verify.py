"""A full ``verify()`` of the store, side by side with reading and decoding the same events.

    python benchmarks/verify.py [--events 100000 1000000] [--rounds 2] [--stores sqlite postgresql]
                                [--profile FILE]

For each store and size, a child process fills a fresh store with residents' events exactly as
benchmarks/rebuild.py does (registrations, intakes, conversations and closures on plain
aggregates, saved 25 residents at a time, so each save writes the events, their chain hashes,
the chain heads and the ledger rows); the store is left to settle (on PostgreSQL: VACUUM
ANALYZE); another child brings the outcome statistics up to date (``rebuild()``, as a running
projection worker would keep them: ``verify()`` compares the facts it recomputes with the view,
and would otherwise first catch the view up) and then times, taking turns for ``--rounds``
rounds:

- read + decode: every event through the store's recorder and mapper, a page of 1,000 at a time
  (decoding as the projection does), as benchmarks/rebuild.py measures it;
- verify: ``Participation.verify()`` of the whole store: every stream's chain, the log-wide
  ledger beside the log, every chain head, every stream's snapshots, every vault row and the
  outcome facts recomputed from the events against the view.

It prints the best rate of each in events per second, their ratio (the goal: at least 0.5) and
the second child's peak memory. ``--profile FILE`` also runs one more ``verify()`` of each store
under cProfile and writes the statistics to ``FILE.<store>.<events>`` (read them with
``python -m pstats``). Only ratios from one run on one machine mean anything. PostgreSQL is used
at PARTICIPATIE_TEST_POSTGRES_URL in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from _harness import SECRET, fill_child, measured_fills, peak_rss_mb, print_table

from participatie.service import core_of


def read_and_decode(app: Any) -> int:
    """Read every event a page at a time and decode it as the projection does; return how many."""
    from participatie.audit.chain import ChainMapper  # noqa: PLC0415

    store = core_of(app).store
    recorder = store.recorder
    mapper = store.mapper
    assert isinstance(mapper, ChainMapper)
    decode = mapper.decode_only
    position, decoded = 1, 0
    while True:
        page = recorder.select_notifications(position, 1000)
        for notification in page:
            decode(notification)
        decoded += len(page)
        if len(page) < 1000:
            return decoded
        position = page[-1].id + 1


def measure(url: str, rounds: int, profile: str) -> dict[str, float]:
    """Time read + decode and a full verify() of a filled store, in turn, and keep the best
    time of each."""
    from participatie import Participation  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        total = app.event_count()
        app.rebuild()
        read_seconds = verify_seconds = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            decoded = read_and_decode(app)
            read_seconds = min(read_seconds, time.perf_counter() - started)
            started = time.perf_counter()
            verification = app.verify()
            verify_seconds = min(verify_seconds, time.perf_counter() - started)
            assert verification.ok, verification.problems[:5]
            assert decoded == verification.events == total, (decoded, verification.events, total)
        if profile != "-":
            import cProfile  # noqa: PLC0415

            cProfile.runctx("app.verify()", globals(), {"app": app}, profile)
    return {
        "events": total,
        "read_rate": total / read_seconds,
        "verify_rate": total / verify_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--profile", default="")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, url, rounds, profile = arguments.child
        if step == "measure":
            print(json.dumps(measure(url, int(rounds), profile)))
        else:
            fill_child(url, step, close_every=1)
        return
    rows = []
    sizes = [(store, events) for store in arguments.stores for events in arguments.events]
    rounds = str(arguments.rounds)

    def extra(store: str, events: int) -> list[str]:
        profile = f"{arguments.profile}.{store}.{events}" if arguments.profile else "-"
        return [rounds, profile]

    for store, _, result in measured_fills(__file__, sizes, extra):
        rows.append(
            {
                "store": store,
                "events": int(result["events"]),
                "read": result["read_rate"],
                "verify": result["verify_rate"],
                "ratio": result["verify_rate"] / result["read_rate"],
                "rss": result["peak_rss_mb"],
            }
        )
    print_table(
        [
            ("store", "store"),
            ("events", "events"),
            ("read", "read+decode/s"),
            ("verify", "verify/s"),
            ("ratio", "ratio"),
            ("rss", "verify peak RSS MB"),
        ],
        rows,
    )


if __name__ == "__main__":
    main()
