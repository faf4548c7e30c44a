"""The errors `participatie` raises.

Each error subclasses a builtin as well as :class:`ParticipatieError`, so that callers who only know
the builtins (``except ValueError``) keep working. Every message names what was wrong and how to fix
it. A command that raises appends nothing: the stream's version stays as it was.

>>> from participatie.errors import InvalidInput, ParticipatieError
>>> issubclass(InvalidInput, ValueError) and issubclass(InvalidInput, ParticipatieError)
True
"""

from __future__ import annotations

__all__ = [
    "ActivityAlreadyRunning",
    "ActivityNotRunning",
    "BsnAlreadyRegistered",
    "BusinessDateRefused",
    "ConcurrentUpdate",
    "ConfigurationError",
    "IntakeAlreadyHeld",
    "IntakeRequired",
    "InvalidInput",
    "JobBrokerRequestAlreadyOpen",
    "NoCurrentPlacement",
    "NoOpenJobBrokerRequest",
    "NotAuthorised",
    "NotFound",
    "OutflowNeedsPlacement",
    "ParticipatieError",
    "PlacementAlreadyCurrent",
    "RuleViolation",
    "TamperDetected",
    "TrajectoryIsClosed",
    "TrajectoryIsOpen",
]


class ParticipatieError(Exception):
    """Base of every error `participatie` raises on purpose."""


class InvalidInput(ParticipatieError, ValueError):
    """A malformed value: a BSN failing the eleven-test, happiness 0 or 11, unknown enum text."""


class RuleViolation(ParticipatieError, ValueError):
    """A trajectory rule refuses the command. Subclasses name the rule."""


class NotFound(ParticipatieError, LookupError):
    """An unknown resident or job coaching id."""


class NotAuthorised(ParticipatieError, PermissionError):
    """The actor's role may not do this."""


class ConfigurationError(ParticipatieError, ValueError):
    """A bad store URL, a missing or short secret, or another setting that cannot work."""


class TamperDetected(ParticipatieError):
    """Verification found a changed, missing, reordered or inserted record."""


class ConcurrentUpdate(ParticipatieError, RuntimeError):
    """Another process kept changing the same trajectory while this command was retried.

    Commands retry a few times on their own when another writer got there first; this is raised only
    when every retry lost the race. Issuing the command again is safe.
    """


# Rules of the resident trajectory (domain.md, "Rules the ResidentTrajectory aggregate enforces").


class BusinessDateRefused(RuleViolation):
    """A business date before registration, after today, or before the trajectory's last closure."""


class IntakeRequired(RuleViolation):
    """A coach-led command (conversation, visit, activity, request, placement) before intake."""


class IntakeAlreadyHeld(RuleViolation):
    """A second intake. Reopening keeps the first one."""


class JobBrokerRequestAlreadyOpen(RuleViolation):
    """A job broker request while another one is still open."""


class NoOpenJobBrokerRequest(RuleViolation):
    """Withdrawing a job broker request when none is open."""


class PlacementAlreadyCurrent(RuleViolation):
    """A placement while another one is current: end that one first."""


class NoCurrentPlacement(RuleViolation):
    """Ending a placement, or assessing wage value, when no (paid) placement is current."""


class OutflowNeedsPlacement(RuleViolation):
    """Closing with reason work (volunteer work) without a current paid (volunteer) placement."""


class TrajectoryIsClosed(RuleViolation):
    """A command other than reopening on a closed trajectory."""


class TrajectoryIsOpen(RuleViolation):
    """Reopening a trajectory that is open."""


class ActivityAlreadyRunning(RuleViolation):
    """Starting an activity that is already running for this resident."""


class ActivityNotRunning(RuleViolation):
    """Ending an activity that is not running for this resident."""


class BsnAlreadyRegistered(RuleViolation):
    """Registering a BSN that already has a trajectory: reopen that one instead."""
