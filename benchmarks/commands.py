"""The command path: participatie's commands against plain eventsourcing commands, side by side.

    python benchmarks/commands.py [--residents 100] [--rounds 1] [--stores memory sqlite postgresql]

A realistic mix of resident and job coaching commands (registration with personal data, an
intake, conversations, a workplace visit, an activity, a job broker request, a placement, a wage
value assessment, job coaching with hours and an evaluation, and the closure: 37 commands per
resident, residents taking turns), each one transaction, runs twice on a fresh store of each kind:

- raw: a plain eventsourcing Application command per step: ``repository.get``, trigger one event
  with the same fields, ``save()`` (no rules, vault, chain, snapshots or metadata checks);
- raw cached: the same, with the aggregate cache participatie runs with
  (``AGGREGATE_CACHE_MAXSIZE=1000``, ``AGGREGATE_CACHE_FASTFORWARD=y``,
  ``DEEPCOPY_FROM_AGGREGATE_CACHE=y``): the fair reference;
- no processing log: ``Participation``'s commands with the processing log switched off (by this
  script only, replacing the core's record-making with nothing: the library has no switch), to
  show what the processing log costs;
- no chain: the same with the tamper evidence switched off instead (no chain hash computed, no
  ledger rows, no chain heads; see :func:`switched_off`), to show what it costs;
- no log, no ledger: the same with the processing log and the log-wide ledger switched off (the
  chain and its heads kept). The ledger holds the processing records, so the ledger's own cost
  (issue 16) is "no processing log" against this side: both without records, one with the
  ledger;
- participatie: ``Participation``'s command for the step.

With ``--rounds N`` the sides take turns N times, each on a fresh store, and each side's best
round counts. The table shows commands per second, the ratios participatie/raw cached,
participatie/no processing log and no processing log/no log, no ledger (the ledger alone), and
the peak memory of the child that ran the store. Only ratios
from one run on one machine mean anything.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from _harness import (
    SECRET,
    fresh_store,
    main,
    peak_rss_mb,
    raw_env,
)
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder

from participatie.transcodings import register_transcodings

#: One resident's commands: (aggregate, command, fields), business dates from the registration.
Step = tuple[str, str, dict[str, Any]]


def plan() -> list[Step]:
    """The commands of one resident, in order."""
    steps: list[Step] = [
        ("resident", "register", {}),
        ("resident", "hold_intake", {"goal": "work", "happiness": 5}),
    ]
    steps += [("resident", "record_conversation", {"happiness": 6})] * 12
    steps += [
        ("resident", "visit_workplace", {"organisation": "Tuinderij", "kind": "shadow_day"}),
        ("resident", "start_activity", {"activity": "language_course"}),
        ("resident", "end_activity", {"activity": "language_course"}),
        ("resident", "request_job_broker", {}),
        (
            "resident",
            "place",
            {
                "employer": "Bakker",
                "kind": "paid_work",
                "hours_per_week": Decimal(20),
                "contract_months": 12,
            },
        ),
        ("resident", "assess_wage_value", {"percent": 60, "needs_job_coaching": True}),
        ("coaching", "start_job_coaching", {}),
    ]
    steps += [("coaching", "log_coaching_hours", {"hours": 1, "counterpart": "employee"})] * 8
    steps += [("coaching", "evaluate_job_coaching", {})]
    steps += [("resident", "record_conversation", {"happiness": 7})] * 6
    steps += [("resident", "close_trajectory", {"reason": "work"})]
    return steps


START = date(2020, 1, 6)


def day_of(index: int) -> date:
    return START + timedelta(days=index * 3)


# The raw reference: the same events and fields, without rules.


class _Decided(Aggregate.Event):
    occurred_on: date
    actor_id: str
    actor_role: str
    policy_version: str


class RawResident(Aggregate):
    class Registered(Aggregate.Created):
        referral: str
        benefit: str
        municipality: str
        occurred_on: date
        actor_id: str
        actor_role: str
        policy_version: str

    class IntakeHeld(_Decided):
        goal: str
        happiness: int

    class ConversationHeld(_Decided):
        happiness: int

    class WorkplaceVisited(_Decided):
        organisation: str
        kind: str

    class ActivityStarted(_Decided):
        activity: str

    class ActivityEnded(_Decided):
        activity: str

    class JobBrokerRequested(_Decided):
        pass

    class Placed(_Decided):
        employer: str
        kind: str
        hours_per_week: Decimal
        contract_months: int | None
        trial: bool

    class WageValueAssessed(_Decided):
        percent: int
        needs_job_coaching: bool

    class TrajectoryClosed(_Decided):
        reason: str

    def __init__(
        self,
        *,
        referral: str,
        benefit: str,
        municipality: str,
        occurred_on: date,
        actor_id: str,
        actor_role: str,
        policy_version: str,
    ) -> None:
        self.municipality = municipality


class RawCoaching(Aggregate):
    class JobCoachingStarted(Aggregate.Created):
        resident_id: UUID
        provider: str
        job_coach_id: str
        hours_per_week: Decimal
        placement_version: int
        planned_end: date
        occurred_on: date
        actor_id: str
        actor_role: str
        policy_version: str

    class CoachingHoursLogged(_Decided):
        hours: Decimal
        counterpart: str
        coaching_year: int

    class EvaluationHeld(_Decided):
        pass

    def __init__(
        self,
        *,
        resident_id: UUID,
        provider: str,
        job_coach_id: str,
        hours_per_week: Decimal,
        placement_version: int,
        planned_end: date,
        occurred_on: date,
        actor_id: str,
        actor_role: str,
        policy_version: str,
    ) -> None:
        self.resident_id = resident_id


_RAW_EVENTS: dict[str, Any] = {
    "hold_intake": RawResident.IntakeHeld,
    "record_conversation": RawResident.ConversationHeld,
    "visit_workplace": RawResident.WorkplaceVisited,
    "start_activity": RawResident.ActivityStarted,
    "end_activity": RawResident.ActivityEnded,
    "request_job_broker": RawResident.JobBrokerRequested,
    "place": RawResident.Placed,
    "assess_wage_value": RawResident.WageValueAssessed,
    "close_trajectory": RawResident.TrajectoryClosed,
    "log_coaching_hours": RawCoaching.CoachingHoursLogged,
    "evaluate_job_coaching": RawCoaching.EvaluationHeld,
}


class RawApplication(Application[UUID]):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)


CACHED = {
    "AGGREGATE_CACHE_MAXSIZE": "1000",
    "AGGREGATE_CACHE_FASTFORWARD": "y",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
}


def run_raw(url: str, residents: int, *, cached: bool = False) -> float:
    """Commands per second of the plain eventsourcing reference."""
    app = RawApplication(env={**raw_env(url), **(CACHED if cached else {})})
    decided = {"actor_id": "coach-17", "actor_role": "coach", "policy_version": "p1"}
    ids: list[dict[str, UUID]] = [{} for _ in range(residents)]
    steps = plan()
    started = time.perf_counter()
    for index, (target, command, fields) in enumerate(steps):
        on = day_of(index)
        for own in ids:
            if command == "register":
                resident = RawResident(
                    referral="walk_in",
                    benefit="none",
                    municipality="haaren",
                    occurred_on=on,
                    **decided,
                )
                app.save(resident)
                own["resident"] = resident.id
            elif command == "start_job_coaching":
                coaching = RawCoaching(
                    resident_id=own["resident"],
                    provider="Restart",
                    job_coach_id="jc-3",
                    hours_per_week=Decimal(20),
                    placement_version=19,
                    planned_end=on + timedelta(days=730),
                    occurred_on=on,
                    **decided,
                )
                app.save(coaching)
                own["coaching"] = coaching.id
            else:
                aggregate: Aggregate = app.repository.get(own[target])
                extra: dict[str, Any] = {}
                if command == "place":
                    extra["trial"] = False
                if command == "log_coaching_hours":
                    extra = {"coaching_year": 1, "hours": Decimal(1)}
                aggregate.trigger_event(
                    _RAW_EVENTS[command], occurred_on=on, **decided, **{**fields, **extra}
                )
                app.save(aggregate)
    seconds = time.perf_counter() - started
    app.close()
    return residents * len(steps) / seconds


def run_participatie(
    url: str,
    residents: int,
    *,
    processing_log: bool = True,
    chain: bool = True,
    ledger: bool = True,
    command_ids: bool = False,
) -> float:
    """Commands per second through Participation (without its processing log, its chain or its
    ledger: see :func:`switched_off`; with a new ``command_id`` on every command:
    command_ids.py)."""
    with switched_off(processing_log=not processing_log, chain=not chain, ledger=not ledger):
        return _run_participatie(url, residents, command_ids=command_ids)


@contextlib.contextmanager
def switched_off(*, processing_log: bool, chain: bool, ledger: bool = False) -> Iterator[None]:
    """Switch parts of participatie off for a measurement, by this script only (the library has
    no such switches): ``processing_log`` replaces the core's record-making with nothing;
    ``chain`` stores every event's chain hash as 32 zero bytes instead of computing it, and
    writes no ledger rows (the ledger's tail is still read); ``ledger`` writes no ledger rows and
    (on SQLite) reads no tail, but keeps the chain: the log-wide ledger of issue 16 alone (a
    stream's head is its last ledger row: no heads are written any more). Restored after. They
    work for commands and for an import's batches."""
    from participatie.audit import chain as chain_module  # noqa: PLC0415
    from participatie.persistence import (  # noqa: PLC0415
        memory_recorder,
        postgres_ledger,
        sqlite_ledger,
    )
    from participatie.service.core import Core  # noqa: PLC0415

    patches: list[tuple[Any, str, Any]] = []
    if processing_log:
        patches.append((Core, "_processing", lambda *_, **__: None))
        patches.append((Core, "_batch_processing", lambda *_, **__: None))
    if ledger:
        patches.extend(
            (module, "ledger_rows", lambda *_, **__: [])
            for module in (memory_recorder, postgres_ledger, sqlite_ledger)
        )
        patches.append((sqlite_ledger.SQLiteLedger, "_tail_before", lambda *_: None))
    if chain:
        patches.append((chain_module, "chain_hash", lambda *_: bytes(32)))
        patches.extend(
            (module, "ledger_rows", lambda *_, **__: [])
            for module in (memory_recorder, postgres_ledger, sqlite_ledger)
        )
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, value in patches:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in originals:
            setattr(owner, name, value)


def _run_participatie(url: str, residents: int, *, command_ids: bool) -> float:
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
            command_id = uuid4() if command_ids else None
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
    """Each side on a fresh store, the sides in turn, ``rounds`` times: the best rate of each
    (on a shared machine, the round least disturbed by other work)."""
    sides: dict[str, Callable[[str], float]] = {
        "raw": lambda url: run_raw(url, residents),
        "cached": lambda url: run_raw(url, residents, cached=True),
        "participatie": lambda url: run_participatie(url, residents),
        "without": lambda url: run_participatie(url, residents, processing_log=False),
        "unchained": lambda url: run_participatie(url, residents, chain=False),
        "unledgered": lambda url: run_participatie(
            url, residents, processing_log=False, ledger=False
        ),
    }
    best = dict.fromkeys(sides, 0.0)
    for _ in range(rounds):
        for name, side in sides.items():
            with fresh_store(store) as url:
                best[name] = max(best[name], side(url))
    raw, cached, ours = best["raw"], best["cached"], best["participatie"]
    without, unchained, unledgered = best["without"], best["unchained"], best["unledgered"]
    return {
        "store": store,
        "commands": residents * len(plan()),
        "raw": raw,
        "cached": cached,
        "without": without,
        "unchained": unchained,
        "unledgered": unledgered,
        "participatie": ours,
        "ratio": ours / cached,
        "log_ratio": ours / without,
        "ledger_ratio": without / unledgered,
        "rss": peak_rss_mb(),
    }


if __name__ == "__main__":
    main(
        __file__,
        __doc__ or "",
        [("--residents", int, 100), ("--rounds", int, 1)],
        measure,
        [
            ("store", "store"),
            ("commands", "commands"),
            ("raw", "raw/s"),
            ("cached", "raw cached/s"),
            ("without", "no processing log/s"),
            ("unchained", "no chain/s"),
            ("unledgered", "no log, no ledger/s"),
            ("participatie", "participatie/s"),
            ("ratio", "vs raw cached"),
            ("log_ratio", "vs no processing log"),
            ("ledger_ratio", "ledger alone"),
            ("rss", "peak RSS MB"),
        ],
    )
