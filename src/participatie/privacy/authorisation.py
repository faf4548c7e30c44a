"""Who may do what: roles, the actions they may take, and the municipalities they serve.

====================  ==================================================================
role                  may
====================  ==================================================================
coach                 register residents; every resident command except wage value
                      assessments; find residents by BSN; read their personal data; correct
                      them, add and read notes, compile a resident's subject access file
job broker            job broker requests (and withdrawing them), placements and ending them;
                      reading trajectories
wage value assessor   wage value assessments; reading trajectories
job coach             hours and evaluations of the job coaching assigned to them; reading
                      trajectories (job coaching: only the one assigned to them)
coordinator           start, extend and complete job coaching; reading trajectories
policy officer        statistics only: no resident data at all
auditor               reading trajectories, histories and exports (read-only)
admin                 erasure of personal data (crypto-shredding), key rotation; nothing else
====================  ==================================================================

Coaches, job brokers, job coaches and coordinators also read caseloads and the worklist's
signals (``READ_CASELOAD``, ``READ_SIGNALS``) of their municipality. The outcome report needs
no actor; its breakdowns and the statisticians' export do (``READ_BREAKDOWNS``: policy officers,
coordinators and coaches), since a breakdown by coach tells how each coach's residents fared.

An actor with a municipality acts only for residents of that municipality; ``None`` means every
municipality the deployment serves. A municipality may pass its own table to
:meth:`participatie.Participation.open` (``permissions=``). A refused action raises
:class:`~participatie.errors.NotAuthorised` (a ``PermissionError``) and appends nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from participatie.domain.municipalities import same_municipality
from participatie.domain.values import Actor, Role
from participatie.errors import InvalidInput, NotAuthorised

__all__ = ["DEFAULT_PERMISSIONS", "Action", "Permissions", "authorise"]


class Action(enum.Enum):
    """Everything an actor can ask of :class:`~participatie.Participation` that is checked.

    The values read as what a refused actor may not do.
    """

    REGISTER = "register residents"
    HOLD_INTAKE = "hold intakes"
    RECORD_CONVERSATION = "record conversations"
    CHANGE_GOAL = "change goals"
    VISIT_WORKPLACE = "record workplace visits"
    START_ACTIVITY = "start activities"
    END_ACTIVITY = "end activities"
    REQUEST_JOB_BROKER = "request the job broker"
    WITHDRAW_JOB_BROKER_REQUEST = "withdraw job broker requests"
    PLACE = "place residents"
    END_PLACEMENT = "end placements"
    ASSESS_WAGE_VALUE = "assess wage value"
    CLOSE_TRAJECTORY = "close trajectories"
    REOPEN_TRAJECTORY = "reopen trajectories"
    START_JOB_COACHING = "start job coaching"
    LOG_COACHING_HOURS = "log coaching hours"
    EVALUATE_JOB_COACHING = "evaluate job coaching"
    EXTEND_JOB_COACHING = "extend job coaching"
    COMPLETE_JOB_COACHING = "complete job coaching"
    FIND_RESIDENT = "find residents by BSN"
    READ_PERSONAL_DATA = "read personal data"
    READ_TRAJECTORY = "read trajectories"
    READ_HISTORY = "read histories"
    EXPORT = "export resident files"
    ERASE = "erase personal data"
    ROTATE_KEYS = "rotate the vault's keys"
    READ_PROCESSING_LOG = "read the processing log"
    READ_SECURITY_LOG = "read the security log"
    # A resident's rights (service/rights.py).
    CORRECT_PERSONAL_DATA = "correct personal data"
    ADD_NOTE = "add notes"
    READ_NOTES = "read notes"
    SUBJECT_ACCESS = "compile a resident's subject access file"
    # The working day (service/worklist.py).
    READ_CASELOAD = "read caseloads"
    READ_SIGNALS = "read the worklist's signals"
    # Breakdowns and exports of the statistics (service/breakdowns.py).
    READ_BREAKDOWNS = "read breakdowns of the statistics"


Permissions = Mapping[Role, frozenset[Action]]

_COACH = frozenset(Action) - {
    Action.ASSESS_WAGE_VALUE,
    Action.START_JOB_COACHING,
    Action.LOG_COACHING_HOURS,
    Action.EVALUATE_JOB_COACHING,
    Action.EXTEND_JOB_COACHING,
    Action.COMPLETE_JOB_COACHING,
    Action.READ_HISTORY,
    Action.EXPORT,
    Action.ERASE,
    Action.ROTATE_KEYS,
    Action.READ_PROCESSING_LOG,
    Action.READ_SECURITY_LOG,
}

#: The caseload and the signals: for those who coach, place and arrange coaching. Not for the
#: auditor, who reads one file at a time with a purpose (an audit is not a working day), nor for
#: roles that act on one resident at a time when asked (wage value assessor) or on none.
_WORKING_DAY = (Action.READ_CASELOAD, Action.READ_SIGNALS)

DEFAULT_PERMISSIONS: Permissions = {
    Role.COACH: _COACH,
    Role.JOB_BROKER: frozenset(
        {
            Action.REQUEST_JOB_BROKER,
            Action.WITHDRAW_JOB_BROKER_REQUEST,
            Action.PLACE,
            Action.END_PLACEMENT,
            Action.READ_TRAJECTORY,
            *_WORKING_DAY,
        }
    ),
    Role.WAGE_VALUE_ASSESSOR: frozenset({Action.ASSESS_WAGE_VALUE, Action.READ_TRAJECTORY}),
    Role.JOB_COACH: frozenset(
        {
            Action.LOG_COACHING_HOURS,
            Action.EVALUATE_JOB_COACHING,
            Action.READ_TRAJECTORY,
            *_WORKING_DAY,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Action.START_JOB_COACHING,
            Action.EXTEND_JOB_COACHING,
            Action.COMPLETE_JOB_COACHING,
            Action.READ_TRAJECTORY,
            Action.READ_BREAKDOWNS,
            *_WORKING_DAY,
        }
    ),
    Role.POLICY_OFFICER: frozenset({Action.READ_BREAKDOWNS}),
    Role.AUDITOR: frozenset(
        {
            Action.READ_TRAJECTORY,
            Action.READ_HISTORY,
            Action.EXPORT,
            Action.READ_PROCESSING_LOG,
            Action.READ_SECURITY_LOG,
        }
    ),
    Role.ADMIN: frozenset({Action.ERASE, Action.ROTATE_KEYS}),
}
"""The roles' permissions as this library ships them (see the table above)."""


def authorise(
    permissions: Permissions,
    actor: object,
    action: Action,
    *,
    municipality: str | None = None,
) -> Actor:
    """Return ``actor`` if its role may take ``action`` for a resident of ``municipality``."""
    if not isinstance(actor, Actor):
        raise InvalidInput(f"by must be an Actor, not {type(actor).__name__}")
    if action not in permissions.get(actor.role, frozenset()):
        raise NotAuthorised(f"{actor.id} ({actor.role.value}) may not {action.value}")
    if (
        municipality is not None
        and actor.municipality is not None
        and not same_municipality(municipality, actor.municipality)
    ):
        raise NotAuthorised(
            f"{actor.id} works for {actor.municipality}, not for residents of {municipality}"
        )
    return actor
