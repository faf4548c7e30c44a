"""The names of the values the figures are broken down by, as messages to translate (see
:mod:`participatie.i18n`): each outflow reason, activity and job coaching outcome, once as a row
of the figures and once as a bar of a chart."""

from __future__ import annotations

from typing import Final

from participatie.domain.values import Activity, CoachingOutcome, OutflowReason
from participatie.i18n import N_

__all__ = ["ACTIVITY_ROWS", "OUTCOME_ROWS", "OUTFLOW_REASONS", "OUTFLOW_ROWS"]

#: An outflow reason as a row of the figures ("Uitstroom naar werk").
OUTFLOW_ROWS: Final[dict[OutflowReason, str]] = {
    OutflowReason.WORK: N_("outflow: work"),
    OutflowReason.VOLUNTEER_WORK: N_("outflow: volunteer work"),
    OutflowReason.EDUCATION: N_("outflow: education"),
    OutflowReason.MOVED_AWAY: N_("outflow: moved away"),
    OutflowReason.CARE: N_("outflow: care"),
    OutflowReason.WITHDREW: N_("outflow: withdrew"),
    OutflowReason.OTHER: N_("outflow: other"),
}

#: An outflow reason as a bar of the outflow chart ("werk").
OUTFLOW_REASONS: Final[dict[OutflowReason, str]] = {
    OutflowReason.WORK: N_("work"),
    OutflowReason.VOLUNTEER_WORK: N_("volunteer work"),
    OutflowReason.EDUCATION: N_("education"),
    OutflowReason.MOVED_AWAY: N_("moved away"),
    OutflowReason.CARE: N_("care"),
    OutflowReason.WITHDREW: N_("withdrew"),
    OutflowReason.OTHER: N_("other"),
}

#: An activity running at the end of the period, as a row under "still coached".
ACTIVITY_ROWS: Final[dict[Activity, str]] = {
    Activity.LANGUAGE_COURSE: N_("in language course"),
    Activity.TRAINING: N_("in training"),
    Activity.CARE_ASSISTANCE: N_("in care assistance"),
    Activity.VOLUNTEER_ORIENTATION: N_("in volunteer orientation"),
}

#: How completed job coaching ended, as a row under the job coaching figures.
OUTCOME_ROWS: Final[dict[CoachingOutcome, str]] = {
    CoachingOutcome.INDEPENDENT: N_("outcome: independent"),
    CoachingOutcome.HANDED_OVER_TO_EMPLOYER: N_("outcome: handed over to employer"),
    CoachingOutcome.PLACEMENT_ENDED: N_("outcome: placement ended"),
    CoachingOutcome.NOT_A_FIT: N_("outcome: not a fit"),
}
