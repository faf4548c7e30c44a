"""The outcomes view in memory (``memory://``): see :mod:`participatie.projections.views`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOTrackingRecorder

from participatie.projections.facts import Fact, FactKind, new_fact
from participatie.projections.fold import Row
from participatie.projections.monthly import (
    ROLLED_UP,
    ReadPlan,
    merge_month_row,
    month_rows,
)
from participatie.projections.views import TRACKING_KEY, check_position, lookup

__all__ = ["POPOFactsView"]


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

    def record(
        self,
        facts: Sequence[Fact],
        tracking: Tracking,
        *,
        after: int,
        also: Callable[[Any], None] | None = None,
    ) -> None:
        with self._database_lock:
            check_position(self._max_tracking_ids.get(TRACKING_KEY), after)
            self._assert_tracking_uniqueness(tracking)
            self._facts.extend(facts)
            if not after:  # built from the start: no counters of an earlier build count
                self._months.clear()
            for row in month_rows(facts):
                key = row[:5]
                self._months[key] = merge_month_row(self._months.get(key), row)
            self._insert_tracking(tracking)
            if also is not None:
                also(None)

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

    def counter_rows(self) -> list[tuple[Any, ...]]:
        with self._database_lock:
            return [tuple(row) for row in self._months.values()]

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

    def stored_facts_after(self, position: int, limit: int) -> list[tuple[Any, ...]]:
        with self._database_lock:
            rows: list[tuple[Any, ...]] = [f for f in self._facts if f.position > position]
            return rows[:limit]

    def as_stored(self, fact: Fact) -> tuple[Any, ...]:
        return fact

    def from_stored(self, row: tuple[Any, ...]) -> Fact:
        return new_fact(Fact, row)

    def municipalities(self) -> dict[str, str]:
        with self._database_lock:
            return lookup((f.kind, f.stream_id, f.municipality, f.resident_id) for f in self._facts)

    def reset(self) -> None:
        with self._database_lock:
            self._facts.clear()
            self._months.clear()
            self._max_tracking_ids.pop(TRACKING_KEY, None)

    def create_indexes(self) -> None:
        """A list in memory has no index."""
