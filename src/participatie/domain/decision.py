"""What every event carries: the business date, who decided, and the policy version.

Events of both aggregates mix in :class:`Decided`; commands build its fields with
:func:`decision_fields`. Input checks that both aggregates share live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from participatie.domain.policy import Policy
from participatie.domain.values import Actor, Role, text
from participatie.errors import InvalidInput

__all__ = ["Decided", "business_date", "decision_fields", "positive_hours", "text"]


@dataclass(frozen=True)
class Decided:
    """Fields of every event: when it happened (business date), who decided, under which policy."""

    occurred_on: date
    actor_id: str
    actor_role: Role
    policy_version: str


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


def decision_fields(*, on: date, by: Actor, policy: Policy) -> dict[str, Any]:
    """The :class:`Decided` fields for an event decided by ``by`` on business date ``on``."""
    if not isinstance(by, Actor):
        raise InvalidInput(f"by must be an Actor, not {type(by).__name__}")
    return {
        "occurred_on": business_date(on),
        "actor_id": by.id,
        "actor_role": by.role,
        "policy_version": policy.version,
    }


def positive_hours(value: object, *, field: str, maximum: Decimal | None = None) -> Decimal:
    """Hours as a Decimal: more than 0 and, when given, at most ``maximum``.

    Accepts int, float, Decimal or numeric text; refuses booleans, NaN and infinities.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise InvalidInput(f"{field} must be a number of hours, not {value!r}")
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a number of hours, not {value!r}") from None
    if not hours.is_finite() or hours <= 0:
        raise InvalidInput(f"{field} must be more than 0 hours, not {value!r}")
    if maximum is not None and hours > maximum:
        raise InvalidInput(f"{field} may be at most {maximum} hours, not {value!r}")
    return hours
