"""Bulk import: every record through the rules, whole residents or none, idempotent by source."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from participatie import Actor, InvalidInput, Participation, Role
from participatie.audit.processing import processing_log_id
from participatie.importing import ImportReport, import_records, read_records
from participatie.service import core_of
from participatie.testing import strategies as pst
from participatie.testing.commands import run_commands
from tests.actors import AUDITOR
from tests.support import READER, TEST_SECRET, Clock, events_but_processing_records

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
    trajectory = memory_app.resident(rid, by=READER)
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


def test_a_batch_asks_the_store_once_for_its_residents_and_once_for_its_sources(
    memory_app: Participation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(memory_app, write_jsonl(tmp_path / "first.jsonl", jansen()[:3]))
    recorder = core_of(memory_app).store.participation_recorder
    asked: list[str] = []
    for name in ("imported_resident", "imported_residents", "imported_sources"):
        original: Any = getattr(recorder, name)

        def counted(*args: Any, _name: str = name, _original: Any = original) -> Any:
            asked.append(_name)
            return _original(*args)

        monkeypatch.setattr(recorder, name, counted)
    report = run_import(memory_app, write_jsonl(tmp_path / "all.jsonl", jansen() + de_vries()))
    assert report == ImportReport(residents=2, records=6, skipped=3, bad=())
    assert asked == ["imported_residents", "imported_sources"]  # one batch, two residents


def test_a_longer_version_of_a_file_adds_only_the_new_records(
    memory_app: Participation, tmp_path: Path
) -> None:
    first = jansen()[:3] + de_vries()
    run_import(memory_app, write_jsonl(tmp_path / "first.jsonl", first))
    report = run_import(memory_app, write_jsonl(tmp_path / "all.jsonl", jansen() + de_vries()))
    assert report == ImportReport(residents=1, records=3, skipped=6, bad=())
    assert len(memory_app.resident_ids(by=READER)) == 2
    (closed,) = [
        r for r in memory_app.resident_ids(by=READER) if memory_app.resident(r, by=READER).closed_on
    ]
    assert memory_app.resident(closed, by=READER).version == 6


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
    assert len(memory_app.resident_ids(by=READER)) == 1
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
    assert len(memory_app.resident_ids(by=READER)) == 2


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
    states = [{k: v for k, v in vars(app.resident(rid, by=READER)).items() if k not in ids}] + [
        {k: v for k, v in vars(app.job_coaching(cid, by=READER)).items() if k not in ids}
        for cid in coachings
    ]
    entries = [
        (e.event, e.occurred_on, e.actor, e.aggregate, e.version, e.data)
        for e in history
        if e.event != "JobCoachingStarted"
    ]
    return [entries, sorted(states, key=repr)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
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
        copies = imported.resident_ids(by=READER)
        assert len(copies) == len(ids.residents)
        for rid, copy in zip(ids.residents, copies, strict=True):
            assert _replayed(imported, copy) == _replayed(original, rid)


# Files as Excel and other earlier systems write them (issues #17 and #18).


def write_csv(
    path: Path, records: list[dict[str, Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    """``records`` as CSV with a header; ``encoding="utf-8-sig"`` writes a byte-order mark."""
    columns = list(dict.fromkeys(name for r in records for name in r))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(records)
    return path


def test_a_csv_file_with_a_byte_order_mark_imports(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "excel.csv", jansen() + de_vries(), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert run_import(memory_app, path) == ImportReport(residents=2, records=9, skipped=0, bad=())


def test_a_json_lines_file_with_a_byte_order_mark_imports(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = tmp_path / "old.jsonl"
    text = "".join(json.dumps(r) + "\n" for r in jansen())
    path.write_text(text, encoding="utf-8-sig")
    assert run_import(memory_app, path) == ImportReport(residents=1, records=6, skipped=0, bad=())


def test_a_semicolon_separated_csv_file_with_a_byte_order_mark_imports(
    memory_app: Participation, tmp_path: Path
) -> None:
    # As Dutch Excel saves "CSV UTF-8 (gescheiden door lijstscheidingsteken)"; a value with a
    # comma in it shows the delimiter is not guessed per value.
    records = jansen() + de_vries()
    records[4]["employer"] = "Bakker, Van den Berg en Zn."
    path = write_csv(tmp_path / "excel.csv", records, delimiter=";", encoding="utf-8-sig")
    report = run_import(memory_app, path)
    assert report == ImportReport(residents=2, records=9, skipped=0, bad=())
    (rid,) = [
        r for r in memory_app.resident_ids(by=READER) if memory_app.resident(r, by=READER).closed_on
    ]
    placement = memory_app.resident(rid, by=READER).placement
    assert placement is not None
    assert placement.employer == "Bakker, Van den Berg en Zn."


def test_a_windows_1252_file_imports_when_its_encoding_is_given(
    memory_app: Participation, tmp_path: Path
) -> None:
    records = jansen()
    records[0]["name"] = "Zoë Çelik"
    path = write_csv(tmp_path / "ansi.csv", records, delimiter=";", encoding="cp1252")
    report = import_records(memory_app, read_records(path, encoding="cp1252"))
    assert report == ImportReport(residents=1, records=6, skipped=0, bad=())
    coach = Actor("coach-17", Role.COACH)
    rid = memory_app.find_resident(bsn="123456782", by=coach)
    assert rid is not None
    assert memory_app.personal_data(rid, by=coach).name == "Zoë Çelik"


@pytest.mark.parametrize("encoding", ["klingon", "utf-16", "rot13"])
def test_an_unknown_or_unusable_encoding_is_invalid_input_before_reading(
    tmp_path: Path, encoding: str
) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", jansen())
    with pytest.raises(InvalidInput, match="encoding"):
        read_records(path, encoding=encoding)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_utf_16_file_is_invalid_input_naming_what_to_save_it_as(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"unicode{suffix}"
    path.write_text(_csv_lines() if suffix == ".csv" else _json(), encoding="utf-16")
    with pytest.raises(InvalidInput, match=r"UTF-16.*CSV UTF-8"):
        list(read_records(path))


def test_a_missing_file_is_invalid_input_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no file"):
        read_records(tmp_path / "nothing.jsonl")


def test_a_utf_8_file_read_as_windows_1252_is_refused_for_its_byte_order_mark(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path / "excel.csv", jansen(), encoding="utf-8-sig")
    with pytest.raises(InvalidInput, match="byte-order mark"):
        list(read_records(path, encoding="cp1252"))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_line_that_is_not_utf_8_is_a_bad_record_and_the_rest_goes_on(
    memory_app: Participation, tmp_path: Path, suffix: str
) -> None:
    records = jansen() + de_vries()
    records[0]["name"] = "Zoë Jansen"
    path = tmp_path / f"mixed{suffix}"
    if suffix == ".csv":
        write_csv(path, records)
    else:
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
        path.write_text("".join(lines), encoding="utf-8")
    # The name on Jansen's first record in Latin-1 (one byte 0xEB), the rest in UTF-8.
    path.write_bytes(path.read_bytes().replace("ë".encode(), b"\xeb"))
    report = run_import(memory_app, path)
    (bad,) = report.bad
    assert bad.line == (2 if suffix == ".csv" else 1)
    assert "0xEB" in bad.problem
    assert "utf-8" in bad.problem
    # The line's resident is kept out whole (its key could still be read); the rest is imported.
    assert bad.resident == "case-1"
    assert (report.residents, report.records, report.kept_out) == (1, 3, 1)


def test_an_undefined_windows_1252_byte_is_a_bad_record(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "ansi.csv", jansen() + de_vries(), encoding="cp1252")
    lines = path.read_bytes().split(b"\n")
    lines[7] = lines[7].replace(b"haaren", b"haar\x81en")  # 0x81 means nothing in cp1252
    path.write_bytes(b"\n".join(lines))
    report = import_records(memory_app, read_records(path, encoding="cp1252"))
    (bad,) = report.bad
    assert (bad.line, bad.resident) == (8, "case-2")
    assert "0x81" in bad.problem
    assert report.residents == 1


def _csv_lines(*lines: str) -> str:
    header = "source_id,resident,event,on,actor_id,actor_role"
    return "\r\n".join([header, *lines]) + "\r\n"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("x,c,JobBrokerRequested,2019-01-08,coach-17,coach,extra", "7 values"),
        ("x,c,JobBrokerRequested,2019-01-08,coach-17", "5 values"),
        ("x,c,JobBrokerRequested,2019-01-08,coach-17,coach\rx", "not CSV"),
    ],
)
def test_a_csv_row_of_the_wrong_width_is_a_bad_record(
    memory_app: Participation, tmp_path: Path, row: str, problem: str
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(_csv_lines(row, "y,d,JobBrokerRequested,2019-01-08,coach-17,coach"))
    report = run_import(memory_app, path)
    bad = report.bad[0]
    assert bad.line == 2
    assert problem in bad.problem
    # The next row was read as usual (and refused by the rules: d was never registered).
    assert report.bad[1].line == 3
    assert "no Registered record" in report.bad[1].problem


def test_a_csv_row_with_a_quote_left_open_names_the_lines_it_ran_over(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(_csv_lines('x,c,JobBrokerRequested,"2019-01-08,coach-17,coach', "y,d"))
    (bad,) = run_import(memory_app, path).bad
    assert bad.line == 2
    assert "lines 2 to 3" in bad.problem
    assert "quote" in bad.problem


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("source_id,resident,event,on,actor_id", "actor_role"),
        ("source_id;resident;event;on;actor_id;actor_role;on", "on twice"),
    ],
)
def test_a_csv_header_without_the_common_columns_is_invalid_input(
    tmp_path: Path, header: str, problem: str
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(header + "\nx,c,JobBrokerRequested,2019-01-08,coach-17,coach\n")
    with pytest.raises(InvalidInput, match=problem):
        list(read_records(path))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('"a text"', "JSON object"),
        ("12", "JSON object"),
        ("1" * 5000, "not JSON"),
        (_json(actor_municipality=["haaren"]), "actor_municipality"),
        (_json(happiness={"a": 1}), "happiness"),
        (_json(on=float("nan")), "not JSON"),
    ],
)
def test_unreadable_json_lines_are_bad_records_and_the_rest_goes_on(
    memory_app: Participation, tmp_path: Path, line: str, problem: str
) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", jansen())
    path.write_text(line + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    report = run_import(memory_app, path)
    (bad,) = report.bad
    assert bad.line == 1
    assert problem in bad.problem
    assert report.records == 6


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("old.jsonl", b""),
        ("old.jsonl", b"\xef\xbb\xbf\r\n\n"),
        ("old.csv", b""),
        ("old.csv", b"\xef\xbb\xbfsource_id;resident;event;on;actor_id;actor_role\r\n"),
    ],
)
def test_an_empty_file_is_reported_as_holding_no_records(
    memory_app: Participation, tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = run_import(memory_app, path)
    assert report.empty
    assert memory_app.event_count() == 0


def test_a_report_of_an_import_that_did_something_is_not_empty(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", jansen())
    assert not run_import(memory_app, path).empty
    assert not run_import(memory_app, path).empty  # skipped records count as records


# A resident is whole or nothing across the file (issue #17).


def test_a_bad_record_further_down_the_file_keeps_the_earlier_run_of_its_resident_out(
    memory_app: Participation, tmp_path: Path
) -> None:
    first, rest = jansen()[:2], jansen()[2:]
    rest[0]["happiness"] = 11
    path = write_jsonl(tmp_path / "old.jsonl", first + de_vries() + rest)
    report = run_import(memory_app, path, batch_size=1)
    (bad,) = report.bad
    assert (bad.line, bad.source_id, bad.resident) == (6, "a3", "case-1")
    assert (report.residents, report.records, report.kept_out) == (1, 3, 1)
    # Not even the registration of line 1 was stored.
    assert memory_app.find_resident(bsn="123456782", by=Actor("c", Role.COACH)) is None
    assert events_but_processing_records(memory_app) == 3


def test_a_bad_record_further_down_the_file_keeps_out_a_resident_continued_from_an_earlier_file(
    memory_app: Participation, tmp_path: Path
) -> None:
    run_import(memory_app, write_jsonl(tmp_path / "first.jsonl", jansen()[:2]))
    events = events_but_processing_records(memory_app)
    later = jansen()[2:4] + de_vries() + jansen()[4:]
    later[-1]["reason"] = "volunteer_work"  # refused: placed in paid work
    report = run_import(memory_app, write_jsonl(tmp_path / "later.jsonl", later), batch_size=1)
    (bad,) = report.bad
    assert bad.source_id == "a6"
    assert (report.residents, report.records, report.kept_out) == (1, 3, 1)
    assert events_but_processing_records(memory_app) == events + 3


def test_a_resident_continued_in_a_later_file_goes_on_where_it_stopped(
    memory_app: Participation, tmp_path: Path
) -> None:
    run_import(memory_app, write_jsonl(tmp_path / "first.jsonl", jansen()[:2] + de_vries()))
    later = jansen()[2:]
    report = run_import(memory_app, write_jsonl(tmp_path / "later.jsonl", later))
    assert report == ImportReport(residents=1, records=4, skipped=0, bad=())
    assert len(memory_app.resident_ids(by=READER)) == 2
    (closed,) = [
        r for r in memory_app.resident_ids(by=READER) if memory_app.resident(r, by=READER).closed_on
    ]
    assert memory_app.resident(closed, by=READER).version == 6


def test_a_source_id_repeated_by_another_resident_earlier_refuses_the_later_line(
    memory_app: Participation, tmp_path: Path
) -> None:
    # case-1's records run before and after case-2's; its later record repeats b2's source id.
    first, rest = jansen()[:2], jansen()[2:]
    rest[-1]["source_id"] = "b2"
    report = run_import(memory_app, write_jsonl(tmp_path / "old.jsonl", first + de_vries() + rest))
    (bad,) = report.bad
    assert (bad.line, bad.resident) == (9, "case-1")
    assert "line 4 too" in bad.problem
    assert report.residents == 1


_NAMES = sorted(
    {"source_id", "resident", "event", "on", "actor_id", "actor_role", "actor_municipality",
     "referral", "benefit", "municipality", "bsn", "name", "goal", "happiness", "hours",
     "hours_per_week", "employer", "kind", "trial", "percent", "needs_job_coaching", "coaching",
     "provider", "provider_recognised", "job_coach_id", "job_coach_hbo_degree", "reason"}
)  # fmt: skip
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["Registered", "IntakeHeld", "Placed", "JobCoachingStarted", "c1", "coach",
                       "2019-01-08", "walk_in", "none", "haaren", "work", "5", "yes"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)  # fmt: skip


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(objects=st.lists(st.dictionaries(st.sampled_from(_NAMES), _VALUES), max_size=6))
def test_no_json_object_on_a_line_aborts_an_import(
    tmp_path: Path, objects: list[dict[str, Any]]
) -> None:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    with Participation.open("memory://", secret=TEST_SECRET) as app:
        report = run_import(app, path)
    assert report.records + len(report.bad) <= len(objects)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_no_bytes_abort_an_import_with_anything_but_invalid_input(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    assume(not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
    path = tmp_path / f"fuzz{suffix}"
    header = b"source_id;resident;event;on;actor_id;actor_role\n" if suffix == ".csv" else b""
    path.write_bytes(header + content)
    with Participation.open("memory://", secret=TEST_SECRET) as app:
        run_import(app, path)  # returns a report, whatever the bytes


def coached_records(reason: str) -> list[dict[str, Any]]:
    """A resident placed, assessed and coached, whose coaching is extended for ``reason``."""
    coordinator = {"actor_id": "coordinator-1", "actor_role": "coordinator"}
    return [
        record("c1", "case-3", "Registered", "2020-01-06", referral="municipality",
               benefit="social_assistance", municipality="noordoostpolder"),
        record("c2", "case-3", "IntakeHeld", "2020-01-06", goal="work", happiness=5),
        record("c3", "case-3", "Placed", "2020-03-02", employer="Visverwerking Urk",
               kind="paid_work", hours_per_week=20, contract_months=12),
        record("c4", "case-3", "WageValueAssessed", "2020-03-09", percent=55,
               needs_job_coaching=True, actor_id="assessor-1", actor_role="wage_value_assessor"),
        record("c5", "case-3", "JobCoachingStarted", "2020-03-16", provider="Werkcorporatie",
               provider_recognised=True, job_coach_id="jc-3", job_coach_hbo_degree=True,
               **coordinator),
        record("c6", "case-3", "TrajectoryExtended", "2021-09-01", reason=reason, coaching="c5",
               **coordinator),
    ]  # fmt: skip


def test_an_imported_extension_takes_the_value_of_an_extension_reason(
    memory_app: Participation, tmp_path: Path
) -> None:
    report = run_import(memory_app, write_jsonl(tmp_path / "x.jsonl", coached_records("absence")))
    assert report.bad == ()
    (rid,) = memory_app.resident_ids(by=READER)
    (entry,) = [e for e in memory_app.history(rid, by=AUDITOR) if e.event == "TrajectoryExtended"]
    assert entry.data["reason"] == "absence"


def test_an_imported_extension_with_a_free_text_reason_is_a_bad_record(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", coached_records("employer needs more time"))
    report = run_import(memory_app, path)
    (bad,) = report.bad
    assert bad.line == 6
    assert "more_time_to_independence" in bad.problem
    assert memory_app.resident_ids(by=READER) == []


def test_an_imported_residents_records_are_saved_with_its_batch_and_read_back_one_each(
    memory_app: Participation, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "two.jsonl", jansen() + de_vries())
    with memory_app.trace(processor="zaaksysteem-haaren"):
        report = run_import(memory_app, path)
    assert report.records == 9
    for key, names in (
        ("case-1", ["register", "hold_intake", "record_conversation", "request_job_broker",
                    "place", "close_trajectory"]),
        ("case-2", ["register", "hold_intake", "start_activity"]),
    ):  # fmt: skip
        rid = core_of(memory_app).store.participation_recorder.imported_resident(key)
        assert rid is not None
        records = memory_app.processing_log(rid, by=AUDITOR)
        assert [r.name for r in records] == names
        assert {(r.data_subject_id, r.foreign_operation_processor) for r in records} == {
            (str(rid), "zaaksysteem-haaren")
        }
        assert len({r.span_id for r in records}) == len(records)
        assert all(r.start_time <= r.end_time for r in records)
        assert memory_app.events(processing_log_id(rid)) == []  # not events
        ledger = core_of(memory_app).store.participation_recorder.ledger_of([rid])
        # All in the ledger row of the resident's last event of the batch, in their order.
        assert [row.records is not None for row in ledger] == [False] * (len(ledger) - 1) + [True]
        later = memory_app.processing_log(rid, by=AUDITOR, since=records[-1].start_time)
        assert later[-1] == records[-1]
    every = memory_app.processing_log(by=AUDITOR)
    assert len(every) == 9
    assert memory_app.verify().ok
