"""A batch (unit of work): aggregates changed by commands but not saved yet.

A bulk import runs the usual commands inside a batch, so that they are checked by the same rules,
and saves many residents in one transaction (see
:meth:`participatie.service.processing_records.ProcessingRecords.batch`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

import attrs

__all__ = ["Batch"]


@attrs.define
class Batch:
    """Aggregates changed by commands but not saved yet, and what goes with them to the recorder
    (``save_with``: vault rows, import sources, ...), and the BSN hashes registered in it.

    Batches nest: a batch inside another sees its parent's aggregates (as copies, so that a
    refused command leaves the parent's as they were) and merges into it when it succeeds.
    """

    parent: Batch | None = None
    aggregates: dict[UUID, Any] = attrs.Factory(dict)
    save_with: dict[str, list[Any]] = attrs.Factory(dict)
    bsn_hashes: set[bytes] = attrs.Factory(set)
    #: The processing records' spans, each with the stream whose save it records, ended once the
    #: batch is stored.
    spans: list[tuple[Any, Any]] = attrs.Factory(list)

    def get(self, aggregate_id: UUID) -> Any | None:
        found = self.aggregates.get(aggregate_id)
        if found is None and self.parent is not None:
            in_parent = self.parent.get(aggregate_id)
            if in_parent is not None:
                # A copy: a refused command in this batch must leave the parent's as it was.
                found = self.aggregates[aggregate_id] = copy.deepcopy(in_parent)
        return found

    def knows_bsn(self, bsn_hashes: Iterable[bytes]) -> bool:
        stage: Batch | None = self
        while stage is not None:
            if not stage.bsn_hashes.isdisjoint(bsn_hashes):
                return True
            stage = stage.parent
        return False

    def add(self, aggregate: Any, **save_with: Sequence[Any]) -> None:
        self.aggregates[aggregate.id] = aggregate
        for name, values in save_with.items():
            self.save_with.setdefault(name, []).extend(values)

    def merge_into(self, parent: Batch) -> None:
        for aggregate in self.aggregates.values():
            parent.add(aggregate)
        for name, values in self.save_with.items():
            parent.save_with.setdefault(name, []).extend(values)
        parent.bsn_hashes |= self.bsn_hashes
        parent.spans += self.spans
