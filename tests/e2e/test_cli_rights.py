"""The commands of a resident's rights (notes, correct, subject-access), run in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from participatie import AccessKind, Actor, Participation, Role
from tests.e2e.test_cli import run
from tests.support import register

AUDITOR = Actor("auditor-1", Role.AUDITOR)


def test_notes_are_added_and_shown_as_a_coach(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app, name="Jan Jansen", notes="belt liever niet")
    added = run(
        "notes", str(rid), "--add", "Wil in de zorg werken.", "--about", "1", "--on", "2020-02-03",
        "--actor", "coach-3", "--purpose", "gesprek", "--json", "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    notes = json.loads(added.stdout)
    assert [(n["text"], n["about"], n["on"]) for n in notes] == [
        ("belt liever niet", None, "2019-01-08"),
        ("Wil in de zorg werken.", 1, "2020-02-03"),
    ]
    assert notes[1]["by"] == {"id": "coach-3", "role": "coach"}
    shown = run("notes", str(rid), "--store", url, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Wil in de zorg werken." in shown.stdout
    assert "2 notes about resident" in shown.stdout
    wrong = run("notes", str(rid), "--about", "1", "--store", url, cwd=tmp_path)
    assert wrong.returncode == 1
    assert "--about and --on go with --add" in wrong.stderr
    with Participation.open(url) as app:
        kinds = [e.kind for e in app.access_log(rid, by=AUDITOR)]
    assert kinds == [AccessKind.NOTES, AccessKind.NOTES]


def test_correct_replaces_the_name_and_the_bsn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app, name="Jan Jansen", bsn="123456782")
        register(app, bsn="111222333")
    done = run(
        "correct", str(rid), "--name", "Jan Janssen", "--bsn", "232262536",
        "--reason", "typing_error", "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Corrected the name and BSN of resident" in done.stdout
    assert "232262536" not in done.stdout
    taken = run(
        "correct", str(rid), "--bsn", "111222333", "--reason", "typing_error",
        "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert taken.returncode == 1
    assert "already has a trajectory" in taken.stderr
    unknown = run(
        "correct", str(rid), "--name", "X", "--reason", "tikfout", "--store", url, cwd=tmp_path
    )
    assert unknown.returncode == 1
    assert "--reason is one of residents_request, typing_error, brp_change" in unknown.stderr
    found = run("find", "--bsn", "232262536", "--purpose", "check", "--store", url, cwd=tmp_path)
    assert found.stdout == f"{rid}\n"


def test_subject_access_writes_the_file_and_the_page(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url) as app:
        rid = register(app, name="<script>alert(1)</script>", bsn="123456782")
    out, page = tmp_path / "inzage.json", tmp_path / "inzage.html"
    result = run(
        "subject-access", str(rid), "--out", str(out), "--html", str(page),
        "--purpose", "verzoek art. 15", "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["personal_data"]["bsn"] == "123456782"
    assert document["access_log"][-1]["kind"] == "subject_access"
    assert document["access_log"][-1]["purpose"] == "verzoek art. 15"
    html = page.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    unwritable = run(
        "subject-access", str(rid), "--out", str(tmp_path / "no" / "such" / "dir.json"),
        "--store", url, cwd=tmp_path,
    )  # fmt: skip
    assert unwritable.returncode == 2
    with Participation.open(url) as app:
        kinds = [e.kind for e in app.access_log(rid, by=AUDITOR)]
    assert kinds == [AccessKind.SUBJECT_ACCESS]  # the refused one was not recorded
