"""The ``participatie`` command, run in a subprocess as a user would."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from participatie import Actor, Participation, Role, TrajectoryStatus
from tests.support import READER, TEST_SECRET, register


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "120", **(env or {})}
    full_env.pop("PARTICIPATIE_STORE", None)
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "participatie", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "demo" in result.stdout


def test_demo_records_haaren_into_the_embedded_default(tmp_path: Path) -> None:
    result = run("demo", cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""})
    assert result.returncode == 0, result.stderr
    # In Dutch, as the municipality reports (--lang en for English).
    assert "50 van streefwaarde 30 (167%)" in result.stdout
    for label, value in [
        ("Nog in begeleiding", "20"),
        ("Uitstroom naar werk", "23/50 (46%)"),
        ("Uitstroom naar vrijwilligerswerk", "5/50 (10%)"),
        ("Uitstroom door verhuizing", "2/50 (4%)"),
        ("waarvan in taalles", "6"),
    ]:
        line = next(line for line in result.stdout.splitlines() if label in line)
        assert line.rstrip(" │").endswith(value), line
    assert (tmp_path / "participatie.db").exists()
    assert "keep it safe" in result.stderr  # the generated secret is announced once
    for label, value in [
        ("Behoefte aan jobcoaching bij loonwaardebepaling", "12/24 (50%)"),
        ("Jobcoachtrajecten", "12"),
        ("met een jaar verlengd", "2"),
    ]:
        line = next(line for line in result.stdout.splitlines() if label in line)
        assert line.rstrip(" │").endswith(value), line
    with Participation.open(f"sqlite:///{tmp_path}/participatie.db") as app:
        haaren = [app.resident(rid, by=READER) for rid in app.resident_ids(by=READER)]
        haaren = [t for t in haaren if t.municipality == "haaren"]
    assert [t.status for t in haaren].count(TrajectoryStatus.CLOSED) == 30


def test_demo_twice_refuses_to_double_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.db"
    assert run("demo", "--store", url, cwd=tmp_path).returncode == 0
    again = run("demo", "--store", url, cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1
    assert "already holds 74 residents" in again.stderr
    assert "--fresh" in again.stderr
    assert "Traceback" not in again.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 74
    fresh = run("demo", "--store", url, "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 74


@pytest.mark.postgres
def test_demo_on_postgresql(tmp_path: Path, postgres_schema_url: str) -> None:
    result = run(
        "demo",
        "--store",
        postgres_schema_url,
        cwd=tmp_path,
        env={"PARTICIPATIE_SECRET": TEST_SECRET},
    )
    assert result.returncode == 0, result.stderr
    assert "23/50 (46%)" in result.stdout


def test_postgresql_without_secret_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = run(
        "demo",
        "--store",
        "postgresql://me:pw-not-shown@127.0.0.1:1/x",
        cwd=tmp_path,
        env={"PARTICIPATIE_SECRET": ""},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("participatie: error: a deployment secret is required")
    assert result.stderr.count("\n") == 1
    assert "pw-not-shown" not in result.stderr


def test_bad_store_url_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = run("demo", "--store", "mysql://x", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "participatie: error: unsupported store URL 'mysql://x': use memory://, "
        "sqlite:///file.db or postgresql://user:password@host:port/dbname\n"
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run("--debug", "demo", "--store", "mysql://x", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "ConfigurationError" in result.stderr


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run("nope", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_fresh_refuses_a_postgresql_store(tmp_path: Path) -> None:
    result = run("demo", "--fresh", "--store", "postgresql://me@db/x", cwd=tmp_path)
    assert result.returncode == 2
    assert "--fresh only replaces a SQLite file store" in result.stderr


_DEMO_TEMPLATE: list[Path] = []


def demo_store(tmp_path: Path) -> tuple[str, str]:
    """A store holding the demo, and one of its Haaren residents' ids.

    The demo is recorded once per test run (by the command) and copied for each test.
    """
    if not _DEMO_TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="participatie-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        assert run("demo", "--store", f"sqlite:///{folder}/demo.db", cwd=folder).returncode == 0
        _DEMO_TEMPLATE.append(folder)
    for name in ("demo.db", "demo.db.secret"):
        shutil.copy(_DEMO_TEMPLATE[0] / name, tmp_path / name)
    url = f"sqlite:///{tmp_path}/demo.db"
    with Participation.open(url) as app:
        return url, str(app.resident_ids(by=READER)[0])


def test_history_prints_a_timeline_and_json(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    table = run("history", rid, "--store", url, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "Registered" in table.stdout
    as_json = run("history", rid, "--store", url, "--json", cwd=tmp_path)
    entries = json.loads(as_json.stdout)
    assert entries[0]["event"] == "Registered"
    assert entries[0]["aggregate_id"] == rid
    first_day = entries[0]["occurred_on"]
    early = json.loads(
        run("history", rid, "--store", url, "--json", "--as-of", first_day, cwd=tmp_path).stdout
    )
    assert 1 <= len(early) < len(entries)
    assert all(e["occurred_on"] <= first_day for e in early)


def test_history_of_an_unknown_resident_exits_1(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    result = run("history", str(uuid4()), "--store", url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("participatie: error: no resident with id")


def test_export_verifies_and_a_changed_export_does_not(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    out = tmp_path / "file.json"
    assert run("export", rid, "--out", str(out), "--store", url, cwd=tmp_path).returncode == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["manifest"]["resident_id"] == rid
    assert run("verify", "--store", url, "--export", str(out), cwd=tmp_path).returncode == 0
    document["history"][0]["occurred_on"] = "2018-01-01"
    out.write_text(json.dumps(document), encoding="utf-8")
    changed = run("verify", "--store", url, "--export", str(out), cwd=tmp_path)
    assert changed.returncode == 1
    assert "changed after export" in changed.stderr


def test_verify_reports_tampering_with_exit_code_1(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    assert run("verify", "--store", url, cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "demo.db") as db:
        db.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 2",
            (UUID(rid).hex,),
        )
    result = run("verify", "--store", url, cwd=tmp_path)
    assert result.returncode == 1
    assert f"stream {rid}: version 2 is missing" in result.stderr


def test_stats_prints_the_haaren_figures_as_json_and_csv(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    period = ("--from", "2019-01-01", "--to", "2019-12-31", "--municipality", "haaren")
    as_json = run(
        "stats", "--store", url, *period, "--target", "30", "--format", "json", cwd=tmp_path
    )
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["reach"] == 50
    assert report["outflow"]["work"] == {"numerator": 23, "denominator": 50, "percent": 46.0}
    assert report["outflow"]["moved_away"]["numerator"] == 2
    suppressed = json.loads(
        run(
            "stats",
            "--store",
            url,
            *period,
            "--format",
            "json",
            "--suppress-small-cells",
            cwd=tmp_path,
        ).stdout
    )
    assert suppressed["outflow"]["moved_away"]["numerator"] is None
    assert suppressed["outflow"]["work"]["numerator"] == 23
    as_csv = run("stats", "--store", url, *period, "--format", "csv", cwd=tmp_path)
    assert "outflow.work.numerator,23" in as_csv.stdout.splitlines()


def test_rebuild_gives_the_same_figures(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    period = ("--from", "2019-01-01", "--to", "2019-12-31", "--format", "json")
    before = run("stats", "--store", url, *period, cwd=tmp_path).stdout
    rebuilt = run("rebuild", "--store", url, cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    # The demo's 1,355 events (its processing records are rows of their own, not events).
    assert "from 1355 events" in rebuilt.stdout
    assert run("stats", "--store", url, *period, cwd=tmp_path).stdout == before


def test_stats_with_an_unknown_format_exits_1(tmp_path: Path) -> None:
    result = run("stats", "--store", "memory://", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 1
    assert "--format is table, json or csv" in result.stderr


@pytest.mark.parametrize("command", [("stats",), ("report", "--html", "report.html")])
def test_a_language_without_a_catalogue_exits_1_and_writes_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run(*command, "--store", "memory://", "--lang", "de", cwd=tmp_path)
    assert result.returncode == 1
    assert "the language is one of nl, en, not 'de'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_access_log_shows_who_read_the_history_and_why(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    read = run(
        "history",
        rid,
        "--store",
        url,
        "--actor",
        "auditor-7",
        "--purpose",
        "objection 2019-17",
        "--json",
        cwd=tmp_path,
    )
    assert read.returncode == 0, read.stderr
    log = run("access-log", rid, "--store", url, cwd=tmp_path)
    assert log.returncode == 0, log.stderr
    assert "auditor-7 (auditor)" in log.stdout
    assert "objection 2019-17" in log.stdout


def test_purge_due_lists_nothing_for_the_fresh_demo(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    result = run("purge", "--due", "--store", url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Haaren's 2019 files with a benefit are kept until 2029; walk-ins without one are due.
    with Participation.open(url) as app:
        due = set(result.stdout.split())
        for rid in app.resident_ids(by=READER):
            trajectory = app.resident(rid, by=READER)
            if str(rid) in due:
                assert trajectory.benefit.value == "none"
    assert "files are due for erasure" in result.stderr


def test_rotate_keys_moves_the_demo_to_a_new_secret(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    old = (tmp_path / "demo.db.secret").read_text(encoding="utf-8").strip()
    new = "a new deployment secret for the Haaren store, 40+ characters"
    without_old = run("rotate-keys", "--store", url, cwd=tmp_path, env={"PARTICIPATIE_SECRET": new})
    assert without_old.returncode == 2
    assert "previous secrets" in without_old.stderr
    both = {"PARTICIPATIE_SECRET": new, "PARTICIPATIE_PREVIOUS_SECRET": old}
    rotated = run("rotate-keys", "--store", url, cwd=tmp_path, env=both)
    assert rotated.returncode == 0, rotated.stderr
    coach = Actor("coach-1", Role.COACH)
    with Participation.open(url, secret=new) as app:
        # Every demo resident has a name in the vault.
        residents = len(app.resident_ids(by=READER))
        assert f"Re-wrapped the keys of {residents} residents" in rotated.stdout
        assert app.personal_data(UUID(rid), by=coach).name


def test_import_reports_bad_lines_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/import.db"
    path = tmp_path / "old.jsonl"
    coach = {"actor_id": "coach-17", "actor_role": "coach"}
    registered = {"referral": "walk_in", "benefit": "none", "municipality": "haaren"}
    records: list[dict[str, Any]] = [
        {"source_id": "k1", "resident": "c1", "event": "Registered", "on": "2019-01-08"},
        {"source_id": "k2", "resident": "c1", "event": "IntakeHeld", "on": "2019-01-08",
         "goal": "work", "happiness": 5},
        {"source_id": "k3", "resident": "c2", "event": "Registered", "on": "2019-01-08"},
        {"source_id": "k4", "resident": "c2", "event": "IntakeHeld", "on": "2019-01-08",
         "goal": "work", "happiness": 12},
    ]  # fmt: skip
    lines = [{**r, **coach, **(registered if r["event"] == "Registered" else {})} for r in records]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    first = run("import", str(path), "--store", url, cwd=tmp_path)
    assert first.returncode == 1
    assert "Imported 2 records of 1 resident;" in first.stdout
    assert "line 4 (k4): happiness" in first.stderr
    assert "1 bad record, which kept 1 resident out" in first.stdout
    second = run("import", str(path), "--store", url, cwd=tmp_path)
    assert "Imported 0 records of 0 residents; 2 records were imported before" in second.stdout
    missing = run("import", str(tmp_path / "nothing.jsonl"), "--store", url, cwd=tmp_path)
    assert missing.returncode == 2
    assert "no file" in missing.stderr


def _import_lines() -> list[dict[str, Any]]:
    coach = {"actor_id": "coach-17", "actor_role": "coach"}
    return [
        {"source_id": "k1", "resident": "c1", "event": "Registered", "on": "2019-01-08",
         "referral": "walk_in", "benefit": "none", "municipality": "haaren", "name": "Zoë",
         **coach},
        {"source_id": "k2", "resident": "c1", "event": "IntakeHeld", "on": "2019-01-08",
         "goal": "work", "happiness": 5, **coach},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "options", "problem"),
    [
        ("old.xlsx", [], "an import file is .jsonl (JSON Lines) or .csv"),
        ("nothing.csv", [], "no file"),
        ("old.csv", ["--batch-size", "0"], "--batch-size must be at least 1, not 0"),
        ("old.csv", ["--encoding", "klingon"], "unknown encoding 'klingon'"),
        ("old.csv", ["--encoding", "utf-16"], "cannot be read line by line"),
        ("empty.csv", [], "holds no records"),
        ("header.csv", [], "holds no records"),
        ("semicolons.csv", [], "the CSV header names no"),
    ],
)
def test_import_refuses_an_unusable_file_or_option_in_one_line_before_it_starts(
    tmp_path: Path, name: str, options: list[str], problem: str
) -> None:
    url = f"sqlite:///{tmp_path}/import.db"
    (tmp_path / "old.xlsx").write_bytes(b"PK")
    (tmp_path / "old.csv").write_text("source_id,resident,event,on,actor_id,actor_role\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_bytes(
        b"\xef\xbb\xbfsource_id;resident;event;on;actor_id;actor_role\r\n"
    )
    (tmp_path / "semicolons.csv").write_text("source_id;resident;event;on;actor;role\n")
    result = run("import", str(tmp_path / name), *options, "--store", url, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("participatie: error: ")
    assert problem in line
    # Nothing started: no progress bar, not even the store.
    assert result.stdout == ""
    assert not (tmp_path / "import.db").exists()


def test_import_reads_a_semicolon_csv_in_windows_1252_when_told_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/import.db"
    records = _import_lines()
    columns = list(dict.fromkeys(name for r in records for name in r))
    lines = [";".join(columns)] + [";".join(str(r.get(c, "")) for c in columns) for r in records]
    path = tmp_path / "ansi.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    secret = {"PARTICIPATIE_SECRET": TEST_SECRET}
    as_utf8 = run("import", str(path), "--store", url, cwd=tmp_path, env=secret)
    assert as_utf8.returncode == 1
    assert "line 2 (k1): cannot be read as utf-8: byte 0xEB" in as_utf8.stderr
    assert "kept 1 resident out" in as_utf8.stdout
    result = run(
        "import", str(path), "--encoding", "cp1252", "--store", url, cwd=tmp_path, env=secret
    )
    assert result.returncode == 0, result.stderr
    assert "Imported 2 records of 1 resident;" in result.stdout
    coach = Actor("coach-17", Role.COACH)
    with Participation.open(url, secret=TEST_SECRET) as app:
        (rid,) = app.resident_ids(by=READER)
        assert app.personal_data(rid, by=coach).name == "Zoë"


def test_report_writes_an_html_page_with_charts(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    page = tmp_path / "haaren.html"
    result = run(
        "report", "--html", str(page), "--store", url, "--from", "2019-01-01", "--to",
        "2019-12-31", "--municipality", "haaren", "--target", "30", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 5
    assert "23/50 (46%)" in text
    assert text.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "Uitstroom naar werk" in text


def test_stats_shows_the_period_counted_the_same_in_the_table_and_in_json(
    tmp_path: Path,
) -> None:
    url, _ = demo_store(tmp_path)
    asked = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2019-06-30")
    table = run("stats", "--store", url, "--municipality", "haaren", *asked, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "haaren, 1 januari 2019 t/m 30 juni 2019" in table.stdout
    assert "december" not in table.stdout
    english = run(
        "stats", "--store", url, "--municipality", "haaren", *asked, "--lang", "en", cwd=tmp_path
    )
    assert "haaren, 2019-01-01 to 2019-06-30" in english.stdout
    assert "2019-12-31" not in english.stdout
    assert "still coached at the end" in english.stdout
    assert "Nog in begeleiding" not in english.stdout
    as_json = run("stats", "--store", url, "--format", "json", *asked, cwd=tmp_path)
    assert json.loads(as_json.stdout)["period"] == ["2019-01-01", "2019-06-30"]


def test_keygen_checkpoint_and_verify_against_it(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    made = run("keygen", str(tmp_path / "signing.key"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    public_key = next(line for line in made.stdout.splitlines() if line.startswith("ed25519:"))
    assert oct((tmp_path / "signing.key").stat().st_mode & 0o777) == "0o600"
    again = run("keygen", str(tmp_path / "signing.key"), cwd=tmp_path)
    assert again.returncode == 2
    assert "never overwritten" in again.stderr
    taken = run(
        "checkpoint", "--store", url, "--out", str(tmp_path / "cp.json"), cwd=tmp_path,
        env={"PARTICIPATIE_SIGNING_KEY": str(tmp_path / "signing.key")},
    )  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    checked = ("verify", "--store", url, "--checkpoint", str(tmp_path / "cp.json"))
    unkeyed = run(*checked, cwd=tmp_path)
    assert unkeyed.returncode == 1
    assert "--public-key" in unkeyed.stderr
    ok = run(*checked, "--public-key", public_key, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "checkpoint" in ok.stdout
    with sqlite3.connect(tmp_path / "demo.db") as db:
        db.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 2",
            (UUID(rid).hex,),
        )
    tampered = run(*checked, "--public-key", public_key, cwd=tmp_path)
    assert tampered.returncode == 1
    assert f"stream {rid}: version 2 is missing" in tampered.stderr


# Read-only commands never make a store.

RESIDENT = "2b0c6a38-2d6c-4f5e-9d4e-6f1b3c1d2e3f"
READ_ONLY_COMMANDS = [
    ("verify",),
    ("stats",),
    ("report", "--html", "report.html"),
    ("history", RESIDENT),
    ("export", RESIDENT, "--out", "file.json"),
    ("access-log", RESIDENT),
    ("purge", "--due"),
    ("rebuild",),
    ("project",),
    ("find", "--bsn", "123456782", "--purpose", "resident at the desk"),
    ("erase", RESIDENT, "--reason", "residents_request", "--yes"),
]


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_a_read_only_command_on_a_missing_store_exits_2_and_makes_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run(*command, cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""})
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("participatie: error: no store at sqlite:///participatie.db")
    assert list(tmp_path.iterdir()) == []  # no store, no .secret, no output file


def test_stats_on_a_missing_folder_makes_no_folder(tmp_path: Path) -> None:
    result = run("stats", "--store", "sqlite:///nonexistent_dir/x.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "no store at sqlite:///nonexistent_dir/x.db" in result.stderr
    assert not (tmp_path / "nonexistent_dir").exists()


@pytest.mark.postgres
def test_a_read_only_command_on_a_postgresql_schema_without_a_store_exits_2(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    with_password = postgres_schema_url.replace("://postgres@", "://postgres:pw-not-shown@")
    result = run(
        "stats", "--store", with_password, cwd=tmp_path, env={"PARTICIPATIE_SECRET": TEST_SECRET}
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("participatie: error: no store at postgresql://postgres:***@")
    assert "pw-not-shown" not in result.stderr


@pytest.mark.postgres
def test_a_postgresql_server_that_cannot_be_used_says_why_on_the_command_line(
    tmp_path: Path, postgres_url: str
) -> None:
    missing_database = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    missing_database = missing_database.replace("://postgres@", "://postgres:pw-not-shown@")
    result = run(
        "verify",
        "--store",
        missing_database,
        "--debug",
        cwd=tmp_path,
        env={"PARTICIPATIE_SECRET": TEST_SECRET},
    )
    assert "the database 'no_such_database' does not exist" in result.stderr
    assert "pw-not-shown" not in result.stderr
    plain = run(
        "verify",
        "--store",
        missing_database,
        cwd=tmp_path,
        env={"PARTICIPATIE_SECRET": TEST_SECRET},
    )
    assert plain.returncode == 2
    assert plain.stderr.count("\n") == 1
    assert "CREATE DATABASE no_such_database" in plain.stderr


# demo --fresh deletes only the demo.


def add_a_resident(url: str) -> None:

    with Participation.open(url) as app:
        register(app, on=date(2020, 3, 2))


def test_fresh_deletes_a_store_that_holds_only_the_demo_without_asking(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    # Reading a demo resident adds an access log, not data.
    assert run("history", rid, "--store", url, "--json", cwd=tmp_path).returncode == 0
    fresh = run("demo", "--store", url, "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert "deleted" in fresh.stdout
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 74
        assert rid not in {str(r) for r in app.resident_ids(by=READER)}


def test_fresh_refuses_a_store_with_more_than_the_demo_without_a_confirmation(
    tmp_path: Path,
) -> None:
    url, _ = demo_store(tmp_path)
    add_a_resident(url)
    before = (tmp_path / "demo.db").read_bytes()
    refused = run("demo", "--store", url, "--fresh", cwd=tmp_path)
    assert refused.returncode == 2
    assert "holds other residents than the demo's (75 in all)" in refused.stderr
    assert "--yes" in refused.stderr
    assert (tmp_path / "demo.db").read_bytes() == before
    confirmed = run("demo", "--store", url, "--fresh", "--yes", cwd=tmp_path)
    assert confirmed.returncode == 0, confirmed.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 74


def test_fresh_refuses_a_store_of_other_data_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/real.db"
    add_a_resident(url)
    refused = run("demo", "--store", url, "--fresh", cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""})
    assert refused.returncode == 2
    assert "holds other residents than the demo's (1 in all)" in refused.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 1


# verify --export compares every event.


def test_verify_export_names_an_event_changed_in_the_store(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    out = tmp_path / "file.json"
    assert run("export", rid, "--out", str(out), "--store", url, cwd=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "demo.db") as db:
        (state,) = db.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = 2",
            (UUID(rid).hex,),
        ).fetchone()
        changed = state[:32] + state[32:].replace(b'"happiness":', b'"happiness":1')
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = 2",
            (changed, UUID(rid).hex),
        )
    result = run("verify", "--store", url, "--export", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert f"stream {rid}: version 2 in the store was changed since export" in result.stderr


def test_verify_export_reports_a_malformed_manifest_as_a_problem(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    out = tmp_path / "file.json"
    assert run("export", rid, "--out", str(out), "--store", url, cwd=tmp_path).returncode == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    document["manifest"]["counts"] = [1, 2]
    out.write_text(json.dumps(document), encoding="utf-8")
    result = run("verify", "--store", url, "--export", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert "the number of events in the file differs from its manifest" in result.stderr
    assert "unexpected" not in result.stderr
    out.write_text("{not json", encoding="utf-8")
    not_json = run("verify", "--store", url, "--export", str(out), cwd=tmp_path)
    assert not_json.returncode == 1
    assert not_json.stderr.startswith(f"participatie: error: cannot read {out} as JSON")


def test_verify_reports_a_state_of_another_type_as_tampering(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    with sqlite3.connect(tmp_path / "demo.db") as db:
        db.execute("UPDATE stored_events SET state = 123")
    result = run("verify", "--store", url, cwd=tmp_path)
    assert result.returncode == 1
    assert "unexpected" not in result.stderr
    assert f"stream {rid}: the record of version 1 was changed: its state has" in result.stderr


# Finding and erasing residents.


def test_find_prints_the_resident_of_a_bsn_and_logs_the_lookup(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app, bsn="123456782")
    found = run(
        "find", "--bsn", "123456782", "--purpose", "resident at the desk", "--actor", "coach-3",
        "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"{rid}\n"
    with Participation.open(url) as app:
        (entry,) = app.access_log(rid, by=Actor("auditor-1", Role.AUDITOR))
    assert (entry.actor.id, entry.kind.value, entry.purpose) == (
        "coach-3",
        "bsn_lookup",
        "resident at the desk",
    )
    missing = run("find", "--bsn", "111222333", "--purpose", "x", "--store", url, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == "participatie: no resident with that BSN\n"
    assert "111222333" not in missing.stderr


def test_erase_erases_a_walk_in_and_refuses_a_file_under_retention(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        walk_in = register(app, bsn="123456782", name="A. Jansen")
        kept = register(app, benefit="social_assistance", bsn="111222333")
        position = app.event_count()
    unasked = run("erase", str(walk_in), "--reason", "residents_request", "--store", url,
                  cwd=tmp_path)  # fmt: skip
    assert unasked.returncode == 2
    assert "were not erased; add --yes" in unasked.stderr
    with Participation.open(url) as app:
        assert app.event_count() == position
    erased = run("erase", str(walk_in), "--reason", "residents_request", "--yes", "--store", url,
                 cwd=tmp_path)  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    admin = Actor("admin-1", Role.ADMIN)
    with Participation.open(url) as app:
        assert app.personal_data(walk_in, by=Actor("coach-1", Role.COACH)).erased
        position = app.event_count()
    refused = run("erase", str(kept), "--reason", "residents_request", "--yes", "--store", url,
                  cwd=tmp_path)  # fmt: skip
    assert refused.returncode == 1
    with Participation.open(url) as app:
        assert app.event_count() == position
        assert app.retention_due(by=admin) == []
    bad = run("erase", str(kept), "--reason", "because", "--yes", "--store", url, cwd=tmp_path)
    assert bad.returncode == 1
    assert "--reason is one of residents_request, retention_ended, legal_obligation" in bad.stderr


def test_purge_erase_erases_what_is_due_only_when_confirmed(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    with Participation.open(url) as app:
        due = app.retention_due(by=Actor("admin-1", Role.ADMIN))
        position = app.event_count()
    assert due
    unasked = run("purge", "--due", "--erase", "--store", url, cwd=tmp_path)
    assert unasked.returncode == 2
    assert unasked.stdout.split() == [str(rid) for rid in due]
    assert "nothing was erased; add --yes" in unasked.stderr
    with Participation.open(url) as app:
        assert app.event_count() == position
    confirmed = run("purge", "--due", "--erase", "--yes", "--store", url, cwd=tmp_path)
    assert confirmed.returncode == 0, confirmed.stderr
    assert f"Erased the personal data of {len(due)} residents." in confirmed.stdout
    with Participation.open(url) as app:
        assert app.retention_due(by=Actor("admin-1", Role.ADMIN)) == []
        coach = Actor("coach-1", Role.COACH)
        assert all(app.personal_data(rid, by=coach).erased for rid in due)


# The small things of issue #18.


def test_debug_is_accepted_after_the_command(tmp_path: Path) -> None:
    result = run("stats", "--store", "mysql://x", "--debug", cwd=tmp_path)
    assert "Traceback" in result.stderr
    assert "ConfigurationError" in result.stderr


def test_actor_help_says_what_is_recorded_only_where_something_is(tmp_path: Path) -> None:
    def actor_help(command: str) -> str:
        text = " ".join(run(command, "--help", cwd=tmp_path, env={"COLUMNS": "200"}).stdout.split())
        return text.split("--actor", 1)[1].split("--", 1)[0]

    assert "recorded in the resident's access log" in actor_help("history")
    assert "recorded in the resident's access log" in actor_help("export")
    assert "recorded on each erasure receipt" in actor_help("erase")
    assert "nothing else is recorded" in actor_help("access-log")


def test_counts_of_one_are_singular(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app)
    verified = run("verify", "--store", url, "--resident", str(rid), cwd=tmp_path)
    # The trajectory (the record of its registration is in its ledger row).
    assert verified.stdout.strip() == "OK: 1 stream, 1 event"
    out = tmp_path / "file.json"
    exported = run("export", str(rid), "--out", str(out), "--store", url, cwd=tmp_path)
    assert "1 event in 1 stream." in " ".join(exported.stdout.split())
    demo = run("demo", "--store", url, cwd=tmp_path)
    assert "already holds 1 resident;" in demo.stderr


@pytest.mark.parametrize(
    ("command", "option"),
    [(("export", RESIDENT), "--out"), (("report",), "--html")],
    ids=["export", "report"],
)
def test_a_bad_output_path_is_reported_as_such(
    tmp_path: Path, command: tuple[str, ...], option: str
) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url):
        pass
    for path, words in [
        (tmp_path / "no" / "such" / "folder.json", f"there is no folder {tmp_path}/no/such"),
        (tmp_path, "is a folder"),
    ]:
        result = run(*command, option, str(path), "--store", url, cwd=tmp_path)
        assert result.returncode == 2
        assert words in result.stderr
        assert "unexpected" not in result.stderr


def test_history_known_at_before_the_first_record_says_so(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    result = run("history", rid, "--store", url, "--known-at", "2000-01-01T00:00", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert " ".join(result.stdout.split()) == (
        f"Nothing about resident {rid} had been recorded by 2000-01-01T00:00:00+01:00."
    )


@pytest.mark.parametrize("columns", ["80", "40"])
def test_history_keeps_ids_and_event_names_whole_at_narrow_widths(
    tmp_path: Path, columns: str
) -> None:
    url, rid = demo_store(tmp_path)
    result = run("history", rid, "--store", url, cwd=tmp_path, env={"COLUMNS": columns})
    assert result.returncode == 0, result.stderr
    entries = json.loads(run("history", rid, "--store", url, "--json", cwd=tmp_path).stdout)
    assert rid in result.stdout
    for entry in entries:
        assert entry["event"] in result.stdout
        assert entry["actor"]["id"] in result.stdout
    assert "…" not in result.stdout


# Stored text is shown as it is, never as markup.


def test_stored_text_is_not_read_as_markup(tmp_path: Path) -> None:
    url, rid = demo_store(tmp_path)
    purpose = "[bold red]objection[/] [link=https://example.org]here[/link]"
    read = run("history", rid, "--store", url, "--purpose", purpose, "--actor", "[i]x[/i]",
               "--json", cwd=tmp_path)  # fmt: skip
    assert read.returncode == 0, read.stderr
    log = run("access-log", rid, "--store", url, cwd=tmp_path, env={"COLUMNS": "200"})
    assert log.returncode == 0, log.stderr
    assert purpose in log.stdout
    assert "[i]x[/i] (auditor)" in log.stdout
    with Participation.open(url) as app:
        app.record_conversation(
            UUID(rid),
            happiness=7,
            on=date(2019, 12, 30),
            by=Actor("[bold]coach[/bold]", Role.COACH),
        )
    history = run("history", rid, "--store", url, cwd=tmp_path)
    assert "by [bold]coach[/bold] (coach)" in history.stdout


def run_at_a_terminal(answer: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command with a terminal as standard input, on which ``answer`` is typed."""
    import pty  # noqa: PLC0415 (POSIX only)

    typist, terminal = pty.openpty()
    try:
        os.write(typist, answer.encode() + b"\n")
        env = {**os.environ, "COLUMNS": "120"}
        env.pop("PARTICIPATIE_STORE", None)
        return subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "participatie", *args],
            cwd=cwd,
            env=env,
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    finally:
        os.close(typist)
        os.close(terminal)


def test_at_a_terminal_erasing_and_deleting_happen_only_when_the_answer_is_yes(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app)
        position = app.event_count()
    erase = ("erase", str(rid), "--reason", "residents_request", "--store", url)
    declined = run_at_a_terminal("n", *erase, cwd=tmp_path)
    assert declined.returncode == 2
    assert "for good? [y/N]" in declined.stdout
    assert "nothing was changed" in declined.stderr
    with Participation.open(url) as app:
        assert app.event_count() == position
    assert run_at_a_terminal("y", *erase, cwd=tmp_path).returncode == 0
    with Participation.open(url) as app:
        assert app.personal_data(rid, by=Actor("coach-1", Role.COACH)).erased
    fresh = ("demo", "--fresh", "--store", url)
    assert run_at_a_terminal("n", *fresh, cwd=tmp_path).returncode == 2
    assert (tmp_path / "store.db").exists()
    kept = run_at_a_terminal("y", *fresh, cwd=tmp_path)
    assert kept.returncode == 0, kept.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids(by=READER)) == 74
