"""The checks of every value a command takes, so that the commands themselves hold only rules.

Each function takes what a caller passed, returns it in the form the event stores (plain ``str``,
``int``, ``Decimal``, ``bool``, ``date``: the stored event formats do not change) and raises
:class:`~participatie.errors.InvalidInput` naming the field and the accepted values otherwise.
The bounds are documented in docs/guide.md ("What the commands accept"):

=====================  =========================================================================
input                  accepted
=====================  =========================================================================
text (names, ids,      one line of at most 200 characters (a municipality 100), not empty after
reasons, purposes)     stripping surrounding space; no control characters (C0 including tab and
                       newline, DEL, C1), no line or paragraph separators, no unpaired surrogates
hours per week         more than 0, at most 40, at most two decimals
coaching hours         more than 0, at most 2080 (40 hours x 52 weeks), at most two decimals
happiness              a whole number from 1 to 10
wage value percent     a whole number from 0 to 100
contract months        a whole number from 1 to 120, or None for no fixed term
flags                  True or False
business date          a ``datetime.date`` (not a datetime)
=====================  =========================================================================

Numbers of hours are ``int``, ``Decimal``, numeric text, or ``float``; a float is read as the
decimal it prints as (``0.1`` is 0.1), so floats with more than two decimals are refused like any
other number. ``bool`` is never a number here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from participatie.errors import InvalidInput

__all__ = [
    "MAX_COACHING_HOURS",
    "MAX_CONTRACT_MONTHS",
    "MAX_HOURS_PER_WEEK",
    "MAX_MUNICIPALITY_LENGTH",
    "MAX_TEXT_LENGTH",
    "business_date",
    "checked_text",
    "coaching_hours",
    "contract_months",
    "flag",
    "happiness_score",
    "hours_per_week",
    "municipality_name",
    "quoted",
    "wage_value_percent",
]

#: Longest text a command takes (names, ids, reasons, purposes).
MAX_TEXT_LENGTH = 200
#: Longest municipality name.
MAX_MUNICIPALITY_LENGTH = 100
#: Most hours a placement takes per week (domain.md, rule 6).
MAX_HOURS_PER_WEEK = Decimal(40)
#: Most coaching hours one log entry takes: a full-time year, more than any policy's cap allows.
MAX_COACHING_HOURS = MAX_HOURS_PER_WEEK * 52
#: Longest contract a placement records, in months (ten years).
MAX_CONTRACT_MONTHS = 120

_CENT = Decimal("0.01")

#: Characters that no one-line text may hold: C0 controls (tab and newline included), DEL, C1
#: controls, line and paragraph separators, and surrogates (in a str always unpaired: no UTF-8
#: encoder, so no store, accepts them). PostgreSQL refuses NUL in text outright.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def checked_text(value: object, *, field: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """One line of text, stripped of surrounding space: not empty, at most ``max_length``
    characters, without control characters, line separators or unpaired surrogates.

    >>> checked_text("  Bakkerij Van Gils ", field="employer")
    'Bakkerij Van Gils'
    >>> checked_text("oss\\x00", field="municipality")
    Traceback (most recent call last):
    ...
    participatie.errors.InvalidInput: municipality may not contain control characters, line \
separators or unpaired surrogates; found '\\x00' at position 3 in 'oss\\x00'
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be non-empty text, not {quoted(value)}")
    found = _FORBIDDEN.search(value)
    if found is not None:
        raise InvalidInput(
            f"{field} may not contain control characters, line separators or unpaired "
            f"surrogates; found {found.group()!r} at position {found.start()} in {quoted(value)}"
        )
    stripped = value.strip()
    if len(stripped) > max_length:
        raise InvalidInput(f"{field} is {len(stripped)} characters long; at most {max_length}")
    return stripped


def municipality_name(value: object, *, field: str = "municipality") -> str:
    """A municipality's name: one line of at most 100 characters (see :func:`checked_text`)."""
    return checked_text(value, field=field, max_length=MAX_MUNICIPALITY_LENGTH)


def hours_per_week(value: object) -> Decimal:
    """A placement's hours per week: more than 0, at most 40, at most two decimals.

    >>> hours_per_week(12.5)
    Decimal('12.5')
    """
    return _hours(value, field="hours_per_week", maximum=MAX_HOURS_PER_WEEK)


def coaching_hours(value: object) -> Decimal:
    """Hours of one coaching log entry: more than 0, at most 2080, at most two decimals."""
    return _hours(value, field="hours", maximum=MAX_COACHING_HOURS)


def happiness_score(value: object) -> int:
    """A sense-of-happiness score: a whole number from 1 to 10."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise InvalidInput(f"happiness is a whole number from 1 to 10, not {quoted(value)}")
    return value


def wage_value_percent(value: object) -> int:
    """A wage value: a whole percentage of the statutory minimum wage from 0 to 100."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInput(
            "wage value is a whole percentage of the minimum wage from 0 to 100, "
            f"not {quoted(value)}"
        )
    return value


def contract_months(value: object) -> int | None:
    """A placement's contract length: a whole number of months from 1 to 120, or None."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_CONTRACT_MONTHS
    ):
        raise InvalidInput(
            f"contract_months must be a whole number of months from 1 to {MAX_CONTRACT_MONTHS}, "
            f"or None for no fixed term, not {quoted(value)}"
        )
    return value


def flag(value: object, *, field: str) -> bool:
    """True or False, and nothing that merely behaves like one (1, "yes", None)."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be True or False, not {quoted(value)}")
    return value


def business_date(value: object, *, field: str = "on") -> date:
    """Return ``value`` if it is a calendar date; a datetime (naive or not) is refused.

    A business date is the day something happened in the resident's life, not a moment in time.
    """
    if isinstance(value, datetime):
        raise InvalidInput(
            f"{field} must be a date (the business day), not a datetime: pass {value!r}.date()"
        )
    if not isinstance(value, date):
        raise InvalidInput(f"{field} must be a datetime.date, not {type(value).__name__}")
    return value


def _hours(value: object, *, field: str, maximum: Decimal) -> Decimal:
    """Hours as a Decimal in (0, maximum] with at most two decimals; a value with more digits
    than that after the point, all zero, keeps two (``Decimal("1.500")`` is 1.50)."""
    if isinstance(value, int) and not isinstance(value, bool):
        # Checked before converting: str() of an int of thousands of digits raises ValueError.
        hours = Decimal(value) if 0 < value <= maximum else None
    elif isinstance(value, float):
        hours = Decimal(repr(value)) if math.isfinite(value) else None
    elif isinstance(value, Decimal):
        hours = value
    elif isinstance(value, str):
        try:
            hours = Decimal(value)
        except InvalidOperation:
            hours = None
    else:
        raise InvalidInput(f"{field} must be a number of hours, not {quoted(value)}")
    if hours is None or not hours.is_finite() or not 0 < hours <= maximum:
        raise InvalidInput(
            f"{field} must be a number of hours more than 0 and at most {maximum}, "
            f"not {quoted(value)}"
        )
    cents = hours.quantize(_CENT)
    if cents != hours:
        raise InvalidInput(f"{field} takes at most two decimals, not {quoted(value)}")
    exponent = hours.as_tuple().exponent
    return cents if isinstance(exponent, int) and exponent < -2 else hours


def quoted(value: object) -> str:
    """The value as an error message shows it: its repr, cut short when long."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a whole number of {value.bit_length()} bits"
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:60]}... ({len(shown)} characters)"
