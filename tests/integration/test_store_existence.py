"""Opening a store that must exist, and a PostgreSQL server that cannot be used saying why."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from participatie import ConfigurationError, Participation
from tests.support import READER, TEST_SECRET, register


def test_opening_a_missing_sqlite_file_without_create_makes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nowhere/x.db"
    with pytest.raises(ConfigurationError, match=r"^no store at sqlite:///.*/nowhere/x\.db"):
        Participation.open(url, create=False)
    assert list(tmp_path.iterdir()) == []  # no folder, no file, no .secret


def test_a_sqlite_file_that_holds_no_store_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with pytest.raises(ConfigurationError, match="no store at"):
        Participation.open(f"sqlite:///{path}", create=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]
    assert path.read_bytes() == b""


def test_a_file_that_is_not_sqlite_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database, just some notes that happen to be here\n" * 20)
    with pytest.raises(ConfigurationError, match="cannot be read as a SQLite store"):
        Participation.open(f"sqlite:///{path}", create=False)


def test_a_store_that_exists_opens_without_create(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app)
    with Participation.open(store_url, secret=TEST_SECRET, create=False) as app:
        assert app.resident_ids(by=READER) == [rid]


def test_an_empty_store_made_by_create_exists_afterwards(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET):
        pass
    with Participation.open(store_url, secret=TEST_SECRET, create=False) as app:
        assert app.resident_ids(by=READER) == []


def test_an_in_process_store_may_be_opened_without_create() -> None:
    with Participation.open("memory://", create=False) as app:
        assert app.resident_ids(by=READER) == []


@pytest.mark.postgres
def test_a_postgresql_schema_without_the_tables_is_no_store(postgres_schema_url: str) -> None:
    import psycopg  # noqa: PLC0415

    with pytest.raises(ConfigurationError, match=r"^no store at postgresql://"):
        Participation.open(postgres_schema_url, secret=TEST_SECRET, create=False)
    schema = postgres_schema_url.rsplit("=", 1)[1]
    with psycopg.connect(postgres_schema_url.split("?", maxsplit=1)[0]) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchone()
    assert tables == (0,)  # nothing was created


def _with(url: str, *, netloc: str | None = None, path: str | None = None) -> str:
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme, netloc or parts.netloc, path or parts.path, parts.query, parts.fragment)
    )


@pytest.mark.postgres
def test_a_missing_postgresql_schema_says_how_to_create_it(postgres_url: str) -> None:
    url = f"{postgres_url}?schema=no_such_schema"
    for create in (True, False):
        with pytest.raises(ConfigurationError) as raised:
            Participation.open(url, secret=TEST_SECRET, create=create)
        assert "the schema 'no_such_schema' does not exist" in str(raised.value)
        assert "CREATE SCHEMA no_such_schema" in str(raised.value)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"path": "/no_such_database"}, "the database 'no_such_database' does not exist"),
        ({"user": "no_such_user"}, "has no user 'no_such_user'"),
        ({"port": 1}, "connection refused"),
        ({"host": "no-such-host.invalid"}, "unknown host 'no-such-host.invalid'"),
    ],
)
@pytest.mark.parametrize("create", [True, False])
def test_a_postgresql_server_that_cannot_be_used_says_why(
    postgres_url: str, change: dict[str, object], expected: str, create: bool
) -> None:
    parts = urlsplit(postgres_url)
    user = change.get("user", parts.username)
    host = change.get("host", parts.hostname)
    port = change.get("port", parts.port or 5432)
    url = _with(
        postgres_url,
        netloc=f"{user}:pw-not-shown@{host}:{port}",
        path=str(change.get("path", parts.path)),
    )
    with pytest.raises(ConfigurationError) as raised:
        Participation.open(url, secret=TEST_SECRET, create=create)
    message = str(raised.value)
    assert expected in message
    assert "pw-not-shown" not in message
    assert "couldn't get a connection" not in message
