"""What every event carries: the business date, who decided, and the policy version.

Events of both aggregates mix in :class:`DecisionFields`; commands build its values with
:func:`decision_fields`. The checks of the other inputs live in :mod:`participatie.domain.inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from participatie.domain.inputs import business_date
from participatie.domain.policy import Policy
from participatie.domain.values import Actor, Role
from participatie.errors import InvalidInput

__all__ = ["DecisionFields", "decision_fields"]


@dataclass(frozen=True)
class DecisionFields:
    """Fields of every event: when it happened (business date), who decided, under which policy.

    A base class of every stored event; its name is in no topic (topics name the event classes).
    """

    occurred_on: date
    actor_id: str
    actor_role: Role
    policy_version: str


def decision_fields(*, on: date, by: Actor, policy: Policy) -> dict[str, Any]:
    """The :class:`DecisionFields` values for an event decided by ``by`` on business date ``on``."""
    if not isinstance(by, Actor):
        raise InvalidInput(f"by must be an Actor, not {type(by).__name__}")
    return {
        "occurred_on": business_date(on),
        "actor_id": by.id,
        "actor_role": by.role,
        "policy_version": policy.version,
    }
