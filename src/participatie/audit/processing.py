"""The processing log (Logboek dataverwerkingen): one record per processing of a resident's
personal data, per data subject, never sampled.

Each record has the fields of the Logius/VNG standard (working draft 0.8): ``trace_id`` (16
bytes), ``span_id`` (8 bytes), ``parent_span_id``, ``name``, ``status``, ``start_time`` and
``end_time``, and the attributes ``dpl.core.processing_activity_id`` (a URI into the
municipality's register of processing activities, AVG art. 30), ``dpl.core.data_subject_id``
(the resident's pseudonymous id, never the BSN) and ``dpl.core.data_subject_id_type``;
``dpl.core.foreign_operation.processor`` when another application made the call. It holds no
user data: who did it is in the access log and in the events themselves.

The records are kept in the log-wide ledger (:mod:`participatie.audit.ledger`), in the same
transaction as what they log: the ledger's row of the last event a processing stored holds that
processing's records (:func:`encode_records`), and its running hash covers them, so that deleting,
changing, moving or adding a record is found by ``verify()`` like an edit of an event. A record
is not an event: a command stores one event and its ledger row, and two commands on one resident
never conflict over the resident's log.

Development builds of release 0.3.0 stored each resident's records as events of a stream of its
own (:class:`ProcessingLog`); those events are still read. A caller joins the records to its
own trace by passing its W3C ``traceparent`` (:class:`TraceContext`).
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate

from participatie.audit.log_aggregate import LogAggregate
from participatie.errors import InvalidInput

__all__ = [
    "DATA_SUBJECT_ID_TYPE",
    "ProcessingLog",
    "ProcessingRecord",
    "TraceContext",
    "decode_records",
    "encode_records",
    "processing_log_id",
    "records_by_stream",
    "records_of",
    "records_of_subject",
    "unconfigured_activity",
]

_PROCESSING_NAMESPACE = UUID("3f9d2c61-8b47-4e0a-9c5d-71a2e4b8f036")
#: ``dpl.core.data_subject_id_type`` of every record: the resident's pseudonymous id.
DATA_SUBJECT_ID_TYPE = "participatie.resident_id"
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@functools.lru_cache(maxsize=4096)  # a name-based UUID (SHA-1): asked for on every command
def processing_log_id(resident_id: UUID) -> UUID:
    """The id of a resident's processing log stream."""
    return uuid5(_PROCESSING_NAMESPACE, f"{resident_id}/processing-log")


def unconfigured_activity(action_name: str) -> str:
    """The processing activity a record names when the deployment mapped none to its action:
    a URN that says so (configure ``processing_activities`` when opening the store)."""
    return f"urn:participatie:processing-activity:unconfigured:{action_name}"


@attrs.frozen
class TraceContext:
    """The caller's W3C trace context: the trace a processing joins, and the caller's span,
    which becomes the record's ``parent_span_id``; ``processor`` names the calling application
    (``dpl.core.foreign_operation.processor``) when another application made the call."""

    trace_id: str
    parent_span_id: str | None = None
    processor: str | None = None
    #: Where the request came from (a workstation, an IP address), for the access and security
    #: logs (BIO2 8.15.01); never part of a processing record.
    origin: str | None = None

    @classmethod
    def from_traceparent(
        cls, traceparent: str, *, processor: str | None = None, origin: str | None = None
    ) -> TraceContext:
        """Read a ``traceparent`` header (``00-<trace id>-<parent id>-<flags>``).

        >>> TraceContext.from_traceparent(
        ...     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").parent_span_id
        '00f067aa0ba902b7'
        """
        found = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
        if found is None or found.group(1) == "0" * 32 or found.group(2) == "0" * 16:
            raise InvalidInput(
                f"traceparent {traceparent!r} is not a W3C trace context "
                "(00-<32 hex digits>-<16 hex digits>-<2 hex digits>, not all zeros)"
            )
        return cls(
            trace_id=found.group(1),
            parent_span_id=found.group(2),
            processor=processor,
            origin=origin,
        )

    @classmethod
    def new(cls) -> TraceContext:
        """A trace of the library's own, for a processing no caller traced."""
        return cls(trace_id=_random_id(128))


def new_span_id() -> str:
    """A span id of the library's own (16 hex digits, never all zeros)."""
    return _random_id(64)


#: The generator of trace and span ids: the library's own, seeded from the system's randomness
#: and again in every forked process, so that an application seeding Python's global generator
#: (tests often do) never makes two processes give out the same ids, and strategies of
#: participatie.testing that run commands do not draw on the global generator (hypothesis
#: warns against that).
_IDS = random.Random()  # noqa: S311 (ids must be unique, not secret)
os.register_at_fork(after_in_child=_IDS.seed)


def _random_id(bits: int) -> str:
    """A random trace or span id as hex digits, never all zeros (W3C trace context).

    Ids must be unique, not secret: they are made as OpenTelemetry's SDK makes them, from a
    Mersenne Twister seeded from the system's randomness, without a system call per id, which an
    import paid for twice a record."""
    while not (value := _IDS.getrandbits(bits)):
        pass
    return f"{value:0{bits // 4}x}"


@attrs.frozen
class ProcessingRecord:
    """One processing of one resident's personal data, as the standard names its fields."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    status: str
    start_time: datetime
    end_time: datetime
    processing_activity_id: str
    data_subject_id: str
    data_subject_id_type: str
    foreign_operation_processor: str | None

    def attributes(self) -> dict[str, str]:
        """The record's attributes under the standard's names (as an OpenTelemetry span has
        them)."""
        found = {
            "dpl.core.processing_activity_id": self.processing_activity_id,
            "dpl.core.data_subject_id": self.data_subject_id,
            "dpl.core.data_subject_id_type": self.data_subject_id_type,
        }
        if self.foreign_operation_processor is not None:
            found["dpl.core.foreign_operation.processor"] = self.foreign_operation_processor
        return found

    def to_dict(self) -> dict[str, Any]:
        """The record in the shape of an OTLP span (JSON), for export."""
        return {
            "traceId": self.trace_id,
            "spanId": self.span_id,
            "parentSpanId": self.parent_span_id or "",
            "name": self.name,
            "status": {"code": self.status},
            "startTimeUnixNano": str(_nanos(self.start_time)),
            "endTimeUnixNano": str(_nanos(self.end_time)),
            "attributes": [
                {"key": key, "value": {"stringValue": value}}
                for key, value in self.attributes().items()
            ],
        }


def _nanos(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


class ProcessingLog(LogAggregate, created_event_name="Opened"):
    """The processing records of one resident, in the order they were saved, as development
    builds of release 0.3.0 stored them (a stream per resident). No longer written: kept so that
    a store such a build wrote still reads (``processing_log``, ``verify``)."""

    class Opened(Aggregate.Created):
        resident_id: UUID

    class Processed(Aggregate.Event):
        trace_id: str
        span_id: str
        parent_span_id: str | None
        name: str
        status: str
        start_time: datetime
        end_time: datetime
        processing_activity_id: str
        foreign_operation_processor: str | None

        def apply(self, aggregate: Any) -> None:
            log: ProcessingLog = aggregate
            log.count += 1

    class ProcessedTogether(Aggregate.Event):
        """Several records of the resident saved in one transaction (an import's batch), in
        order: one stored event instead of one each (the encoding, chain hash, ledger row and
        insert of an event were most of what a record cost an import). Each record is a list
        of the fields of :class:`Processed` in the order of :data:`TOGETHER_FIELDS`, the times
        as ISO 8601 text."""

        records: list[list[str | None]]

        def apply(self, aggregate: Any) -> None:
            log: ProcessingLog = aggregate
            log.count += len(self.records)

    def __init__(self, *, resident_id: UUID) -> None:
        self.resident_id = resident_id
        self.count = 0

    @classmethod
    def open_for(cls, resident_id: UUID) -> ProcessingLog:
        return cls._create(cls.Opened, id=processing_log_id(resident_id), resident_id=resident_id)

    def record(self, record: ProcessingRecord) -> None:
        self.trigger_event(
            self.Processed,
            trace_id=record.trace_id,
            span_id=record.span_id,
            parent_span_id=record.parent_span_id,
            name=record.name,
            status=record.status,
            start_time=record.start_time,
            end_time=record.end_time,
            processing_activity_id=record.processing_activity_id,
            foreign_operation_processor=record.foreign_operation_processor,
        )

    def record_all(self, records: Sequence[ProcessingRecord]) -> None:
        """Append records saved together: one ``Processed`` event for one record, else one
        ``ProcessedTogether`` event for them all."""
        if len(records) == 1:
            self.record(records[0])
        elif records:
            self.trigger_event(self.ProcessedTogether, records=[_fields(r) for r in records])


#: The fields of a record in :class:`ProcessingLog.ProcessedTogether`, in their stored order.
TOGETHER_FIELDS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "status",
    "start_time",
    "end_time",
    "processing_activity_id",
    "foreign_operation_processor",
)


def records_of(event: object, resident_id: UUID) -> list[ProcessingRecord]:
    """The records a stored event of a processing log holds (none for its opening)."""
    if isinstance(event, ProcessingLog.Processed):
        return [record_of(event, resident_id)]
    if isinstance(event, ProcessingLog.ProcessedTogether):
        return [_from_fields(str(resident_id), fields) for fields in event.records]
    return []


def record_of(event: ProcessingLog.Processed, resident_id: UUID) -> ProcessingRecord:
    """The record a stored event holds."""
    return ProcessingRecord(
        trace_id=event.trace_id,
        span_id=event.span_id,
        parent_span_id=event.parent_span_id,
        name=event.name,
        status=event.status,
        start_time=event.start_time,
        end_time=event.end_time,
        processing_activity_id=event.processing_activity_id,
        data_subject_id=str(resident_id),
        data_subject_id_type=DATA_SUBJECT_ID_TYPE,
        foreign_operation_processor=event.foreign_operation_processor,
    )


#: The fields of a record as the ledger keeps it, in their stored order (all text or null; times
#: as ISO 8601 with their offset): its data subject, then those of an older build's batch.
STORED_FIELDS = ("data_subject_id", *TOGETHER_FIELDS)


def _fields(record: ProcessingRecord) -> list[str | None]:
    """A record's fields after its data subject, in :data:`STORED_FIELDS` order, as stored."""
    return [
        record.trace_id,
        record.span_id,
        record.parent_span_id,
        record.name,
        record.status,
        record.start_time.isoformat(),
        record.end_time.isoformat(),
        record.processing_activity_id,
        record.foreign_operation_processor,
    ]


def _from_fields(subject: str, fields: Sequence[Any]) -> ProcessingRecord:
    """A record of ``subject`` from its stored fields (see :func:`_fields`)."""
    trace_id, span_id, parent_span_id, name, status, start, end, activity, processor = fields
    return ProcessingRecord(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent_span_id,
        name=name,
        status=status,
        start_time=datetime.fromisoformat(start),
        end_time=datetime.fromisoformat(end),
        processing_activity_id=activity,
        data_subject_id=subject,
        data_subject_id_type=DATA_SUBJECT_ID_TYPE,
        foreign_operation_processor=processor,
    )


#: Compact JSON with text as it is (made once: ``json.dumps`` with options makes one a call).
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)

#: The version of the records' stored form, their JSON array's first element: a later release
#: that adds a field reads both.
RECORDS_FORMAT = 1


def encode_records(records: Sequence[ProcessingRecord]) -> bytes:
    """The records of one processing (or of a batch's processings of one stream) as the ledger
    keeps them: a JSON array of :data:`RECORDS_FORMAT`, then for each record an array of its
    :data:`STORED_FIELDS`."""
    return _ENCODER.encode(
        [RECORDS_FORMAT, *([r.data_subject_id, *_fields(r)] for r in records)]
    ).encode("utf-8")


def decode_records(stored: bytes) -> list[ProcessingRecord]:
    """The records a ledger row holds (ValueError when they do not read)."""
    try:
        version, *records = json.loads(stored)
        if version != RECORDS_FORMAT or type(version) is not int:
            msg = f"format {version!r}, not {RECORDS_FORMAT}"
            raise ValueError(msg)
        return [_from_fields(fields[0], fields[1:]) for fields in records]
    except (TypeError, ValueError, IndexError, KeyError) as error:
        msg = f"processing records that do not read ({error})"
        raise ValueError(msg) from error


def records_of_subject(stored: bytes, subject: str) -> list[ProcessingRecord]:
    """The records a ledger row of one resident's stream holds, which are all that resident's:
    ValueError when they do not read or name another data subject (tampering)."""
    found = decode_records(stored)
    if any(record.data_subject_id != subject for record in found):
        msg = f"processing records that name another data subject than {subject}"
        raise ValueError(msg)
    return found


def records_by_stream(records: Sequence[tuple[UUID, ProcessingRecord]]) -> dict[UUID, bytes]:
    """(stream, record) pairs in order, encoded per stream: what the ledger's rows hold."""
    grouped: dict[UUID, list[ProcessingRecord]] = {}
    for stream_id, record in records:
        grouped.setdefault(stream_id, []).append(record)
    return {stream_id: encode_records(found) for stream_id, found in grouped.items()}
