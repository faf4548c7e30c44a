"""``participatie rotate-keys`` and ``purge --erasures``, run in a subprocess as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from participatie import ConfigurationError, ErasureGround, Participation
from tests.actors import ADMIN
from tests.e2e.test_cli import run
from tests.support import COACH, TEST_SECRET, register


def test_rotate_keys_writes_a_new_secret_beside_a_sqlite_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    monkeypatch.delenv("PARTICIPATIE_PREVIOUS_SECRET", raising=False)
    url = f"sqlite:///{tmp_path}/office.db"
    with Participation.open(url) as app:  # the secret is made beside the file
        rid = register(app, bsn="123456782", name="A. Jansen")
    secret_file = tmp_path / "office.db.secret"
    old = secret_file.read_text(encoding="utf-8").strip()

    rotated = run("rotate-keys", "--store", url, cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""})

    assert rotated.returncode == 0, rotated.stderr
    assert "Re-wrapped the keys of 1 resident under a new secret" in rotated.stdout
    lines = secret_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # the previous secret is gone once the rotation completed
    assert lines[0] != old
    assert secret_file.stat().st_mode & 0o777 == 0o600
    # The next command runs under the new secret, found beside the file as before.
    with Participation.open(url) as app:
        assert app.personal_data(rid, by=COACH).name == "A. Jansen"
        assert app.find_resident(bsn="123456782", by=COACH) == rid
    with Participation.open(url, secret=old) as app, pytest.raises(ConfigurationError):
        app.find_resident(bsn="123456782", by=COACH)


def test_an_interrupted_rotation_beside_a_sqlite_store_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    url = f"sqlite:///{tmp_path}/office.db"
    with Participation.open(url) as app:
        rid = register(app, name="A. Jansen")
    secret_file = tmp_path / "office.db.secret"
    old = secret_file.read_text(encoding="utf-8").strip()
    new = "the secret an interrupted rotation had written, 40+ characters"
    secret_file.write_text(f"{new}\nprevious {old}\n", encoding="utf-8")

    rotated = run("rotate-keys", "--store", url, cwd=tmp_path, env={"PARTICIPATIE_SECRET": ""})

    assert rotated.returncode == 0, rotated.stderr
    assert secret_file.read_text(encoding="utf-8") == new + "\n"
    with Participation.open(url, secret=new) as app:
        assert app.personal_data(rid, by=COACH).name == "A. Jansen"


def test_rotate_keys_with_nothing_to_rotate_says_how_to_rotate_and_exits_2(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/office.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        register(app, bsn="123456782", name="A. Jansen")

    result = run(
        "rotate-keys", "--store", url, cwd=tmp_path, env={"PARTICIPATIE_SECRET": TEST_SECRET}
    )

    assert result.returncode == 2
    assert "Re-wrapped" not in result.stdout
    assert result.stderr.startswith("participatie: nothing to rotate")
    assert "PARTICIPATIE_PREVIOUS_SECRET" in result.stderr


def test_purge_says_of_each_erasure_whether_it_is_final_and_rotating_makes_it_final(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/office.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app, bsn="123456782", name="A. Jansen")
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
    env = {"PARTICIPATIE_SECRET": TEST_SECRET}

    before = run("purge", "--erasures", "--store", url, cwd=tmp_path, env=env)
    assert before.returncode == 0, before.stderr
    assert f"{rid}  erased " in before.stdout
    assert "not final yet" in before.stdout
    assert "participatie rotate-keys" in before.stdout
    assert "0 of 1 erasures are final" in before.stderr
    due = run("purge", "--due", "--store", url, cwd=tmp_path, env=env)
    assert "1 erasure is not final yet" in due.stderr

    rotated = run("rotate-keys", "--store", url, cwd=tmp_path, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "1 of 1 erasures are final." in rotated.stderr

    after = run("purge", "--erasures", "--store", url, cwd=tmp_path, env=env)
    assert after.returncode == 0, after.stderr
    assert f"{rid}  erased " in after.stdout
    assert after.stdout.rstrip().endswith("final")
    assert "not final" not in after.stdout
