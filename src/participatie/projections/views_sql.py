"""The SQL of the outcomes view that SQLite and PostgreSQL share (see
:mod:`~participatie.projections.views`).

Each statement is written once, with the store's own placeholders and table names given by the
caller: :mod:`~participatie.projections.views_sqlite` uses them as they are, and
:mod:`~participatie.projections.views_postgres` composes them into ``psycopg.sql`` statements.
``FactsView`` below is :class:`participatie.projections.views.FactsView`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from participatie.projections.facts import FactKind
from participatie.projections.monthly import MONTHS_COLUMNS, ROLLED_UP, ReadPlan
from participatie.projections.views import FACTS_TABLE

__all__ = [
    "INDEXES",
    "fact_rows_statement",
    "summary_parameters",
    "summary_statement",
    "uncounted_statement",
    "upsert_months_statement",
]


def conditions(
    placeholder: str, municipality: str | None, through: object, known_at: object
) -> tuple[str, list[object]]:
    """The WHERE clause and parameters of :meth:`FactsView.select_facts` (``through`` and
    ``known_at`` already in the store's form; None leaves a condition out)."""
    clauses: list[str] = []
    params: list[object] = []
    if municipality is not None:
        # Events no report could count belong to no municipality: every report shows them.
        clauses.append(f"(municipality = {placeholder} OR kind = '{FactKind.UNCOUNTED}')")
        params.append(municipality)
    for column, operator, value in (
        ("occurred_on", "<=", through),
        ("recorded_at", "<=", known_at),
    ):
        if value is not None:
            clauses.append(f"{column} {operator} {placeholder}")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


#: The columns :func:`~participatie.projections.views.lookup` reads, of registrations and starts
#: of job coaching only.
LOOKUP_COLUMNS = "kind, stream_id, municipality, resident_id"
LOOKUP_KINDS = f"kind IN ('{FactKind.REGISTERED}', '{FactKind.COACHING_STARTED}')"

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


_INDEX = f"{FACTS_TABLE}_municipality"
#: The indexes of the facts (name, columns and condition): by municipality (the facts of one
#: municipality, and its scores and hours of a few days); by kind and day (the scores and hours
#: of a few days of all municipalities, the uncounted facts); and the facts a report reads as
#: they are, covering the columns it reads (few: no scores, no hours).
INDEXES = (
    (_INDEX, "municipality, kind, occurred_on", ""),
    (f"{FACTS_TABLE}_kind_day", "kind, occurred_on", ""),
    (
        f"{FACTS_TABLE}_milestones",
        "municipality, stream_id, kind, value, occurred_on, version, amount, position",
        f" WHERE {_MILESTONE_KINDS}",
    ),
)
