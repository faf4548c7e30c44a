"""Whether a store URL names a participatie store already, found without creating anything, and
why a PostgreSQL server that cannot be used cannot (without the password)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

from participatie.errors import ConfigurationError
from participatie.stores import APP_NAME, TARGET_SESSION_ATTRS

if TYPE_CHECKING:
    from pathlib import Path

    from participatie.stores import StoreConfig

__all__ = ["store_exists"]

#: The events table whose presence makes a store (eventsourcing names it after the application
#: on PostgreSQL; SQLite's is always ``stored_events``).
_SQLITE_EVENTS_TABLE = "stored_events"
_POSTGRES_EVENTS_TABLE = APP_NAME.lower() + "_events"


def store_exists(config: StoreConfig) -> bool:
    """Whether the store holds a participatie store already (its events table), without
    creating anything.

    A SQLite store exists when its file is a SQLite database with the events table; the file is
    opened read-only. A PostgreSQL store exists when its schema (``?schema=``, else ``public``)
    has the events table: this connects once, and a server that cannot be used is a
    :class:`ConfigurationError` that says why (no server at that port, an unknown host, an
    unknown database or user, a refused password, a schema that does not exist), without the
    password. An in-process store (``memory://``) never exists before it is opened.
    """
    if config.kind == "sqlite" and config.sqlite_path is not None:
        return _sqlite_store_exists(config.sqlite_path, config.display_url)
    if config.kind == "postgresql":
        return _postgres_store_exists(config)
    return False


def _sqlite_store_exists(path: Path, display: str) -> bool:
    if not path.is_file():
        return False
    try:
        # Read-only, so that looking neither creates nor changes a file.
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (_SQLITE_EVENTS_TABLE,),
            ).fetchone()
    except sqlite3.Error as error:
        raise ConfigurationError(
            f"{display} cannot be read as a SQLite store ({error}); check the store URL"
        ) from None
    return found is not None


def _postgres_store_exists(config: StoreConfig) -> bool:
    try:
        import psycopg  # noqa: PLC0415 (the postgres extra is optional)
    except ImportError as error:
        raise ConfigurationError(
            f"the store {config.display_url} needs an optional package ({error.name}); "
            "install participatie[postgres]"
        ) from None
    settings = config.settings
    schema = settings.get("POSTGRES_SCHEMA") or "public"
    try:
        with psycopg.connect(
            host=settings["POSTGRES_HOST"],
            port=settings["POSTGRES_PORT"],
            target_session_attrs=settings.get(TARGET_SESSION_ATTRS, "any"),
            user=settings["POSTGRES_USER"],
            password=settings["POSTGRES_PASSWORD"] or None,
            dbname=settings["POSTGRES_DBNAME"],
            connect_timeout=int(settings.get("POSTGRES_CONNECT_TIMEOUT") or 5),
            autocommit=True,
        ) as conn:
            (schema_found,) = conn.execute(
                "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone() or (0,)
            if not schema_found:
                raise ConfigurationError(
                    f"cannot open the store {config.display_url}: the schema {schema!r} does not "
                    f"exist in the database {settings['POSTGRES_DBNAME']!r}; create it first "
                    f"(CREATE SCHEMA {schema}) or fix ?schema= in the store URL"
                )
            (tables,) = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = %s",
                (schema, _POSTGRES_EVENTS_TABLE),
            ).fetchone() or (0,)
    except psycopg.OperationalError as error:
        raise ConfigurationError(_connection_problem(config, str(error))) from None
    return bool(tables)


def _connection_problem(config: StoreConfig, message: str) -> str:
    """What a failed PostgreSQL connection says, as one line that names the cause."""
    settings = config.settings
    host, port = settings["POSTGRES_HOST"], settings["POSTGRES_PORT"]
    user, dbname = settings["POSTGRES_USER"], settings["POSTGRES_DBNAME"]
    where = f"{host}:{port}"
    lowered = message.lower()
    if f'database "{dbname.lower()}" does not exist' in lowered:
        problem = (
            f"the database {dbname!r} does not exist on the PostgreSQL server at {where}; "
            f"create it (CREATE DATABASE {dbname}) or fix the database name in the store URL"
        )
    elif f'role "{user.lower()}" does not exist' in lowered:
        problem = (
            f"the PostgreSQL server at {where} has no user {user!r}; fix the user in the store "
            "URL or create that user"
        )
    elif "password authentication failed" in lowered or "no password supplied" in lowered:
        problem = (
            f"the PostgreSQL server at {where} refused the password of user {user!r}; fix "
            "the password in the store URL"
        )
    elif "failed to resolve host" in lowered or "could not translate host name" in lowered:
        problem = f"unknown host {host!r}: fix the host name in the store URL"
    elif "connection refused" in lowered:
        problem = (
            f"no PostgreSQL server answers at {where} (connection refused): is it running, "
            "and is the port right?"
        )
    elif "timeout" in lowered or "timed out" in lowered:
        problem = (
            f"no answer from a PostgreSQL server at {where} within "
            f"{settings.get('POSTGRES_CONNECT_TIMEOUT') or 5} seconds: check the host, the "
            "port and the network"
        )
    else:
        first_line = " ".join(message.split())
        problem = f"cannot connect to the PostgreSQL server at {where}: {first_line}"
    return _hide_password(
        f"cannot open the store {config.display_url}: {problem}",
        settings.get("POSTGRES_PASSWORD", ""),
    )


def _hide_password(text: str, password: str) -> str:
    return text.replace(password, "***") if password else text
