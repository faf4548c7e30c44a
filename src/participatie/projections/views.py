"""Where the outcomes projection keeps its facts: eventsourcing tracking recorders with a table.

Each view subclasses the store's own tracking recorder and adds a facts table in the same database
as the events. A page of facts and its tracking record (the position in the event log) are written
in one transaction, so that every event counts exactly once, and a crashed catch-up resumes where
the last page committed.

Beside the facts each view keeps monthly counters of the happiness scores and coaching hours
(:mod:`~participatie.projections.monthly`), written with the page's facts in the same
transaction, so that a report reads the few other facts of each stream and one row per stream
and month (:meth:`FactsView.summary_rows`) instead of every fact. A report ``known_at`` a moment
reads the facts themselves (:meth:`FactsView.fact_rows`): counters cannot tell when what they
count was recorded. Both come ordered by stream, one row at a time, so a report's memory does not
grow with the store.

The tracking record is kept under the key ``"Participation:outcomes:v6"``, not the application's
name, so that other projections of the same application can share eventsourcing's tracking
table (on SQLite that table is always called ``tracking``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError, OperationalError, Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder

from participatie.projections.facts import Fact, FactKind, new_fact
from participatie.projections.fold import Row
from participatie.projections.monthly import (
    MONTHS_COLUMNS,
    ROLLED_UP,
    ReadPlan,
    counter_problems,
    merge_month_row,
    month_rows,
)

__all__ = [
    "FACTS_TABLE",
    "MONTHS_TABLE",
    "TRACKING_KEY",
    "FactsView",
    "POPOFactsView",
    "SQLiteFactsView",
]

#: Version 6 of the facts table. Facts are keyed by their event's position in the log, so a page
#: of them is appended in order (version 1 keyed them by stream and version, and they went in at
#: random places); version 3 writes ids as 32 hex digits and, on SQLite, the recorded time as
#: microseconds since 1970 UTC, which a rebuild writes in a fraction of the time of the ISO text
#: of version 2; version 5 adds each fact's ``detail`` (the breakdowns' referral and coach);
#: version 6 has the same facts and adds the monthly counters (:data:`MONTHS_TABLE`), kept under
#: the same tracking record. Earlier tables are dropped (their tracking keys are left behind,
#: unused) and the view is rebuilt from the events on first use.
FACTS_TABLE = "participatie_outcome_facts_v6"
#: The monthly counters of happiness scores and coaching hours (see
#: :mod:`~participatie.projections.monthly`), one row per stream, month, kind and value.
MONTHS_TABLE = "participatie_outcome_months_v6"
TRACKING_KEY = "Participation:outcomes:v6"
_EARLIER_FACTS_TABLES = (
    "participatie_outcome_facts",
    "participatie_outcome_facts_v2",
    # v3 kept municipalities as each event stored them; v4 in one canonical form.
    "participatie_outcome_facts_v3",
    # v4 had no detail column (referral, the actor of an intake or conversation).
    "participatie_outcome_facts_v4",
    # v5 had no monthly counters.
    "participatie_outcome_facts_v5",
    "participatie_outcome_months_v5",
)
_COLUMNS = (
    "stream_id, version, kind, municipality, resident_id, occurred_on, recorded_at, value, "
    "amount, position, detail"
)


class FactsView(Protocol):
    """What the outcomes projection needs of a view."""

    #: Whether writing a page waits on a database server, so that the next page is better read
    #: while it is written (see :mod:`participatie.projections.runner`).
    writes_behind: bool

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        """Write a page's facts and its tracking record, in one transaction, if the view is
        still at position ``after``; otherwise raise IntegrityError and write nothing."""
        ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        """The facts in log order: of one municipality (or all), of what happened by the
        business date ``through`` and was recorded by ``known_at`` (both inclusive, if given)."""
        ...

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        """Up to ``limit`` facts after ``position``, in log order (for reading them in pages)."""
        ...

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        """What a report of ``plan``'s period reads, as :data:`~participatie.projections.fold.Row`
        ordered by stream: the facts through its end but scores and hours, the monthly counters
        of the months the plan names, and the scores and hours of the days it names. Close the
        iterator (or read it to its end) to end the read."""
        ...

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        """Every fact but the uncounted ones that :meth:`select_facts` gives, as rows ordered by
        stream (a report known at a moment)."""
        ...

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        """The positions of the uncounted facts :meth:`select_facts` gives, in log order."""
        ...

    def counter_problems(self) -> list[str]:
        """What is wrong with the monthly counters: those that are not what the facts make
        (see :func:`~participatie.projections.monthly.counter_problems`)."""
        ...

    def municipalities(self) -> dict[str, str]: ...

    def reset(self) -> None:
        """Empty the view, its counters and its position for a rebuild, and drop the indexes of
        its facts: loading the facts and then building the indexes is faster than keeping them
        up to date row by row. :meth:`create_indexes` builds them again (and so does opening
        the store, should a rebuild be killed halfway)."""
        ...

    def create_indexes(self) -> None:
        """Build the view's indexes, unless they are there."""
        ...


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _row(fact: Fact) -> tuple[Any, ...]:
    """A fact as SQLite stores it: the recorded time as microseconds since 1970 UTC."""
    (
        stream_id,
        version,
        kind,
        municipality,
        resident_id,
        occurred_on,
        recorded_at,
        value,
        amount,
        position,
        detail,
    ) = fact
    return (
        stream_id,
        version,
        kind,
        municipality,
        resident_id,
        occurred_on.isoformat(),
        (recorded_at - _EPOCH) // _MICROSECOND,
        value,
        str(amount),
        position,
        detail,
    )


def _sqlite_facts(rows: Iterable[tuple[Any, ...]]) -> list[Fact]:
    """Facts from SQLite rows of the columns in :data:`_COLUMNS` (the fact's own order).

    Days and amounts repeat from row to row, so each distinct text is parsed once, and so do
    details (a handful of referral channels and coaches): each is kept once.
    """
    days: dict[str, date] = {}
    amounts: dict[str, Decimal] = {}
    details: dict[str, str] = {}
    facts = []
    for (
        stream_id,
        version,
        kind,
        municipality,
        resident,
        day,
        recorded,
        value,
        amount,
        position,
        detail,
    ) in rows:
        occurred_on = days.get(day)
        if occurred_on is None:
            occurred_on = days[day] = date.fromisoformat(day)
        number = amounts.get(amount)
        if number is None:
            number = amounts[amount] = Decimal(amount)
        facts.append(
            new_fact(
                Fact,
                (
                    stream_id,
                    version,
                    kind,
                    municipality,
                    resident,
                    occurred_on,
                    _EPOCH + timedelta(microseconds=recorded),
                    value,
                    number,
                    position,
                    details.setdefault(detail, detail),
                ),
            )
        )
    return facts


def _conditions(
    placeholder: str, municipality: str | None, through: object, known_at: object
) -> tuple[str, list[object]]:
    """The WHERE clause and parameters of :meth:`FactsView.select_facts` (``through`` and
    ``known_at`` already in the store's form; None leaves a condition out)."""
    conditions: list[str] = []
    params: list[object] = []
    if municipality is not None:
        # Events no report could count belong to no municipality: every report shows them.
        conditions.append(f"(municipality = {placeholder} OR kind = '{FactKind.UNCOUNTED}')")
        params.append(municipality)
    for column, operator, value in (
        ("occurred_on", "<=", through),
        ("recorded_at", "<=", known_at),
    ):
        if value is not None:
            conditions.append(f"{column} {operator} {placeholder}")
            params.append(value)
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), params


def _check_position(position: int | None, after: int) -> None:
    """Refuse a page read after ``after`` when the view has moved elsewhere meanwhile (another
    process recorded that page, or a rebuild emptied the view)."""
    if (position or 0) != after:
        msg = f"the outcomes view is at {position or 0}, not at {after}"
        raise IntegrityError(msg)


#: The columns :func:`_lookup` reads, of registrations and starts of job coaching only.
_LOOKUP_COLUMNS = "kind, stream_id, municipality, resident_id"
_LOOKUP_KINDS = f"kind IN ('{FactKind.REGISTERED}', '{FactKind.COACHING_STARTED}')"


def _lookup(rows: Iterable[Sequence[str]]) -> dict[str, str]:
    """Resident ids to municipalities, and coaching ids to their residents, from the (kind,
    stream id, municipality, resident id) of registrations and starts of job coaching."""
    known: dict[str, str] = {}
    for kind, stream_id, municipality, resident_id in rows:
        if kind == FactKind.REGISTERED:
            known[stream_id] = municipality
        elif kind == FactKind.COACHING_STARTED:
            known[f"resident-of:{stream_id}"] = resident_id
    return known


#: The facts a report reads as they are: every kind but the rolled-up ones (and uncounted ones,
#: which every report lists apart). A partial index of the facts has this very condition.
_MILESTONE_KINDS = "kind NOT IN ('" + "', '".join((*ROLLED_UP, FactKind.UNCOUNTED)) + "')"
#: The columns of a fact as a row (:data:`~participatie.projections.fold.Row`), and of a counter.
_FACT_ROW = (
    "stream_id, kind, value, occurred_on, version, amount, position, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, municipality"
)
_COUNTER_ROW = (
    "stream_id, kind, value, NULL, NULL, NULL, NULL, month, facts, conversations, total, "
    "first_key, first_amount, last_key, last_amount, municipality"
)


def summary_statement(
    facts: str, months: str, placeholder: Callable[[str], str], *, municipality: bool
) -> str:
    """The query of :meth:`FactsView.summary_rows` (parameters by name: see
    :func:`summary_parameters`); ``placeholder`` writes a named parameter in the store's style."""
    p = placeholder
    where = f" AND municipality = {p('municipality')}" if municipality else ""
    happiness, hours = (f"'{kind}'" for kind in ROLLED_UP)
    arms = [
        (
            f"SELECT {_FACT_ROW} FROM {facts} WHERE {_MILESTONE_KINDS} "  # noqa: S608
            f"AND occurred_on <= {p('end')}{where}"
        ),
        (
            f"SELECT {_COUNTER_ROW} FROM {months} WHERE ((kind = {happiness} "  # noqa: S608
            f"AND month BETWEEN {p('first_month')} AND {p('last_month')}) "
            f"OR (kind = {hours} AND month <= {p('hours_month')})){where}"
        ),
    ]
    for kind, days in ((happiness, "before"), (happiness, "after"), (hours, "hours")):
        arms.append(
            f"SELECT {_FACT_ROW} FROM {facts} WHERE kind = {kind} "  # noqa: S608
            f"AND occurred_on BETWEEN {p(days + '_first')} AND {p(days + '_last')}{where}"
        )
    # By municipality, then stream: the order of the indexes of the facts and the counters, so that
    # the database merges the parts rather than sorting them (a stream has one municipality).
    return " UNION ALL ".join(arms) + " ORDER BY 16, 1"


def summary_parameters(
    plan: ReadPlan, municipality: str | None, day: Callable[[date], object]
) -> dict[str, object]:
    """The parameters of :func:`summary_statement` (``day`` writes a date in the store's form)."""
    (before_first, before_last), (after_first, after_last) = plan.happiness_days
    parameters: dict[str, object] = {
        "end": day(plan.end),
        "first_month": plan.happiness_months[0],
        "last_month": plan.happiness_months[1],
        "hours_month": plan.hours_through_month,
        "before_first": day(before_first),
        "before_last": day(before_last),
        "after_first": day(after_first),
        "after_last": day(after_last),
        "hours_first": day(plan.hours_days[0]),
        "hours_last": day(plan.hours_days[1]),
    }
    if municipality is not None:
        parameters["municipality"] = municipality
    return parameters


def fact_rows_statement(
    facts: str, placeholder: Callable[[str], str], *, municipality: bool, known_at: bool
) -> str:
    """The query of :meth:`FactsView.fact_rows` (parameters ``end``, ``known_at`` and
    ``municipality`` by name)."""
    p = placeholder
    where = f" AND municipality = {p('municipality')}" if municipality else ""
    if known_at:
        where += f" AND recorded_at <= {p('known_at')}"
    return (
        f"SELECT {_FACT_ROW} FROM {facts} WHERE kind <> '{FactKind.UNCOUNTED}' "  # noqa: S608
        f"AND occurred_on <= {p('end')}{where} ORDER BY municipality, stream_id"
    )


def uncounted_statement(facts: str, placeholder: Callable[[str], str], *, known_at: bool) -> str:
    """The query of :meth:`FactsView.uncounted_positions` (``end`` and ``known_at`` by name)."""
    p = placeholder
    known = f" AND recorded_at <= {p('known_at')}" if known_at else ""
    return (
        f"SELECT position FROM {facts} WHERE kind = '{FactKind.UNCOUNTED}' "  # noqa: S608
        f"AND occurred_on <= {p('end')}{known} ORDER BY position"
    )


def counter_check_statement(facts: str, months: str) -> str:
    """The query of :meth:`FactsView.counter_problems`: the rolled-up facts and the counters,
    ordered by stream (rows of :data:`~participatie.projections.monthly.CheckRow`)."""
    kinds = "', '".join(ROLLED_UP)
    return (
        "SELECT stream_id, 0, municipality, stream_id, NULL, kind, value, version, "  # noqa: S608
        f"NULL, NULL, NULL, NULL, NULL, NULL, occurred_on, amount FROM {facts} "
        f"WHERE kind IN ('{kinds}') "
        f"UNION ALL SELECT stream_id, 1, {MONTHS_COLUMNS}, NULL, NULL FROM {months} ORDER BY 1"
    )


def upsert_months_statement(months: str, placeholders: str, excluded_first: str) -> str:
    """The statement that adds a page's counters (:func:`~.monthly.month_rows`) to the stored
    ones. ``excluded_first`` is the store's smaller-of-two function (MIN, LEAST)."""
    least, greatest = excluded_first, {"MIN": "MAX", "LEAST": "GREATEST"}[excluded_first]
    return (
        f"INSERT INTO {months} AS m ({MONTHS_COLUMNS}) VALUES ({placeholders}) "  # noqa: S608
        "ON CONFLICT (municipality, stream_id, month, kind, value) DO UPDATE SET "
        "facts = m.facts + excluded.facts, total = m.total + excluded.total, "
        "conversations = m.conversations + excluded.conversations, "
        "first_amount = CASE WHEN excluded.first_key < m.first_key "
        "THEN excluded.first_amount ELSE m.first_amount END, "
        f"first_key = {least}(m.first_key, excluded.first_key), "
        "last_amount = CASE WHEN excluded.last_key > m.last_key "
        "THEN excluded.last_amount ELSE m.last_amount END, "
        f"last_key = {greatest}(m.last_key, excluded.last_key)"
    )


def _in_days(day: date, days: tuple[date, date]) -> bool:
    return days[0] <= day <= days[1]


def _fact_row(fact: Fact) -> Row:
    return (
        fact.stream_id,
        fact.kind,
        fact.value,
        fact.occurred_on,
        fact.version,
        fact.amount,
        fact.position,
        *_NO_COUNTER,
        fact.municipality,
    )


#: What a fact has in a row for the fields of a counter.
_NO_COUNTER = (None,) * 8


class POPOFactsView(POPOTrackingRecorder):
    """The in-process view (``memory://``)."""

    writes_behind = False

    def __init__(self) -> None:
        super().__init__()
        self._facts: list[Fact] = []
        self._months: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        with self._database_lock:
            _check_position(self._max_tracking_ids.get(TRACKING_KEY), after)
            self._assert_tracking_uniqueness(tracking)
            self._facts.extend(facts)
            if not after:  # built from the start: no counters of an earlier build count
                self._months.clear()
            for row in month_rows(facts):
                key = row[:5]
                self._months[key] = merge_month_row(self._months.get(key), row)
            self._insert_tracking(tracking)

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        with self._database_lock:
            facts, months = list(self._facts), list(self._months.values())
        first_month, last_month = plan.happiness_months
        before, after = plan.happiness_days
        rows = [
            _fact_row(f)
            for f in facts
            if municipality in (None, f.municipality)
            and f.kind != FactKind.UNCOUNTED
            and f.occurred_on <= plan.end
            and (
                f.kind not in ROLLED_UP
                or (
                    f.kind == FactKind.HAPPINESS
                    and (_in_days(f.occurred_on, before) or _in_days(f.occurred_on, after))
                )
                or (f.kind == FactKind.COACHING_HOURS and _in_days(f.occurred_on, plan.hours_days))
            )
        ]
        rows += [
            (stream_id, kind, value, None, None, None, None, month, *counts, place)
            for place, stream_id, month, kind, value, *counts in months
            if municipality in (None, place)
            and (
                (kind == FactKind.HAPPINESS and first_month <= month <= last_month)
                or (kind == FactKind.COACHING_HOURS and month <= plan.hours_through_month)
            )
        ]
        rows.sort(key=lambda row: (row[15], row[0]))
        return iter(rows)

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        facts = self.select_facts(municipality, through=through, known_at=known_at)
        rows = [_fact_row(f) for f in facts if f.kind != FactKind.UNCOUNTED]
        rows.sort(key=lambda row: (row[15], row[0]))
        return iter(rows)

    def counter_problems(self) -> list[str]:
        with self._database_lock:
            facts, months = list(self._facts), list(self._months.values())
        rows: list[tuple[Any, ...]] = [
            (f.stream_id, 0, f.municipality, f.stream_id, None, f.kind, f.value, f.version)
            + (None,) * 6
            + (f.occurred_on, f.amount)
            for f in facts
            if f.kind in ROLLED_UP
        ]
        rows += [(row[1], 1, *row, None, None) for row in months]
        rows.sort(key=lambda row: row[0])
        return counter_problems(rows)

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        with self._database_lock:
            return tuple(
                f.position
                for f in self._facts
                if f.kind == FactKind.UNCOUNTED
                and f.occurred_on <= through
                and (known_at is None or f.recorded_at <= known_at)
            )

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        with self._database_lock:
            return [
                f
                for f in self._facts
                if (municipality in (None, f.municipality) or f.kind == FactKind.UNCOUNTED)
                and (through is None or f.occurred_on <= through)
                and (known_at is None or f.recorded_at <= known_at)
            ]

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        with self._database_lock:
            return [f for f in self._facts if f.position > position][:limit]

    def municipalities(self) -> dict[str, str]:
        with self._database_lock:
            return _lookup(
                (f.kind, f.stream_id, f.municipality, f.resident_id) for f in self._facts
            )

    def reset(self) -> None:
        with self._database_lock:
            self._facts.clear()
            self._months.clear()
            self._max_tracking_ids.pop(TRACKING_KEY, None)

    def create_indexes(self) -> None:
        """A list in memory has no index."""


def create_tables_once(create: Callable[[], None]) -> None:
    """Create a view's tables; when processes race to create them, the losers try again.

    eventsourcing's tracking table creation is not safe against a concurrent creation (a second
    process fails on the table, its type or its migration row); a retry finds them made.
    """
    for attempt in range(3):
        try:
            create()
        except (IntegrityError, OperationalError):
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
        else:
            return


_INDEX = f"{FACTS_TABLE}_municipality"
#: The indexes of the facts (name, columns and condition): by municipality (the facts of one
#: municipality, and its scores and hours of a few days); by kind and day (the scores and hours
#: of a few days of all municipalities, the uncounted facts); and the facts a report reads as
#: they are, covering the columns it reads (few: no scores, no hours).
_INDEXES = (
    (_INDEX, "municipality, kind, occurred_on", ""),
    (f"{FACTS_TABLE}_kind_day", "kind, occurred_on", ""),
    (
        f"{FACTS_TABLE}_milestones",
        "municipality, stream_id, kind, value, occurred_on, version, amount, position",
        f" WHERE {_MILESTONE_KINDS}",
    ),
)
_SQLITE_CREATE_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {name} ON {FACTS_TABLE} ({columns}){condition}"
    for name, columns, condition in _INDEXES
]
_SQLITE_UPSERT_MONTHS = upsert_months_statement(MONTHS_TABLE, ",".join("?" * 12), "MIN")


def _sqlite_placeholder(name: str) -> str:
    return f":{name}"


def _sqlite_day(day: date) -> str:
    return day.isoformat()  # ISO dates compare as text


def _sqlite_rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[Row]:
    """Rows of :data:`~participatie.projections.fold.Row` from SQLite's: a fact's day and amount
    are text there (each distinct text parsed once)."""
    days: dict[str, date] = {}
    amounts: dict[str, Decimal] = {}
    for row in rows:
        if row[7] is not None:  # a counter: integers as they are
            yield row
            continue
        stream_id, kind, value, day, version, amount, position = row[:7]
        occurred_on = days.get(day)
        if occurred_on is None:
            occurred_on = days[day] = date.fromisoformat(day)
        number = amounts.get(amount)
        if number is None:
            number = amounts[amount] = Decimal(amount)
        yield (stream_id, kind, value, occurred_on, version, number, position, *row[7:])


class SQLiteFactsView(SQLiteTrackingRecorder):
    """The view in the SQLite file of the events."""

    writes_behind = False

    def create_table(self) -> None:
        create_tables_once(super().create_table)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.extend(f"DROP TABLE IF EXISTS {table}" for table in _EARLIER_FACTS_TABLES)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {FACTS_TABLE} ("
            "position INTEGER PRIMARY KEY, "
            "stream_id TEXT NOT NULL, version INTEGER NOT NULL, kind TEXT NOT NULL, "
            "municipality TEXT NOT NULL, resident_id TEXT NOT NULL, occurred_on TEXT NOT NULL, "
            "recorded_at INTEGER NOT NULL, value TEXT NOT NULL, amount TEXT NOT NULL, "
            "detail TEXT NOT NULL)"
        )
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {MONTHS_TABLE} ("
            "municipality TEXT NOT NULL, stream_id TEXT NOT NULL, month INTEGER NOT NULL, "
            "kind TEXT NOT NULL, value TEXT NOT NULL, facts INTEGER NOT NULL, "
            "conversations INTEGER NOT NULL, total INTEGER NOT NULL, "
            "first_key INTEGER NOT NULL, first_amount INTEGER NOT NULL, "
            "last_key INTEGER NOT NULL, last_amount INTEGER NOT NULL, "
            "PRIMARY KEY (municipality, stream_id, month, kind, value)) WITHOUT ROWID"
        )
        statements.extend(_SQLITE_CREATE_INDEXES)
        return statements

    def record(self, facts: Sequence[Fact], tracking: Tracking, *, after: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            # Writing first takes the file's write lock, so the position read next is current.
            c.executemany(
                f"INSERT INTO {FACTS_TABLE} ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                [_row(fact) for fact in facts],
            )
            _check_position(self._max_tracking_id(TRACKING_KEY, c), after)
            if not after:  # built from the start: no counters of an earlier build count
                c.execute(f"DELETE FROM {MONTHS_TABLE}")  # noqa: S608
            c.executemany(_SQLITE_UPSERT_MONTHS, month_rows(facts))
            self._insert_tracking(c, tracking)

    def select_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        where, params = _conditions(
            "?",
            municipality,
            through and through.isoformat(),  # ISO dates compare as text
            known_at and (known_at - _EPOCH) // _MICROSECOND,
        )
        statement = f"SELECT {_COLUMNS} FROM {FACTS_TABLE}{where} ORDER BY position"  # noqa: S608
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples: made faster than sqlite3.Row
            c.execute(statement, params)
            return _sqlite_facts(c.fetchall())

    def facts_after(self, position: int, limit: int) -> list[Fact]:
        statement = (
            f"SELECT {_COLUMNS} FROM {FACTS_TABLE} "  # noqa: S608
            "WHERE position > ? ORDER BY position LIMIT ?"
        )
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, (position, limit))
            return _sqlite_facts(c.fetchall())

    def _read(self, statement: str, parameters: dict[str, object]) -> Iterator[Row]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples: made faster than sqlite3.Row
            cursor.execute(statement, parameters)
            yield from _sqlite_rows(cursor)  # one row at a time, not the whole result

    def summary_rows(self, municipality: str | None, plan: ReadPlan) -> Iterator[Row]:
        statement = summary_statement(
            FACTS_TABLE, MONTHS_TABLE, _sqlite_placeholder, municipality=municipality is not None
        )
        return self._read(statement, summary_parameters(plan, municipality, _sqlite_day))

    def fact_rows(
        self, municipality: str | None, *, through: date, known_at: datetime | None
    ) -> Iterator[Row]:
        statement = fact_rows_statement(
            FACTS_TABLE,
            _sqlite_placeholder,
            municipality=municipality is not None,
            known_at=known_at is not None,
        )
        parameters: dict[str, object] = {"end": through.isoformat(), "municipality": municipality}
        if known_at is not None:
            parameters["known_at"] = (known_at - _EPOCH) // _MICROSECOND
        return self._read(statement, parameters)

    def uncounted_positions(self, *, through: date, known_at: datetime | None) -> tuple[int, ...]:
        statement = uncounted_statement(
            FACTS_TABLE, _sqlite_placeholder, known_at=known_at is not None
        )
        parameters: dict[str, object] = {"end": through.isoformat()}
        if known_at is not None:
            parameters["known_at"] = (known_at - _EPOCH) // _MICROSECOND
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None
            c.execute(statement, parameters)
            return tuple(position for (position,) in c.fetchall())

    def counter_problems(self) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None
            cursor.execute(counter_check_statement(FACTS_TABLE, MONTHS_TABLE))
            return counter_problems(cursor)

    def municipalities(self) -> dict[str, str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {_LOOKUP_COLUMNS} FROM {FACTS_TABLE} WHERE {_LOOKUP_KINDS}")  # noqa: S608
            return _lookup(c.fetchall())

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for name, _, _ in _INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {name}")
            c.execute(f"DELETE FROM {FACTS_TABLE}")  # noqa: S608
            c.execute(f"DELETE FROM {MONTHS_TABLE}")  # noqa: S608
            c.execute("DELETE FROM tracking WHERE application_name = ?", (TRACKING_KEY,))

    def create_indexes(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for statement in _SQLITE_CREATE_INDEXES:
                c.execute(statement)
