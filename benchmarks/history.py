"""History replay and as-of replay, against plain eventsourcing's ``repository.get``.

    python benchmarks/history.py [--events 1000] [--repeat 20] [--stores memory sqlite postgresql]

On a fresh store of each kind, one resident gets about ``--events`` events across both aggregates
(conversations, a placement, job coaching with its hours), recorded with participatie's commands,
and a plain eventsourcing aggregate gets the same number of events with the same fields. Then,
each ``--repeat`` times:

- raw: ``repository.get`` of the plain aggregate (every event read, decoded and applied);
- history: ``Participation.history(resident, by=auditor)`` (both aggregates' events read and
  decoded into entries, and the read recorded in the access log);
- as of, without snapshots / with snapshots: ``resident(rid, as_of=...)`` for a date three
  quarters into the trajectory, by an application without snapshots and by one that snapshots
  every 100 events.

Rates are events per second (for as-of replay: the resident's events per second of the call).
Only ratios from one run on one machine mean anything.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from _harness import (
    SECRET,
    fresh_store,
    main,
    peak_rss_mb,
    raw_env,
)
from commands import RawApplication, RawResident

START = date(2019, 1, 7)


def fill(app: Any, events: int) -> tuple[Any, date]:
    """A resident with about ``events`` events across both aggregates; its id and a date."""
    from participatie import Actor, JobCoach, Provider, Role  # noqa: PLC0415

    coach = Actor("coach-17", Role.COACH)
    job_coach = Actor("jc-3", Role.JOB_COACH)
    rid = app.register_resident(
        referral="walk_in", benefit="none", municipality="haaren", on=START, by=coach
    )
    app.hold_intake(rid, goal="work", happiness=5, on=START, by=coach)
    conversations = events // 2
    for day in range(conversations):
        on = START + timedelta(days=day // 2)
        app.record_conversation(rid, happiness=1 + day % 10, on=on, by=coach)
    placed = START + timedelta(days=conversations // 2 + 1)
    app.place(
        rid,
        employer="Bakker",
        kind="paid_work",
        hours_per_week=32,
        contract_months=24,
        on=placed,
        by=Actor("broker-2", Role.JOB_BROKER),
    )
    app.assess_wage_value(
        rid,
        percent=60,
        needs_job_coaching=True,
        on=placed,
        by=Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR),
    )
    cid = app.start_job_coaching(
        rid,
        provider=Provider("Restart", recognised=True),
        coach=JobCoach("jc-3", hbo_degree=True),
        on=placed,
        by=Actor("coordinator-1", Role.COORDINATOR),
    )
    for day in range(events - conversations - 5):
        on = placed + timedelta(days=day % 700)
        app.log_coaching_hours(cid, hours="0.25", counterpart="employee", on=on, by=job_coach)
    return rid, START + timedelta(days=conversations * 3 // 8)


def raw_fill(url: str, events: int) -> Any:
    app = RawApplication(env=raw_env(url))
    decided = {"actor_id": "coach-17", "actor_role": "coach", "policy_version": "p1"}
    resident = RawResident(
        referral="walk_in", benefit="none", municipality="haaren", occurred_on=START, **decided
    )
    for day in range(events - 1):
        resident.trigger_event(
            RawResident.ConversationHeld,
            happiness=1 + day % 10,
            occurred_on=START + timedelta(days=day // 2),
            **decided,
        )
    app.save(resident)
    return app, resident.id


def best_of(repeat: int, call: Any) -> float:
    """The shortest of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(store: str, events: int, repeat: int) -> dict[str, Any]:
    from participatie import Actor, Participation, Role  # noqa: PLC0415

    auditor = Actor("auditor-1", Role.AUDITOR)
    with fresh_store(store) as url:
        raw_app, raw_id = raw_fill(url, events)
        raw = best_of(repeat, lambda: raw_app.repository.get(raw_id))
        raw_app.close()
    with fresh_store(store) as url:
        snapshotted = Participation.open(url, secret=SECRET, snapshot_interval=100)
        rid, as_of = fill(snapshotted, events)
        # A memory store lives in its application: there, both replays use the one application.
        plain = (
            snapshotted
            if store == "memory"
            else Participation.open(url, secret=SECRET, snapshot_interval=None)
        )
        count = len(plain.history(rid, by=auditor))
        history = best_of(repeat, lambda: plain.history(rid, by=auditor))
        without = (
            None
            if store == "memory"
            else best_of(repeat, lambda: plain.resident(rid, as_of=as_of, by=auditor))
        )
        with_snapshots = best_of(repeat, lambda: snapshotted.resident(rid, as_of=as_of, by=auditor))
        resident_events = plain.resident(rid, by=auditor).version
        plain.close()
        snapshotted.close()
    return {
        "store": store,
        "events": count,
        "raw": events / raw,
        "history": count / history,
        "ratio": (count / history) / (events / raw),
        "without": None if without is None else resident_events / without,
        "with": resident_events / with_snapshots,
        "rss": peak_rss_mb(),
    }


if __name__ == "__main__":
    main(
        __file__,
        __doc__ or "",
        [("--events", int, 1000), ("--repeat", int, 20)],
        measure,
        [
            ("store", "store"),
            ("events", "events"),
            ("raw", "raw get/s"),
            ("history", "history/s"),
            ("ratio", "ratio"),
            ("without", "as-of plain/s"),
            ("with", "as-of snapshots/s"),
            ("rss", "peak RSS MB"),
        ],
    )
