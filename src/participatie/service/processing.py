"""Making the processing records (see :mod:`participatie.audit.processing`) of what the core saves.

The core asks :class:`Processing` for the record of every aggregate it saves that holds or
reads a resident's data (a trajectory, a job coaching, an access log entry), and saves the record
in the same transaction, in the ledger row of the last event the save stored. The record's name
is the action the actor was authorised for (the last ``authorise`` of the command, kept per
thread and task); its trace is the caller's (:meth:`Processing.traced`) or one of its own. When
OpenTelemetry is installed (the extra ``otel``) and a tracer provider is set, every record is
also a span with the same trace id, span id, times and attributes, ended once the record is
stored.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from participatie.audit.access import AccessLog
from participatie.audit.processing import (
    DATA_SUBJECT_ID_TYPE,
    ProcessingRecord,
    TraceContext,
    new_span_id,
    unconfigured_activity,
)
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import ConfigurationError
from participatie.privacy.authorisation import Action

__all__ = ["Processing", "Span"]

_action: contextvars.ContextVar[Action | None] = contextvars.ContextVar("action", default=None)
_trace: contextvars.ContextVar[TraceContext | None] = contextvars.ContextVar("trace", default=None)


def data_subject(aggregate: object) -> UUID | None:
    """The resident whose data an aggregate holds or logs (None: not a resident's)."""
    if isinstance(aggregate, ResidentTrajectory):
        return aggregate.id
    if isinstance(aggregate, JobCoachingTrajectory | AccessLog):
        resident: UUID = aggregate.resident_id
        return resident
    return None


class Span:
    """One processing being recorded: its record, and the OpenTelemetry span if there is one."""

    def __init__(self, record: ProcessingRecord, otel: Any) -> None:
        self.record, self._otel = record, otel

    def stored(self) -> None:
        """The record was saved: end the span (it is exported only now)."""
        if self._otel is not None:
            from opentelemetry.trace import Status, StatusCode  # noqa: PLC0415

            self._otel.set_status(Status(StatusCode.OK))
            self._otel.end(end_time=_nanos(self.record.end_time))


class Processing:
    """The processing activities of a deployment, and the records of what is saved."""

    def __init__(self, activities: Mapping[Action, str] | None, clock: Callable[[], datetime]):
        activities = dict(activities or {})
        for action, uri in activities.items():
            if not isinstance(action, Action) or not isinstance(uri, str) or not uri.strip():
                raise ConfigurationError(
                    "processing_activities maps each Action to the URI of a processing activity "
                    f"in the municipality's register, not {action!r}: {uri!r}"
                )
        self.activities = activities
        self.clock = clock

    @staticmethod
    def authorised(action: Action) -> None:
        """Remember the action of the command or read under way (its records are named so)."""
        _action.set(action)

    @staticmethod
    @contextlib.contextmanager
    def traced(trace: TraceContext) -> Iterator[None]:
        """Records made inside join ``trace``."""
        token = _trace.set(trace)
        try:
            yield
        finally:
            _trace.reset(token)

    def span(self, resident_id: UUID, started: datetime) -> Span:
        """The record of one processing of ``resident_id``'s data, begun at ``started``."""
        action = _action.get()
        name = "unknown" if action is None else action.name.lower()
        trace = _trace.get() or TraceContext.new()
        otel = _start_otel_span(name, trace, started)
        if otel is not None:
            context = otel.get_span_context()
            trace_id, span_id = f"{context.trace_id:032x}", f"{context.span_id:016x}"
        else:
            trace_id, span_id = trace.trace_id, new_span_id()
        record = ProcessingRecord(
            trace_id=trace_id,
            span_id=span_id,
            parent_span_id=trace.parent_span_id,
            name=name,
            status="Ok",
            start_time=started,
            end_time=self.clock(),
            processing_activity_id=(
                self.activities.get(action, unconfigured_activity(name))
                if action is not None
                else unconfigured_activity(name)
            ),
            data_subject_id=str(resident_id),
            data_subject_id_type=DATA_SUBJECT_ID_TYPE,
            foreign_operation_processor=trace.processor,
        )
        if otel is not None:
            otel.set_attributes(record.attributes())
        return Span(record, otel)

    @staticmethod
    def origin() -> str | None:
        """The origin the caller gave for what is under way (None: not given)."""
        trace = _trace.get()
        return None if trace is None else trace.origin

    @staticmethod
    def done() -> None:
        """The command or read was saved: the next one names its own action."""
        _action.set(None)


def _nanos(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


_OTEL: Any = None


def _start_otel_span(name: str, trace: TraceContext, started: datetime) -> Any:
    """An OpenTelemetry span for the record, or None (not installed, or no tracer provider)."""
    global _OTEL  # noqa: PLW0603 (imported once, on first use)
    if _OTEL is None:
        try:
            from opentelemetry import trace as otel_trace  # noqa: PLC0415
        except ImportError:
            _OTEL = False
        else:
            _OTEL = otel_trace
    if _OTEL is False:
        return None
    otel = _OTEL
    provider = otel.get_tracer_provider()
    if isinstance(provider, otel.ProxyTracerProvider):
        return None  # no tracer provider set: nothing would record the span
    context = None
    if trace.parent_span_id is not None:
        parent = otel.SpanContext(
            trace_id=int(trace.trace_id, 16),
            span_id=int(trace.parent_span_id, 16),
            is_remote=True,
            trace_flags=otel.TraceFlags(otel.TraceFlags.SAMPLED),
        )
        context = otel.set_span_in_context(otel.NonRecordingSpan(parent))
    span = provider.get_tracer("participatie").start_span(
        name, context=context, start_time=_nanos(started)
    )
    if not span.is_recording():
        # No tracer provider (the API's no-op tracer hands back the parent span), or a sampler
        # that drops it: the record gets ids of its own.
        return None
    return span
