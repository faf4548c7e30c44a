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
    "CoachingIsCompleted",
    "ConcurrentUpdate",
    "ConfigurationError",
    "ExtensionNotAllowed",
    "HoursCapExceeded",
    "IntakeAlreadyHeld",
    "IntakeRequired",
    "InvalidInput",
    "JobBrokerRequestAlreadyOpen",
    "JobCoachNotQualified",
    "JobCoachingAlreadyStarted",
    "NoCurrentPlacement",
    "NoJobCoachingNeed",
    "NoOpenJobBrokerRequest",
    "NotAuthorised",
    "NotFound",
    "OutflowNeedsPlacement",
    "OutsideCoachingPeriod",
    "ParticipatieError",
    "PersonalDataAlreadyErased",
    "PlacementAlreadyCurrent",
    "PlacementNoLongerCurrent",
    "PlacementTooSmall",
    "ProviderNotRecognised",
    "RetentionRequired",
    "RuleViolation",
    "StoreUnavailable",
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


class StoreUnavailable(ParticipatieError, ConnectionError):
    """The connection to the store was lost, or none could be made, while a command or read ran
    (a database server that failed, a failover under way, a network cut).

    Whether a command's events were saved is not known: its transaction may have committed just
    before the connection was lost. Send the command again with the same ``command_id``: a
    command whose id was saved returns its first result and appends nothing, so the retry can
    neither lose the command nor record it twice (see docs/deployment.md). A command sent
    without a ``command_id`` may be recorded twice when it is sent again. The next command
    takes a new connection, which on a failover cluster goes to the new primary.
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
    """A command on a closed trajectory other than reopening it or ending the placement that was
    current at closure."""


class TrajectoryIsOpen(RuleViolation):
    """Reopening a trajectory that is open."""


class ActivityAlreadyRunning(RuleViolation):
    """Starting an activity that is already running for this resident."""


class ActivityNotRunning(RuleViolation):
    """Ending an activity that is not running for this resident."""


class BsnAlreadyRegistered(RuleViolation):
    """Registering a BSN that already has a trajectory: reopen that one instead."""


# Rules of the job coaching trajectory (domain.md, "Rules the JobCoachingTrajectory aggregate
# enforces").


class NoJobCoachingNeed(RuleViolation):
    """Job coaching without a paid placement and an assessment that established the need."""


class PlacementTooSmall(RuleViolation):
    """Job coaching for a placement below the policy's minimum contract months or hours per week."""


class ProviderNotRecognised(RuleViolation):
    """Job coaching by a provider that is not recognised."""


class JobCoachNotQualified(RuleViolation):
    """Job coaching by a job coach without a higher professional (HBO) degree."""


class JobCoachingAlreadyStarted(RuleViolation):
    """A second job coaching trajectory for the same placement."""


class OutsideCoachingPeriod(BusinessDateRefused):
    """A date before the start or from the (extended) planned end of job coaching on."""


class HoursCapExceeded(RuleViolation):
    """Coaching hours beyond the policy's cap for that coaching year."""


class ExtensionNotAllowed(RuleViolation):
    """A second extension, one on or after the planned end, or one the policy does not allow."""


class PlacementNoLongerCurrent(RuleViolation):
    """The coached placement ended: the coaching accepts only completion with placement_ended."""


class CoachingIsCompleted(RuleViolation):
    """A command on job coaching that was completed."""


# Privacy (domain.md, "Privacy and audit").


class RetentionRequired(RuleViolation):
    """Erasure while the law requires the file to be kept, on a ground that does not override it."""


class PersonalDataAlreadyErased(RuleViolation):
    """Erasing the personal data of a resident whose data were erased already."""
