"""Personal data and the resident's rights: BSN lookups, the vault, erasure (AVG art. 17) within
the retention rules (Archiefwet), and rotating the vault's keys."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.utils import get_topic

from participatie.audit.access import AccessKind
from participatie.domain.bsn import validate_bsn
from participatie.domain.inputs import business_date
from participatie.domain.municipalities import same_municipality
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import Actor, ErasureGround
from participatie.errors import InvalidInput
from participatie.privacy.authorisation import Action
from participatie.privacy.vault import (
    LEGACY_EPOCH,
    ErasureRecord,
    ErasureStatus,
    PersonalData,
    VaultKeys,
)
from participatie.projections.facts import FactKind
from participatie.service.core import NOT_STATED, Room, as_uuid
from participatie.service.idempotency import idempotent
from participatie.service.retention import file_retention_of
from participatie.store_secrets import begin_secret_rotation, finish_secret_rotation, secret_file
from participatie.stores import parse_store_url

__all__ = ["PrivacyOperations"]


class PrivacyOperations(Room):
    """BSN lookups, personal data, erasure, retention and key rotation."""

    def find_resident(
        self,
        *,
        bsn: str,
        by: Actor,
        purpose: str = NOT_STATED,
        municipality: str | None = None,
    ) -> UUID | None:
        """The id of the resident with this BSN in a municipality, or None. Looks up a keyed
        hash, never the BSN.

        A BSN has at most one trajectory per municipality. The municipality searched is
        ``municipality``, or else the actor's; an actor of every municipality who names none
        searches them all, and is asked to name one when the BSN has a trajectory in several.
        A resident of a municipality the actor does not work for is not found for them. A lookup
        that finds a resident is recorded in that resident's access log.
        """
        self._core.authorise(by, Action.FIND_RESIDENT)
        bsn = validate_bsn(bsn)
        if municipality is not None:
            municipality = self._core.municipality(municipality)
            if by.municipality is not None and not same_municipality(municipality, by.municipality):
                return None
        searched = self._searched_municipalities(municipality or by.municipality)
        found = {rid for name in searched if (rid := self._core.find_bsn(bsn, name)) is not None}
        if len(found) > 1:
            raise InvalidInput(
                "this BSN has a trajectory in several municipalities: name the municipality "
                "(find_resident(..., municipality=...))"
            )
        if not found:
            return None
        (rid,) = found
        self._core.log_access(rid, by, AccessKind.BSN_LOOKUP, purpose)
        return rid

    def personal_data(
        self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED
    ) -> PersonalData:
        """The vault's record of a resident (BSN, name, notes); ``erased`` once erased.

        The read is recorded in the resident's access log, with its purpose.
        """
        self._core.authorise(by, Action.READ_PERSONAL_DATA)
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(
            by, Action.READ_PERSONAL_DATA, municipality=resident.municipality, about=resident.id
        )
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
        """Re-wrap every resident's key, and re-hash every BSN, under the current secret in a
        new key epoch, then destroy the old epochs: this makes erasures final.

        An erasure deletes the resident's vault row, but copies of it may linger (SQLite's
        write-ahead log, PostgreSQL's dead tuples and free space, backups). Each row's key is
        wrapped under the deployment secret *and* the random salt of a key epoch kept in the
        store. When an erasure happened in the current epoch, this starts a new one, moves every
        live row into it and deletes the old epoch's salt (wiping the copies the database keeps
        of it): a lingering copy of an erased row can no longer be unwrapped, not even with the
        secret. :meth:`erasures` tells which erasures are final.

        Rotating the deployment secret without downtime:

        1. open every process with the new ``secret`` and the old one in ``previous_secrets``
           (``PARTICIPATIE_PREVIOUS_SECRET``): they read records sealed under either and seal new
           ones under the new secret;
        2. run this once (``participatie rotate-keys``), while the processes go on working: it
           re-wraps ``batch_size`` records per transaction, leaves events, the chain and the
           encrypted data as they are, and skips records erased or re-wrapped meanwhile;
        3. drop the previous secret.

        A SQLite store opened with the secret generated beside it (``<file>.secret``) gets a new
        secret in that file: the old one stays there as previous until the rotation has
        completed (running it again finishes an interrupted one), so that the next process
        opens the store with the new secret.

        Returns how many records were re-wrapped; running it again re-wraps nothing.
        ``progress`` is called with the number of records re-wrapped by each batch. Refused with
        :class:`ConfigurationError` before anything changes when some records are sealed under a
        secret this process does not hold.
        """
        self._core.authorise(by, Action.ROTATE_KEYS)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise InvalidInput(
                f"batch_size must be a whole number of at least 1, not {batch_size!r}"
            )
        keyring, vault = self._core.keyring, self._core.vault
        beside = self._secret_file()
        if beside is not None:
            new, old = begin_secret_rotation(beside)
            keyring.switch_to(new, previous=old)
        keyring.refresh()  # refuses key ids this process cannot open, before any change
        keyring.refresh(create=True)
        if any(erasure.epoch >= keyring.epoch for erasure in vault.vault_erasures()):
            vault.vault_new_epoch(os.urandom(32), only_if_none=False)
            keyring.refresh()
        rotated = 0
        after: UUID | None = None
        while stale := vault.vault_stale(keyring.key_id, after, batch_size):
            municipality_of = self._registered_municipalities()
            done = vault.vault_rewrap(
                [
                    (old, keyring.rewrap(old, municipality=municipality_of.get(old.resident_id)))
                    for old in stale
                ]
            )
            rotated += done
            if progress is not None:
                progress(done)
            after = stale[-1].resident_id
        vault.vault_destroy_epochs(keyring.epoch, keyring.secret_key_id)
        keyring.refresh(check=False)
        if beside is not None:
            finish_secret_rotation(beside)
        return rotated

    def _secret_file(self) -> Path | None:
        """The secret beside a SQLite store, when this process was opened with it."""
        return secret_file(parse_store_url(self._core.store_url), self._core.keyring.uses)

    def rotation_due(self, *, by: Actor) -> bool:
        """Whether :meth:`rotate_keys` has anything to do: a secret beside a SQLite store to
        renew, records sealed under another key than the current secret's in the newest epoch,
        an old epoch to destroy, or an erasure in the newest epoch that only a new epoch makes
        final."""
        self._core.authorise(by, Action.ROTATE_KEYS)
        keyring = self._core.keyring
        if self._secret_file() is not None:
            return True  # the secret beside the file is renewed
        keys = keyring.refresh(check=False)
        current = keyring.key_id
        live = keys.live_epochs
        legacy = live.get(LEGACY_EPOCH)
        return (
            any(key_id != current for key_id in keys.key_ids)
            or any(LEGACY_EPOCH < epoch < keyring.epoch for epoch in live)
            or (legacy is not None and keyring.secret_key_id not in legacy.legacy_key_ids)
            or any(
                erasure.key_id is not None and erasure.epoch >= keyring.epoch > LEGACY_EPOCH
                for erasure in self._core.vault.vault_erasures()
            )
        )

    def erasures(self, *, by: Actor) -> list[ErasureStatus]:
        """Every erasure of personal data, oldest first, and whether it is final yet.

        An erasure is final once every key epoch in force when it happened has been destroyed
        (see :meth:`rotate_keys`): then nothing the deployment still holds unwraps a copy of the
        erased record left in the database's files. Until then ``to_do`` says what to do.
        Backups made before the epoch was destroyed still hold it: they must expire too.
        """
        self._core.authorise(by, Action.ERASE)
        keys = self._core.keyring.refresh(check=False)
        recorded = {r.resident_id: r for r in self._core.vault.vault_erasures()}
        statuses = [
            _erasure_status(rid, recorded.pop(rid, None), keys) for rid in self._erased_residents()
        ]
        # An erasure recorded without a visible receipt (none is expected) is listed too.
        statuses.extend(_erasure_status(rid, record, keys) for rid, record in recorded.items())
        return statuses

    def _erased_residents(self) -> list[UUID]:
        """The residents with an erasure receipt, in the order they were erased."""
        topic = get_topic(ResidentTrajectory.PersonalDataErased)
        return [UUID(str(n.originator_id)) for n in self._core.notifications([topic])]

    @idempotent
    def erase_personal_data(
        self,
        resident_id: UUID,
        *,
        by: Actor,
        reason: ErasureGround | str,
        on: date | None = None,
        command_id: UUID | None = None,
    ) -> None:
        """Erase a resident's personal data by destroying their key and vault record (AVG art. 17).

        Events stay (they hold no personal data), the history still replays, statistics still
        rebuild and the tamper-evidence chain still verifies; a ``PersonalDataErased`` receipt is
        recorded. A file is kept until its archive action date (:meth:`retention`, by the
        policy's ``retention_table``): erasure before then raises :class:`RetentionRequired`
        unless the ground overrides retention (by default ``legal_obligation``).
        """
        del command_id  # taken by @idempotent
        rid = as_uuid(resident_id)
        day = self._core.today() if on is None else business_date(on)

        def erase(resident: ResidentTrajectory) -> None:
            self._core.authorise(
                by, Action.ERASE, municipality=resident.municipality, about=resident.id
            )
            resident.record_erasure(
                ground=reason,
                retention=file_retention_of(self._core, resident),
                today=self._core.today(),
                on=day,
                by=by,
                policy=self._core.policy,
            )

        # The vault record goes in the same transaction as the receipt.
        self._core.change(ResidentTrajectory, rid, erase, on=day, vault_erasures=[rid])

    def _searched_municipalities(self, named: str | None) -> list[str]:
        """The municipality named, or else every one the store serves (or knows)."""
        if named is not None:
            return [named]
        if self._core.municipalities is not None:
            return sorted(self._core.municipalities.codes)
        return sorted(self._core.known_municipalities())

    def _registered_municipalities(self) -> dict[UUID, str]:
        """Each resident's municipality (canonical), from the outcome facts."""
        return {
            UUID(fact.resident_id): fact.municipality
            for fact in self._core.current_facts(None)
            if fact.kind == FactKind.REGISTERED
        }


def _erasure_status(
    resident_id: UUID, record: ErasureRecord | None, keys: VaultKeys
) -> ErasureStatus:
    """Whether the erasure of ``record`` (None: erased before release 0.2 recorded it) is final:
    whether every key epoch in force at the erasure has been destroyed since."""
    legacy_to_do = (
        "it may have been sealed under the deployment secret alone (key epoch 0, before release "
        "0.2): rotate the deployment secret (new one in PARTICIPATIE_SECRET, old one in "
        "PARTICIPATIE_PREVIOUS_SECRET, then participatie rotate-keys), destroy the old secret, "
        "and let backups made before then expire"
    )
    live = keys.live_epochs
    if record is None:
        legacy = next((e for e in keys.epochs if e.epoch == LEGACY_EPOCH), None)
        final = legacy is not None and not legacy.live
        return ErasureStatus(
            resident_id, None, LEGACY_EPOCH, final=final, to_do="" if final else legacy_to_do
        )
    in_force = sorted(e for e in live if e <= record.epoch)
    if record.key_id is None or not in_force:  # no personal data were stored, or all destroyed
        return ErasureStatus(resident_id, record.erased_at, record.epoch, final=True, to_do="")
    if in_force == [LEGACY_EPOCH]:
        to_do = legacy_to_do
    else:
        to_do = (
            f"key epoch {in_force[-1]}, in force when it was erased, has not been destroyed: run "
            "participatie rotate-keys (app.rotate_keys), then let backups made before then expire"
        )
        if LEGACY_EPOCH in in_force:
            to_do += "; " + legacy_to_do
    return ErasureStatus(resident_id, record.erased_at, record.epoch, final=False, to_do=to_do)
