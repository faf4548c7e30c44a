"""Enumerations and value objects of the domain (see docs/glossary.md for the Dutch terms).

Enumerations are plain :class:`enum.Enum` classes with lower-case text values, so that
``OutflowReason("work")`` works and events store the value as text. Text that is no member raises
:class:`~participatie.errors.InvalidInput` through :func:`parse_enum`.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from participatie.domain.inputs import checked_text, flag, quoted
from participatie.domain.municipalities import canonical_municipality
from participatie.errors import InvalidInput

__all__ = [
    "Activity",
    "Actor",
    "Benefit",
    "CoachingOutcome",
    "CorrectionReason",
    "Counterpart",
    "ErasureGround",
    "ExtensionReason",
    "Goal",
    "JobCoach",
    "OutflowReason",
    "Placement",
    "PlacementEndReason",
    "PlacementKind",
    "Provider",
    "Referral",
    "Role",
    "TrajectoryStatus",
    "VisitKind",
    "parse_enum",
]


class Role(enum.Enum):
    """Who decides. Every event records the actor's role."""

    COACH = "coach"
    JOB_BROKER = "job_broker"
    WAGE_VALUE_ASSESSOR = "wage_value_assessor"
    JOB_COACH = "job_coach"
    COORDINATOR = "coordinator"
    POLICY_OFFICER = "policy_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Referral(enum.Enum):
    """How the resident came in (aanmelding)."""

    MUNICIPALITY = "municipality"
    CARE_AND_WELFARE = "care_and_welfare"
    WALK_IN = "walk_in"


class Benefit(enum.Enum):
    """What the resident lives on at registration (uitkering)."""

    SOCIAL_ASSISTANCE = "social_assistance"  # bijstand
    UNEMPLOYMENT = "unemployment"  # WW
    NONE = "none"  # nugger: no benefit


class Goal(enum.Enum):
    """What the resident works towards. The resident sets it and may change it at any time."""

    WORK = "work"
    MORE_HOURS = "more_hours"
    VOLUNTEER_WORK = "volunteer_work"
    MEANINGFUL_DAY = "meaningful_day"


class VisitKind(enum.Enum):
    """Ways coaches widen the comfort zone."""

    WORKPLACE_VISIT = "workplace_visit"
    SHADOW_DAY = "shadow_day"  # meeloopdag
    RIDE_ALONG = "ride_along"
    CARE_HOME_COFFEE = "care_home_coffee"
    WALK = "walk"


class Activity(enum.Enum):
    """Activities during the trajectory. An activity is not an outflow."""

    LANGUAGE_COURSE = "language_course"  # taalles
    TRAINING = "training"
    CARE_ASSISTANCE = "care_assistance"
    VOLUNTEER_ORIENTATION = "volunteer_orientation"


class PlacementKind(enum.Enum):
    """What kind of work a placement is."""

    PAID_WORK = "paid_work"
    VOLUNTEER_WORK = "volunteer_work"


class PlacementEndReason(enum.Enum):
    """Why a placement ended."""

    CONTRACT_ENDED = "contract_ended"
    DISMISSED = "dismissed"
    RESIDENT_LEFT = "resident_left"


class OutflowReason(enum.Enum):
    """Why a trajectory closed (uitstroomreden)."""

    WORK = "work"
    VOLUNTEER_WORK = "volunteer_work"
    EDUCATION = "education"
    MOVED_AWAY = "moved_away"
    CARE = "care"
    WITHDREW = "withdrew"
    OTHER = "other"


class Counterpart(enum.Enum):
    """With whom a job coach spent coaching hours."""

    EMPLOYEE = "employee"
    COLLEAGUES = "colleagues"
    MANAGER = "manager"


class CoachingOutcome(enum.Enum):
    """How job coaching ended."""

    INDEPENDENT = "independent"
    HANDED_OVER_TO_EMPLOYER = "handed_over_to_employer"
    PLACEMENT_ENDED = "placement_ended"
    NOT_A_FIT = "not_a_fit"


class ExtensionReason(enum.Enum):
    """Why job coaching was extended by a year (decision of 2026-11-29: never free text).

    Extensions stored by 0.1.0 with a free-text reason read as ``OTHER``.
    """

    MORE_TIME_TO_INDEPENDENCE = "more_time_to_independence"
    EMPLOYER_TAKEOVER_PENDING = "employer_takeover_pending"
    CHANGED_WORK = "changed_work"
    ABSENCE = "absence"  # illness or leave
    OTHER = "other"


class CorrectionReason(enum.Enum):
    """Why personal data are corrected (AVG art. 16)."""

    RESIDENTS_REQUEST = "residents_request"  # the resident asked for a correction
    TYPING_ERROR = "typing_error"  # misspelt or mistyped when recorded
    BRP_CHANGE = "brp_change"  # the Basisregistratie Personen says otherwise (e.g. a new name)


class ErasureGround(enum.Enum):
    """Why personal data are erased (AVG art. 17)."""

    RESIDENTS_REQUEST = "residents_request"  # the resident asked (art. 17 lid 1)
    RETENTION_ENDED = "retention_ended"  # the file need not be kept any longer
    LEGAL_OBLIGATION = "legal_obligation"  # e.g. a court order: erase whatever the retention


class TrajectoryStatus(enum.Enum):
    """Whether a trajectory is open (being coached) or closed (flowed out)."""

    OPEN = "open"
    CLOSED = "closed"


E = TypeVar("E", bound=enum.Enum)


def parse_enum(enum_cls: type[E], value: E | str, *, field: str) -> E:
    """Return ``value`` as a member of ``enum_cls``, accepting the member or its text value.

    >>> parse_enum(Goal, "work", field="goal")
    <Goal.WORK: 'work'>
    """
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        try:
            return enum_cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(m.value) for m in enum_cls)
    raise InvalidInput(
        f"{field} must be a {enum_cls.__name__} (one of {allowed}), not {quoted(value)}"
    )


def _one_line_text(_: Any, attribute: attrs.Attribute[str], value: object) -> None:
    checked_text(value, field=attribute.name)


def _role(value: Role | str) -> Role:
    return parse_enum(Role, value, field="role")


def _optional_municipality(value: str | None) -> str | None:
    if value is None:
        return None
    return canonical_municipality(value, field="municipality (None for every municipality)")


@attrs.frozen
class Actor:
    """Who decides or reads: a person's id in the municipality's systems and their role.

    ``municipality`` limits a coach to the residents of one municipality; ``None`` means every
    municipality the deployment serves.

    >>> Actor("coach-17", Role.COACH, municipality="haaren")
    Actor(id='coach-17', role=<Role.COACH: 'coach'>, municipality='haaren')
    >>> Actor("coach-17", "coach").role
    <Role.COACH: 'coach'>
    """

    id: str = attrs.field(validator=_one_line_text)
    role: Role = attrs.field(converter=_role)
    municipality: str | None = attrs.field(default=None, converter=_optional_municipality)


@attrs.frozen
class Placement:
    """The current placement of a resident (state, not an event).

    ``placed_version`` is the trajectory version of the ``Placed`` event: it tells placements
    apart, even two that start on one day.
    """

    employer: str
    kind: PlacementKind
    hours_per_week: Decimal
    contract_months: int | None
    trial: bool
    started_on: date
    placed_version: int


def _bool(_: Any, attribute: attrs.Attribute[bool], value: object) -> None:
    flag(value, field=attribute.name)


@attrs.frozen
class Provider:
    """A job coaching provider. Only recognised providers may coach.

    >>> Provider("USG Restart", recognised=True)
    Provider(name='USG Restart', recognised=True)
    """

    name: str = attrs.field(validator=_one_line_text)
    recognised: bool = attrs.field(kw_only=True, validator=_bool)


@attrs.frozen
class JobCoach:
    """A job coach: an id in the provider's systems; coaching needs a higher professional degree.

    >>> JobCoach("jc-3", hbo_degree=True)
    JobCoach(id='jc-3', hbo_degree=True)
    """

    id: str = attrs.field(validator=_one_line_text)
    hbo_degree: bool = attrs.field(kw_only=True, validator=_bool)
