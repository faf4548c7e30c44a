"""The core every room of ``Participation`` shares: the store, keys, clock, policy, permissions;
loading, the one load-change-save retry loop, batches, authorisation and the access log.

Every change has the same shape: load the aggregate, call its command (which checks the rules),
save. When another writer saved the same stream in between, the change is tried again on the
fresh state, so no update is lost and a rule that the other writer's change now breaks is
reported as such.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Notification
from eventsourcing.utils import resolve_topic

from participatie.audit.access import AccessKind, AccessLog, access_log_id
from participatie.audit.history import check_moments, replay, selected
from participatie.audit.processing import ProcessingLog, ProcessingRecord, processing_log_id
from participatie.audit.security import SecurityLog, security_log_id
from participatie.domain.inputs import business_date, checked_text
from participatie.domain.job_coaching import JobCoachingTrajectory, coaching_id
from participatie.domain.municipalities import (
    MunicipalityRegister,
    canonical_municipality,
    same_municipality,
)
from participatie.domain.policy import Policy
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import Actor
from participatie.errors import (
    BsnAlreadyRegistered,
    BusinessDateRefused,
    ConcurrentUpdate,
    ConfigurationError,
    InvalidInput,
    NotAuthorised,
    NotFound,
)
from participatie.privacy.authorisation import Action, Permissions, authorise
from participatie.privacy.vault import KeyRing, VaultStorage
from participatie.projections.facts import Fact
from participatie.projections.lag import ReportsSource
from participatie.projections.runner import catch_up
from participatie.projections.views import FactsView
from participatie.service.batch import Batch
from participatie.service.idempotency import check_done, with_command_id
from participatie.service.processing import Processing, data_subject
from participatie.service.store import StoreApplication

__all__ = ["NOT_STATED", "TIMEZONE", "Core", "Room", "as_uuid"]

#: The purpose recorded for a read when the caller gives none.
NOT_STATED = "not stated"

#: Business dates are Dutch calendar days.
TIMEZONE = ZoneInfo("Europe/Amsterdam")

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


#: The processing log read together with the resident by the last load of this thread or task
#: (see Core.load), for the record the command or read will append to it.
_read_with_resident: contextvars.ContextVar[ProcessingLog | None] = contextvars.ContextVar(
    "read_with_resident", default=None
)


def back_off(attempt: int) -> None:
    """Wait a random while, longer after each lost race (exponential backoff with jitter)."""
    time.sleep(random.uniform(0, min(_MAX_BACKOFF, 0.005 * 2**attempt)))  # noqa: S311


def as_uuid(value: object) -> UUID:
    """An id given by a caller, as a UUID (a UUID or its text)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return UUID(value)
    raise InvalidInput(f"an id is a UUID, not {value!r}")


class Core:
    """The store and what every command and query needs around it."""

    def __init__(
        self,
        *,
        store: StoreApplication,
        keyring: KeyRing,
        policy: Policy,
        clock: Callable[[], datetime],
        permissions: Permissions,
        store_url: str,
        municipalities: MunicipalityRegister | None = None,
        processing: Processing | None = None,
        reports: ReportsSource | None = None,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.policy = policy
        self.clock = clock
        self.permissions = permissions
        self.store_url = store_url
        self.municipalities = municipalities
        self.vault: VaultStorage = store.participation_recorder
        keyring.bind(self.vault)  # key epochs live in the store
        # The open batch is the thread's own: one application serving many threads (a web
        # service's threadpool) must never collect one thread's commands into another's batch.
        self._batches = threading.local()
        self.processing = processing or Processing(None, clock)
        self.reports = reports

    @property
    def open_batch(self) -> Batch | None:
        """The batch this thread has open (None: commands save at once)."""
        batch: Batch | None = getattr(self._batches, "open", None)
        return batch

    @open_batch.setter
    def open_batch(self, batch: Batch | None) -> None:
        self._batches.open = batch

    # Time and permission.

    def today(self) -> date:
        """Today's date in the Netherlands, by this application's clock."""
        now = self.clock()
        if now.tzinfo is None:
            raise ConfigurationError("the clock must return timezone-aware datetimes")
        return now.astimezone(TIMEZONE).date()

    def check_not_future(self, on: object) -> None:
        on = business_date(on)
        today = self.today()
        if on > today:
            raise BusinessDateRefused(f"business date {on} is after today ({today})")

    def authorise(
        self,
        by: object,
        action: Action,
        *,
        municipality: str | None = None,
        about: UUID | None = None,
    ) -> Actor:
        """``by`` if its role may take ``action`` (for a resident of ``municipality``); else the
        refused attempt goes into the security log (``about``: the resident it named) and
        :class:`NotAuthorised` is raised."""
        try:
            actor = authorise(self.permissions, by, action, municipality=municipality)
        except NotAuthorised as refusal:
            assert isinstance(by, Actor)  # noqa: S101 (authorise refuses anything else as input)
            self.record_refusal(by, action, about, str(refusal))
            raise
        self.processing.authorised(action)  # the name of the processing record to come
        return actor

    def refused(self, by: Actor, action: Action, about: UUID | None, message: str) -> NotAuthorised:
        """A refusal decided outside the permissions table (a job coach not assigned to the
        coaching), recorded in the security log like every other; the caller raises it."""
        self.record_refusal(by, action, about, message)
        return NotAuthorised(message)

    def record_refusal(self, by: Actor, action: Action, about: UUID | None, reason: str) -> None:
        """Append a refused attempt to today's security log, at once (never in a batch: an
        import that is rolled back still leaves the attempt on record)."""
        day = self.today()
        origin = self.processing.origin()
        self.change(
            SecurityLog,
            security_log_id(day),
            lambda log: log.refused(
                by=by, action=action.name.lower(), resident_id=about, reason=reason, origin=origin
            ),
            create=lambda: SecurityLog.open_for(day),
            in_batch=False,
        )

    def municipality(self, name: object, *, field: str = "municipality") -> str:
        """The canonical name of a municipality this store serves (any, without a register)."""
        if self.municipalities is None:
            return canonical_municipality(name, field=field)
        return self.municipalities.canonical(name, field=field)

    # Loading and changing.

    def load(self, kind: type[A], aggregate_id: UUID) -> A:
        """The aggregate as it stands (in the open batch, or stored), or :class:`NotFound`."""
        what = _WHAT[kind]
        aggregate: object = None
        if self.open_batch is not None:
            aggregate = self.open_batch.get(aggregate_id)
        try:
            if aggregate is None and kind is ResidentTrajectory:
                # The resident's processing log comes along (one query for both) for the
                # record a command or read will append to it.
                aggregate, log = self.store.load_with_log(
                    aggregate_id, processing_log_id(aggregate_id)
                )
                _read_with_resident.set(log)
            elif aggregate is None:
                aggregate = self.store.repository.get(aggregate_id)
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
            processed = self._processing(aggregate, started)
            pending = list(aggregate.pending_events)
            try:
                self.store.save(aggregate, *processed[:1], **save_with)
            except IntegrityError:
                if in_batch:
                    check_done(self.store.participation_recorder)  # its id: saved already
                if self._saved_already(pending):
                    self._processed(processed)
                    return
                # Another writer saved this version first: retry on the fresh state.
                back_off(attempt)
                continue
            self._processed(processed)
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
        the conflict was on a stream saved with it (the resident's processing log, which a
        command on the same resident saved meanwhile): that is :class:`ConcurrentUpdate`, which
        the caller may retry from the start.
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
        processed = self._processing(aggregate, started)
        pending = list(aggregate.pending_events)
        try:
            self.store.save(aggregate, *processed[:1], **save_with)
        except IntegrityError:
            check_done(self.store.participation_recorder)  # its id: saved already
            if self._saved_already(pending):
                self._processed(processed)
                return
            if refused is None:
                raise
            if self.store.recorder.select_events(aggregate.id, limit=1):
                raise refused() from None
            raise ConcurrentUpdate(
                f"{aggregate.id} could not be saved: the resident's processing log was changed "
                "by another writer meanwhile; issue the command again"
            ) from None
        self._processed(processed)

    # The processing log: a record of every save of a resident's data, saved with it.

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
        read with the resident by this command's load (:meth:`load`), else as stored."""
        log_id = processing_log_id(resident_id)
        found = self.open_batch.get(log_id) if self.open_batch is not None else None
        if found is None:
            read = _read_with_resident.get()
            if read is not None and read.id == log_id:
                _read_with_resident.set(None)  # appended to once
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

    def log_access(self, resident_id: UUID, by: Actor, kind: AccessKind, purpose: str) -> None:
        """Append a read to the resident's access log (made on the first read), at once."""
        purpose = checked_text(purpose, field="purpose")
        self.change(
            AccessLog,
            access_log_id(resident_id),
            lambda log: log.record(
                by=by, kind=kind, purpose=purpose, origin=self.processing.origin()
            ),
            create=lambda: AccessLog.open_for(resident_id),
            in_batch=False,
        )

    # The vault.

    def find_bsn(self, bsn: str, municipality: str) -> UUID | None:
        """The resident of ``municipality`` (canonical) with this BSN, under the hash of every key
        id records are sealed under; a resident of another municipality is never found.

        Fails closed: when some records are sealed under a key this process does not hold (it
        still has only the old secret after a rotation, say), it raises
        :class:`ConfigurationError` naming that key id rather than miss the resident, which
        would let the BSN be registered twice.
        """
        self.keyring.refresh()
        for bsn_hash in self.keyring.bsn_hashes(bsn, municipality):
            found = self.vault.vault_find(bsn_hash)
            # An unscoped hash (sealed before 0.2.0) may be another municipality's resident.
            if found is not None and same_municipality(
                self.load_resident(found).municipality, municipality
            ):
                return found
        return None

    def refuse_known_bsn(self, bsn: str, municipality: str) -> None:
        """Refuse a BSN that has a trajectory in ``municipality`` already (naming it: the
        municipality's own); one in another municipality is neither refused nor revealed."""
        hashes = self.keyring.bsn_hashes(bsn, municipality)
        if self.open_batch is not None and self.open_batch.knows_bsn(hashes):
            raise BsnAlreadyRegistered(
                "this BSN is registered earlier in the same import; one resident, one trajectory"
            )
        known = self.find_bsn(bsn, municipality)
        if known is not None:
            raise BsnAlreadyRegistered(
                f"this BSN already has a trajectory (resident {known}); reopen that trajectory "
                "instead of registering again"
            )

    # Streams.

    def notifications(self, topics: Sequence[str] = ()) -> Iterator[Notification]:
        """Every stored event (of the given topics), in log order, a page at a time."""
        start = 1
        while True:
            page = self.store.recorder.select_notifications(start, 1000, topics=topics)
            yield from page
            if len(page) < 1000:
                return
            start = page[-1].id + 1

    def stream_ids(self) -> set[UUID]:
        return {UUID(str(n.originator_id)) for n in self.notifications()}

    def coaching_ids(self, resident_id: UUID) -> list[UUID]:
        """Ids that job coaching of this resident would have: one per placement ever made."""
        return [
            coaching_id(resident_id, event.originator_version)
            for event in self.store.events.get(resident_id)
            if isinstance(event, ResidentTrajectory.Placed)
        ]

    def latest_coaching(self, resident_id: UUID) -> UUID | None:
        """The resident's latest job coaching (in the open batch or stored), or None."""
        for cid in reversed(self.coaching_ids(resident_id)):
            batched = self.open_batch is not None and self.open_batch.get(cid) is not None
            if batched or self.store.recorder.select_events(cid, limit=1):
                return cid
        return None

    def has_job_coaching(self, resident_id: UUID) -> bool:
        return self.latest_coaching(resident_id) is not None

    def streams_of(self, resident_id: UUID) -> list[tuple[str, list[Any]]]:
        """The resident's events and those of each of the resident's job coaching streams."""
        resident_events = list(self.store.events.get(resident_id))
        if not resident_events or not isinstance(resident_events[0], ResidentTrajectory.Registered):
            raise NotFound(f"no resident with id {resident_id}")
        streams: list[tuple[str, list[Any]]] = [(ResidentTrajectory.__name__, resident_events)]
        for event in resident_events:
            if isinstance(event, ResidentTrajectory.Placed):
                cid = coaching_id(resident_id, event.originator_version)
                coaching_events = list(self.store.events.get(cid))
                if coaching_events:
                    streams.append((JobCoachingTrajectory.__name__, coaching_events))
        return streams

    def as_of(
        self, kind: type[A], aggregate_id: object, *, as_of: date | None, known_at: datetime | None
    ) -> A:
        """The aggregate now, or as of a business date and/or known at a recorded time."""
        uid = as_uuid(aggregate_id)
        if as_of is None and known_at is None:
            return self.load(kind, uid)
        check_moments(as_of, known_at)
        start = self.store.snapshot_covering(uid, as_of=as_of, known_at=known_at)
        later = list(
            self.store.events.get(uid, gt=None if start is None else start.originator_version)
        )
        # The snapshot's topic, or else the creation event alone, tells the kind of aggregate.
        if start is not None:
            if not issubclass(resolve_topic(start.topic), kind):
                raise NotFound(f"no {kind.__name__} with id {uid}")
        elif not later or not isinstance(replay(later[:1]), kind):
            raise NotFound(f"no {kind.__name__} with id {uid}")
        aggregate = replay(
            ([] if start is None else [start]) + selected(later, as_of=as_of, known_at=known_at)
        )
        if aggregate is None:
            moment = " and ".join(
                part
                for part in (
                    f"as of {as_of}" if as_of else "",
                    f"known at {known_at.isoformat()}" if known_at else "",
                )
                if part
            )
            raise NotFound(f"{uid} did not exist {moment}")
        result: A = aggregate
        return result

    # The outcomes view.

    def known_municipalities(self) -> set[str]:
        """The municipalities residents were registered under, by the outcomes view."""
        view = self.reports_view()
        return {
            municipality
            for key, municipality in view.municipalities().items()
            if not key.startswith("resident-of:")
        }

    def reports_view(self) -> FactsView:
        """The facts view reports read: this store's, caught up with the log; or, when reports
        read from a standby, the standby's as the primary's projection worker wrote it (a
        standby cannot be written, so it is never caught up here)."""
        if self.reports is not None:
            return self.reports.view
        view = self.store.facts_view()
        catch_up(self.store, view)
        return view

    def current_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        """The outcome facts (of one municipality, or all; through a business date and known at
        a moment, if given), after catching up with the log (on a standby: as they are)."""
        return self.reports_view().select_facts(municipality, through=through, known_at=known_at)


class Room:
    """Base of the rooms that make up :class:`participatie.Participation`: each holds the public
    methods of one concern and works through the shared :class:`Core`."""

    _core: Core
