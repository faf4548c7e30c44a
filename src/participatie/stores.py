"""Store URLs and the eventsourcing persistence settings they stand for.

=============================================  =============================================
URL                                            store
=============================================  =============================================
``memory://``                                  in-process (eventsourcing POPO): tests
``sqlite:///relative.db``                      SQLite file, relative to the working directory
``sqlite:////abs/path.db``                     SQLite file, absolute path
``postgresql://user:pass@host:port/dbname``    PostgreSQL (psycopg 3); ``?schema=name`` optional
``postgresql://user@h1:5432,h2:5433/dbname``   PostgreSQL with several hosts (a failover pair)
=============================================  =============================================

A PostgreSQL URL may name several hosts, each with its own port, as libpq does; a connection
goes to the first host, in order, that accepts it and matches ``?target_session_attrs=``
(``read-write``: the primary, for commands; ``read-only``, ``standby`` or ``prefer-standby``: a
standby, for reports; ``any``, ``primary``). See docs/deployment.md.

Without a URL, ``PARTICIPATIE_STORE`` is used, and without that the embedded default
``sqlite:///participatie.db``. The deployment secret of a store is found by
:mod:`participatie.store_secrets`; whether a store exists already, by
:mod:`participatie.store_probe`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

from participatie.errors import ConfigurationError

__all__ = [
    "APP_NAME",
    "DEFAULT_STORE_URL",
    "STORE_ENV",
    "TARGET_SESSION_ATTRS",
    "StoreConfig",
    "parse_store_url",
]

DEFAULT_STORE_URL = "sqlite:///participatie.db"
STORE_ENV = "PARTICIPATIE_STORE"

#: The eventsourcing application name: settings below are passed with this prefix, so that
#: unprefixed eventsourcing variables in the process environment cannot redirect the store.
APP_NAME = "Participation"
_PREFIX = APP_NAME.upper() + "_"

#: The setting (not one of eventsourcing's) that carries ``?target_session_attrs=`` to the
#: PostgreSQL factory, which gives it to every connection of its pool.
TARGET_SESSION_ATTRS = "POSTGRES_TARGET_SESSION_ATTRS"


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
#: Seconds a SQLite write waits for the file's lock (see _sqlite).
_SQLITE_LOCK_TIMEOUT = "30"
#: A user name that is shown: letters, digits, ``._~-`` and percent escapes, nothing that could be
#: the start or end of a password written without percent-encoding.
_PLAIN_USER = re.compile(r"(?:[\w.~-]|%[0-9A-Fa-f]{2})+")
#: What follows ``://`` in a URL without credentials that is shown as it is: a host (or ``[IPv6]``),
#: an optional numeric port, then a path or query. ``db:5432/x`` is shown, ``me:Geheim`` is not.
_HOST_PORT = r"(?:\[[^\]]*\]|[^:/?#\[\],]*)(?::\d+)?"
_HOST_PORT_PATH = re.compile(rf"{_HOST_PORT}(?:,{_HOST_PORT})*(?:[/?].*)?", re.DOTALL)
#: The values libpq accepts for ``target_session_attrs``.
_SESSION_ATTRS = ("any", "read-write", "read-only", "primary", "standby", "prefer-standby")
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
        if "," not in parts.netloc:  # several hosts: their ports are read by _postgresql
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
            # How long a write waits for another process's or thread's transaction on the same
            # file before "database is locked". eventsourcing's default (5 s) was seen to run out
            # while several processes opened one store on a busy machine; set
            # SQLITE_LOCK_TIMEOUT (seconds) to choose another.
            "SQLITE_LOCK_TIMEOUT": os.environ.get("SQLITE_LOCK_TIMEOUT") or _SQLITE_LOCK_TIMEOUT,
        },
        display_url=display,
        sqlite_path=db_path,
    )


def _hosts(netloc: str, display: str) -> list[tuple[str, str]]:
    """The hosts and ports of a PostgreSQL URL's host part (after any credentials), in order:
    ``h1:5432,h2:5433``, ``[::1]:5432``, ``db`` (port 5432)."""
    hosts = []
    for item in netloc.rpartition("@")[2].split(","):
        match = re.fullmatch(r"(\[[^\]]+\]|[^:\[\]]+)(?::(\d*))?", item)
        if match is None:
            raise ConfigurationError(
                f"malformed PostgreSQL URL {display!r}: name each host as host:port, separated "
                "by commas (postgresql://user@h1:5432,h2:5433/dbname)"
            )
        host, port = match.group(1), match.group(2) or "5432"
        if not 0 < int(port) < 65536:
            raise ConfigurationError(f"PostgreSQL URL {display!r} has port {port}, not 1..65535")
        hosts.append((unquote(host.strip("[]")).lower(), port))
    return hosts


def _postgresql(url: str, display: str) -> StoreConfig:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname or "/" in dbname:
        raise ConfigurationError(
            f"malformed PostgreSQL URL {display!r}: use postgresql://user:password@host:port/dbname"
        )
    if not parts.username:
        raise ConfigurationError(f"PostgreSQL URL {display!r} names no user")
    hosts = _hosts(parts.netloc, display)
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"schema", "target_session_attrs"})
    if unknown:
        raise ConfigurationError(
            f"PostgreSQL URL {display!r} has unknown options {unknown}; only 'schema' and "
            "'target_session_attrs' are supported"
        )
    settings = {
        "PERSISTENCE_MODULE": "participatie.persistence.postgres:PostgresStoreFactory",
        "POSTGRES_DBNAME": dbname,
        # libpq takes several hosts and ports as comma-separated lists, in the same order.
        "POSTGRES_HOST": ",".join(host for host, _ in hosts),
        "POSTGRES_PORT": ",".join(port for _, port in hosts),
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
    if "target_session_attrs" in query:
        attrs_value = query["target_session_attrs"][-1]
        if attrs_value not in _SESSION_ATTRS:
            raise ConfigurationError(
                f"target_session_attrs={attrs_value!r} in PostgreSQL URL {display!r} is not one "
                f"of {', '.join(_SESSION_ATTRS)}"
            )
        settings[TARGET_SESSION_ATTRS] = attrs_value
    return StoreConfig(kind="postgresql", settings=settings, display_url=display)
