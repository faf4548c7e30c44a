"""Rebuilding the outcome statistics, side by side with reading and decoding the same events.

    python benchmarks/rebuild.py [--events 100000 300000] [--rounds 2] [--stores sqlite postgresql]

For each store and size, a child process fills a fresh store with residents' events (registrations,
intakes, conversations and closures, saved in batches); the store is left to settle (on
PostgreSQL: VACUUM ANALYZE, which autovacuum would otherwise run during the measurement); another
child then times, taking turns for ``--rounds`` rounds:

- read + decode: every event through eventsourcing's recorder and participatie's mapper (decoding
  as the projection does);
- rebuild: ``Participation.rebuild()``, i.e. the same reading plus facts and their tracking, one
  transaction per page of 1,000 events, and the view's index built at the end;

and prints the best rate of each in events per second, their ratio, and the second child's peak
memory (RSS). For comparison it also times eventsourcing's own pattern, one event and its tracking
record per transaction (``OutcomesProjection.process_event``), over the first 5,000 events. Only
ratios from one run on one machine mean anything. PostgreSQL is used at
PARTICIPATIE_TEST_POSTGRES_URL in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import time

from _harness import SECRET, fill_child, measured_fills, peak_rss_mb, print_table

from participatie.service import core_of

#: How many events are timed one per transaction (eventsourcing's pattern), for comparison.
ONE_BY_ONE = 5_000


def measure(url: str, rounds: int) -> dict[str, float]:
    """Time read + decode and the rebuild of a filled store, in turn, and keep the best time of
    each (in a child process of its own, so that its peak memory is the rebuild's, not the
    filling's)."""
    from eventsourcing.persistence import Tracking  # noqa: PLC0415

    from participatie import Participation  # noqa: PLC0415
    from participatie.audit.chain import ChainMapper  # noqa: PLC0415
    from participatie.projections.outcomes import OutcomesProjection  # noqa: PLC0415
    from participatie.stores import APP_NAME  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        total = app.event_count()
        recorder = core_of(app).store.recorder
        # The same decoding the projection uses (no chain-hash memory), so the ratio shows only
        # what making and writing facts costs.
        mapper = core_of(app).store.mapper
        assert isinstance(mapper, ChainMapper)
        decode = mapper.decode_only
        read_seconds = rebuild_seconds = float("inf")
        for _ in range(rounds):
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
            read_seconds = min(read_seconds, time.perf_counter() - started)
            started = time.perf_counter()
            rebuilt = app.rebuild()
            rebuild_seconds = min(rebuild_seconds, time.perf_counter() - started)
        # eventsourcing's own pattern, for comparison: one event and its tracking record per
        # transaction (the projection's process_event), over the first events on an empty view.
        view = core_of(app).store.facts_view()
        view.reset()
        projection = OutcomesProjection(view)
        one_by_one = recorder.select_notifications(1, ONE_BY_ONE)
        started = time.perf_counter()
        for notification in one_by_one:
            projection.process_event(decode(notification), Tracking(APP_NAME, notification.id))
        one_by_one_seconds = time.perf_counter() - started
    assert decoded == rebuilt == total, (decoded, rebuilt, total)
    return {
        "events": total,
        "read_rate": total / read_seconds,
        "rebuild_rate": total / rebuild_seconds,
        "one_by_one_rate": len(one_by_one) / one_by_one_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, url, rounds = arguments.child
        if step == "measure":
            print(json.dumps(measure(url, int(rounds))))
        else:
            fill_child(url, step, close_every=1)
        return
    rows = []
    sizes = [(store, events) for store in arguments.stores for events in arguments.events]
    rounds = str(arguments.rounds)
    for store, _, result in measured_fills(__file__, sizes, lambda *_: [rounds]):
        rows.append(
            {
                "store": store,
                "events": int(result["events"]),
                "read": result["read_rate"],
                "rebuild": result["rebuild_rate"],
                "ratio": result["rebuild_rate"] / result["read_rate"],
                "one": result["one_by_one_rate"],
                "rss": result["peak_rss_mb"],
            }
        )
    print_table(
        [
            ("store", "store"),
            ("events", "events"),
            ("read", "read+decode/s"),
            ("rebuild", "rebuild/s"),
            ("ratio", "ratio"),
            ("one", "1 event/transaction/s"),
            ("rss", "rebuild peak RSS MB"),
        ],
        rows,
    )


if __name__ == "__main__":
    main()
