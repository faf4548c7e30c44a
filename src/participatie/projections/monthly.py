"""Monthly counters: the happiness scores and coaching hours of a stream, summed per month.

Most facts are happiness scores (every conversation) and coaching hours (every log); a report
needs of them only sums and extremes: per resident the first and the last score of the period and
the conversations of each whole month, per coaching trajectory the hours logged by the end of the
period per coaching year. The outcomes view keeps those per (stream, month, kind, value), updated
with the facts in the same transaction (:func:`month_rows` makes a page's rows, which the view
adds to the stored ones), so that a report over whole months reads one row per stream and month
instead of every fact, and reads facts only for the days of a partly covered month
(:class:`ReadPlan`). Every other fact (registrations, closures, placements, ...) is read as it
is: a handful per stream.

Amounts are stored as whole ten-thousandths (facts hold at most four decimals), so sums are exact
in every store; a score or a sum of hours is the same number as the facts give.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import attrs

from participatie.projections.facts import Fact, FactKind

__all__ = [
    "MONTHS_COLUMNS",
    "ROLLED_UP",
    "ReadPlan",
    "amount_of",
    "counter_problems",
    "fact_key",
    "month_of",
    "month_rows",
    "ten_thousandths",
]

#: The fact kinds kept as monthly counters (and read as facts only for partly covered months).
ROLLED_UP = (FactKind.HAPPINESS.value, FactKind.COACHING_HOURS.value)

#: The columns of the monthly counters, in the order :func:`month_rows` gives them. ``facts``
#: counts the month's facts of that kind and value; ``total`` sums their amounts; ``first_*`` and
#: ``last_*`` are the amount and :func:`fact_key` of the month's first and last fact in the order
#: the figures use (business date, then version). Scores keep one row a month (``value`` is
#: empty: the first and last score are of intakes and conversations alike), and count the
#: conversations among them in ``conversations``; hours keep a row per coaching year (``value``).
MONTHS_COLUMNS = (
    "municipality, stream_id, month, kind, value, facts, conversations, total, "
    "first_key, first_amount, last_key, last_amount"
)

_SCALE = 10_000


def month_of(day: date) -> int:
    """A month as one number (months since the year 0), so that months compare and subtract."""
    return day.year * 12 + day.month - 1


def fact_key(day: date, version: int) -> int:
    """The order of a stream's facts (business date, then version) as one integer."""
    return (day.toordinal() << 32) | version


def ten_thousandths(amount: Decimal) -> int:
    """An amount in whole ten-thousandths (exact: stored facts hold at most four decimals)."""
    return int(amount * _SCALE)


def amount_of(ten_thousandths: int) -> Decimal:
    """The amount of :func:`ten_thousandths` again (whole numbers as whole numbers)."""
    whole, rest = divmod(ten_thousandths, _SCALE)
    if not rest:
        return Decimal(whole)
    return (Decimal(ten_thousandths) / _SCALE).normalize()


def month_rows(facts: Iterable[Fact]) -> list[tuple[Any, ...]]:
    """The monthly counters a page of facts adds (in :data:`MONTHS_COLUMNS`' order): one row per
    stream, month, kind and value, to be added to a stored row with the same key, if any."""
    rows: dict[tuple[str, int, str, str], list[Any]] = {}
    # A rebuild makes these for every page: amounts and months repeat, so each is worked out once.
    scaled: dict[Decimal, int] = {}
    months: dict[date, tuple[int, int]] = {}
    happiness = FactKind.HAPPINESS
    for fact in facts:
        kind = fact.kind
        if kind not in ROLLED_UP:
            continue
        day = fact.occurred_on
        known = months.get(day)
        if known is None:
            known = months[day] = (day.year * 12 + day.month - 1, day.toordinal() << 32)
        month, ordinal = known
        score = kind == happiness
        key = (fact.stream_id, month, kind, "" if score else fact.value)
        order = ordinal | fact.version
        amount = scaled.get(fact.amount)
        if amount is None:
            amount = scaled[fact.amount] = int(fact.amount * _SCALE)
        conversation = 1 if score and fact.value == "conversation" else 0
        row = rows.get(key)
        if row is None:
            rows[key] = [fact.municipality, 1, conversation, amount, order, amount, order, amount]
            continue
        row[1] += 1
        row[2] += conversation
        row[3] += amount
        if order < row[4]:
            row[4], row[5] = order, amount
        if order > row[6]:
            row[6], row[7] = order, amount
    return [
        (municipality, stream_id, month, kind, value, *counts)
        for (stream_id, month, kind, value), (municipality, *counts) in rows.items()
    ]


def merge_month_row(stored: Sequence[Any] | None, added: Sequence[Any]) -> tuple[Any, ...]:
    """A stored counter row with a page's row for the same key added (as the SQL views do it)."""
    if stored is None:
        return tuple(added)
    first = stored[8:10] if stored[8] <= added[8] else added[8:10]
    last = stored[10:12] if stored[10] >= added[10] else added[10:12]
    counts = (stored[5] + added[5], stored[6] + added[6], stored[7] + added[7])
    return (*stored[:5], *counts, *first, *last)


#: A range of days that holds none.
_NO_DAYS = (date.max, date.min)


def _last_day(month: int) -> date:
    year, index = divmod(month + 1, 12)
    return date(year, index + 1, 1) - timedelta(days=1)


def _first_day(month: int) -> date:
    year, index = divmod(month, 12)
    return date(year, index + 1, 1)


@attrs.frozen
class ReadPlan:
    """What a report of ``start`` to ``end`` reads: the facts of every kind but the rolled-up ones
    through ``end``; the happiness counters of the whole months of the period
    (``happiness_months``, inclusive, empty when the first exceeds the last) and the scores of
    the days around them (``happiness_days``); the coaching hours' counters of the months that
    end by ``end`` (``hours_through_month``) and the hours logged in the rest of ``end``'s month
    (``hours_days``). Day ranges are inclusive and empty when the first day is after the last."""

    end: date
    happiness_months: tuple[int, int]
    happiness_days: tuple[tuple[date, date], tuple[date, date]]
    hours_through_month: int
    hours_days: tuple[date, date]

    @classmethod
    def of(cls, start: date, end: date) -> ReadPlan:
        """The plan of the period from ``start`` to ``end`` (both inclusive)."""
        first_whole = month_of(start) + (start.day != 1)
        last_whole = month_of(end) - ((end + timedelta(days=1)).day != 1)
        if first_whole <= last_whole:
            before = (start, _first_day(first_whole) - timedelta(days=1))
            after = (_last_day(last_whole) + timedelta(days=1), end)
        else:  # no whole month: every day from the facts
            before, after = (start, end), _NO_DAYS
        hours_month = month_of(end) - ((end + timedelta(days=1)).day != 1)
        return cls(
            end=end,
            happiness_months=(first_whole, last_whole),
            happiness_days=(before, after),
            hours_through_month=hours_month,
            hours_days=(_last_day(hours_month) + timedelta(days=1), end),
        )


#: A row of :func:`counter_problems`: ``(stream_id, is_counter, *counter, occurred_on, amount)``
#: where ``counter`` has :data:`MONTHS_COLUMNS`; a fact has its municipality, stream id, kind,
#: value and version in the counter's municipality, stream id, kind, value and facts, and its
#: business date (a date or ISO text) and amount (a Decimal or its text) in the last two.
CheckRow = tuple[Any, ...]


def counter_problems(rows: Iterable[CheckRow], *, limit: int = 20) -> list[str]:
    """What is wrong with the stored counters, from the rolled-up facts and the stored counters
    ordered by stream: each stream's counters must be those its facts make (the rows
    :func:`month_rows` makes, worked out here straight from the rows, without facts).

    The counters are derived from the facts, which ``verify()`` checks against the events; this
    closes the gap, since reports read the counters (a changed counter would change a figure).
    """
    problems: list[str] = []
    current: str | None = None
    made: dict[tuple[int, str, str], list[Any]] = {}
    stored: set[tuple[Any, ...]] = set()
    # Days and amounts repeat from row to row: each distinct one is worked out once.
    days: dict[Any, tuple[int, int]] = {}
    amounts: dict[Any, int] = {}
    happiness = FactKind.HAPPINESS.value

    def check() -> None:
        counters = {(m, current, *key, *c) for key, (m, *c) in made.items()}
        if counters != stored and len(problems) < limit:
            problems.append(
                f"outcome facts: the monthly counters of stream {current} are not those its "
                f"facts make ({len(counters ^ stored)} rows differ)"
            )

    for row in rows:
        if row[0] != current:
            if current is not None:
                check()
            current, made, stored = row[0], {}, set()
        if row[1]:
            stored.add(tuple(row[2:14]))
            continue
        municipality, kind, value, version, day, amount = (
            row[2],
            row[5],
            row[6],
            row[7],
            row[14],
            row[15],
        )
        known = days.get(day)
        if known is None:
            on = day if isinstance(day, date) else date.fromisoformat(day)
            known = days[day] = (on.year * 12 + on.month - 1, on.toordinal() << 32)
        scaled = amounts.get(amount)
        if scaled is None:
            scaled = amounts[amount] = int(Decimal(amount) * _SCALE)
        score = kind == happiness
        key = (known[0], kind, "" if score else value)
        order = known[1] | version
        conversation = 1 if score and value == "conversation" else 0
        counter = made.get(key)
        if counter is None:
            made[key] = [municipality, 1, conversation, scaled, order, scaled, order, scaled]
            continue
        counter[1] += 1
        counter[2] += conversation
        counter[3] += scaled
        if order < counter[4]:
            counter[4], counter[5] = order, scaled
        if order > counter[6]:
            counter[6], counter[7] = order, scaled
    if current is not None:
        check()
    return problems
