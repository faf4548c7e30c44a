"""The deployment secret of a store: given, from the environment, or kept beside a SQLite file
(``<file>.secret``), and the renewal of that file when the secret is rotated."""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from typing import TYPE_CHECKING

from participatie.errors import ConfigurationError
from participatie.privacy.vault import MIN_SECRET_LENGTH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from participatie.stores import StoreConfig

__all__ = [
    "PREVIOUS_SECRET_ENV",
    "SECRET_ENV",
    "begin_secret_rotation",
    "finish_secret_rotation",
    "resolve_previous_secrets",
    "resolve_secret",
    "secret_file",
]

#: The logger's name is the one it had when this was part of :mod:`participatie.stores`, so that
#: logging configurations that name it keep working.
logger = logging.getLogger("participatie.stores")

SECRET_ENV = "PARTICIPATIE_SECRET"  # noqa: S105 (the variable's name, not a secret)
PREVIOUS_SECRET_ENV = "PARTICIPATIE_PREVIOUS_SECRET"  # noqa: S105 (a name, as above)


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
