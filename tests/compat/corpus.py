"""Write a release's golden corpus, and observe a store the same way every release does.

A corpus is a folder ``tests/compat/<version>/`` with:

- ``store.db.gz``: a SQLite store written by that release (gzip, to keep the repository small);
- ``export.json``: a resident's export as that release wrote it;
- ``expected.json``: what the store must give: the scenario's ids (``spec``) and the observations
  (states as of several dates and moments, history, access log, personal data, reports of both
  demos, re-import, verify).

``python -m tests.compat.corpus VERSION`` writes the corpus of the code checked out now. A later
release keeps this file's :func:`observe` working against its own API (the observations must stay
equal); it never changes a frozen corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs

import participatie
from participatie import (
    Activity,
    Actor,
    Benefit,
    CoachingOutcome,
    Counterpart,
    ErasureGround,
    ExtensionReason,
    Goal,
    JobCoach,
    OutflowReason,
    Participation,
    PlacementEndReason,
    PlacementKind,
    Provider,
    Referral,
    Role,
    VisitKind,
)
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from participatie.importing import import_records, read_records

HERE = Path(__file__).parent

#: The deployment secret of every corpus store (test data: the vault holds made-up people).
SECRET = "the secret of the participatie compatibility corpus, frozen"

#: The corpus stores are written with this clock: "today" when the scenario was recorded.
FROZEN_NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)

#: The scenario's residents live here, apart from the demos' municipalities.
MUNICIPALITY = "oss"

COACH = Actor("coach-compat", Role.COACH, municipality=MUNICIPALITY)
BROKER = Actor("broker-compat", Role.JOB_BROKER)
ASSESSOR = Actor("assessor-compat", Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = Actor("coordinator-compat", Role.COORDINATOR)
AUDITOR = Actor("auditor-compat", Role.AUDITOR)
ADMIN = Actor("admin-compat", Role.ADMIN)
JOB_COACH = JobCoach("jc-compat", hbo_degree=True)
JOB_COACH_ACTOR = Actor("jc-compat", Role.JOB_COACH)

#: Imported with the corpus: two residents of an earlier system, one with a BSN.
IMPORT_RECORDS: tuple[dict[str, Any], ...] = (
    {
        "source_id": "old-1",
        "resident": "case-1",
        "event": "Registered",
        "on": "2019-02-01",
        "referral": "care_and_welfare",
        "benefit": "unemployment",
        "municipality": MUNICIPALITY,
        "bsn": "111222333",
        "name": "I. Mport",
        "actor_id": "coach-old",
        "actor_role": "coach",
    },
    {
        "source_id": "old-2",
        "resident": "case-1",
        "event": "IntakeHeld",
        "on": "2019-02-04",
        "goal": "work",
        "happiness": 4,
        "actor_id": "coach-old",
        "actor_role": "coach",
    },
    {
        "source_id": "old-4",
        "resident": "case-1",
        "event": "Placed",
        "on": "2019-04-01",
        "employer": "Kwekerij Oss",
        "kind": "paid_work",
        "hours_per_week": "20",
        "contract_months": 12,
        "actor_id": "broker-old",
        "actor_role": "job_broker",
    },
    {
        "source_id": "old-5",
        "resident": "case-1",
        "event": "WageValueAssessed",
        "on": "2019-04-15",
        "percent": 50,
        "needs_job_coaching": True,
        "actor_id": "assessor-old",
        "actor_role": "wage_value_assessor",
    },
    {
        "source_id": "old-6",
        "resident": "case-1",
        "event": "JobCoachingStarted",
        "on": "2019-04-22",
        "provider": "Werkcorporatie",
        "provider_recognised": True,
        "job_coach_id": "jc-old",
        "job_coach_hbo_degree": True,
        "actor_id": "coordinator-old",
        "actor_role": "coordinator",
    },
    {
        "source_id": "old-7",
        "resident": "case-1",
        "event": "CoachingHoursLogged",
        "on": "2019-05-06",
        "hours": "1.25",
        "counterpart": "employee",
        "coaching": "old-6",
        "actor_id": "jc-old",
        "actor_role": "job_coach",
    },
    {
        "source_id": "old-3",
        "resident": "case-2",
        "event": "Registered",
        "on": "2019-03-01",
        "referral": "walk_in",
        "benefit": "none",
        "municipality": MUNICIPALITY,
        "actor_id": "coach-old",
        "actor_role": "coach",
    },
)


def jsonable(value: Any) -> Any:  # noqa: PLR0911 (one return per kind of value)
    """A JSON form of a value that states, entries and reports hold, the same in every release."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "value") and type(value).__module__.startswith("participatie"):
        return jsonable(value.value)  # an enumeration member
    if attrs.has(type(value)):
        return {f.name: jsonable(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, dict):
        return [[jsonable(k), jsonable(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    msg = f"no JSON form for {type(value).__name__}"
    raise TypeError(msg)


#: The documented attributes of each aggregate (docs/guide.md, docs/job-coaching.md).
RESIDENT_ATTRIBUTES = (
    "id",
    "version",
    "status",
    "referral",
    "benefit",
    "municipality",
    "registered_on",
    "intake_on",
    "goal",
    "happiness",
    "placement",
    "job_broker_requested_on",
    "activities",
    "wage_value",
    "outflow_reason",
    "closed_on",
    "reopen_count",
    "personal_data_erased",
)
COACHING_ATTRIBUTES = (
    "id",
    "version",
    "resident_id",
    "provider",
    "job_coach_id",
    "started_on",
    "planned_end",
    "extended",
    "placement_version",
    "hours_logged",
    "hours_by_year",
    "evaluations",
    "completed_outcome",
    "completed_on",
)


def state(aggregate: Any, attributes: tuple[str, ...]) -> dict[str, Any]:
    return {name: jsonable(getattr(aggregate, name)) for name in attributes}


# Writing a corpus.


def _scenario(app: Participation) -> dict[str, Any]:  # noqa: PLR0915 (one story, step by step)
    """Every event class of both aggregates, optional fields set and unset; return the ids."""
    d = date
    # A: a whole story: every resident event but erasure, two placements, job coaching.
    a = app.register_resident(
        referral=Referral.MUNICIPALITY,
        benefit=Benefit.SOCIAL_ASSISTANCE,
        municipality=MUNICIPALITY,
        bsn="123456782",
        name="A. Jansen",
        notes="wil graag in de groenvoorziening werken",
        on=d(2019, 1, 8),
        by=COACH,
    )
    app.hold_intake(a, goal=Goal.MEANINGFUL_DAY, happiness=4, on=d(2019, 1, 9), by=COACH)
    app.record_conversation(a, happiness=5, on=d(2019, 1, 21), by=COACH)
    app.change_goal(a, goal=Goal.WORK, on=d(2019, 1, 28), by=COACH)
    app.visit_workplace(
        a, organisation="Tuinderij de Es", kind=VisitKind.SHADOW_DAY, on=d(2019, 2, 4), by=COACH
    )
    app.start_activity(a, activity=Activity.LANGUAGE_COURSE, on=d(2019, 2, 5), by=COACH)
    app.record_conversation(a, happiness=6, on=d(2019, 2, 18), by=COACH)
    app.end_activity(a, activity=Activity.LANGUAGE_COURSE, on=d(2019, 4, 30), by=COACH)
    app.request_job_broker(a, on=d(2019, 5, 6), by=COACH)
    app.withdraw_job_broker_request(a, on=d(2019, 5, 20), by=COACH)
    app.request_job_broker(a, on=d(2019, 6, 3), by=COACH)
    app.place(
        a,
        employer="Tuinderij de Es",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=Decimal("24.5"),
        contract_months=None,
        trial=True,
        on=d(2019, 6, 17),
        by=BROKER,
    )
    app.end_placement(a, reason=PlacementEndReason.RESIDENT_LEFT, on=d(2019, 7, 15), by=COACH)
    app.request_job_broker(a, on=d(2019, 7, 22), by=COACH)
    app.place(
        a,
        employer="Groenbedrijf Haaren",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=32,
        contract_months=12,
        on=d(2019, 8, 5),
        by=BROKER,
    )
    app.assess_wage_value(a, percent=55, needs_job_coaching=True, on=d(2019, 8, 19), by=ASSESSOR)
    coaching = app.start_job_coaching(
        a,
        provider=Provider("USG Restart", recognised=True),
        coach=JOB_COACH,
        on=d(2019, 8, 26),
        by=COORDINATOR,
    )
    app.log_coaching_hours(
        coaching, hours=Decimal("1.5"), counterpart=Counterpart.EMPLOYEE, on=d(2019, 9, 2),
        by=JOB_COACH_ACTOR,
    )  # fmt: skip
    app.log_coaching_hours(
        coaching, hours=1, counterpart=Counterpart.COLLEAGUES, on=d(2019, 9, 9), by=JOB_COACH_ACTOR
    )
    app.log_coaching_hours(
        coaching, hours=Decimal("0.75"), counterpart=Counterpart.MANAGER, on=d(2020, 9, 7),
        by=JOB_COACH_ACTOR,
    )  # fmt: skip
    app.evaluate_job_coaching(coaching, on=d(2020, 2, 24), by=JOB_COACH_ACTOR)
    app.extend_job_coaching(
        coaching, reason=ExtensionReason.EMPLOYER_TAKEOVER_PENDING, on=d(2021, 6, 1), by=COORDINATOR
    )
    app.close_trajectory(a, reason=OutflowReason.WORK, on=d(2019, 12, 2), by=COACH)
    app.complete_job_coaching(
        coaching, outcome=CoachingOutcome.HANDED_OVER_TO_EMPLOYER, on=d(2022, 3, 1),
        by=COORDINATOR,
    )  # fmt: skip

    # B: a walk-in who only talked with the coaches, then asked to be erased.
    b = app.register_resident(
        referral=Referral.WALK_IN,
        benefit=Benefit.NONE,
        municipality=MUNICIPALITY,
        bsn="111111110",
        name="B. de Vries",
        on=d(2019, 3, 4),
        by=COACH,
    )
    app.hold_intake(b, goal=Goal.VOLUNTEER_WORK, happiness=7, on=d(2019, 3, 4), by=COACH)
    app.erase_personal_data(b, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST, on=d(2019, 4, 1))

    # C: volunteer work, closed, reopened (re-inflow), moved away; no personal data at all.
    c = app.register_resident(
        referral=Referral.CARE_AND_WELFARE,
        benefit=Benefit.UNEMPLOYMENT,
        municipality=MUNICIPALITY,
        on=d(2019, 2, 11),
        by=COACH,
    )
    app.hold_intake(c, goal=Goal.VOLUNTEER_WORK, happiness=3, on=d(2019, 2, 12), by=COACH)
    app.place(
        c,
        employer="Zorgcentrum De Kleine Haar",
        kind=PlacementKind.VOLUNTEER_WORK,
        hours_per_week=8,
        on=d(2019, 3, 1),
        by=COACH,
    )
    app.close_trajectory(c, reason=OutflowReason.VOLUNTEER_WORK, on=d(2019, 4, 1), by=COACH)
    app.reopen_trajectory(c, on=d(2019, 9, 2), by=COACH)
    app.end_placement(c, reason=PlacementEndReason.CONTRACT_ENDED, on=d(2019, 9, 2), by=COACH)
    app.record_conversation(c, happiness=4, on=d(2019, 9, 16), by=COACH)
    app.close_trajectory(c, reason=OutflowReason.MOVED_AWAY, on=d(2019, 11, 4), by=COACH)

    # D: job coaching that ended with the placement (not a fit is the other path).
    dd = app.register_resident(
        referral=Referral.MUNICIPALITY,
        benefit=Benefit.SOCIAL_ASSISTANCE,
        municipality=MUNICIPALITY,
        name="D. Bakker",
        on=d(2020, 1, 6),
        by=COACH,
    )
    app.hold_intake(dd, goal=Goal.WORK, happiness=6, on=d(2020, 1, 6), by=COACH)
    app.place(
        dd,
        employer="Bouwbedrijf Oisterwijk",
        kind=PlacementKind.PAID_WORK,
        hours_per_week=36,
        contract_months=6,
        on=d(2020, 2, 3),
        by=BROKER,
    )
    app.assess_wage_value(dd, percent=40, needs_job_coaching=False, on=d(2020, 2, 10), by=ASSESSOR)
    app.assess_wage_value(dd, percent=45, needs_job_coaching=True, on=d(2020, 2, 17), by=ASSESSOR)
    coaching_d = app.start_job_coaching(
        dd,
        provider=Provider("Werkcorporatie", recognised=True),
        coach=JOB_COACH,
        on=d(2020, 2, 24),
        by=COORDINATOR,
    )
    app.log_coaching_hours(
        coaching_d, hours=2, counterpart=Counterpart.EMPLOYEE, on=d(2020, 3, 2), by=JOB_COACH_ACTOR
    )
    app.end_placement(dd, reason=PlacementEndReason.DISMISSED, on=d(2020, 6, 1), by=COACH)
    app.complete_job_coaching(
        coaching_d, outcome=CoachingOutcome.PLACEMENT_ENDED, on=d(2020, 6, 8), by=COORDINATOR
    )
    app.close_trajectory(dd, reason=OutflowReason.WITHDREW, on=d(2020, 6, 15), by=COACH)

    # Reads: each kind of access-log entry.
    app.history(a, by=AUDITOR, purpose="audit of the pilot")
    app.personal_data(a, by=COACH, purpose="letter to the resident")
    app.find_resident(bsn="123456782", by=COACH, purpose="resident at the desk")
    export = app.export(c, by=AUDITOR, purpose="file requested by the resident")
    return {
        "a": str(a),
        "b": str(b),
        "c": str(c),
        "d": str(dd),
        "coaching_a": str(coaching),
        "coaching_d": str(coaching_d),
        "export": export,
    }


def write_corpus(folder: Path, version: str) -> None:
    """Record the scenario, the imports and both demos into a new SQLite store in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "store.db"
        url = f"sqlite:///{db}"
        clock = _fixed_clock
        # Snapshots every 4 events in the scenario, so both aggregates have several.
        with Participation.open(url, secret=SECRET, clock=clock, snapshot_interval=4) as app:
            spec = _scenario(app)
            source = Path(work) / "old-system.jsonl"
            source.write_text(
                "".join(json.dumps(r) + "\n" for r in IMPORT_RECORDS), encoding="utf-8"
            )
            imported = import_records(app, read_records(source))
            if imported.bad:
                raise RuntimeError("; ".join(str(bad) for bad in imported.bad))
            spec["imported"] = {"residents": imported.residents, "records": imported.records}
        with Participation.open(url, secret=SECRET, clock=clock, snapshot_interval=None) as app:
            haaren = record_haaren_2019(app)
            polder = record_noordoostpolder(app)
            spec["haaren"] = [str(r) for r in haaren.resident_ids]
            spec["noordoostpolder"] = [str(r) for r in polder.coaching_ids]
        with Participation.open(url, secret=SECRET, clock=_fixed_clock) as app:
            spec["recorded_times"] = [
                e.recorded_at.isoformat() for e in app.history(UUID(spec["a"]), by=AUDITOR)
            ]
            # The store holds the outcomes view of its release too, as a store in use would.
            app.project()
        export = spec.pop("export")
        (folder / "export.json").write_text(
            json.dumps(export, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        (folder / "old-system.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in IMPORT_RECORDS), encoding="utf-8"
        )
        checked = Path(work) / "checked.db"
        shutil.copyfile(db, checked)
        with Participation.open(f"sqlite:///{checked}", secret=SECRET, clock=_fixed_clock) as app:
            observations = observe(app, spec, folder)
        if db.with_name("store.db-wal").exists():
            msg = "the store's write-ahead log was not merged when it closed"
            raise RuntimeError(msg)
        with (
            db.open("rb") as raw,
            gzip.GzipFile(folder / "store.db.gz", "wb", mtime=0) as packed,
        ):
            shutil.copyfileobj(raw, packed)
    expected = {"version": version, "secret": SECRET, "spec": spec, "observations": observations}
    (folder / "expected.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _fixed_clock() -> datetime:
    return FROZEN_NOW


# Observing a store.


def _moments(spec: dict[str, Any]) -> Iterator[tuple[date | None, datetime | None]]:
    times = [datetime.fromisoformat(t) for t in spec["recorded_times"]]
    yield None, None
    for day in (date(2019, 1, 8), date(2019, 6, 30), date(2019, 8, 20), date(2019, 12, 31)):
        yield day, None
    for moment in (times[0], times[len(times) // 2], times[-1] - timedelta(microseconds=1)):
        yield None, moment
    yield date(2019, 8, 20), times[len(times) // 2]


def observe(app: Participation, spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Everything a store must give, in a JSON form that every release reproduces.

    Reads of history and personal data append to the access log: the access log is read first.
    """
    residents = {k: UUID(spec[k]) for k in ("a", "b", "c", "d")}
    coachings = {k: UUID(spec[k]) for k in ("coaching_a", "coaching_d")}
    out: dict[str, Any] = {}
    out["access_log"] = {
        name: [
            {
                "actor": jsonable(entry.actor),
                "kind": jsonable(entry.kind),
                "purpose": entry.purpose,
            }
            for entry in app.access_log(rid, by=AUDITOR)
        ]
        for name, rid in residents.items()
    }
    out["states"] = {}
    for as_of, known_at in _moments(spec):
        key = f"as_of={as_of} known_at={None if known_at is None else known_at.isoformat()}"
        seen: dict[str, Any] = {}
        for name, rid in residents.items():
            try:
                seen[name] = state(
                    app.resident(rid, as_of=as_of, known_at=known_at, by=AUDITOR),
                    RESIDENT_ATTRIBUTES,
                )
            except participatie.NotFound:
                seen[name] = None
        for name, cid in coachings.items():
            try:
                seen[name] = state(
                    app.job_coaching(cid, as_of=as_of, known_at=known_at, by=AUDITOR),
                    COACHING_ATTRIBUTES,
                )
            except participatie.NotFound:
                seen[name] = None
        out["states"][key] = seen
    out["demo_states"] = {
        "haaren": [
            state(app.resident(UUID(r), by=AUDITOR), RESIDENT_ATTRIBUTES)
            for r in spec["haaren"][:5]
        ],
        "noordoostpolder": [
            state(app.job_coaching(UUID(c), by=AUDITOR), COACHING_ATTRIBUTES)
            for c in spec["noordoostpolder"][:5]
        ],
    }
    out["history"] = {
        name: [jsonable(entry) for entry in app.history(rid, by=AUDITOR, purpose="compat")]
        for name, rid in residents.items()
    }
    out["personal_data"] = {
        name: jsonable(app.personal_data(rid, by=COACH, purpose="compat"))
        for name, rid in residents.items()
    }
    out["find_resident"] = {
        bsn: jsonable(app.find_resident(bsn=bsn, by=COACH, purpose="compat"))
        for bsn in ("123456782", "111111110", "111222333", "999999990")
    }
    out["reports"] = {
        name: app.outcomes(**kwargs).to_dict() for name, kwargs in _report_queries(spec)
    }
    again = import_records(app, read_records(folder / "old-system.jsonl"))
    out["reimport"] = {
        "residents": again.residents,
        "records": again.records,
        "skipped": again.skipped,
    }
    export = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    checked = app.check_export(export)
    out["check_export"] = {"ok": checked.ok, "problems": checked.problems}
    verification = app.verify()
    out["verify"] = {
        "ok": verification.ok,
        "problems": verification.problems,
    }
    out["verify_residents"] = {name: app.verify(rid).ok for name, rid in residents.items()}
    return out


def _report_queries(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    recorded = [datetime.fromisoformat(t) for t in spec["recorded_times"]]
    year_2019 = (date(2019, 1, 1), date(2019, 12, 31))
    yield "oss 2019", {"period": year_2019, "municipality": MUNICIPALITY}
    yield (
        "oss 2020",
        {"period": (date(2020, 1, 1), date(2020, 12, 31)), "municipality": MUNICIPALITY},
    )
    yield "haaren 2019 target 30", {"period": year_2019, "municipality": "haaren", "target": 30}
    yield (
        "haaren first half 2019",
        {
            "period": (date(2019, 1, 1), date(2019, 6, 30)),
            "municipality": MUNICIPALITY,
        },
    )
    yield (
        "haaren 2019 as of 2019-06-30",
        {
            "period": year_2019,
            "municipality": MUNICIPALITY,
            "as_of": date(2019, 6, 30),
        },
    )
    yield (
        "haaren 2019 known at the scenario's middle",
        {
            "period": year_2019,
            "municipality": MUNICIPALITY,
            "known_at": recorded[len(recorded) // 2],
        },
    )
    for year in (2019, 2020, 2021, 2022):
        yield (
            f"noordoostpolder {year}",
            {
                "period": (date(year, 1, 1), date(year, 12, 31)),
                "municipality": "noordoostpolder",
            },
        )
    yield "all 2019-2022", {"period": (date(2019, 1, 1), date(2022, 12, 31))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the release whose corpus this is, e.g. 0.1.0")
    args = parser.parse_args(argv)
    if args.version != participatie.__version__:
        print(
            f"the code checked out is {participatie.__version__}, not {args.version}",
            file=sys.stderr,
        )
        return 2
    folder = HERE / args.version
    if folder.exists():
        print(f"{folder} exists: a frozen corpus is never written again", file=sys.stderr)
        return 2
    write_corpus(folder, args.version)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"wrote {folder} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
