"""The processing log as a room of :class:`~participatie.Participation`: joining a caller's
trace, and reading the records back (see :mod:`participatie.audit.processing`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from participatie.audit.access import access_log_id
from participatie.audit.processing import (
    ProcessingLog,
    ProcessingRecord,
    TraceContext,
    decode_records,
    processing_log_id,
    records_of,
    records_of_subject,
)
from participatie.audit.security import SecurityEvent, SecurityLog, entry_of
from participatie.domain.inputs import business_date, checked_text
from participatie.domain.municipalities import same_municipality
from participatie.domain.values import Actor
from participatie.errors import InvalidInput, NotFound, TamperDetected
from participatie.privacy.authorisation import Action
from participatie.service.core import TIMEZONE, Room, as_uuid

__all__ = ["ProcessingRecords"]

_REFUSED = get_topic(SecurityLog.AttemptRefused)
_OPENED = get_topic(ProcessingLog.Opened)
_PROCESSED = get_topic(ProcessingLog.Processed)
_TOGETHER = get_topic(ProcessingLog.ProcessedTogether)


def _held(records: bytes, position: int, *, subject: str | None = None) -> list[ProcessingRecord]:
    """The records a ledger row holds. Records that do not read, or (with ``subject``) name
    another data subject than the resident whose stream the row is of, were tampered with."""
    try:
        stored = bytes(records)
        return decode_records(stored) if subject is None else records_of_subject(stored, subject)
    except (TypeError, ValueError) as error:
        raise TamperDetected(f"ledger: at position {position}, {error}") from error


class ProcessingRecords(Room):
    """The processing log: a trace to join, and the records."""

    @contextlib.contextmanager
    def trace(
        self,
        traceparent: str | None = None,
        *,
        processor: str | None = None,
        origin: str | None = None,
    ) -> Iterator[TraceContext]:
        """Within the block, the processing records join the caller's trace: ``traceparent`` is
        its W3C trace context header (``00-<trace id>-<span id>-<flags>``), whose span becomes
        each record's parent; ``processor`` names the calling application when another
        application made the call (``dpl.core.foreign_operation.processor``). Without a
        ``traceparent`` the block is one trace of the library's own. ``origin`` says where the
        request came from (a workstation, an IP address): the access log and the security log
        record it (BIO2 8.15.01); a processing record never holds it.
        """
        if origin is not None:
            origin = checked_text(origin, field="origin")
        if processor is not None:
            processor = checked_text(processor, field="processor")
        context = (
            TraceContext(trace_id=TraceContext.new().trace_id, processor=processor, origin=origin)
            if traceparent is None
            else TraceContext.from_traceparent(traceparent, processor=processor, origin=origin)
        )
        with self._core.processing.traced(context):
            yield context

    def processing_log(
        self, resident_id: UUID | None = None, *, by: Actor, since: datetime | None = None
    ) -> list[ProcessingRecord]:
        """The processing records of one resident (or of every resident the actor may see), in
        the order they were stored, from ``since`` (an aware datetime, by their start time) on.

        Reading the log is authorised (by default for auditors) and is not itself recorded: it
        holds no personal data but the residents' pseudonymous ids.
        """
        if since is not None and (not isinstance(since, datetime) or since.tzinfo is None):
            raise InvalidInput(f"since must be an aware datetime, not {since!r}")
        self._core.authorise(by, Action.READ_PROCESSING_LOG)
        core = self._core
        recorder = core.store.participation_recorder
        if resident_id is not None:
            rid = as_uuid(resident_id)
            municipality = core.load_resident(rid).municipality
            core.authorise(by, Action.READ_PROCESSING_LOG, municipality=municipality, about=rid)
            # Records of development builds of 0.3.0 (a stream per resident), then those the
            # ledger holds on the rows of the resident's streams.
            records = [
                record
                for e in core.store.events.get(processing_log_id(rid))
                for record in records_of(e, rid)
            ]
            streams = [rid, access_log_id(rid), *core.coaching_ids(rid)]
            for row in recorder.ledger_of(streams):
                if row.records is not None:
                    records += _held(row.records, row.position, subject=str(rid))
            core.processing.done()
            return [r for r in records if since is None or r.start_time >= since]
        records = self._development_records(by)
        # Whether the actor may see each resident, decided once per resident.
        visible: dict[str, bool] = {}
        after = 0
        while rows := recorder.ledger_records(after, 1000):
            after = rows[-1][0]
            for position, _, held in rows:
                for record in _held(held, position):
                    subject = record.data_subject_id
                    if (shown := visible.get(subject)) is None:
                        shown = visible[subject] = self._visible(by, subject)
                    if shown:
                        records.append(record)
        core.processing.done()
        return [r for r in records if since is None or r.start_time >= since]

    def _visible(self, by: Actor, resident_id: UUID | str) -> bool:
        """Whether ``by`` may see the processing records of the resident (of a data subject
        that is no resident of this store, only an actor of every municipality may)."""
        if by.municipality is None:
            return True
        try:
            municipality = self._core.load_resident(as_uuid(resident_id)).municipality
        except (NotFound, InvalidInput):
            return False
        return same_municipality(municipality, by.municipality)

    def _development_records(self, by: Actor) -> list[ProcessingRecord]:
        """The records development builds of release 0.3.0 stored as events (a stream per
        resident) that ``by`` may see, in the order they were stored."""
        records: list[ProcessingRecord] = []
        # Each log's resident, from its opening event; None: a resident the actor may not see.
        owners: dict[UUID, UUID | None] = {}
        for notification in self._core.notifications(topics=(_OPENED, _PROCESSED, _TOGETHER)):
            event = self._core.store.decode(notification)
            if isinstance(event, ProcessingLog.Opened):
                visible = self._visible(by, event.resident_id)
                owners[event.originator_id] = event.resident_id if visible else None
                continue
            owner = owners.get(event.originator_id)
            if owner is not None:
                records += records_of(event, owner)
        return records

    def security_log(self, *, by: Actor, since: date | None = None) -> list[SecurityEvent]:
        """The refused attempts (BIO2 8.15: action, object, result, origin, actor, time), of
        every day from ``since`` on (default: all), in the order they happened. Authorised (by
        default for auditors); a refused read of it is itself a security event."""
        self._core.authorise(by, Action.READ_SECURITY_LOG)
        if since is not None:
            since = business_date(since)
        found = []
        for notification in self._core.notifications(topics=(_REFUSED,)):
            event = self._core.store.decode(notification)
            if since is not None and event.timestamp.astimezone(TIMEZONE).date() < since:
                continue
            found.append(entry_of(event))
        self._core.processing.done()
        return found
