"""The working day at size: a caseload page of 50 and one municipality's signals, and rebuilding
the worklist's view side by side with reading and decoding the same events.

    python benchmarks/worklist.py [--events 100000 1000000] [--rounds 3] [--stores sqlite ...]

For each store and size, a child process fills a fresh store with residents' events (as
rebuild.py does: registrations in 10 municipalities, intakes, conversations; every other resident
is closed, the others stay open); the store settles (VACUUM ANALYZE on PostgreSQL); another child
then times, taking the best of ``--rounds``:

- read + decode: every event through the recorder and participatie's mapper;
- rebuild: emptying the worklist's view and writing every event's row again (one transaction per
  page of 1,000 events), as ``rebuild()`` does after the outcome facts;
- caseload: ``caseload(by=..., municipality=..., limit=50)``, the first page and the page after it;
- signals: ``signals(by=..., municipality=..., on=...)`` of one of the 10 municipalities.

The reads catch the view up first (nothing to do once it is current). Only ratios from one run on
one machine mean anything.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from typing import Any

from _harness import SECRET, fill_child, measured_fills, peak_rss_mb, print_table

from participatie.service import core_of


def _best(rounds: int, work: Any) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def measure(url: str, rounds: int) -> dict[str, float]:
    from participatie import Actor, Participation, Role  # noqa: PLC0415
    from participatie.audit.chain import ChainMapper  # noqa: PLC0415
    from participatie.projections.worklist_views import catch_up_worklist  # noqa: PLC0415

    coach = Actor("coach-2", Role.COACH)
    with Participation.open(url, secret=SECRET) as app:
        store = core_of(app).store
        total = app.event_count()
        mapper = store.mapper
        assert isinstance(mapper, ChainMapper)

        def read() -> None:
            position = 1
            while True:
                page = store.recorder.select_notifications(position, 1000)
                for notification in page:
                    mapper.decode_only(notification)
                if len(page) < 1000:
                    return
                position = page[-1].id + 1

        def rebuild() -> None:
            view = store.worklist_view()
            view.reset()
            assert catch_up_worklist(store, view) == total
            view.create_indexes()

        read_seconds = _best(rounds, read)
        rebuild_seconds = _best(rounds, rebuild)

        def caseload() -> None:
            page = app.caseload(by=coach, municipality="gemeente-4", limit=50)
            assert page.entries
            app.caseload(by=coach, municipality="gemeente-4", limit=50, after=page.next_after)

        def signals() -> None:
            app.signals(by=coach, municipality="gemeente-4", on=date(2019, 12, 31))

        caseload_seconds = _best(max(rounds, 5), caseload) / 2
        signals_seconds = _best(rounds, signals)
        shown = len(app.signals(by=coach, municipality="gemeente-4", on=date(2019, 12, 31)))
    return {
        "events": total,
        "read_rate": total / read_seconds,
        "rebuild_rate": total / rebuild_seconds,
        "caseload_ms": caseload_seconds * 1000,
        "signals_ms": signals_seconds * 1000,
        "signals": shown,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        step, url, rounds = arguments.child
        if step == "measure":
            print(json.dumps(measure(url, int(rounds))))
        else:
            fill_child(url, step, close_every=2)
        return
    rows = []
    sizes = [(store, events) for events in arguments.events for store in arguments.stores]
    rounds = str(arguments.rounds)
    for store, _, result in measured_fills(__file__, sizes, lambda *_: [rounds]):
        rows.append(
            {
                "store": store,
                "events": int(result["events"]),
                "caseload": result["caseload_ms"],
                "signals": result["signals_ms"],
                "shown": int(result["signals"]),
                "read": result["read_rate"],
                "rebuild": result["rebuild_rate"],
                "ratio": result["rebuild_rate"] / result["read_rate"],
                "rss": result["peak_rss_mb"],
            }
        )
    print_table(
        [
            ("store", "store"),
            ("events", "events"),
            ("caseload", "page of 50 ms"),
            ("signals", "signals ms"),
            ("shown", "signals"),
            ("read", "read+decode/s"),
            ("rebuild", "rebuild/s"),
            ("ratio", "ratio"),
            ("rss", "peak RSS MB"),
        ],
        rows,
    )


if __name__ == "__main__":
    main()
