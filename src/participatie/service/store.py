"""The eventsourcing application underneath ``Participation``: persistence, transcoding, the
hash chain over every stream, snapshots, and the outcomes view of the same store."""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    StoredEvent,
)

from participatie.audit.chain import ChainMapper, split_state
from participatie.audit.history import replay
from participatie.audit.processing import records_by_stream
from participatie.audit.snapshots import Snapshot
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import ConfigurationError
from participatie.persistence.base import ParticipationFactory, ParticipationRecorder
from participatie.projections.views import FactsView
from participatie.projections.worklist_views import WorklistView
from participatie.stores import APP_NAME
from participatie.transcodings import register_transcodings

__all__ = ["AGGREGATE_CACHE_SIZE", "StoreApplication"]

logger = logging.getLogger(__name__)

#: How many trajectories each application keeps in memory (see StoreApplication).
AGGREGATE_CACHE_SIZE = 1000

#: How many saves' stamps are kept (more are forgotten at once: loads then read, as before).
_STAMPS_KEPT = 10_000


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


class StoreApplication(Application[UUID]):
    """The eventsourcing application underneath: persistence, transcoding, the vault's recorder,
    and the hash chain over every stream."""

    name = APP_NAME

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        snapshot_interval: int = 0,
        chaining_progress: Callable[[int, int], object] | None = None,
    ) -> None:
        self.snapshot_interval = snapshot_interval
        #: The recorder's stamp of the save that put each aggregate in the cache, with the
        #: aggregate's version then (see load).
        self._stamps: dict[UUID, tuple[object, int]] = {}
        self._stamps_lock = threading.Lock()
        env = dict(env or {})
        if snapshot_interval:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
        # Recently used trajectories stay in memory; each load still reads the events saved
        # since (eventsourcing's fast-forward), so other processes' writes are never missed, and
        # commands change a copy.
        env.setdefault(self.AGGREGATE_CACHE_MAXSIZE, str(AGGREGATE_CACHE_SIZE))
        env[self.AGGREGATE_CACHE_FASTFORWARD] = "y"
        env[self.DEEPCOPY_FROM_AGGREGATE_CACHE] = "y"
        super().__init__(env)
        if isinstance(self.mapper, ChainMapper):
            self.mapper.previous_lookup = self.stored_hash
        self._chain_earlier_events(chaining_progress)

    def _chain_earlier_events(self, progress: Callable[[int, int], object] | None) -> None:
        """Chain the events of a store written before the ledger existed into it, once;
        ``progress`` is told how many are chained so far and about how many there are."""
        chained = 0
        total: int | None = None
        while made := self.participation_recorder.ledger_backfill(10_000):
            chained += made
            if progress is not None:
                if total is None:
                    total = self.recorder.max_notification_id() or chained
                progress(chained, max(total, chained))
        if chained:
            logger.warning(
                "chained %s events stored before this release into the log-wide ledger; the "
                "ledger proves them from now on (take a checkpoint: participatie checkpoint)",
                chained,
            )

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """eventsourcing's ``save``, collecting the events of participatie's aggregates
        directly: its own collection asks two runtime-checked protocols of every object (about
        20 us an aggregate, a tenth of a command's work in Python)."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        others = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            else:
                others.append(obj)
        if kwargs.get("processing_records"):
            # Encoded here, before any store takes its write lock: the recorder writes each
            # stream's records into the ledger row of its last event (see audit/processing.py).
            kwargs["processing_records"] = records_by_stream(kwargs["processing_records"])
        processing_event.collect_events(*others, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # eventsourcing's deprecated hook, as it does
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> Any:
        # The chain mapper remembers the hashes of the events it encoded only once they are
        # stored, so that a save that lost a race leaves no hash behind.
        try:
            recordings = super()._record(processing_event)
        except BaseException:
            if isinstance(self.mapper, ChainMapper):
                self.mapper.not_saved()
            # Whatever was or was not stored, the next load of these reads what is stored.
            for aggregate_id in processing_event.aggregates:
                self._stamps.pop(aggregate_id, None)
            raise
        if isinstance(self.mapper, ChainMapper):
            self.mapper.saved()
        # With fast-forward on, eventsourcing leaves the cache as it was and the next load reads
        # and decodes the events this save stored; the saved aggregates are those states exactly
        # (a load hands out copies, so nobody changes them after), so they go in the cache. A
        # write by another process or thread is still found: every load fast-forwards.
        cache = self.repository.cache
        if cache is not None and self.repository.fastforward:
            stamp = self.participation_recorder.write_stamp()
            for aggregate_id, aggregate in processing_event.aggregates.items():
                cache.put(aggregate_id, aggregate)
                self._remember_saved(aggregate, stamp)
        return recordings

    def _remember_saved(self, aggregate: Any, stamp: object | None) -> None:
        """Stamp the state a save just put in the cache. Two threads may save the same
        aggregate one after the other on the same connection (which leaves its data version as
        it is) and reach this in the other order: a stamp never goes back to an earlier version,
        so the earlier state, if it is the one left in the cache, no longer matches its stamp and
        the next load reads what is stored."""
        with self._stamps_lock:
            if len(self._stamps) > _STAMPS_KEPT:
                self._stamps.clear()
            known = self._stamps.get(aggregate.id)
            if stamp is None:
                self._stamps.pop(aggregate.id, None)
            elif known is None or known[1] < aggregate.version:
                self._stamps[aggregate.id] = (stamp, aggregate.version)

    def load(self, aggregate_id: UUID) -> Any:
        """``repository.get``, without reading the events after the cached state when this
        process saved that state and nobody has committed since (the recorder's stamps: see
        ``unchanged_since``). Cached objects are never changed here: a load hands out a copy."""
        if aggregate_id in self._stamps:
            copied = self._cached_copy(aggregate_id)
            if copied is not None:
                stamp = self._stamp(copied)
                if stamp is not None and self.participation_recorder.unchanged_since([stamp]):
                    return copied
        return self.repository.get(aggregate_id)

    def _stamp(self, copied: Any) -> object | None:
        """The recorder's stamp of the save that put this state of the aggregate in the cache
        (None: not known, or the cached state has moved on since, as eventsourcing's own
        fast-forward moves it)."""
        found = self._stamps.get(copied.id)
        return found[0] if found is not None and found[1] == copied.version else None

    def _cached_copy(self, aggregate_id: UUID) -> Any | None:
        """A copy of the cached aggregate, or None. Taken under eventsourcing's fast-forward
        lock of the aggregate, under which its own loads change cached aggregates in place."""
        cache = self.repository.cache
        if cache is None:
            return None
        lock = self.repository._use_fastforward_lock(aggregate_id)
        try:
            with lock:
                try:
                    return copy.deepcopy(cache.get(aggregate_id))
                except KeyError:
                    return None
        finally:
            self.repository._disuse_fastforward_lock(aggregate_id)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot a trajectory each time its version reaches a multiple of the interval."""
        if self.snapshots is None or not self.snapshot_interval:
            return
        for event in processing_event.events:
            if isinstance(event, ResidentTrajectory.Event | JobCoachingTrajectory.Event) and not (
                event.originator_version % self.snapshot_interval
            ):
                # The events are committed: a snapshot that cannot be taken must not turn the
                # command into a failure (a caller would retry it). Loads then read more events.
                try:
                    self.snapshot(event.originator_id, event.originator_version)
                except Exception:
                    logger.exception(
                        "no snapshot of %s at version %s",
                        event.originator_id,
                        event.originator_version,
                    )

    def snapshot(self, aggregate_id: UUID, version: int) -> None:
        """Store a snapshot of a trajectory at ``version``, from the snapshot before it."""
        if self.snapshots is None:
            return
        previous = self.snapshot_covering(aggregate_id, as_of=None, known_at=None, lte=version)
        events = list(
            self.events.get(
                aggregate_id,
                gt=None if previous is None else previous.originator_version,
                lte=version,
            )
        )
        aggregate = replay(([] if previous is None else [previous]) + events)
        if aggregate is None or aggregate.version != version:
            return
        # Another process may have taken the same snapshot: it is the same state.
        with contextlib.suppress(IntegrityError):
            self.snapshots.put([Snapshot.of(aggregate, events, previous=previous)])

    def snapshot_covering(
        self,
        aggregate_id: UUID,
        *,
        as_of: date | None,
        known_at: datetime | None,
        lte: int | None = None,
    ) -> Snapshot | None:
        """The latest snapshot whose events all count as of ``as_of`` and known at ``known_at``."""
        if self.snapshots is None:
            return None
        for found in self.snapshots.get(aggregate_id, desc=True, lte=lte):
            if isinstance(found, Snapshot) and found.covers(as_of=as_of, known_at=known_at):
                return found
        return None

    def check_snapshots(self, stream_id: UUID) -> list[str]:
        """Problems with the stream's snapshots: each must equal a replay of its events."""
        if self.snapshots is None:
            return []
        stored = self.snapshots.recorder.select_events(stream_id)
        if not stored:
            return []
        events: list[Any] = list(self.events.get(stream_id))
        aggregate: Any = None
        applied = 0
        occurred: date | None = None
        recorded: datetime | None = None
        problems = []
        for record in stored:
            version = record.originator_version
            try:
                snapshot: Any = self.snapshots.mapper.to_domain_event(record)
                restored = snapshot.mutate(None)
            except Exception as error:  # any failure to decode is the finding
                problems.append(f"{stream_id}: snapshot v{version} does not decode ({error})")
                continue
            while applied < len(events) and events[applied].originator_version <= version:
                event = events[applied]
                aggregate = event.mutate(aggregate)
                occurred = max(occurred or event.occurred_on, event.occurred_on)
                recorded = max(recorded or event.timestamp, event.timestamp)
                applied += 1
            if (
                aggregate is None
                or aggregate.version != version
                or _state(aggregate) != _state(restored)
                or (snapshot.occurred_through, snapshot.recorded_through) != (occurred, recorded)
            ):
                problems.append(
                    f"{stream_id}: snapshot v{version} does not match the stream's events"
                )
        return problems

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=ChainMapper)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        # Snapshots are not part of any chain: they are stored with a plain mapper.
        plain: Mapper[UUID] = self.factory.mapper(transcoder=self.construct_transcoder())
        recorder = self.store_factory.snapshot_recorder(self.name)
        return self.factory.event_store(mapper=plain, recorder=recorder)

    @property
    def participation_recorder(self) -> ParticipationRecorder:
        """The application recorder, with the vault, import sources and chain heads."""
        recorder = self.recorder
        if not isinstance(recorder, ParticipationRecorder):
            raise ConfigurationError(
                f"the store's recorder {type(recorder).__name__} is not one of participatie's "
                "recorders: it keeps no personal-data vault"
            )
        return recorder

    @property
    def store_factory(self) -> ParticipationFactory:
        """The store's factory (one per kind of store, chosen by the store URL)."""
        factory = self.factory
        if not isinstance(factory, ParticipationFactory):
            raise ConfigurationError(
                f"the persistence module {type(factory).__name__} is not one of participatie's "
                "stores; open the store with a memory://, sqlite:// or postgresql:// URL"
            )
        return factory

    def new_events_signal(
        self, stop: threading.Event
    ) -> contextlib.AbstractContextManager[Callable[[float], object]]:
        """A function that waits at most some seconds for new events, or for ``stop``.

        On PostgreSQL it listens for the notification eventsourcing sends with every insert;
        elsewhere it only waits.
        """
        return self.store_factory.new_events_signal(self.recorder, stop)

    def facts_view(self) -> FactsView:
        """The outcomes projection's view in this store (made on first use)."""
        view: FactsView | None = getattr(self, "_facts_view", None)
        if view is None:
            view = self._facts_view = self.store_factory.facts_view()
        return view

    def worklist_view(self) -> WorklistView:
        """The worklist's view in this store (made on first use)."""
        view: WorklistView | None = getattr(self, "_worklist_view", None)
        if view is None:
            view = self._worklist_view = self.store_factory.worklist_view()
        return view

    def decode(self, stored: StoredEvent) -> Any:
        """A stored event, decoded for reading only: its chain hash is not remembered (readers
        that never save, such as verification and lists, must not feed the chain mapper)."""
        mapper = self.mapper
        if isinstance(mapper, ChainMapper):
            return mapper.decode_only(stored)
        return mapper.to_domain_event(stored)

    def decode_unhashed(self, stored: StoredEvent) -> Any:
        """Like :meth:`decode`, for a stored event whose state no longer begins with its chain
        hash (a reader that split it off to check it)."""
        mapper = self.mapper
        if isinstance(mapper, ChainMapper):
            return mapper.decode_unhashed(stored)
        return mapper.to_domain_event(stored)

    def stored_hash(self, originator_id: UUID | str, version: int) -> bytes | None:
        """The chain hash of one stored event, read from the store."""
        if isinstance(originator_id, str):
            try:
                originator_id = UUID(originator_id)
            except ValueError:
                return None
        found = self.recorder.select_events(originator_id, lte=version, desc=True, limit=1)
        if not found or found[0].originator_version != version:
            return None
        return split_state(found[0].state)[0]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)
