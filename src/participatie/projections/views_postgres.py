"""The outcomes view on PostgreSQL (needs the ``postgres`` extra)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, cast

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from participatie.projections.facts import Fact, new_fact
from participatie.projections.fold import Row
from participatie.projections.monthly import MONTHS_COLUMNS, ReadPlan, month_rows
from participatie.projections.views import (
    COLUMNS,
    EARLIER_FACTS_TABLES,
    FACTS_TABLE,
    MONTHS_TABLE,
    TRACKING_KEY,
    check_position,
    create_tables_once,
    lookup,
)
from participatie.projections.views_sql import (
    INDEXES,
    LOOKUP_COLUMNS,
    LOOKUP_KINDS,
    conditions,
    fact_rows_statement,
    summary_parameters,
    summary_statement,
    uncounted_statement,
    upsert_months_statement,
)

__all__ = ["PostgresFactsView"]

_TYPES = [
    "text",
    "int8",
    "text",
    "text",
    "text",
    "date",
    "timestamptz",
    "text",
    "numeric",
    "int8",
    "text",
]


class PostgresFactsView(PostgresTrackingRecorder):
    """The view in the PostgreSQL database (and schema) of the events."""

    writes_behind = True

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        schema, facts = Identifier(self.datastore.schema), Identifier(FACTS_TABLE)
        self.sql_create_statements.extend(
            SQL("DROP TABLE IF EXISTS {schema}.{earlier}").format(
                schema=schema, earlier=Identifier(table)
            )
            for table in EARLIER_FACTS_TABLES
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{facts} ("
                "position bigint PRIMARY KEY, "
                "stream_id text NOT NULL, version bigint NOT NULL, kind text NOT NULL, "
                "municipality text NOT NULL, resident_id text NOT NULL, occurred_on date NOT NULL, "
                "recorded_at timestamptz NOT NULL, value text NOT NULL, amount numeric NOT NULL, "
                "detail text NOT NULL)"
            ).format(schema=schema, facts=facts)
        )
        months = Identifier(MONTHS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{months} ("
                "municipality text NOT NULL, stream_id text NOT NULL, month int NOT NULL, "
                "kind text NOT NULL, value text NOT NULL, facts bigint NOT NULL, "
                "conversations bigint NOT NULL, total bigint NOT NULL, "
                "first_key bigint NOT NULL, first_amount bigint NOT NULL, "
                "last_key bigint NOT NULL, last_amount bigint NOT NULL, "
                "PRIMARY KEY (municipality, stream_id, month, kind, value))"
            ).format(schema=schema, months=months)
        )
        self._create_indexes = [
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{facts} (" + columns + ")").format(
                index=Identifier(name), schema=schema, facts=facts
            )
            + SQL(condition)  # our own constant text
            for name, columns, condition in INDEXES
        ]
        self._drop_indexes = [
            SQL("DROP INDEX IF EXISTS {schema}.{index}").format(
                schema=schema, index=Identifier(name)
            )
            for name, _, _ in INDEXES
        ]
        self.sql_create_statements.extend(self._create_indexes)
        qualified_facts = SQL("{schema}.{facts}").format(schema=schema, facts=facts)
        qualified_months = SQL("{schema}.{months}").format(schema=schema, months=months)
        # The queries below are built from our own constant text and quoted identifiers.
        self._sql = {
            name: SQL(text.replace("{facts}", "{0}").replace("{months}", "{1}")).format(
                qualified_facts, qualified_months
            )
            for name, text in {
                "summary_all": summary_statement(
                    "{facts}", "{months}", _placeholder, municipality=False
                ),
                "summary_one": summary_statement(
                    "{facts}", "{months}", _placeholder, municipality=True
                ),
                "counters": f"SELECT {MONTHS_COLUMNS} FROM {{months}}",  # noqa: S608
                "upsert": upsert_months_statement("{months}", ",".join(["%s"] * 12), "LEAST"),
                "delete_months": "DELETE FROM {months}",
                "truncate_months": "TRUNCATE {months}",
            }.items()
        }
        for municipality in (False, True):
            for known_at in (False, True):
                self._sql[f"facts_{municipality}_{known_at}"] = SQL(
                    fact_rows_statement(
                        "{0}", _placeholder, municipality=municipality, known_at=known_at
                    )
                ).format(qualified_facts)
        for known_at in (False, True):
            self._sql[f"uncounted_{known_at}"] = SQL(
                uncounted_statement("{0}", _placeholder, known_at=known_at)
            ).format(qualified_facts)
        self._copy = SQL(
            "COPY {schema}.{facts} (" + COLUMNS + ") FROM STDIN (FORMAT BINARY)"
        ).format(schema=schema, facts=facts)
        self._lock = SQL("SELECT pg_advisory_xact_lock(hashtext(%s))")
        self._lock_for_page = SQL(
            "SELECT set_config('synchronous_commit', 'off', true), "
            "pg_advisory_xact_lock(hashtext(%s))"
        )
        self._lock_key = f"participatie:outcomes:{self.datastore.schema}"
        self._select = SQL("SELECT " + COLUMNS + " FROM {schema}.{facts}").format(  # noqa: S608
            schema=schema, facts=facts
        )
        self._select_lookup = SQL(
            "SELECT " + LOOKUP_COLUMNS + " FROM {schema}.{facts} WHERE " + LOOKUP_KINDS  # noqa: S608
        ).format(schema=schema, facts=facts)
        # TRUNCATE rather than DELETE: a rebuild then writes into an empty table, not beside
        # dead rows whose keys every insert would have to check against.
        self._truncate = SQL("TRUNCATE {schema}.{facts}").format(schema=schema, facts=facts)
        self._delete_tracking = SQL(
            "DELETE FROM {schema}.{tracking} WHERE application_name = %s"
        ).format(schema=schema, tracking=Identifier(self.tracking_table_name))

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def record(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        also: Callable[[Any], None] | None = None,
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # One writer of the view at a time, and only from the position it read. The commit
            # does not wait for the disk: the view is derived from the events, and its facts and
            # position commit together, so pages a server crash loses are recorded again.
            curs.execute(self._lock_for_page, (self._lock_key,))
            check_position(self._max_tracking_id(TRACKING_KEY, curs), after)
            # COPY in binary is the fastest way in for a page of rows (several times an INSERT).
            if facts:
                with curs.copy(self._copy) as copy:
                    copy.set_types(_TYPES)
                    for fact in facts:
                        copy.write_row(fact)  # a Fact is a tuple in the columns' order
            if not after:  # built from the start: no counters of an earlier build count
                curs.execute(self._sql["delete_months"])
            counters = month_rows(facts)
            if counters:
                curs.executemany(self._sql["upsert"], counters)
            self._insert_tracking(curs, tracking)
            if also is not None:  # one commit for both
                also(curs)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        where, params = conditions("%s", municipality, through, known_at)
        statement = self._select + SQL(where + " ORDER BY position")
        with self.datastore.transaction(commit=False) as curs:
            # The columns come in the fact's order and as its types (numeric as Decimal).
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(statement, params)
            return [new_fact(Fact, row) for row in curs.fetchall()]

    def stored_facts_after(self, position: int, limit: int) -> list[tuple[Any, ...]]:
        statement = self._select + SQL(" WHERE position > %s ORDER BY position LIMIT %s")
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(statement, (position, limit))
            return cast("list[tuple[Any, ...]]", curs.fetchall())

    def as_stored(self, fact: Fact) -> tuple[Any, ...]:
        return fact  # the driver gives each column as the fact holds it

    def from_stored(self, row: tuple[Any, ...]) -> Fact:
        return new_fact(Fact, row)

    def _read(self, statement: Any, parameters: dict[str, object]) -> Iterator[Row]:
        # A cursor on the server: rows come a batch at a time, not the whole result at once.
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor(name="participatie_outcomes", row_factory=tuple_row) as cursor,
        ):
            cursor.itersize = 5000
            cursor.execute(statement, parameters)
            yield from cursor

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        statement = self._sql["summary_all" if municipality is None else "summary_one"]
        return self._read(statement, summary_parameters(plan, municipality, _same_day))

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        statement = self._sql[f"facts_{municipality is not None}_{known_at is not None}"]
        parameters: dict[str, object] = {
            "end": through,
            "known_at": known_at,
            "municipality": municipality,
        }
        return self._read(statement, parameters)

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(
                self._sql[f"uncounted_{known_at is not None}"],
                {"end": through, "known_at": known_at},
            )
            rows: list[Any] = curs.fetchall()
            return tuple(position for (position,) in rows)

    def counter_rows(self) -> list[tuple[Any, ...]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(self._sql["counters"])
            return cast("list[tuple[Any, ...]]", curs.fetchall())

    def municipalities(self) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as curs:
            curs.row_factory = tuple_row  # type: ignore[assignment]
            curs.execute(self._select_lookup)
            rows: list[Any] = curs.fetchall()  # tuples now, whatever the cursor's type says
            return lookup(rows)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._lock, (self._lock_key,))
            for drop in self._drop_indexes:
                curs.execute(drop)
            curs.execute(self._truncate)
            curs.execute(self._sql["truncate_months"])
            curs.execute(self._delete_tracking, (TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # Under the view's lock, so that two processes do not race to create it.
            curs.execute(self._lock, (self._lock_key,))
            for create in self._create_indexes:
                curs.execute(create)


def _placeholder(name: str) -> str:
    return f"%({name})s"


def _same_day(day: date) -> date:
    return day
