"""Personal data and the resident's rights: BSN lookups, the vault, erasure (AVG art. 17) within
the retention rules (Archiefwet), and rotating the vault's keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from participatie.audit.access import AccessKind
from participatie.domain.bsn import validate_bsn
from participatie.domain.dates import add_years
from participatie.domain.inputs import business_date
from participatie.domain.municipalities import same_municipality
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import Actor, ErasureGround, TrajectoryStatus
from participatie.errors import InvalidInput
from participatie.privacy.authorisation import Action
from participatie.privacy.vault import PersonalData
from participatie.projections.facts import Fact, FactKind, facts_show_statutory_decision
from participatie.service.core import NOT_STATED, Room, as_uuid

__all__ = ["PrivacyOperations"]


class PrivacyOperations(Room):
    """BSN lookups, personal data, erasure, retention and key rotation."""

    def find_resident(self, *, bsn: str, by: Actor, purpose: str = NOT_STATED) -> UUID | None:
        """The id of the resident with this BSN, or None. Looks up a keyed hash, never the BSN.

        A resident of a municipality the actor does not work for is not found for them. A lookup
        that finds a resident is recorded in that resident's access log.
        """
        self._core.authorise(by, Action.FIND_RESIDENT)
        found = self._core.find_bsn(validate_bsn(bsn))
        if found is None:
            return None
        if by.municipality is not None and not same_municipality(
            self._core.load_resident(found).municipality, by.municipality
        ):
            return None
        self._core.log_access(found, by, AccessKind.BSN_LOOKUP, purpose)
        return found

    def personal_data(
        self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED
    ) -> PersonalData:
        """The vault's record of a resident (BSN, name, notes); ``erased`` once erased.

        The read is recorded in the resident's access log, with its purpose.
        """
        self._core.authorise(by, Action.READ_PERSONAL_DATA)
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(by, Action.READ_PERSONAL_DATA, municipality=resident.municipality)
        self._core.log_access(rid, by, AccessKind.PERSONAL_DATA, purpose)
        if resident.personal_data_erased:
            return PersonalData(erased=True)
        record = self._core.vault.vault_get(rid)
        if record is None:
            return PersonalData()
        return self._core.keyring.open(record)

    def rotate_keys(
        self, *, by: Actor, batch_size: int = 500, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-wrap every resident's key, and re-hash every BSN, under the current secret.

        Rotating the deployment secret without downtime:

        1. open every process with the new ``secret`` and the old one in ``previous_secrets``
           (``PARTICIPATIE_PREVIOUS_SECRET``): they read records sealed under either and seal new
           ones under the new secret;
        2. run this once (``participatie rotate-keys``), while the processes go on working: it
           re-wraps ``batch_size`` records per transaction, leaves events, the chain and the
           encrypted data as they are, and skips records erased or re-wrapped meanwhile;
        3. drop the previous secret.

        Returns how many records were re-wrapped; running it again re-wraps nothing.
        ``progress`` is called with the number of records re-wrapped by each batch.
        """
        self._core.authorise(by, Action.ROTATE_KEYS)
        if batch_size < 1:
            raise InvalidInput(f"batch_size must be at least 1, not {batch_size}")
        rotated = 0
        after: UUID | None = None
        while stale := self._core.vault.vault_stale(self._core.keyring.key_id, after, batch_size):
            done = self._core.vault.vault_rewrap(
                [(old, self._core.keyring.rewrap(old)) for old in stale]
            )
            rotated += done
            if progress is not None:
                progress(done)
            after = stale[-1].resident_id
        return rotated

    def erase_personal_data(
        self,
        resident_id: UUID,
        *,
        by: Actor,
        reason: ErasureGround | str,
        on: date | None = None,
    ) -> None:
        """Erase a resident's personal data by destroying their key and vault record (AVG art. 17).

        Events stay (they hold no personal data), the history still replays, statistics still
        rebuild and the tamper-evidence chain still verifies; a ``PersonalDataErased`` receipt is
        recorded. A file that involved a statutory decision is kept for the policy's retention
        years after closure: erasure before then raises :class:`RetentionRequired` unless the
        ground overrides retention (by default ``legal_obligation``).
        """
        rid = as_uuid(resident_id)
        day = self._core.today() if on is None else business_date(on)

        def erase(resident: ResidentTrajectory) -> None:
            self._core.authorise(by, Action.ERASE, municipality=resident.municipality)
            resident.record_erasure(
                ground=reason,
                statutory=resident.involved_statutory_decision(
                    has_job_coaching=self._core.has_job_coaching(rid)
                ),
                today=self._core.today(),
                on=day,
                by=by,
                policy=self._core.policy,
            )

        # The vault record goes in the same transaction as the receipt.
        self._core.change(ResidentTrajectory, rid, erase, on=day, vault_erasures=[rid])

    def retention_due(self, *, by: Actor) -> list[UUID]:
        """Residents whose personal data may now be erased on the ground ``retention_ended``.

        Closed files that involved a statutory decision and whose retention years have passed,
        and closed files without such a decision; not the ones already erased.
        """
        self._core.authorise(by, Action.ERASE)
        today = self._core.today()
        due = []
        for rid in self._retention_candidates(by.municipality, today):
            resident = self._core.load_resident(rid)
            if resident.personal_data_erased or resident.closed_on is None:
                continue
            if resident.status is not TrajectoryStatus.CLOSED:
                continue
            if by.municipality is not None and not same_municipality(
                resident.municipality, by.municipality
            ):
                continue
            statutory = resident.involved_statutory_decision(
                has_job_coaching=self._core.has_job_coaching(rid)
            )
            if (
                not statutory
                or add_years(resident.closed_on, self._core.policy.retention_years) <= today
            ):
                due.append(rid)
        return due

    def _retention_candidates(self, municipality: str | None, today: date) -> list[UUID]:
        """Residents whom the outcome facts show closed, not erased, and never under retention
        or past it, in order of registration. Each is confirmed from its trajectory, which is
        the authority; the facts only spare loading every file."""
        by_resident: dict[str, list[Fact]] = {}
        for fact in self._core.current_facts(municipality):
            by_resident.setdefault(fact.resident_id, []).append(fact)
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
            statutory = facts_show_statutory_decision(facts)
            retained_until = add_years(ends[-1].occurred_on, self._core.policy.retention_years)
            if not statutory or retained_until <= today:
                candidates.append((registered.recorded_at, UUID(rid)))
        return [rid for _, rid in sorted(candidates)]
