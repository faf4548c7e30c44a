"""The one load-command-save loop every change goes through, and the saving of new aggregates.

Every change has the same shape: load the aggregate, call its command (which checks the rules),
save. When another writer saved the same stream in between, the change is tried again on the
fresh state, so no update is lost and a rule that the other writer's change now breaks is
reported as such. The resident's processing record goes with the save (see
:mod:`.processing_records`), and so does the command's id (:mod:`.idempotency`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from participatie.audit.access import AccessLog
from participatie.audit.security import SecurityLog
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import ConcurrentUpdate, NotFound
from participatie.service.core_base import as_uuid
from participatie.service.idempotency import check_done, with_command_id
from participatie.service.processing_records import ProcessingRecords

__all__ = ["ATTEMPTS", "Changes", "back_off"]

#: How often a change is tried when other writers keep saving the same stream first, and the
#: longest pause (seconds) before a retry; pauses are random so that racing writers spread out.
ATTEMPTS = 12
_MAX_BACKOFF = 0.5

A = TypeVar("A", ResidentTrajectory, JobCoachingTrajectory, AccessLog, SecurityLog)

_WHAT = {
    ResidentTrajectory: "resident",
    JobCoachingTrajectory: "job coaching",
    AccessLog: "access log",
    SecurityLog: "security log",
}


def back_off(attempt: int) -> None:
    """Wait a random while, longer after each lost race (exponential backoff with jitter)."""
    time.sleep(random.uniform(0, min(_MAX_BACKOFF, 0.005 * 2**attempt)))  # noqa: S311


class Changes(ProcessingRecords):
    """Loading aggregates, changing them (with retries) and adding new ones."""

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        """The aggregate as it stands (in the open batch, or stored), or :class:`NotFound`."""
        what = _WHAT[kind]
        aggregate: object = None
        if self.open_batch is not None:
            aggregate = self.open_batch.get(aggregate_id)
        try:
            if aggregate is None:
                aggregate = self.store.load(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"{aggregate_id} is not a {what} id")
        return aggregate

    def load_resident(self, resident_id: UUID) -> ResidentTrajectory:
        return self.load(ResidentTrajectory, resident_id)

    def change(
        self,
        kind: type[A],
        aggregate_id: object,
        command: Callable[[A], None],
        *,
        on: object = None,
        create: Callable[[], A] | None = None,
        in_batch: bool = True,
        **save_with: Any,
    ) -> None:
        """Load, command, save; on a concurrent save of the same stream, retry on the new state.

        ``on`` (a business date) may not lie after today; ``create`` makes the aggregate when
        it does not exist yet; ``in_batch=False`` saves at once even while a batch is open;
        ``save_with`` goes with the events to the recorder (e.g. vault rows to delete).
        """
        uid = as_uuid(aggregate_id)
        if on is not None:
            self.check_not_future(on)
        if in_batch:
            save_with = with_command_id(save_with)
        if in_batch and self.open_batch is not None:
            started = self.clock()
            aggregate = self._load_or_create(kind, uid, create)
            command(aggregate)
            self.open_batch.add(aggregate, **save_with)
            self._batch_processing(aggregate, started)
            return
        for attempt in range(1, ATTEMPTS + 1):
            started = self.clock()
            aggregate = self._load_or_create(kind, uid, create)
            command(aggregate)
            span = self._processing(aggregate, started)
            pending = list(aggregate.pending_events)
            try:
                self.store.save(aggregate, **self._with_record(aggregate, span, save_with))
            except IntegrityError:
                if in_batch:
                    check_done(self.store.participation_recorder)  # its id: saved already
                if self._saved_already(pending):
                    self._processed(span)
                    return
                # Another writer saved this version first: retry on the fresh state.
                back_off(attempt)
                continue
            self._processed(span)
            return
        raise ConcurrentUpdate(
            f"{uid} was changed by other writers during each of {ATTEMPTS} attempts; "
            "issue the command again"
        )

    def _saved_already(self, pending: Sequence[Any]) -> bool:
        """Whether the events a refused save tried to store are stored already, as they are.

        eventsourcing sends an insert again when the connection broke before the answer came
        (its recorders retry on a lost connection); when the first insert had been committed,
        the second one is refused as a conflict with itself. Retrying the command then would
        record it twice. An event of another writer differs at least in its recorded time
        (to the microsecond), so equal events at the same versions are this save's own.
        """
        if not pending:
            return False
        first, last = pending[0], pending[-1]
        stored = self.store.events.get(
            first.originator_id,
            gt=first.originator_version - 1,
            lte=last.originator_version,
        )
        return list(stored) == list(pending)

    def _load_or_create(self, kind: type[A], uid: UUID, create: Callable[[], A] | None) -> A:
        if create is None:
            return self.load(kind, uid)
        try:
            return self.load(kind, uid)
        except NotFound:
            if self.store.recorder.select_events(uid, limit=1):
                raise  # the id is taken by another kind of stream
            return create()

    def add(
        self,
        aggregate: ResidentTrajectory | JobCoachingTrajectory,
        *,
        refused: Callable[[], Exception] | None,
        **save_with: Any,
    ) -> None:
        """Save a new aggregate, or add it to the open batch.

        ``refused()`` makes the error raised when the stream exists already (None: the id is
        new by construction, and a conflict, such as a BSN registered meanwhile, raises the
        store's IntegrityError for the caller to explain). When the stream does not exist,
        the conflict was on something saved with it by another writer meanwhile: that is
        :class:`ConcurrentUpdate`, which the caller may retry from the start.
        """
        started = self.clock()
        save_with = with_command_id(save_with)
        if self.open_batch is not None:
            if refused is not None and (
                self.open_batch.get(aggregate.id) is not None
                or self.store.recorder.select_events(aggregate.id, limit=1)
            ):
                raise refused()
            self.open_batch.add(aggregate, **save_with)
            self._batch_processing(aggregate, started)
            return
        span = self._processing(aggregate, started)
        pending = list(aggregate.pending_events)
        try:
            self.store.save(aggregate, **self._with_record(aggregate, span, save_with))
        except IntegrityError:
            check_done(self.store.participation_recorder)  # its id: saved already
            if self._saved_already(pending):
                self._processed(span)
                return
            if refused is None:
                raise
            if self.store.recorder.select_events(aggregate.id, limit=1):
                raise refused() from None
            raise ConcurrentUpdate(
                f"{aggregate.id} could not be saved: another writer saved what it conflicts "
                "with meanwhile; issue the command again"
            ) from None
        self._processed(span)
