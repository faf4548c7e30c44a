"""Reading the record back: states now and as of a date, history, the access log and exports
(the tamper-evidence check is :mod:`participatie.service.tamper`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from participatie.audit.access import AccessEntry, AccessKind, AccessLog, access_log_id
from participatie.audit.chain import Verification
from participatie.audit.export import check_export, export_document
from participatie.audit.history import HistoryEntry, check_moments
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.municipalities import same_municipality
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import Actor, Role
from participatie.privacy.authorisation import Action
from participatie.service.core import NOT_STATED, Room, as_uuid

__all__ = ["AuditQueries"]


class AuditQueries(Room):
    """States, history, access log and exports (verification is in the tamper room)."""

    def resident(
        self,
        resident_id: UUID,
        *,
        by: Actor,
        as_of: date | None = None,
        known_at: datetime | None = None,
        purpose: str = NOT_STATED,
    ) -> ResidentTrajectory:
        """The resident's trajectory (a copy: changing it changes nothing).

        Without ``as_of``/``known_at``, as it stands now. ``as_of`` (a date) replays only what
        had happened by that business date, ``known_at`` (an aware datetime) only what had been
        recorded by then; both are inclusive and may be combined (see
        :mod:`participatie.audit.history`). A trajectory is personal data (pseudonymous): the
        read is authorised for ``by``'s role and municipality and recorded in the resident's
        access log, with its ``purpose``.
        """
        rid = as_uuid(resident_id)
        self._core.authorise(by, Action.READ_TRAJECTORY)
        current = self._core.load_resident(rid)
        self._core.authorise(
            by, Action.READ_TRAJECTORY, municipality=current.municipality, about=rid
        )
        found = self._core.as_of(ResidentTrajectory, rid, as_of=as_of, known_at=known_at)
        self._core.log_access(rid, by, AccessKind.TRAJECTORY, purpose)
        return found

    def resident_ids(self, *, by: Actor) -> list[UUID]:
        """The ids of the registered residents ``by`` may read (of ``by``'s municipality, or of
        all), in order of registration. Reads the log only (no view is brought up to date)."""
        self._core.authorise(by, Action.READ_TRAJECTORY)
        topic = get_topic(ResidentTrajectory.Registered)
        registrations = self._core.notifications(topics=[topic])
        if by.municipality is None:
            return [UUID(str(n.originator_id)) for n in registrations]
        decode = self._core.store.decode
        return [
            UUID(str(n.originator_id))
            for n in registrations
            if same_municipality(decode(n).municipality, by.municipality)
        ]

    def job_coaching(
        self,
        coaching_id: UUID,
        *,
        by: Actor,
        as_of: date | None = None,
        known_at: datetime | None = None,
        purpose: str = NOT_STATED,
    ) -> JobCoachingTrajectory:
        """The job coaching (a copy), now or as of a business date and/or recorded time.

        Authorised like :meth:`resident` (a job coach reads only the coaching assigned to them)
        and recorded in the resident's access log."""
        cid = as_uuid(coaching_id)
        self._core.authorise(by, Action.READ_TRAJECTORY)
        current = self._core.load(JobCoachingTrajectory, cid)
        resident = self._core.load_resident(current.resident_id)
        self._core.authorise(
            by, Action.READ_TRAJECTORY, municipality=resident.municipality, about=resident.id
        )
        if by.role is Role.JOB_COACH and by.id != current.job_coach_id:
            raise self._core.refused(
                by,
                Action.READ_TRAJECTORY,
                resident.id,
                f"{by.id} is not the job coach assigned to {cid}",
            )
        found = self._core.as_of(JobCoachingTrajectory, cid, as_of=as_of, known_at=known_at)
        self._core.log_access(resident.id, by, AccessKind.TRAJECTORY, purpose)
        return found

    def history(
        self,
        resident_id: UUID,
        *,
        by: Actor,
        purpose: str = NOT_STATED,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[HistoryEntry]:
        """Everything recorded about a resident, across the resident trajectory and all of the
        resident's job coaching, in recorded order. Contains no personal data. The read is
        recorded in the resident's access log.

        ``as_of`` keeps only what had happened by that business date, ``known_at`` only what
        had been recorded by then (both inclusive, as in :meth:`resident`)."""
        check_moments(as_of, known_at)
        entries = self._history(resident_id, by, Action.READ_HISTORY)
        self._core.log_access(as_uuid(resident_id), by, AccessKind.HISTORY, purpose)
        return [
            entry
            for entry in entries
            if (as_of is None or entry.occurred_on <= as_of)
            and (known_at is None or entry.recorded_at <= known_at)
        ]

    def access_log(self, resident_id: UUID, *, by: Actor) -> tuple[AccessEntry, ...]:
        """Who read the resident's personal data, history or file, when and why."""
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(
            by, Action.READ_HISTORY, municipality=resident.municipality, about=resident.id
        )
        try:
            log: object = self._core.store.repository.get(access_log_id(rid))
        except AggregateNotFoundError:
            return ()
        return log.entries if isinstance(log, AccessLog) else ()

    def _history(self, resident_id: UUID, by: Actor, action: Action) -> list[HistoryEntry]:
        self._core.authorise(by, action)
        rid = as_uuid(resident_id)
        streams = self._core.streams_of(rid)
        registered = streams[0][1][0]
        self._core.authorise(by, action, municipality=registered.municipality, about=rid)
        entries = [
            HistoryEntry.of(event, aggregate) for aggregate, events in streams for event in events
        ]
        entries.sort(key=lambda e: (e.recorded_at, e.aggregate_id != rid, e.version))
        return entries

    def export(self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED) -> dict[str, Any]:
        """The resident's complete file (history without personal data) with a manifest: who
        generated it and when, counts, chain heads and a content hash. See :meth:`check_export`.
        The export is recorded in the resident's access log."""
        rid = as_uuid(resident_id)
        # The heads of the resident's streams (those the history reads), before the history.
        heads = self._core.store.participation_recorder.chain_heads_of(
            [rid, *self._core.coaching_ids(rid)]
        )
        entries = [
            entry
            for entry in self._history(rid, by, Action.EXPORT)
            if entry.version <= heads.get(str(entry.aggregate_id), (entry.version,))[0]
        ]
        self._core.log_access(rid, by, AccessKind.EXPORT, purpose)
        return export_document(
            resident_id=str(rid),
            entries=entries,
            heads=heads,
            by=by,
            generated_at=self._core.clock(),
            store=self._core.store_url,
        )

    def check_export(self, document: object) -> Verification:
        """Whether an export is unchanged and the store still holds exactly what it exported.

        Every event of the file is compared with the store's event of the same stream and
        version, and each stream's chain is recomputed up to the manifest's chain head; the
        first difference of each stream is named. A malformed file is a problem in the result,
        never an exception. Events recorded since the export do not matter.
        """

        def stored_stream(stream: UUID, version: int) -> Sequence[StoredEvent]:
            return self._core.store.recorder.select_events(stream, lte=version)

        def decoded(record: StoredEvent) -> dict[str, Any]:
            event = self._core.store.decode(record)
            # The aggregate is named by the stored topic ("module:Aggregate.Event"), not by the
            # class's qualified name: a resident event's class may be defined in a mixin.
            aggregate = record.topic.partition(":")[2].split(".", 1)[0]
            return HistoryEntry.of(event, aggregate).to_dict()

        problems = check_export(document, stored_stream, decoded)
        return Verification(ok=not problems, problems=problems)

    def events(self, stream_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """The stored events of one stream (a resident's trajectory, a job coaching or an access
        log), decoded, in version order: for tests and tools. Contains no personal data, and is
        not access-logged or authorised: give it to code, not to people (people read
        :meth:`history`). An unknown id gives an empty list."""
        return list(self._core.store.events.get(as_uuid(stream_id)))

    def event_count(self) -> int:
        """The position of the last event in the store's log (0 for an empty store)."""
        return self._core.store.recorder.max_notification_id() or 0
