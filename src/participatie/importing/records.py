"""The records of an import file: which fields each kind of record takes, and checking one
record's form (:func:`parse_record`); the rules come when it is imported."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from participatie.domain.bsn import is_valid_bsn
from participatie.domain.inputs import checked_text
from participatie.domain.values import Actor
from participatie.errors import InvalidInput

__all__ = ["ImportRecord", "parse_record"]

_COMMON = frozenset(
    {"source_id", "resident", "event", "on", "actor_id", "actor_role", "actor_municipality"}
)

#: For each event: its required fields and its optional ones.
_EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Registered": (("referral", "benefit", "municipality"), ("bsn", "name", "notes")),
    "IntakeHeld": (("goal", "happiness"), ()),
    "ConversationHeld": (("happiness",), ()),
    "GoalChanged": (("goal",), ()),
    "WorkplaceVisited": (("organisation", "kind"), ()),
    "ActivityStarted": (("activity",), ()),
    "ActivityEnded": (("activity",), ()),
    "JobBrokerRequested": ((), ()),
    "JobBrokerRequestWithdrawn": ((), ()),
    "Placed": (("employer", "kind", "hours_per_week"), ("contract_months", "trial")),
    "PlacementEnded": (("reason",), ()),
    "WageValueAssessed": (("percent", "needs_job_coaching"), ()),
    "TrajectoryClosed": (("reason",), ()),
    "TrajectoryReopened": ((), ()),
    "JobCoachingStarted": (
        ("provider", "provider_recognised", "job_coach_id", "job_coach_hbo_degree"),
        (),
    ),
    "CoachingHoursLogged": (("hours", "counterpart"), ("coaching",)),
    "EvaluationHeld": ((), ("coaching",)),
    "TrajectoryExtended": (("reason",), ("coaching",)),
    "JobCoachingCompleted": (("outcome",), ("coaching",)),
}

_WHOLE_NUMBERS = frozenset({"happiness", "percent", "contract_months"})
_YES_NO = frozenset({"trial", "needs_job_coaching", "provider_recognised", "job_coach_hbo_degree"})
_SCALARS = (str, int, float, type(None))
_TRUE = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@attrs.frozen
class ImportRecord:
    """One record of an import file, checked for form (the rules come when it is imported)."""

    line: int
    source_id: str
    resident: str
    event: str
    on: date
    by: Actor
    fields: Mapping[str, Any]


def _text(raw: Mapping[str, Any], name: str) -> str:
    return checked_text(raw.get(name), field=name)


def _field(name: str, value: Any) -> Any:
    """A field's value as the command takes it; CSV gives text for numbers and yes/no."""
    if name == "coaching":  # a source id, looked up as text
        return checked_text(value, field=name)
    if name in _WHOLE_NUMBERS and isinstance(value, str):
        if not value.strip().isdigit():
            raise InvalidInput(f"{name} must be a whole number, not {value!r}")
        return int(value)
    if name in _YES_NO:
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return _TRUE[value.strip().lower()]
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false, not {value!r}")
    return value


@functools.lru_cache(maxsize=4096)
def _actor(actor_id: str, role: str, municipality: object) -> Actor:
    # A file names the same few actors on every line: make each Actor once.
    return Actor(actor_id, role, municipality=municipality)  # type: ignore[arg-type]


def parse_record(line: int, raw: Mapping[str, Any]) -> ImportRecord:
    """Check one record's form; raise :class:`InvalidInput` naming what is wrong."""
    odd = sorted(name for name, value in raw.items() if not isinstance(value, _SCALARS))
    if odd:
        kind = type(raw[odd[0]]).__name__
        raise InvalidInput(f"{odd[0]} must be text, a number, true or false, not a {kind}")
    event = _text(raw, "event")
    if event not in _EVENTS:
        raise InvalidInput(f"unknown event {event!r}; known: {', '.join(_EVENTS)}")
    required, optional = _EVENTS[event]
    given = {k: v for k, v in raw.items() if k not in _COMMON and v not in (None, "")}
    missing = [name for name in required if name not in given]
    if missing:
        raise InvalidInput(f"{event} needs {', '.join(missing)}")
    unknown = sorted(set(given) - set(required) - set(optional))
    if unknown:
        raise InvalidInput(f"{event} has no field {', '.join(unknown)}")
    resident = _text(raw, "resident")
    if is_valid_bsn(resident):
        raise InvalidInput(
            "the resident key looks like a BSN; use the earlier system's case number (a BSN "
            "goes in the bsn field of Registered, into the personal-data vault)"
        )
    try:
        on = date.fromisoformat(_text(raw, "on"))
    except ValueError:
        raise InvalidInput(f"on must be a date as YYYY-MM-DD, not {raw.get('on')!r}") from None
    municipality = raw.get("actor_municipality") or None
    return ImportRecord(
        line=line,
        source_id=_text(raw, "source_id"),
        resident=resident,
        event=event,
        on=on,
        by=_actor(_text(raw, "actor_id"), _text(raw, "actor_role"), municipality),
        fields={name: _field(name, value) for name, value in given.items()},
    )
