"""Bulk import of case files from an earlier system: ``participatie import FILE``.

A file holds one record per line (JSON Lines, ``.jsonl``) or per row (CSV with a header, ``.csv``,
separated by commas or, as Dutch Excel writes it, by semicolons), in UTF-8 (a byte-order mark is
skipped) or in an encoding given to :func:`read_records` (such as ``cp1252``).
Every record is one thing that happened to a resident, named like the event it becomes:

=========================  =================================================================
``event``                  fields besides the common ones (optional ones in brackets)
=========================  =================================================================
Registered                 referral, benefit, municipality, [bsn], [name], [notes]
IntakeHeld                 goal, happiness
ConversationHeld           happiness
GoalChanged                goal
WorkplaceVisited           organisation, kind
ActivityStarted            activity
ActivityEnded              activity
JobBrokerRequested         (none)
JobBrokerRequestWithdrawn  (none)
Placed                     employer, kind, hours_per_week, [contract_months], [trial]
PlacementEnded             reason
WageValueAssessed          percent, needs_job_coaching
TrajectoryClosed           reason
TrajectoryReopened         (none)
JobCoachingStarted         provider, provider_recognised, job_coach_id, job_coach_hbo_degree
CoachingHoursLogged        hours, counterpart, [coaching]
EvaluationHeld             [coaching]
TrajectoryExtended         reason, [coaching]
JobCoachingCompleted       outcome, [coaching]
=========================  =================================================================

Common to every record: ``source_id`` (the earlier system's id of the record, unique in the
file), ``resident`` (the earlier system's key of the resident: a case number, never a BSN),
``event``, ``on`` (the business date, ``YYYY-MM-DD``), ``actor_id``, ``actor_role`` and, optionally,
``actor_municipality``. A job coaching record applies to the job coaching started by the
``JobCoachingStarted`` record whose source id is in its ``coaching`` field, or else to the
resident's latest job coaching.

Each record goes through the same rules and authorisation as the command it stands for. A resident's
records are imported all together or not at all: one bad record keeps the whole resident out, and
the report names its line and what is wrong. Residents are saved in batches, one transaction each.
The source ids are stored with the events in the same transaction, so importing the same file again
(or a longer version of it) adds only what is new. A resident's records are in the order they
happened, and may be spread over the file: the whole file is read first (held in memory, under a
kilobyte a record) and each resident's records are applied together, residents in the order of
their first record. A resident continued in a later file goes on where the earlier one stopped.
"""

from participatie.importing.batches import import_records
from participatie.importing.reading import read_records
from participatie.importing.records import ImportRecord
from participatie.importing.records import parse_record as parse_record
from participatie.importing.report import BadRecord, ImportReport

__all__ = [
    "BadRecord",
    "ImportRecord",
    "ImportReport",
    "import_records",
    "read_records",
]
