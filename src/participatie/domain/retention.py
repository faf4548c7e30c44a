"""Which residents' files must be kept (Archiefwet): the rule the erasure of personal data obeys.

How long a file is kept after closure, and which erasure grounds override that, are policy
(:mod:`participatie.domain.policy`); the refusal itself is :meth:`ResidentTrajectory.record_erasure
<participatie.domain.resident.ResidentTrajectory.record_erasure>`.
"""

from __future__ import annotations

from participatie.domain.values import Benefit

__all__ = ["involved_statutory_decision"]


def involved_statutory_decision(
    *, benefit: Benefit, wage_value_assessed: bool, job_coaching: bool
) -> bool:
    """Whether a resident's file involved a statutory decision, and so must be kept (Archiefwet):
    a benefit at registration, a wage value assessment, or job coaching. A walk-in without a
    benefit who only talked with the coaches may be erased at once.

    The one place this is decided:
    :meth:`~participatie.domain.resident.ResidentTrajectory.involved_statutory_decision` asks it
    of a trajectory, and whoever reads the outcome facts asks it of those.

    >>> involved_statutory_decision(
    ...     benefit=Benefit.NONE, wage_value_assessed=False, job_coaching=False)
    False
    """
    return benefit is not Benefit.NONE or wage_value_assessed or job_coaching
