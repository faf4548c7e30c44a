"""Store URLs and the eventsourcing persistence settings they stand for.

=============================================  =============================================
URL                                            store
=============================================  =============================================
``memory://``                                  in-process (eventsourcing POPO): tests
``sqlite:///relative.db``                      SQLite file, relative to the working directory
``sqlite:////abs/path.db``                     SQLite file, absolute path
``postgresql://user:pass@host:port/dbname``    PostgreSQL (psycopg 3); ``?schema=name`` optional
=============================================  =============================================

Without a URL, ``PARTICIPATIE_STORE`` is used, and without that the embedded default
``sqlite:///participatie.db``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

from participatie.errors import ConfigurationError
from participatie.privacy.vault import MIN_SECRET_LENGTH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = [
    "DEFAULT_STORE_URL",
    "StoreConfig",
    "begin_secret_rotation",
    "finish_secret_rotation",
    "parse_store_url",
    "resolve_previous_secrets",
    "resolve_secret",
    "secret_file",
    "store_exists",
]

logger = logging.getLogger(__name__)

DEFAULT_STORE_URL = "sqlite:///participatie.db"
STORE_ENV = "PARTICIPATIE_STORE"
SECRET_ENV = "PARTICIPATIE_SECRET"  # noqa: S105 (the variable's name, not a secret)
PREVIOUS_SECRET_ENV = "PARTICIPATIE_PREVIOUS_SECRET"  # noqa: S105 (a name, as above)

#: The eventsourcing application name: settings below are passed with this prefix, so that
#: unprefixed eventsourcing variables in the process environment cannot redirect the store.
APP_NAME = "Participation"
_PREFIX = APP_NAME.upper() + "_"

#: The events table whose presence makes a store (eventsourcing names it after the application
#: on PostgreSQL; SQLite's is always ``stored_events``).
_SQLITE_EVENTS_TABLE = "stored_events"
_POSTGRES_EVENTS_TABLE = APP_NAME.lower() + "_events"


@attrs.frozen
class StoreConfig:
    """A parsed store URL: which store, its eventsourcing settings, and the URL without password."""

    kind: Literal["memory", "sqlite", "postgresql"]
    settings: dict[str, str]
    display_url: str
    sqlite_path: Path | None = None

    @property
    def env(self) -> dict[str, str]:
        """The settings as an eventsourcing ``env`` mapping for the application."""
        return {_PREFIX + key: value for key, value in self.settings.items()}


_HIDDEN = "***"
#: A user name that is shown: letters, digits, ``._~-`` and percent escapes, nothing that could be
#: the start or end of a password written without percent-encoding.
_PLAIN_USER = re.compile(r"(?:[\w.~-]|%[0-9A-Fa-f]{2})+")
#: What follows ``://`` in a URL without credentials that is shown as it is: a host (or ``[IPv6]``),
#: an optional numeric port, then a path or query. ``db:5432/x`` is shown, ``me:Geheim`` is not.
_HOST_PORT_PATH = re.compile(r"(?:\[[^\]]*\]|[^:/?#\[\]]*)(?::\d+)?(?:[/?].*)?", re.DOTALL)
_ENCODE_HINT = (
    "percent-encode these characters in a user name or password: "
    "'%' as %25, '@' as %40, ':' as %3A, '/' as %2F, '?' as %3F, '#' as %23, "
    "'[' as %5B, ']' as %5D and a space as %20"
)


def _split_credentials(url: str) -> tuple[str, str | None, str]:
    """``(prefix, credentials, rest)``: the credentials run from ``://`` to the URL's last ``@``.

    They are ``None`` when the URL has no ``@`` (or when an ``@`` is in a folder name, as in
    ``sqlite:////data/haaren@2024/p.db``). Which ``@`` ends a password written without
    percent-encoding cannot be known, so the last one is taken: this hides too much of a URL
    whose path holds an ``@``, never too little. Without ``://`` the prefix is empty and the
    credentials run from the start: ``postgresql:me:pw@db`` cannot be told from ``me:pw@db``.
    """
    prefix, separator, rest = url.partition("://")
    if separator:
        prefix += separator
    else:
        prefix, rest = "", url
    credentials, at, after = rest.rpartition("@")
    if not at or (separator and credentials.startswith("/") and ":" not in credentials):
        return prefix, None, rest
    return prefix, credentials, after


def _redact(url: str) -> str:
    """The URL as it may be shown: what could be a password is ``***``, however the URL parses.

    Nothing between ``://`` and the last ``@`` is shown but a plain user name before the first
    ``:``. A URL without ``@`` that does not read as a plain ``host:port`` (a forgotten ``@``, a
    password with ``#`` or ``/`` and no host) shows nothing after its first ``:``.

    >>> _redact("postgresql://me:Geheim#2024@db:5432/trajecten")
    'postgresql://me:***@db:5432/trajecten'
    >>> _redact("postgresql://me:Geheim#2024")
    'postgresql://me:***'
    """
    prefix, credentials, rest = _split_credentials(url)
    if credentials is not None:
        user, colon, _ = credentials.partition(":")
        if not prefix or not _PLAIN_USER.fullmatch(user):
            return f"{prefix}{_HIDDEN}@{rest}"
        return f"{prefix}{user}:{_HIDDEN}@{rest}" if colon else f"{prefix}{user}@{rest}"
    if ":" not in rest or (prefix and "#" not in rest and _HOST_PORT_PATH.fullmatch(rest)):
        return url
    return f"{prefix}{rest.partition(':')[0]}:{_HIDDEN}"


def parse_store_url(url: str | None = None) -> StoreConfig:
    """Parse a store URL (or ``PARTICIPATIE_STORE``, or the default) into a :class:`StoreConfig`.

    >>> parse_store_url("postgresql://me:secret@db:5432/trajecten").display_url
    'postgresql://me:***@db:5432/trajecten'
    """
    if url is None:
        url = os.environ.get(STORE_ENV) or DEFAULT_STORE_URL
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(
            "the store URL is empty; use memory://, sqlite:///file.db or postgresql://..."
        )
    display = _redact(url)
    prefix, credentials, _ = _split_credentials(url)
    if prefix:
        # What urlsplit takes for the host part: it ends at the first '/', '?' or '#'.
        _check_credentials(
            re.split(r"[/?#]", url[len(prefix) :], maxsplit=1)[0], credentials, display
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (parsing the port validates it)
    except ValueError:
        # Not the ValueError's text: it quotes what it could not read, which may be a password.
        raise ConfigurationError(
            f"malformed store URL {display!r}: it does not read as "
            f"scheme://user:password@host:port/name (a port is a number); {_ENCODE_HINT}"
        ) from None
    if prefix:
        _check_credentials(parts.netloc, credentials, display)
    if "#" in url:
        raise ConfigurationError(
            f"store URL {display!r} has a '#', which a store URL does not use; in a file name "
            "or password write it as %23"
        )
    scheme = parts.scheme.lower()
    if scheme == "memory":
        if parts.netloc or parts.path or parts.query:
            raise ConfigurationError(f"the in-process store is just 'memory://', not {display!r}")
        return StoreConfig(
            kind="memory",
            settings={"PERSISTENCE_MODULE": "participatie.persistence.memory:MemoryStoreFactory"},
            display_url=display,
        )
    if scheme == "sqlite":
        return _sqlite(parts.netloc, parts.path, parts.query, display)
    if scheme in ("postgresql", "postgres"):
        return _postgresql(url, display)
    raise ConfigurationError(
        f"unsupported store URL {display!r}: use memory://, sqlite:///file.db or "
        "postgresql://user:password@host:port/dbname"
    )


def _check_credentials(netloc: str, credentials: str | None, display: str) -> None:
    """Refuse a URL whose host part does not hold all of its credentials.

    A ``/``, ``?`` or ``#`` in a password ends the host part early: what follows would be read as
    the path, query or host, and shown in errors as such.
    """
    if credentials is not None and netloc.rpartition("@")[0] != credentials:
        raise ConfigurationError(
            f"the user name or password in store URL {display!r} cannot be read: {_ENCODE_HINT}"
        )


def _sqlite(netloc: str, path: str, query: str, display: str) -> StoreConfig:
    if netloc or query:
        raise ConfigurationError(
            f"malformed SQLite URL {display!r}: use sqlite:///relative.db or sqlite:////abs/path.db"
        )
    file_path = unquote(path[1:]) if path.startswith("/") else ""
    if not file_path or file_path.endswith("/") or file_path == ":memory:":
        raise ConfigurationError(
            f"SQLite URL {display!r} names no database file: use sqlite:///relative.db or "
            "sqlite:////abs/path.db (or memory:// for an in-process store)"
        )
    db_path = Path(file_path)
    return StoreConfig(
        kind="sqlite",
        settings={
            "PERSISTENCE_MODULE": "participatie.persistence.sqlite:SQLiteStoreFactory",
            "SQLITE_DBNAME": str(db_path),
        },
        display_url=display,
        sqlite_path=db_path,
    )


def _postgresql(url: str, display: str) -> StoreConfig:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise ConfigurationError(
            f"malformed PostgreSQL URL {display!r}: use postgresql://user:password@host:port/dbname"
        )
    if not parts.username:
        raise ConfigurationError(f"PostgreSQL URL {display!r} names no user")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"schema"})
    if unknown:
        raise ConfigurationError(
            f"PostgreSQL URL {display!r} has unknown options {unknown}; only 'schema' is supported"
        )
    settings = {
        "PERSISTENCE_MODULE": "participatie.persistence.postgres:PostgresStoreFactory",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username),
        # eventsourcing requires a password setting even where the server trusts the client.
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
    }
    if "schema" in query:
        schema = query["schema"][-1]
        if not schema.isidentifier() or len(schema) > 63:
            raise ConfigurationError(f"PostgreSQL schema {schema!r} is not a plain identifier")
        settings["POSTGRES_SCHEMA"] = schema
    return StoreConfig(kind="postgresql", settings=settings, display_url=display)


def resolve_secret(config: StoreConfig, secret: str | None) -> str:
    """The deployment secret: given, or ``PARTICIPATIE_SECRET``, or (SQLite, memory) made here.

    PostgreSQL requires an explicit secret. A SQLite file store without one keeps a generated secret
    beside the database file (``<file>.secret``, readable by its owner only), and says so once when
    it creates it. An in-process store gets a random secret: its data end with the process anyway.
    """
    if secret is None:
        secret = os.environ.get(SECRET_ENV) or None
    if secret is not None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"the deployment secret must be at least {MIN_SECRET_LENGTH} characters long"
            )
        return secret
    if config.kind == "memory":
        return secrets.token_urlsafe(32)
    if config.kind == "sqlite" and config.sqlite_path is not None:
        return _secret_beside(config.sqlite_path)
    raise ConfigurationError(
        f"a deployment secret is required for {config.display_url}: set {SECRET_ENV} "
        f"(at least {MIN_SECRET_LENGTH} characters) or pass secret=... to Participation.open"
    )


def resolve_previous_secrets(previous: Sequence[str] | None) -> tuple[str, ...]:
    """Secrets that records may still be sealed under while a rotation runs.

    Given, or the one in ``PARTICIPATIE_PREVIOUS_SECRET``, or none.
    """
    if previous is None:
        from_env = os.environ.get(PREVIOUS_SECRET_ENV)
        return () if not from_env else (from_env,)
    if isinstance(previous, str):
        raise ConfigurationError("previous_secrets must be a sequence of secrets, not one text")
    return tuple(previous)


#: The line of a ``.secret`` file that keeps the previous secret while a rotation runs.
_PREVIOUS_PREFIX = "previous "


def secret_file(config: StoreConfig, uses: Callable[[str], bool]) -> Path | None:
    """The secret kept beside a SQLite store (``<file>.secret``), when it exists and holds the
    secret the process uses (``uses(secret)`` is true): that file is what a rotation renews."""
    if config.sqlite_path is None:
        return None
    path = _secret_path(config.sqlite_path)
    try:
        secret, _ = _read_secret_file(path)
    except FileNotFoundError:
        return None
    return path if uses(secret) else None


def _secret_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".secret")


def _read_secret_file(path: Path) -> tuple[str, str | None]:
    """The secret in a ``.secret`` file and the previous one, if a rotation is under way."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ConfigurationError(f"the secret file {path} is empty; restore it from a backup")
    previous = next(
        (line[len(_PREVIOUS_PREFIX) :] for line in lines[1:] if line.startswith(_PREVIOUS_PREFIX)),
        None,
    )
    return lines[0], previous


def _write_secret_file(path: Path, secret: str, previous: str | None) -> None:
    """Replace the file at once (a private temporary file renamed over it)."""
    content = secret + "\n" + ("" if previous is None else _PREVIOUS_PREFIX + previous + "\n")
    tmp_path = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    tmp_path.replace(path)


def begin_secret_rotation(path: Path) -> tuple[str, str]:
    """Write a new secret into the ``.secret`` file, keeping the old one as previous, and
    return both (new, old). A rotation that was interrupted is resumed with its secrets.

    From now on every process that opens the store uses the new secret, never the old one.
    """
    secret, previous = _read_secret_file(path)
    if previous is not None:
        return secret, previous
    new = secrets.token_urlsafe(48)
    _write_secret_file(path, new, previous=secret)
    return new, secret


def finish_secret_rotation(path: Path) -> None:
    """Drop the previous secret from the ``.secret`` file: the rotation has completed."""
    secret, _ = _read_secret_file(path)
    _write_secret_file(path, secret, previous=None)


def _secret_beside(db_path: Path) -> str:
    secret_path = _secret_path(db_path)
    try:
        return _read_secret_file(secret_path)[0]
    except FileNotFoundError:
        pass
    if _holds_events(db_path):
        # A new secret would leave every sealed record unreadable, and the store half under one
        # secret and half under another: the secret was lost or moved, not never made.
        raise ConfigurationError(
            f"the store {db_path} holds records, but its secret file {secret_path} is missing: "
            f"restore it from a backup, or set {SECRET_ENV} to the store's secret; a new secret "
            "would leave the personal data in the store unreadable"
        )
    secret_path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Write a private temporary file, then link it into place: the link either creates the whole
    # file or fails because another process was first, and then its secret is the one to use.
    tmp_path = secret_path.with_name(f".{secret_path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    try:
        os.link(tmp_path, secret_path)
    except FileExistsError:
        return _read_secret_file(secret_path)[0]
    finally:
        tmp_path.unlink()
    logger.warning(
        "created the deployment secret %s for %s; keep it safe: without it the personal data "
        "in the store cannot be read",
        secret_path,
        db_path,
    )
    return secret


def _holds_events(db_path: Path) -> bool:
    """Whether a SQLite file holds at least one stored event (read-only; False without a file)."""
    if not db_path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        return connection.execute("SELECT 1 FROM stored_events LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # not a store (yet), or not a database: nothing to lose
        return False
    finally:
        connection.close()


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
            port=int(settings["POSTGRES_PORT"]),
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
