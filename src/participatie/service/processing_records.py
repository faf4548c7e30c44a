"""The processing log in the core: a record of every save of a resident's data, saved in the
same transaction as the data (in the ledger row of the last event the save stored, see
:mod:`participatie.audit.processing`); and batches, which collect commands and their records and
save them together.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from participatie.service.batch import Batch
from participatie.service.core_base import CoreBase
from participatie.service.processing import Span, data_subject

__all__ = ["ProcessingRecords"]


class ProcessingRecords(CoreBase):
    """The processing records of commands, saved with them, one at a time or in batches."""

    def _processing(self, aggregate: object, started: datetime) -> Span | None:
        """This processing's record (with its span), or None for an aggregate that holds no
        resident's data or has nothing to save."""
        resident = data_subject(aggregate)
        if resident is None or not getattr(aggregate, "pending_events", None):
            return None
        return self.processing.span(resident, started)

    @staticmethod
    def _with_record(
        aggregate: Any, span: Span | None, save_with: dict[str, Any]
    ) -> dict[str, Any]:
        """What goes with the events to the recorder, with the processing record (of the
        aggregate's save) if any."""
        if span is None:
            return save_with
        return {**save_with, "processing_records": [(aggregate.id, span.record)]}

    def _processed(self, span: Span | None) -> None:
        if span is not None:
            span.stored()
        self.processing.done()

    def _batch_processing(self, aggregate: object, started: datetime) -> None:
        """In a batch, the record waits in the batch (with its span): :meth:`save_batch` saves
        the batch's records together."""
        resident = data_subject(aggregate)
        if resident is not None and getattr(aggregate, "pending_events", None):
            assert self.open_batch is not None  # noqa: S101 (only called with a batch open)
            stream_id = getattr(aggregate, "id", None)
            self.open_batch.spans.append((stream_id, self.processing.span(resident, started)))

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
        if batch.spans:
            merged.setdefault("processing_records", []).extend(
                (stream_id, span.record) for stream_id, span in batch.spans
            )
        self.store.save(*batch.aggregates.values(), **merged)
        for _, span in batch.spans:
            span.stored()
        batch.spans.clear()
        self.processing.done()
