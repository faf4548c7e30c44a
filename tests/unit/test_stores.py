"""Store URLs, the deployment secret, and the errors for settings that cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from participatie import ConfigurationError, Participation
from participatie.store_secrets import resolve_secret
from participatie.stores import parse_store_url


def test_memory_url_selects_the_in_process_store() -> None:
    config = parse_store_url("memory://")
    assert config.kind == "memory"
    assert (
        config.env["PARTICIPATION_PERSISTENCE_MODULE"]
        == "participatie.persistence.memory:MemoryStoreFactory"
    )


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///trajectories.db", "trajectories.db"),
        ("sqlite:////var/lib/p.db", "/var/lib/p.db"),
    ],
)
def test_sqlite_urls_name_a_relative_or_absolute_file(url: str, path: str) -> None:
    config = parse_store_url(url)
    assert config.kind == "sqlite"
    assert config.sqlite_path == Path(path)
    assert config.env["PARTICIPATION_SQLITE_DBNAME"] == path


def test_postgresql_url_becomes_eventsourcing_settings() -> None:
    config = parse_store_url("postgresql://me:s3cret@db.example:6543/trajecten?schema=haaren")
    env = config.env
    assert (
        env["PARTICIPATION_PERSISTENCE_MODULE"]
        == "participatie.persistence.postgres:PostgresStoreFactory"
    )
    assert env["PARTICIPATION_POSTGRES_HOST"] == "db.example"
    assert env["PARTICIPATION_POSTGRES_PORT"] == "6543"
    assert env["PARTICIPATION_POSTGRES_USER"] == "me"
    assert env["PARTICIPATION_POSTGRES_PASSWORD"] == "s3cret"
    assert env["PARTICIPATION_POSTGRES_DBNAME"] == "trajecten"
    assert env["PARTICIPATION_POSTGRES_SCHEMA"] == "haaren"
    assert env["PARTICIPATION_POSTGRES_ENABLE_DB_FUNCTIONS"] == "n"
    assert "s3cret" not in config.display_url


@pytest.mark.parametrize(
    "url",
    [
        "mysql://me@db/x",
        "sqlite://",
        "sqlite:///",
        "sqlite://host/file.db",
        "sqlite:///:memory:",
        "memory://somewhere",
        "postgresql://me:pw@db",
        "postgresql://db/x",
        "postgresql://me:pw@db:notaport/x",
        "postgresql://me:pw@db/x?sslmode=disable",
        "postgresql://me:pw@db/x?schema=bad-name",
        "",
        "trajectories.db",
    ],
)
def test_malformed_or_unsupported_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_store_url(url)
    assert "pw" not in str(raised.value)


def test_password_never_appears_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTICIPATIE_SECRET", "x" * 40)
    with pytest.raises(ConfigurationError) as raised:
        Participation.open("postgresql://me:hunter2-secret@127.0.0.1:1/nowhere")
    assert "hunter2-secret" not in str(raised.value)
    assert "***" in str(raised.value)


def test_store_url_defaults_to_the_environment_then_the_embedded_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PARTICIPATIE_STORE", raising=False)
    assert parse_store_url().sqlite_path == Path("participatie.db")
    monkeypatch.setenv("PARTICIPATIE_STORE", "memory://")
    assert parse_store_url().kind == "memory"


def test_postgresql_without_a_secret_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    with pytest.raises(ConfigurationError, match="PARTICIPATIE_SECRET"):
        resolve_secret(parse_store_url("postgresql://me@db/x"), None)


def test_sqlite_without_a_secret_creates_one_beside_the_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    config = parse_store_url(f"sqlite:///{tmp_path}/p.db")
    first = resolve_secret(config, None)
    second = resolve_secret(config, None)
    assert first == second
    assert len(first) >= 32
    secret_file = tmp_path / "p.db.secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "keep it safe" in caplog.records[0].message


def test_environment_secret_is_used_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTICIPATIE_SECRET", "e" * 40)
    assert resolve_secret(parse_store_url("postgresql://me@db/x"), None) == "e" * 40


def test_a_sqlite_store_with_records_but_no_secret_file_is_refused_not_given_a_new_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date  # noqa: PLC0415

    from participatie import ConfigurationError, Participation  # noqa: PLC0415
    from tests.support import register  # noqa: PLC0415

    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    db = tmp_path / "office.db"
    with Participation.open(f"sqlite:///{db}") as app:
        register(app, bsn="123456782", name="A. Jansen", on=date(2019, 1, 8))
    secret_file = tmp_path / "office.db.secret"
    kept = secret_file.read_text(encoding="utf-8")
    secret_file.unlink()
    with pytest.raises(ConfigurationError, match=r"secret file .* is missing"):
        Participation.open(f"sqlite:///{db}")
    assert not secret_file.exists()  # nothing was made in its place
    secret_file.write_text(kept, encoding="utf-8")
    with Participation.open(f"sqlite:///{db}") as app:
        assert app.verify().ok


def test_a_sqlite_store_waits_for_the_files_lock_for_a_while(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SQLITE_LOCK_TIMEOUT", raising=False)
    config = parse_store_url(f"sqlite:///{tmp_path}/s.db")
    assert config.env["PARTICIPATION_SQLITE_LOCK_TIMEOUT"] == "30"
    monkeypatch.setenv("SQLITE_LOCK_TIMEOUT", "90")
    assert (
        parse_store_url(f"sqlite:///{tmp_path}/s.db").env["PARTICIPATION_SQLITE_LOCK_TIMEOUT"]
        == "90"
    )
