"""Fixtures: a fixed clock, an in-process app, and an isolated PostgreSQL database."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

from participatie import Participation
from tests.support import POSTGRES_URL, TEST_SECRET, TODAY, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC))


@pytest.fixture
def app(clock: Clock) -> Iterator[Participation]:
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as application:
        yield application


def _postgres_reachable(url: str) -> str | None:
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as error:
        return str(error)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, dropped at the end.

    Skipped when the server is unreachable, except under CI, where that is a failure.
    """
    problem = _postgres_reachable(POSTGRES_URL)
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable under CI: {problem}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {problem}")
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    name = f"participatie_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(POSTGRES_URL)
    yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A fresh schema in the run's database, so that each test starts from an empty store."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{postgres_url}?schema={schema}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
