"""Bulk import against plain eventsourcing batch saves of the same events, side by side.

    python benchmarks/importing.py [--residents 2000] [--batch 50] [--rounds 1] [--stores ...]

The residents of benchmarks/commands.py (37 records each, job coaching included) are written to a
JSON Lines file, then, on a fresh store of each kind:

- raw from memory: the same events built on plain aggregates in memory (no file) and saved
  ``--batch`` residents per ``save()``, i.e. per transaction;
- import: ``participatie import``'s ``import_records(read_records(file))``, ``--batch`` residents
  per transaction: reading and checking the file, every record through its command's rules, the
  vault and the chain, and the source ids for idempotence;
- again: the same import a second time, which finds every record imported and adds nothing;
- raw import: a plain script reading the same file (``json.loads`` per line), building the same
  plain aggregates and saving them ``--batch`` residents per ``save()``: the fair reference;
- no processing log, no chain: the import with those parts switched off by the script (see
  ``commands.switched_off``), to show what they cost.

With ``--rounds N`` the sides take turns N times, each on a fresh store, and each side's best
round counts. Rates are events (records) per second; only ratios from one run on one machine mean
anything.
"""

from __future__ import annotations

import functools
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _harness import (
    SECRET,
    fresh_store,
    main,
    peak_rss_mb,
    raw_env,
)
from commands import (
    _RAW_EVENTS,
    RawApplication,
    RawCoaching,
    RawResident,
    day_of,
    plan,
    switched_off,
)

_ROLES = {
    "place": ("broker-2", "job_broker"),
    "assess_wage_value": ("assessor-5", "wage_value_assessor"),
    "start_job_coaching": ("coordinator-1", "coordinator"),
    "log_coaching_hours": ("jc-3", "job_coach"),
    "evaluate_job_coaching": ("jc-3", "job_coach"),
}
_EVENT_NAMES = {
    "register": "Registered",
    "start_job_coaching": "JobCoachingStarted",
    **{name: cls.__name__ for name, cls in _RAW_EVENTS.items()},
}


def write_file(path: Path, residents: int) -> int:
    """Write the residents' records as JSON Lines; return how many records."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for number in range(residents):
            key = f"case-{number}"
            for index, (_, command, fields) in enumerate(plan()):
                actor_id, role = _ROLES.get(command, ("coach-17", "coach"))
                extra: dict[str, Any] = {}
                if command == "register":
                    extra = {"referral": "walk_in", "benefit": "none", "municipality": "haaren"}
                    extra["name"] = f"Resident {number}"
                elif command == "start_job_coaching":
                    extra = {
                        "provider": "Restart",
                        "provider_recognised": True,
                        "job_coach_id": "jc-3",
                        "job_coach_hbo_degree": True,
                    }
                record = {
                    "source_id": f"{key}-{index}",
                    "resident": key,
                    "event": _EVENT_NAMES[command],
                    "on": day_of(index).isoformat(),
                    "actor_id": actor_id,
                    "actor_role": role,
                    **{k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()},
                    **extra,
                }
                handle.write(json.dumps(record) + "\n")
                count += 1
    return count


def raw_batches(url: str, residents: int, batch: int) -> float:
    """Events per second saving the same events on plain aggregates, ``batch`` per save()."""
    app = RawApplication(env=raw_env(url))
    decided = {"actor_id": "coach-17", "actor_role": "coach", "policy_version": "p1"}
    steps = plan()
    events = 0
    started = time.perf_counter()
    pending: list[Any] = []
    for _ in range(residents):
        resident: Any = None
        coaching: Any = None
        for index, (target, command, fields) in enumerate(steps):
            on = day_of(index)
            if command == "register":
                resident = RawResident(
                    referral="walk_in", benefit="none", municipality="haaren", occurred_on=on,
                    **decided,
                )  # fmt: skip
            elif command == "start_job_coaching":
                coaching = RawCoaching(
                    resident_id=resident.id, provider="Restart", job_coach_id="jc-3",
                    hours_per_week=Decimal(20), placement_version=19,
                    planned_end=on + timedelta(days=730), occurred_on=on, **decided,
                )  # fmt: skip
            else:
                extra: dict[str, Any] = {}
                if command == "place":
                    extra["trial"] = False
                if command == "log_coaching_hours":
                    extra = {"coaching_year": 1, "hours": Decimal(1)}
                aggregate = resident if target == "resident" else coaching
                aggregate.trigger_event(
                    _RAW_EVENTS[command], occurred_on=on, **decided, **{**fields, **extra}
                )
            events += 1
        pending += [resident, coaching]
        if len(pending) >= 2 * batch:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    seconds = time.perf_counter() - started
    app.close()
    return events / seconds


_RAW_BY_NAME: dict[str, Any] = {cls.__name__: cls for cls in _RAW_EVENTS.values()}
#: Fields of the raw events that JSON holds as text.
_DECIMALS = ("hours_per_week", "hours")


def raw_import(url: str, path: Path, batch: int) -> float:
    """Events per second reading the JSON Lines file and saving its records as plain events on
    plain aggregates, ``batch`` residents per ``save()``: the import without its guarantees (no
    checks of form or rules, no actors, vault, chain, ledger, source ids or processing log)."""
    app = RawApplication(env=raw_env(url))
    started = time.perf_counter()
    by_resident: dict[str, list[dict[str, Any]]] = {}
    with path.open("rb") as handle:
        for line in handle:
            record = json.loads(line)
            by_resident.setdefault(record["resident"], []).append(record)
    events = 0
    pending: list[Any] = []
    for count, records in enumerate(by_resident.values(), start=1):
        resident: Any = None
        coaching: Any = None
        for record in records:
            fields = {k: v for k, v in record.items() if k not in ("source_id", "resident")}
            name = fields.pop("event")
            on = date.fromisoformat(fields.pop("on"))
            decided = {
                "occurred_on": on,
                "actor_id": fields.pop("actor_id"),
                "actor_role": fields.pop("actor_role"),
                "policy_version": "p1",
            }
            for field in _DECIMALS:
                if field in fields:
                    fields[field] = Decimal(fields[field])
            if name == "Registered":
                del fields["name"]
                resident = RawResident(**fields, **decided)
            elif name == "JobCoachingStarted":
                coaching = RawCoaching(
                    resident_id=resident.id, provider=fields["provider"],
                    job_coach_id=fields["job_coach_id"], hours_per_week=Decimal(20),
                    placement_version=19, planned_end=on + timedelta(days=730), **decided,
                )  # fmt: skip
            else:
                if name == "Placed":
                    fields["trial"] = False
                elif name == "CoachingHoursLogged":
                    fields["coaching_year"] = 1
                event = _RAW_BY_NAME[name]
                target = coaching if event.__qualname__.startswith("RawCoaching.") else resident
                target.trigger_event(event, **decided, **fields)
            events += 1
        pending += [resident, coaching]
        if count % batch == 0:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    seconds = time.perf_counter() - started
    app.close()
    return events / seconds


def _import(url: str, path: Path, batch: int, records: int, *, again: bool = False) -> float:
    """Records per second of ``import_records`` (and with ``again``, of a second import of the
    same file, which must add nothing)."""
    from participatie import Participation  # noqa: PLC0415
    from participatie.importing import import_records, read_records  # noqa: PLC0415

    with Participation.open(url, secret=SECRET) as app:
        started = time.perf_counter()
        report = import_records(app, read_records(path), batch_size=batch)
        seconds = time.perf_counter() - started
        assert not report.bad, report.bad[:3]
        assert report.records == records
        if not again:
            return records / seconds
        started = time.perf_counter()
        repeated = import_records(app, read_records(path), batch_size=batch)
        seconds = time.perf_counter() - started
        assert repeated.skipped == records
        return records / seconds


def measure(store: str, residents: int, batch: int, rounds: int) -> dict[str, Any]:
    """Each side on a fresh store, the sides in turn, ``rounds`` times: the best rate of each."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        records = write_file(path, residents)
        sides: dict[str, Callable[[str], float]] = {
            "raw": lambda url: raw_batches(url, residents, batch),
            "raw_file": lambda url: raw_import(url, path, batch),
            "import": lambda url: _import(url, path, batch, records),
            "again": lambda url: _import(url, path, batch, records, again=True),
        }
        for name, off in (("without", "processing_log"), ("unchained", "chain")):
            sides[name] = functools.partial(_switched_off, off, path, batch, records)
        best = dict.fromkeys(sides, 0.0)
        for _ in range(rounds):
            for name, side in sides.items():
                with fresh_store(store) as url:
                    best[name] = max(best[name], side(url))
    return {
        "store": store,
        "events": records,
        **best,
        "ratio": best["import"] / best["raw_file"],
        "rss": peak_rss_mb(),
    }


def _switched_off(part: str, path: Path, batch: int, records: int, url: str) -> float:
    with switched_off(processing_log=part == "processing_log", chain=part == "chain"):
        return _import(url, path, batch, records)


if __name__ == "__main__":
    main(
        __file__,
        __doc__ or "",
        [("--residents", int, 2000), ("--batch", int, 50), ("--rounds", int, 1)],
        measure,
        [
            ("store", "store"),
            ("events", "events"),
            ("raw", "raw from memory/s"),
            ("raw_file", "raw import/s"),
            ("without", "no processing log/s"),
            ("unchained", "no chain/s"),
            ("import", "import/s"),
            ("ratio", "vs raw import"),
            ("again", "import again/s"),
            ("rss", "peak RSS MB"),
        ],
    )
