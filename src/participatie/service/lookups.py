"""What the core reads: BSN lookups in the vault, the streams of the log and of a resident,
states as of a moment, and the outcome facts (of this store's view, or a standby's)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from participatie.audit.history import check_moments, replay, selected
from participatie.domain.job_coaching import JobCoachingTrajectory, coaching_id
from participatie.domain.municipalities import same_municipality
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import BsnAlreadyRegistered, NotFound
from participatie.projections.facts import Fact
from participatie.projections.runner import catch_up
from participatie.projections.views import FactsView
from participatie.service.changes import A, Changes
from participatie.service.core_base import as_uuid

__all__ = ["Lookups"]


class Lookups(Changes):
    """The core's reads of the vault, the log and the outcomes view."""

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
