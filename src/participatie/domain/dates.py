"""Calendar arithmetic the rules share."""

from __future__ import annotations

from datetime import date

__all__ = ["add_years"]


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February.

    >>> add_years(date(2020, 2, 29), 1)
    datetime.date(2021, 2, 28)
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
