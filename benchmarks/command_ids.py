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

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from _harness import SECRET, fresh_store, main, peak_rss_mb
from commands import day_of, plan


def run(url: str, residents: int, *, with_ids: bool) -> float:
    """Commands per second through Participation, each with a command id or none."""
    from participatie import Actor, JobCoach, Participation, Provider, Role  # noqa: PLC0415

    actors = {
        "coach": Actor("coach-17", Role.COACH),
        "place": Actor("broker-2", Role.JOB_BROKER),
        "assess_wage_value": Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR),
        "start_job_coaching": Actor("coordinator-1", Role.COORDINATOR),
        "evaluate_job_coaching": Actor("jc-3", Role.JOB_COACH),
        "log_coaching_hours": Actor("jc-3", Role.JOB_COACH),
    }
    app = Participation.open(url, secret=SECRET)
    ids: list[dict[str, UUID]] = [{} for _ in range(residents)]
    steps = plan()
    calls: dict[str, Callable[..., Any]] = {name: getattr(app, name) for _, name, _ in steps[1:]}
    started = time.perf_counter()
    for index, (target, command, fields) in enumerate(steps):
        on = day_of(index)
        by = actors.get(command, actors["coach"])
        for number, own in enumerate(ids):
            command_id = uuid4() if with_ids else None
            if command == "register":
                own["resident"] = app.register_resident(
                    referral="walk_in",
                    benefit="none",
                    municipality="haaren",
                    name=f"Resident {number}",
                    on=on,
                    by=by,
                    command_id=command_id,
                )
            elif command == "start_job_coaching":
                own["coaching"] = app.start_job_coaching(
                    own["resident"],
                    provider=Provider("Restart", recognised=True),
                    coach=JobCoach("jc-3", hbo_degree=True),
                    on=on,
                    by=by,
                    command_id=command_id,
                )
            else:
                calls[command](own[target], on=on, by=by, command_id=command_id, **fields)
    seconds = time.perf_counter() - started
    app.close()
    return residents * len(steps) / seconds


def measure(store: str, residents: int, rounds: int) -> dict[str, Any]:
    best = {False: 0.0, True: 0.0}
    for round_number in range(rounds):
        for with_ids in (False, True) if round_number % 2 == 0 else (True, False):
            with fresh_store(store) as url:
                best[with_ids] = max(best[with_ids], run(url, residents, with_ids=with_ids))
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
