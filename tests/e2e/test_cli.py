"""The ``participatie`` command, run in a subprocess as a user would."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from participatie import Actor, Participation, Role, TrajectoryStatus
from tests.support import TEST_SECRET


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
    assert "50 of target 30 (167%)" in result.stdout
    for label, value in [
        ("still coached at the end", "20"),
        ("outflow: work", "23/50 (46%)"),
        ("outflow: volunteer work", "5/50 (10%)"),
        ("outflow: moved away", "2/50 (4%)"),
        ("in language course", "6"),
    ]:
        line = next(line for line in result.stdout.splitlines() if label in line)
        assert line.rstrip(" │").endswith(value), line
    assert (tmp_path / "participatie.db").exists()
    assert "keep it safe" in result.stderr  # the generated secret is announced once
    for label, value in [
        ("job coaching need at assessment", "12/24 (50%)"),
        ("job coaching trajectories", "12"),
        ("extended by a year", "2"),
    ]:
        line = next(line for line in result.stdout.splitlines() if label in line)
        assert line.rstrip(" │").endswith(value), line
    with Participation.open(f"sqlite:///{tmp_path}/participatie.db") as app:
        haaren = [app.resident(rid) for rid in app.resident_ids()]
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
        assert len(app.resident_ids()) == 74
    fresh = run("demo", "--store", url, "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    with Participation.open(url) as app:
        assert len(app.resident_ids()) == 74


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


def demo_store(tmp_path: Path) -> tuple[str, str]:
    """A store holding the demo, and one of its Haaren residents' ids."""
    url = f"sqlite:///{tmp_path}/demo.db"
    assert run("demo", "--store", url, cwd=tmp_path).returncode == 0
    with Participation.open(url) as app:
        return url, str(app.resident_ids()[0])


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
    assert "from 1355 events" in rebuilt.stdout
    assert run("stats", "--store", url, *period, cwd=tmp_path).stdout == before


def test_stats_with_an_unknown_format_exits_1(tmp_path: Path) -> None:
    result = run("stats", "--store", "memory://", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 1
    assert "--format is table, json or csv" in result.stderr


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
        for rid in app.resident_ids():
            trajectory = app.resident(rid)
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
        assert f"Re-wrapped {len(app.resident_ids())} residents' keys" in rotated.stdout
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
    assert "Imported 2 records of 1 residents" in first.stdout
    assert "line 4 (k4): happiness" in first.stderr
    assert "1 bad records, which kept 1 residents out" in first.stdout
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
    assert "kept 1 residents out" in as_utf8.stdout
    result = run(
        "import", str(path), "--encoding", "cp1252", "--store", url, cwd=tmp_path, env=secret
    )
    assert result.returncode == 0, result.stderr
    assert "Imported 2 records of 1 residents" in result.stdout
    coach = Actor("coach-17", Role.COACH)
    with Participation.open(url, secret=TEST_SECRET) as app:
        (rid,) = app.resident_ids()
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


def test_stats_shows_the_period_counted_the_same_in_the_table_and_in_json(
    tmp_path: Path,
) -> None:
    url, _ = demo_store(tmp_path)
    asked = ("--from", "2019-01-01", "--to", "2019-12-31", "--as-of", "2019-06-30")
    table = run("stats", "--store", url, "--municipality", "haaren", *asked, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "2019-01-01 to 2019-06-30" in table.stdout
    assert "2019-12-31" not in table.stdout
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
