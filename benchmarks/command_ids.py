"""What a ``command_id`` costs on the command path: the commands of commands.py with and without
one, side by side.

    python benchmarks/command_ids.py [--residents 50] [--rounds 2] [--stores ...]

The same 38 commands per resident as commands.py, on a fresh store each time, once without
command ids (as callers that do not retry send them) and once with a new ``command_id`` on every
command (one row written with its events). The rounds alternate the order. The table shows
commands per second of each (the best round) and their ratio. Only ratios from one run on one
machine mean anything.
"""

from __future__ import annotations

from typing import Any

from _harness import fresh_store, main, peak_rss_mb
from commands import plan, run_participatie


def measure(store: str, residents: int, rounds: int) -> dict[str, Any]:
    best = {False: 0.0, True: 0.0}
    for round_number in range(rounds):
        for with_ids in (False, True) if round_number % 2 == 0 else (True, False):
            with fresh_store(store) as url:
                rate = run_participatie(url, residents, command_ids=with_ids)
                best[with_ids] = max(best[with_ids], rate)
    return {
        "store": store,
        "commands": residents * len(plan()),
        "without": best[False],
        "with": best[True],
        "ratio": best[True] / best[False],
        "rss": peak_rss_mb(),
    }


if __name__ == "__main__":
    main(
        __file__,
        __doc__ or "",
        [("--residents", int, 50), ("--rounds", int, 2)],
        measure,
        [
            ("store", "store"),
            ("commands", "commands"),
            ("without", "no command id/s"),
            ("with", "command id/s"),
            ("ratio", "ratio"),
            ("rss", "peak RSS MB"),
        ],
    )
