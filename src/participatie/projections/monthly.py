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
    "CounterCheck",
    "ReadPlan",
    "amount_of",
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
    counted = CounterCheck()
    counted.add_all(facts)
    if counted.unreadable is not None:
        raise ValueError(counted.unreadable)
    return counted.rows()


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


class CounterCheck:
    """The monthly counters the stored facts make, added up fact by fact as the facts are read
    (in any order), to compare with the stored counters (:meth:`problems`): each stream's
    counters must be those its facts make (the rows :func:`month_rows` makes, worked out here
    straight from the stored rows, without facts).

    The counters are derived from the facts, which ``verify()`` checks against the events; this
    closes the gap, since reports read the counters (a changed counter would change a figure).
    Holds one entry per counter row the facts make (about a twentieth of the facts).
    """

    def __init__(self) -> None:
        self.made: dict[str, dict[tuple[int, str, str], list[Any]]] = {}
        #: The first fact that no longer reads (its position and why), if any.
        self.unreadable: str | None = None
        # Days and amounts repeat from fact to fact: each distinct one is worked out once.
        self._days: dict[Any, tuple[int, int]] = {}
        self._amounts: dict[Any, int] = {}

    def add_all(self, rows: Iterable[Sequence[Any]]) -> None:
        """Add stored facts (in :class:`~participatie.projections.facts.Fact`'s field order, as
        the store gives them: a business date as a date or ISO text, an amount as a Decimal or
        its text). A fact that no longer reads is remembered, not raised."""
        made, days, amounts = self.made, self._days, self._amounts
        happiness = FactKind.HAPPINESS.value
        for row in rows:
            kind = row[2]
            if kind not in ROLLED_UP:
                continue
            stream_id, version, municipality, day, value, amount = (
                row[0],
                row[1],
                row[3],
                row[5],
                row[7],
                row[8],
            )
            try:
                known = days.get(day)
                if known is None:
                    on = day if isinstance(day, date) else date.fromisoformat(day)
                    known = days[day] = (on.year * 12 + on.month - 1, on.toordinal() << 32)
                scaled = amounts.get(amount)
                if scaled is None:
                    scaled = amounts[amount] = int(Decimal(amount) * _SCALE)
                order = known[1] | version
            except (TypeError, ValueError, ArithmeticError) as error:
                if self.unreadable is None:
                    self.unreadable = f"the fact at position {row[9]!r} no longer reads ({error})"
                continue
            score = kind == happiness
            key = (known[0], kind, "" if score else value)
            conversation = 1 if score and value == "conversation" else 0
            counters = made.get(stream_id)
            if counters is None:
                counters = made[stream_id] = {}
            counter = counters.get(key)
            if counter is None:
                # municipality, facts, conversations, total, first key and amount, last ones
                counters[key] = [municipality, 1, conversation, scaled, *(order, scaled) * 2]
                continue
            counter[1] += 1
            counter[2] += conversation
            counter[3] += scaled
            if order < counter[4]:
                counter[4], counter[5] = order, scaled
            if order > counter[6]:
                counter[6], counter[7] = order, scaled

    def rows(self) -> list[tuple[Any, ...]]:
        """The counter rows the facts added so far make, in :data:`MONTHS_COLUMNS`' order."""
        return [
            (municipality, stream_id, *key, *counts)
            for stream_id, counters in self.made.items()
            for key, (municipality, *counts) in counters.items()
        ]

    def problems(self, stored: Iterable[Sequence[Any]], *, limit: int = 20) -> list[str]:
        """What is wrong with the ``stored`` counter rows (in :data:`MONTHS_COLUMNS`' order)."""
        if self.unreadable is not None:
            return [f"outcome facts: the monthly counters cannot be read: {self.unreadable}"]
        kept: dict[Any, set[tuple[Any, ...]]] = {}
        for row in stored:
            kept.setdefault(row[1], set()).add(tuple(row))
        problems: list[str] = []
        for stream_id in sorted(set(self.made) | set(kept), key=str):
            counters = {
                (m, stream_id, *key, *c) for key, (m, *c) in self.made.get(stream_id, {}).items()
            }
            differ = counters ^ kept.get(stream_id, set())
            if differ:
                problems.append(
                    f"outcome facts: the monthly counters of stream {stream_id} are not those "
                    f"its facts make ({len(differ)} rows differ)"
                )
                if len(problems) >= limit:
                    break
        return problems
