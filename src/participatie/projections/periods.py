"""The calendar of a period: its whole months, months added to a date, a resident's facts in
the order they happened, and whether a trajectory was open on a day, throughout a month, or at
some moment of the period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from participatie.projections.facts import Fact
from participatie.projections.kinds import CLOSED, REGISTERED, REOPENED

__all__ = ["add_months", "in_order", "open_on", "open_throughout", "was_reached", "whole_months"]


def whole_months(start: date, end: date) -> list[tuple[date, date]]:
    """The whole calendar months within [start, end], as (first day, last day)."""
    months: list[tuple[date, date]] = []
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    while True:
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if last > end:
            return months
        months.append((first, last))
        first = last + timedelta(days=1)


def in_order(facts: Iterable[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.occurred_on, f.version))


def was_reached(facts: list[Fact], start: date) -> bool:
    """Whether a resident was coached at some moment of the period: open at the end of the day
    before it (carried over), or registered or reopened in it (facts end with the period)."""
    return open_on(facts, start - timedelta(days=1)) or any(
        f.kind in (REGISTERED, REOPENED) and f.occurred_on >= start for f in facts
    )


def open_on(facts: list[Fact], day: date) -> bool:
    is_open = False
    for f in facts:
        if f.occurred_on > day:
            break
        if f.kind in (REGISTERED, REOPENED):
            is_open = True
        elif f.kind == CLOSED:
            is_open = False
    return is_open


def open_throughout(facts: list[Fact], first: date, last: date) -> bool:
    if not open_on(facts, first - timedelta(days=1)):
        return False
    return not any(f.kind == CLOSED and first <= f.occurred_on <= last for f in facts)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError(day)  # pragma: no cover
