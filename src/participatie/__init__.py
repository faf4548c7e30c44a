"""participatie: record how municipalities coach residents towards work, and prove what came of it.

Everything public is importable from here; other modules are internal.
"""

from participatie.application import Participation
from participatie.domain.bsn import is_valid_bsn
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.resident import ResidentTrajectory, WageValue
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    Goal,
    OutflowReason,
    Placement,
    PlacementEndReason,
    PlacementKind,
    Referral,
    Role,
    TrajectoryStatus,
    VisitKind,
)
from participatie.errors import (
    ActivityAlreadyRunning,
    ActivityNotRunning,
    BsnAlreadyRegistered,
    BusinessDateRefused,
    ConcurrentUpdate,
    ConfigurationError,
    IntakeAlreadyHeld,
    IntakeRequired,
    InvalidInput,
    JobBrokerRequestAlreadyOpen,
    NoCurrentPlacement,
    NoOpenJobBrokerRequest,
    NotAuthorised,
    NotFound,
    OutflowNeedsPlacement,
    ParticipatieError,
    PlacementAlreadyCurrent,
    RuleViolation,
    TamperDetected,
    TrajectoryIsClosed,
    TrajectoryIsOpen,
)
from participatie.privacy.vault import PersonalData

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_POLICY",
    "Activity",
    "ActivityAlreadyRunning",
    "ActivityNotRunning",
    "Actor",
    "Benefit",
    "BsnAlreadyRegistered",
    "BusinessDateRefused",
    "ConcurrentUpdate",
    "ConfigurationError",
    "Goal",
    "IntakeAlreadyHeld",
    "IntakeRequired",
    "InvalidInput",
    "JobBrokerRequestAlreadyOpen",
    "NoCurrentPlacement",
    "NoOpenJobBrokerRequest",
    "NotAuthorised",
    "NotFound",
    "OutflowNeedsPlacement",
    "OutflowReason",
    "ParticipatieError",
    "Participation",
    "PersonalData",
    "Placement",
    "PlacementAlreadyCurrent",
    "PlacementEndReason",
    "PlacementKind",
    "Policy",
    "Referral",
    "ResidentTrajectory",
    "Role",
    "RuleViolation",
    "TamperDetected",
    "TrajectoryIsClosed",
    "TrajectoryIsOpen",
    "TrajectoryStatus",
    "VisitKind",
    "WageValue",
    "__version__",
    "is_valid_bsn",
]
