"""How long each resident's file is kept, and which files may now be erased (Archiefwet, by the
policy's retention table: see :mod:`participatie.domain.retention`)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from participatie.domain.dates import add_years
from participatie.domain.job_coaching import JobCoachingTrajectory
from participatie.domain.municipalities import same_municipality
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.retention import ArchiveNomination, FileResult, Retention, file_retention
from participatie.domain.values import Actor, TrajectoryStatus
from participatie.privacy.authorisation import Action
from participatie.projections.facts import Fact, FactKind, facts_show_statutory_decision
from participatie.service.core import Core, Room, as_uuid

__all__ = ["RetentionOperations", "file_retention_of"]


def file_retention_of(core: Core, resident: ResidentTrajectory) -> Retention:
    """The retention of a resident's file, from the trajectory and its job coaching."""
    coachings = [
        core.load(JobCoachingTrajectory, cid)
        for cid in core.coaching_ids(resident.id)
        if core.store.recorder.select_events(cid, limit=1)
        or (core.open_batch is not None and core.open_batch.get(cid) is not None)
    ]
    ended = [c.completed_on for c in coachings if c.completed_on is not None]
    return file_retention(
        statutory=resident.involved_statutory_decision(has_job_coaching=bool(coachings)),
        closed_on=resident.closed_on if resident.status is TrajectoryStatus.CLOSED else None,
        coaching_ended_on=max(ended, default=None),
        coaching_running=any(c.completed_on is None for c in coachings),
        table=core.policy.retention_table,
    )


class RetentionOperations(Room):
    """A file's retention, and the files whose retention has ended."""

    def retention(self, resident_id: UUID, *, by: Actor) -> Retention:
        """The resident's file's class in the retention table, its archive nomination and its
        archive action date (the day from which its personal data may, and must, be erased;
        None while the file has not ended: the trajectory is open or job coaching still runs),
        with the reason in words. Authorised as reading the trajectory."""
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(
            by, Action.READ_TRAJECTORY, municipality=resident.municipality, about=resident.id
        )
        return file_retention_of(self._core, resident)

    def retention_due(self, *, by: Actor) -> list[UUID]:
        """Residents whose personal data must now be erased on the ground ``retention_ended``:
        closed files whose archive action date has come (by the policy's retention table: a
        file that involved a statutory decision 10 years after it ended, a walk-in's 5 years
        by default), not the ones already erased, in order of registration. (A walk-in's data
        may be erased on request before then: :meth:`retention` says which files allow it.)"""
        self._core.authorise(by, Action.ERASE)
        today = self._core.today()
        due = []
        for rid in self._retention_candidates(by.municipality, today):
            resident = self._core.load_resident(rid)
            if resident.personal_data_erased or resident.status is not TrajectoryStatus.CLOSED:
                continue
            if by.municipality is not None and not same_municipality(
                resident.municipality, by.municipality
            ):
                continue
            if file_retention_of(self._core, resident).due_on(today):
                due.append(rid)
        return due

    def _retention_candidates(self, municipality: str | None, today: date) -> list[UUID]:
        """Residents whom the outcome facts show closed, not erased, and past the shortest time
        their class could keep them, in order of registration. Each is confirmed from its
        trajectory and job coaching, which are the authority; the facts only spare loading every
        file."""
        by_resident: dict[str, list[Fact]] = {}
        for fact in self._core.current_facts(municipality):
            by_resident.setdefault(fact.resident_id, []).append(fact)
        table = self._core.policy.retention_table
        candidates = []
        for rid, facts in by_resident.items():
            registered = next((f for f in facts if f.kind == FactKind.REGISTERED), None)
            ends = sorted(
                (
                    f
                    for f in facts
                    if f.stream_id == rid and f.kind in (FactKind.CLOSED, FactKind.REOPENED)
                ),
                key=lambda f: f.version,
            )
            if registered is None or not ends or ends[-1].kind != FactKind.CLOSED:
                continue
            if any(f.kind == FactKind.ERASED for f in facts):
                continue
            row = table.class_of(
                FileResult.PROVISION_GRANTED
                if facts_show_statutory_decision(facts)
                else FileResult.PLAN_ONLY
            )
            if row.nomination is ArchiveNomination.KEEP or row.years is None:
                continue
            # Job coaching can only end the file later than the closure: confirmed per file.
            if add_years(ends[-1].occurred_on, row.years) <= today:
                candidates.append((registered.recorded_at, UUID(rid)))
        return [rid for _, rid in sorted(candidates)]
