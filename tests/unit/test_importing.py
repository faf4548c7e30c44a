"""Bulk import: every record through the rules, whole residents or none, idempotent by source."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings

from participatie import Actor, InvalidInput, Participation, Role
from participatie.importing import ImportReport, import_records, read_records
from participatie.testing import strategies as pst
from participatie.testing.commands import run_commands
from tests.support import TEST_SECRET, Clock

AUDITOR = Actor("auditor-1", Role.AUDITOR)
COACH = {"actor_id": "coach-17", "actor_role": "coach"}
BROKER = {"actor_id": "broker-2", "actor_role": "job_broker"}


def record(source_id: str, resident: str, event: str, on: str, **fields: Any) -> dict[str, Any]:
    actor = BROKER if event == "Placed" else COACH
    return {
        "source_id": source_id,
        "resident": resident,
        "event": event,
        "on": on,
        **actor,
        **fields,
    }


def jansen(resident: str = "case-1", prefix: str = "a") -> list[dict[str, Any]]:
    """A resident who registered, had an intake and conversations, was placed and flowed out."""
    return [
        record(f"{prefix}1", resident, "Registered", "2019-01-08", referral="walk_in",
               benefit="none", municipality="haaren", bsn="123456782", name="A. Jansen"),
        record(f"{prefix}2", resident, "IntakeHeld", "2019-01-08", goal="work", happiness=5),
        record(f"{prefix}3", resident, "ConversationHeld", "2019-01-20", happiness=6),
        record(f"{prefix}4", resident, "JobBrokerRequested", "2019-02-01"),
        record(f"{prefix}5", resident, "Placed", "2019-03-01", employer="Bakker",
               kind="paid_work", hours_per_week="19.5", contract_months=12),
        record(f"{prefix}6", resident, "TrajectoryClosed", "2019-03-02", reason="work"),
    ]  # fmt: skip


def de_vries(resident: str = "case-2") -> list[dict[str, Any]]:
    return [
        record("b1", resident, "Registered", "2019-02-04", referral="municipality",
               benefit="social_assistance", municipality="haaren"),
        record("b2", resident, "IntakeHeld", "2019-02-04", goal="volunteer_work", happiness=4),
        record("b3", resident, "ActivityStarted", "2019-02-10", activity="language_course"),
    ]  # fmt: skip


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run_import(app: Participation, path: Path, batch_size: int = 100) -> ImportReport:
    return import_records(app, read_records(path), batch_size=batch_size)


@pytest.fixture
def memory_app(clock: Clock) -> Iterator[Participation]:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        yield app


def test_a_file_of_two_residents_is_imported_through_the_rules(
    memory_app: Participation, tmp_path: Path
) -> None:
    report = run_import(memory_app, write_jsonl(tmp_path / "old.jsonl", jansen() + de_vries()))
    assert report == ImportReport(residents=2, records=9, skipped=0, bad=())
    coach = Actor("coach-17", Role.COACH)
    rid = memory_app.find_resident(bsn="123456782", by=coach)
    assert rid is not None
    trajectory = memory_app.resident(rid)
    assert trajectory.outflow_reason is not None
    assert trajectory.outflow_reason.value == "work"
    assert memory_app.personal_data(rid, by=coach).name == "A. Jansen"


def test_importing_the_same_file_twice_adds_nothing(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", jansen() + de_vries())
    run_import(memory_app, path)
    events = memory_app.event_count()
    again = run_import(memory_app, path)
    assert again == ImportReport(residents=0, records=0, skipped=9, bad=())
    assert memory_app.event_count() == events


def test_a_longer_version_of_a_file_adds_only_the_new_records(
    memory_app: Participation, tmp_path: Path
) -> None:
    first = jansen()[:3] + de_vries()
    run_import(memory_app, write_jsonl(tmp_path / "first.jsonl", first))
    report = run_import(memory_app, write_jsonl(tmp_path / "all.jsonl", jansen() + de_vries()))
    assert report == ImportReport(residents=1, records=3, skipped=6, bad=())
    assert len(memory_app.resident_ids()) == 2
    (closed,) = [r for r in memory_app.resident_ids() if memory_app.resident(r).closed_on]
    assert memory_app.resident(closed).version == 6


def test_a_bad_record_keeps_its_whole_resident_out_and_names_its_line(
    memory_app: Participation, tmp_path: Path
) -> None:
    records = jansen()
    records[3] = record("a4", "case-1", "ConversationHeld", "2019-01-25", happiness=11)
    report = run_import(memory_app, write_jsonl(tmp_path / "old.jsonl", records + de_vries()))
    assert report.residents == 1
    assert report.records == 3
    assert report.kept_out == 1
    (bad,) = report.bad
    assert bad.line == 4
    assert bad.source_id == "a4"
    assert "happiness" in bad.problem
    # Nothing of the resident was saved, not even the records before the bad one.
    assert len(memory_app.resident_ids()) == 1
    assert memory_app.find_resident(bsn="123456782", by=Actor("c", Role.COACH)) is None


def test_a_rule_refusal_keeps_the_resident_out(memory_app: Participation, tmp_path: Path) -> None:
    records = jansen()
    records[5] = record("a6", "case-1", "TrajectoryClosed", "2019-03-02", reason="volunteer_work")
    report = run_import(memory_app, write_jsonl(tmp_path / "old.jsonl", records))
    (bad,) = report.bad
    assert (bad.line, bad.source_id) == (6, "a6")
    assert "volunteer" in bad.problem
    assert memory_app.event_count() == 0


def _json(**changes: Any) -> str:
    base = {"source_id": "x", "resident": "c", "event": "JobBrokerRequested", "on": "2019-01-08"}
    return json.dumps({**base, **COACH, **changes})


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json at all", "not JSON"),
        (_json(event="Wrestled"), "unknown event"),
        (_json(event="IntakeHeld", goal="work"), "needs happiness"),
        (_json(shoe_size=44), "no field shoe_size"),
        (_json(on="8-1-2019"), "YYYY-MM-DD"),
        (_json(resident="123456782"), "looks like a BSN"),
        (_json(actor_role="superuser"), "role"),
        (_json(event="ConversationHeld", happiness="veel"), "whole number"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_malformed_records_are_reported_with_their_line(
    memory_app: Participation, tmp_path: Path, line: str, problem: str
) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    report = run_import(memory_app, path)
    (bad,) = report.bad
    assert bad.line == 2
    assert problem in bad.problem
    assert memory_app.event_count() == 0


def test_a_source_id_twice_in_one_file_is_refused(
    memory_app: Participation, tmp_path: Path
) -> None:
    records = jansen() + de_vries()
    records[-1]["source_id"] = "a2"
    report = run_import(memory_app, write_jsonl(tmp_path / "old.jsonl", records))
    (bad,) = report.bad
    assert bad.line == 9
    assert "line 2 too" in bad.problem
    assert report.residents == 1


def test_a_resident_continued_further_down_the_file_is_one_resident(
    memory_app: Participation, tmp_path: Path
) -> None:
    first, rest = jansen()[:2], jansen()[2:]
    report = run_import(
        memory_app, write_jsonl(tmp_path / "old.jsonl", first + de_vries() + rest), batch_size=1
    )
    assert report.bad == ()
    assert len(memory_app.resident_ids()) == 2


def test_a_bsn_registered_twice_in_one_file_is_refused_the_second_time(
    memory_app: Participation, tmp_path: Path
) -> None:
    report = run_import(
        memory_app, write_jsonl(tmp_path / "old.jsonl", jansen() + jansen("case-9", prefix="z"))
    )
    (bad,) = report.bad
    assert bad.source_id == "z1"
    assert "BSN" in bad.problem
    assert report.residents == 1


def test_a_csv_file_imports_like_json_lines(memory_app: Participation, tmp_path: Path) -> None:
    records = jansen() + de_vries()
    columns = sorted({name for r in records for name in r})
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
    report = run_import(memory_app, path)
    assert report == ImportReport(residents=2, records=9, skipped=0, bad=())


def test_an_unknown_file_kind_is_invalid_input(memory_app: Participation, tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput, match="jsonl"):
        run_import(memory_app, path)


_DERIVED = {
    "policy_version",
    "coaching_year",
    "planned_end",
    "resident_id",
    "placement_version",
}


def records_from_history(app: Participation, rid: UUID, key: str) -> list[dict[str, Any]]:
    """What an earlier system would export for a resident: one record per event."""
    records = []
    started_by: dict[UUID, str] = {}
    for number, entry in enumerate(app.history(rid, by=AUDITOR), start=1):
        source_id = f"{key}-{number}"
        # Every field of the event, but those the rules derive (and the policy's version).
        fields = {k: v for k, v in entry.data.items() if k not in _DERIVED and v is not None}
        if entry.event == "JobCoachingStarted":
            started_by[entry.aggregate_id] = source_id
            del fields["hours_per_week"]  # the placement's, copied when coaching starts
            fields |= {"provider_recognised": True, "job_coach_hbo_degree": True}
        elif entry.aggregate == "JobCoachingTrajectory":
            fields["coaching"] = started_by[entry.aggregate_id]
        records.append(
            {
                "source_id": source_id,
                "resident": key,
                "event": entry.event,
                "on": entry.occurred_on.isoformat(),
                "actor_id": entry.actor.id,
                "actor_role": entry.actor.role.value,
                **fields,
            }
        )
    return records


def _replayed(app: Participation, rid: UUID) -> list[Any]:
    """A resident's history and state, without ids and recorded times."""
    ids = {"_id", "_created_on", "_modified_on", "_pending_events", "resident_id"}
    history = app.history(rid, by=AUDITOR)
    coachings = {e.aggregate_id for e in history if e.aggregate == "JobCoachingTrajectory"}
    states = [{k: v for k, v in vars(app.resident(rid)).items() if k not in ids}] + [
        {k: v for k, v in vars(app.job_coaching(cid)).items() if k not in ids} for cid in coachings
    ]
    entries = [
        (e.event, e.occurred_on, e.actor, e.aggregate, e.version, e.data)
        for e in history
        if e.event != "JobCoachingStarted"
    ]
    return [entries, sorted(states, key=repr)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=pst.command_sequences(valid_only=True, max_size=40))
def test_imported_residents_replay_identically_to_residents_built_with_commands(
    tmp_path: Path, commands: list[Any]
) -> None:
    with (
        Participation.open("memory://", secret=TEST_SECRET) as original,
        Participation.open("memory://", secret=TEST_SECRET) as imported,
    ):
        ids = run_commands(original, commands).ids
        keys = {rid: f"case-{n}" for n, rid in enumerate(ids.residents)}
        records = [r for rid, key in keys.items() for r in records_from_history(original, rid, key)]
        path = write_jsonl(tmp_path / "history.jsonl", records)
        report = run_import(imported, path, batch_size=2)
        assert report.bad == ()
        assert report.records == len(records)
        # Residents are registered in the order of the file.
        copies = imported.resident_ids()
        assert len(copies) == len(ids.residents)
        for rid, copy in zip(ids.residents, copies, strict=True):
            assert _replayed(imported, copy) == _replayed(original, rid)
