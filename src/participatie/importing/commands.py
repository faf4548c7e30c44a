"""Each kind of record as the command it stands for: a handler per event name (:data:`HANDLERS`),
run on a resident's records in file order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

import attrs

from participatie.domain.values import JobCoach, Provider
from participatie.errors import InvalidInput
from participatie.importing.records import ImportRecord
from participatie.importing.report import BadRecord
from participatie.service import core_of

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = ["HANDLERS", "Handler", "Resident"]


@attrs.define
class Resident:
    """One resident's records in the file, and what importing them made."""

    key: str
    records: list[ImportRecord | BadRecord]
    resident_id: UUID | None = None
    coaching_id: UUID | None = None
    #: The stream each imported record went into, by source id.
    streams: dict[str, UUID] = attrs.Factory(dict)


#: A record's command: given the app, the resident, the record and a way to find the stream an
#: earlier record went into (by its source id); returns the stream the record went into.
Handler = Callable[["Participation", Resident, ImportRecord, Callable[[str], UUID | None]], UUID]


def _registered(resident: Resident) -> UUID:
    """The resident's id, once a Registered record made it."""
    if resident.resident_id is None:
        raise InvalidInput(f"resident {resident.key} has no Registered record before this")
    return resident.resident_id


def _resident_command(name: str) -> Handler:
    def handle(app: Participation, resident: Resident, record: ImportRecord, _: object) -> UUID:
        resident_id = _registered(resident)
        getattr(app, name)(resident_id, on=record.on, by=record.by, **record.fields)
        return resident_id

    return handle


def _coaching_command(name: str) -> Handler:
    def handle(
        app: Participation,
        resident: Resident,
        record: ImportRecord,
        stream_of: Callable[[str], UUID | None],
    ) -> UUID:
        fields = dict(record.fields)
        started_by = fields.pop("coaching", None)
        if started_by is not None:
            coaching = stream_of(started_by)
            if coaching is None:
                raise InvalidInput(f"no JobCoachingStarted record with source id {started_by}")
        else:
            if resident.coaching_id is None and resident.resident_id is not None:
                resident.coaching_id = core_of(app).latest_coaching(resident.resident_id)
            coaching = resident.coaching_id
        if coaching is None:
            raise InvalidInput(f"resident {resident.key} has no job coaching for this record")
        getattr(app, name)(coaching, on=record.on, by=record.by, **fields)
        return coaching

    return handle


def _register(app: Participation, resident: Resident, record: ImportRecord, _: object) -> UUID:
    if resident.resident_id is not None:
        raise InvalidInput(f"resident {resident.key} is registered already")
    resident.resident_id = app.register_resident(on=record.on, by=record.by, **record.fields)
    return resident.resident_id


def _start_coaching(
    app: Participation, resident: Resident, record: ImportRecord, _: object
) -> UUID:
    fields = record.fields
    resident.coaching_id = app.start_job_coaching(
        _registered(resident),
        provider=Provider(fields["provider"], recognised=fields["provider_recognised"]),
        coach=JobCoach(fields["job_coach_id"], hbo_degree=fields["job_coach_hbo_degree"]),
        on=record.on,
        by=record.by,
    )
    return resident.coaching_id


HANDLERS: dict[str, Handler] = {
    "Registered": _register,
    "IntakeHeld": _resident_command("hold_intake"),
    "ConversationHeld": _resident_command("record_conversation"),
    "GoalChanged": _resident_command("change_goal"),
    "WorkplaceVisited": _resident_command("visit_workplace"),
    "ActivityStarted": _resident_command("start_activity"),
    "ActivityEnded": _resident_command("end_activity"),
    "JobBrokerRequested": _resident_command("request_job_broker"),
    "JobBrokerRequestWithdrawn": _resident_command("withdraw_job_broker_request"),
    "Placed": _resident_command("place"),
    "PlacementEnded": _resident_command("end_placement"),
    "WageValueAssessed": _resident_command("assess_wage_value"),
    "TrajectoryClosed": _resident_command("close_trajectory"),
    "TrajectoryReopened": _resident_command("reopen_trajectory"),
    "JobCoachingStarted": _start_coaching,
    "CoachingHoursLogged": _coaching_command("log_coaching_hours"),
    "EvaluationHeld": _coaching_command("evaluate_job_coaching"),
    "TrajectoryExtended": _coaching_command("extend_job_coaching"),
    "JobCoachingCompleted": _coaching_command("complete_job_coaching"),
}
