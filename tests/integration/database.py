"""Direct access to every table of a store, as its database administrator has it: the tamper
tests edit the store with SQL, not through the library."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

_SQLITE = {"events": "stored_events", "snapshots": "stored_snapshots"}
_POSTGRES = {"events": "participation_events", "snapshots": "participation_snapshots"}
#: The names a statement may use in braces: {events}, {participatie_vault}, ...
_TABLES = (
    "events",
    "snapshots",
    "participatie_chain_heads",
    "participatie_ledger",
    "participatie_vault_notes",
    "participatie_vault",
    "participatie_outcome_facts_v6",
    "participatie_outcome_months_v6",
)


class Database:
    """Every table of the store, as its administrator sees them."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.is_sqlite = parts.scheme == "sqlite"
        if self.is_sqlite:
            self.path = parts.path[1:]
            self.schema = ""
        else:
            self.schema = parse_qs(parts.query)["schema"][0]
            self.dsn = f"{parts.scheme}://{parts.netloc}{parts.path}"

    def table(self, name: str) -> str:
        """The table's name in this store: ``events`` and ``snapshots`` are eventsourcing's."""
        if self.is_sqlite:
            return _SQLITE.get(name, name)
        return f'"{self.schema}"."{_POSTGRES.get(name, name)}"'

    def run(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        for name in _TABLES:
            sql = sql.replace("{" + name + "}", self.table(name))
        if self.is_sqlite:
            with sqlite3.connect(self.path) as lite:
                return lite.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg  # noqa: PLC0415

        with psycopg.connect(self.dsn, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(sql.encode(), params)
            return cur.fetchall() if cur.description else []

    def key(self, stream: UUID) -> object:
        return stream.hex if self.is_sqlite else stream

    @property
    def position(self) -> str:
        return "rowid" if self.is_sqlite else "notification_id"
