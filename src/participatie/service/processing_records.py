"""The processing log in the core: a record of every save of a resident's data, saved in the
same transaction as the data; and batches, which collect commands and their records and save
them together.

The resident's processing log is read together with the resident (one query for both, see
:meth:`participatie.service.changes.Changes.load`); the record a command appends goes into that
copy, so a command costs no read of its own for the log.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from participatie.audit.processing import ProcessingLog, ProcessingRecord, processing_log_id
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import NotFound
from participatie.service.batch import Batch
from participatie.service.core_base import CoreBase
from participatie.service.processing import data_subject

__all__ = ["ProcessingRecords", "read_with_resident"]

#: The processing log read together with the resident by the last load of this thread or task
#: (see Changes.load), for the record the command or read will append to it.
read_with_resident: contextvars.ContextVar[ProcessingLog | None] = contextvars.ContextVar(
    "read_with_resident", default=None
)


class ProcessingRecords(CoreBase):
    """The processing records of commands, saved with them, one at a time or in batches."""

    def _processing(self, aggregate: object, started: datetime) -> tuple[Any, ...]:
        """(the resident's processing log with this processing's record, its span), or ()
        for an aggregate that holds no resident's data or has nothing to save."""
        resident = data_subject(aggregate)
        if resident is None or not getattr(aggregate, "pending_events", None):
            return ()
        span = self.processing.span(resident, started)
        log = self._processing_log(resident)
        log.record(span.record)
        return (log, span)

    def _processed(self, processed: tuple[Any, ...]) -> None:
        if processed:
            processed[1].stored()
        self.processing.done()

    def _batch_processing(self, aggregate: object, started: datetime) -> None:
        """In a batch, the record waits in the batch (with its span): :meth:`save_batch`
        appends each resident's records to the resident's log together."""
        resident = data_subject(aggregate)
        if resident is not None and getattr(aggregate, "pending_events", None):
            assert self.open_batch is not None  # noqa: S101 (only called with a batch open)
            self.open_batch.spans.append(self.processing.span(resident, started))

    def _processing_log(self, resident_id: UUID) -> ProcessingLog:
        """The resident's processing log to append a record to: in the open batch, else as
        read with the resident by this command's load, else as stored."""
        log_id = processing_log_id(resident_id)
        found = self.open_batch.get(log_id) if self.open_batch is not None else None
        if found is None:
            read = read_with_resident.get()
            if read is not None and read.id == log_id:
                read_with_resident.set(None)  # appended to once
                found = read
        if found is None:
            try:
                found = self.store.repository.get(log_id)
            except AggregateNotFoundError:
                return ProcessingLog.open_for(resident_id)
        if not isinstance(found, ProcessingLog):
            raise NotFound(f"{log_id} is not a processing log")
        return found

    def _processing_logs(self, batch: Batch) -> list[ProcessingLog]:
        """The processing logs of the residents a batch processed, each with its records of
        the batch appended together (one event per resident, in the records' order)."""
        by_resident: dict[str, list[ProcessingRecord]] = {}
        for span in batch.spans:
            by_resident.setdefault(span.record.data_subject_id, []).append(span.record)
        # A resident registered in the batch has no log yet: not looked for (a round trip each).
        registered = {
            aggregate.id
            for aggregate in batch.aggregates.values()
            if isinstance(aggregate, ResidentTrajectory)
            and aggregate.pending_events
            and aggregate.pending_events[0].originator_version == 1
        }
        logs = []
        for resident, records in by_resident.items():
            rid = UUID(resident)
            log = ProcessingLog.open_for(rid) if rid in registered else self._processing_log(rid)
            log.record_all(records)
            logs.append(log)
        return logs

    @contextlib.contextmanager
    def batch(self) -> Iterator[Batch]:
        """Collect the changes made inside instead of saving each; a nested batch merges into
        its parent when the block ends without an error, and is dropped when it raises.

        The outermost batch is not saved here: :meth:`save_batch` saves it in one transaction.
        """
        batch = Batch(parent=self.open_batch)
        self.open_batch = batch
        try:
            yield batch
        finally:
            self.open_batch = batch.parent
        if batch.parent is not None:
            batch.merge_into(batch.parent)

    def save_batch(self, batch: Batch, **save_with: Sequence[Any]) -> None:
        """Save every aggregate of a batch, with what goes with them, in one transaction."""
        merged = {name: list(values) for name, values in batch.save_with.items()}
        for name, values in save_with.items():
            merged.setdefault(name, []).extend(values)
        logs = self._processing_logs(batch)
        self.store.save(*batch.aggregates.values(), *logs, **merged)
        for span in batch.spans:
            span.stored()
        batch.spans.clear()
        self.processing.done()
