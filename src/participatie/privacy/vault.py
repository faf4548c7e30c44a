"""The personal-data vault: BSN, name and free-text notes, never in an event.

Each resident's record is encrypted (AES-256-GCM) with a data key of that resident's own. The data
key is stored wrapped (encrypted) by a key-encryption key (KEK) derived from the deployment secret
and the random salt of a *key epoch* kept in the store, so that:

- erasing a resident (crypto-shredding) destroys one data key and leaves every event intact;
- rotating the keys (:meth:`participatie.Participation.rotate_keys`) starts a new epoch, re-wraps
  every data key under it and then destroys the old epoch's salt: copies of erased rows that the
  database still holds (SQLite's write-ahead log, PostgreSQL's dead tuples, free pages) cannot be
  unwrapped any more, not even with the deployment secret;
- rotating the deployment secret re-wraps data keys without touching any record or event.

Lookups by BSN use a keyed hash (HMAC-SHA256 with a key derived from the secret and the epoch's
salt), so that the stored hash cannot be reversed by trying all one billion BSNs without both.

Records sealed before key epochs existed (release 0.1) carry the secret's key id alone: they are
*epoch 0*, wrapped by a key derived from the secret only, until a rotation moves them into an
epoch. Epoch 0 can only be destroyed by rotating the deployment secret itself.

A key id names the secret and the epoch: ``<secret key id>.<epoch>`` (epoch 0: the secret key id
alone). The store keeps the set of key ids that records are sealed under, so that a process
missing one of them refuses to look up or register BSNs instead of missing a resident.

The rows are written by the store's recorder in the same transaction as the registration event
(see :mod:`participatie.persistence.tables`), so a registration never leaves a vault row without
its trajectory or the other way round.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import TYPE_CHECKING

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from participatie.errors import ConfigurationError, TamperDetected
from participatie.privacy.keys import MIN_SECRET_LENGTH, EpochKeys, Secret
from participatie.privacy.records import (
    LEGACY_EPOCH,
    ErasureRecord,
    ErasureStatus,
    KeyEpoch,
    Note,
    PersonalData,
    SealedNote,
    SealedRecord,
    VaultKeys,
    VaultStorage,
    epoch_of,
    split_key_id,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from uuid import UUID

__all__ = [
    "LEGACY_EPOCH",
    "MIN_SECRET_LENGTH",
    "ErasureRecord",
    "ErasureStatus",
    "KeyEpoch",
    "KeyRing",
    "Note",
    "PersonalData",
    "SealedNote",
    "SealedRecord",
    "VaultKeys",
    "VaultStorage",
    "epoch_of",
]

_NONCE_BYTES = 12
_SALT_BYTES = 32


class KeyRing:
    """Keys derived from the deployment secret (``PARTICIPATIE_SECRET``) and the store's epochs.

    New records are sealed under ``secret`` in the newest key epoch. Records sealed under one of
    ``previous_secrets`` still open, and their BSNs are still found, until :meth:`rewrap` has
    moved them to the current secret: that is how a deployment rotates its secret without
    downtime.

    A ring on its own (not bound to a store with :meth:`bind`) knows no epochs and seals in
    epoch 0, as release 0.1 did:

    >>> ring = KeyRing("a deployment secret of at least 32 characters")
    >>> ring.bsn_hash("123456782") == ring.bsn_hash("123456782")
    True
    """

    def __init__(self, secret: str, *, previous_secrets: Sequence[str] = ()) -> None:
        self._current = Secret.of(secret)
        self._secrets = {s.key_id: s for s in map(Secret.of, previous_secrets)}
        self._secrets[self._current.key_id] = self._current
        self._storage: VaultStorage | None = None
        self._vault_keys = VaultKeys()
        self._salts: dict[int, bytes] = {}
        self._epoch = LEGACY_EPOCH
        #: Per thread: whether inside read_once, and what it read there.
        self._once = threading.local()

    def uses(self, secret: str) -> bool:
        """Whether ``secret`` is the current deployment secret of this ring."""
        return Secret.of(secret).key_id == self._current.key_id

    def switch_to(self, secret: str, *, previous: str) -> None:
        """Seal under ``secret`` from now on, and still open what ``previous`` sealed."""
        self._current = Secret.of(secret)
        old = Secret.of(previous)
        self._secrets[old.key_id] = old
        self._secrets[self._current.key_id] = self._current

    # The store's epochs.

    def bind(self, storage: VaultStorage) -> None:
        """Take the key epochs from ``storage`` (the store's recorder) from now on."""
        self._storage = storage

    @contextlib.contextmanager
    def read_once(self) -> Iterator[None]:
        """Inside, this thread reads the store's epochs and key ids at its first
        :meth:`refresh` only, and later ones give what it read: an import's batch reads them
        once instead of twice for every resident it registers. An epoch destroyed meanwhile is
        still refused where it matters: a vault row is written only under an epoch that is live
        (checked under the store's write lock)."""
        self._once.on, self._once.read = True, None
        try:
            yield
        finally:
            self._once.on, self._once.read = False, None

    def refresh(self, *, create: bool = False, check: bool = True) -> VaultKeys:
        """Read the store's epochs and key ids in use (nothing without a store).

        ``create`` starts the first salted epoch when none is live; ``check`` refuses, with
        :class:`ConfigurationError` naming it, a key id in use that this ring cannot open: a
        process without the secret of some records would otherwise miss their BSNs. Inside
        :meth:`read_once`, the keys read before are given again when they serve.
        """
        if self._storage is None:
            return self._vault_keys
        once = getattr(self._once, "on", False)
        read: tuple[VaultKeys, bool] | None = getattr(self._once, "read", None)
        if once and read is not None:
            keys, checked = read
            live = any(e.epoch != LEGACY_EPOCH for e in keys.live_epochs.values())
            if (checked or not check) and (live or not create):
                return keys
        keys = self._read_keys(create=create, check=check)
        if once:
            self._once.read = (keys, check)
        return keys

    def _read_keys(self, *, create: bool, check: bool) -> VaultKeys:
        assert self._storage is not None  # noqa: S101 (refresh returns early without a store)
        keys = self._storage.vault_keys()
        if create and not any(e.epoch != LEGACY_EPOCH for e in keys.live_epochs.values()):
            self._storage.vault_new_epoch(os.urandom(_SALT_BYTES), only_if_none=True)
            keys = self._storage.vault_keys()
        self._vault_keys = keys
        self._salts = {
            e.epoch: e.salt
            for e in keys.live_epochs.values()
            if e.epoch != LEGACY_EPOCH and e.salt is not None
        }
        self._epoch = max(self._salts, default=LEGACY_EPOCH)
        if check:
            for key_id in sorted(keys.key_ids):
                self._refuse_unknown(key_id)
        return keys

    @property
    def epoch(self) -> int:
        """The epoch new records are sealed in (as of the last :meth:`refresh`)."""
        return self._epoch

    @property
    def secret_key_id(self) -> str:
        """The key id of the current deployment secret alone."""
        return self._current.key_id

    @property
    def key_id(self) -> str:
        """The key id new records are sealed under: the current secret in the current epoch."""
        return self._keys(self._current, self._epoch).key_id

    @property
    def previous_key_ids(self) -> frozenset[str]:
        """The key ids of the previous secrets (in the current epoch) this ring still opens."""
        return frozenset(self._keys(s, self._epoch).key_id for s in self._secrets.values()) - {
            self.key_id
        }

    def _keys(self, secret: Secret, epoch: int) -> EpochKeys:
        return secret.keys(epoch, self._salts.get(epoch))

    def _refuse_unknown(self, key_id: str) -> None:
        secret_key_id, epoch = split_key_id(key_id)
        if secret_key_id not in self._secrets:
            raise ConfigurationError(
                f"the vault holds records sealed under key id {key_id}, of another deployment "
                f"secret than this process holds (its key id is {self._current.key_id}): open "
                "the store with the current secret, and with the old one among the previous "
                "secrets (PARTICIPATIE_PREVIOUS_SECRET) while a rotation runs"
            )
        if epoch != LEGACY_EPOCH and epoch not in self._salts:
            raise ConfigurationError(
                f"the vault holds records sealed under key id {key_id}, whose key epoch {epoch} "
                "has been destroyed: those records cannot be opened any more; restore the "
                "store from a backup made before the epoch was destroyed"
            )

    # Hashes, sealing and opening.

    def bsn_hash(self, bsn: str, municipality: str | None = None) -> bytes:
        """The keyed hash under which a BSN of a resident of ``municipality`` (its canonical
        name) is stored now."""
        return self._keys(self._current, self._epoch).bsn_hash(bsn, municipality)

    def bsn_hashes(self, bsn: str, municipality: str | None = None) -> list[bytes]:
        """The hashes a BSN may be stored under: the current one first, then those of every other
        key id in use (without a store: of the previous secrets); with ``municipality``, its
        scoped hashes and then the unscoped hashes of records sealed before 0.2.0 (which may
        belong to any municipality: the caller checks the resident's)."""
        if municipality is None:
            return self._bsn_hashes(bsn, None)
        return self._bsn_hashes(bsn, municipality) + self._bsn_hashes(bsn, None)

    def _bsn_hashes(self, bsn: str, municipality: str | None) -> list[bytes]:
        if self._storage is None:
            key_ids = [self._keys(s, LEGACY_EPOCH).key_id for s in self._secrets.values()]
        else:
            key_ids = list(self._vault_keys.key_ids)
            legacy = self._vault_keys.live_epochs.get(LEGACY_EPOCH)
            if legacy is not None:
                key_ids.extend(sorted(legacy.legacy_key_ids))
        hashes = [self.bsn_hash(bsn, municipality)]
        for key_id in key_ids:
            secret_key_id, epoch = split_key_id(key_id)
            secret = self._secrets.get(secret_key_id)
            if secret is None or (epoch != LEGACY_EPOCH and epoch not in self._salts):
                continue
            bsn_hash = self._keys(secret, epoch).bsn_hash(bsn, municipality)
            if bsn_hash not in hashes:
                hashes.append(bsn_hash)
        return hashes

    def seal(
        self, resident_id: UUID, data: PersonalData, *, municipality: str | None = None
    ) -> SealedRecord:
        """Encrypt ``data`` with a fresh data key of this resident's own, in the newest epoch;
        the BSN's lookup hash is scoped to ``municipality`` (the resident's, canonical).

        Bound to a store, it first reads the store's epochs (and refuses, like a BSN lookup,
        when records are sealed under a key this ring does not hold).
        """
        self.refresh(create=True)
        data_key = AESGCM.generate_key(bit_length=256)
        aad = resident_id.bytes
        ciphertext = self._encrypt(data_key, _data_text(data), aad)
        return SealedRecord(
            resident_id=resident_id,
            bsn_hash=None if data.bsn is None else self.bsn_hash(data.bsn, municipality),
            key_id=self.key_id,
            wrapped_key=self._wrap(resident_id, data_key),
            ciphertext=ciphertext,
        )

    def reseal(
        self, record: SealedRecord, data: PersonalData, *, municipality: str | None = None
    ) -> SealedRecord:
        """``data`` sealed in place of ``record`` (a correction): under the same data key, so
        that the resident's notes still open, wrapped and hashed in the current epoch."""
        self.refresh(create=True)
        data_key = self._unwrap(record)
        fresh = self.seal(record.resident_id, data, municipality=municipality)
        return attrs.evolve(
            fresh,
            wrapped_key=self._wrap(record.resident_id, data_key),
            ciphertext=self._encrypt(data_key, _data_text(data), record.resident_id.bytes),
        )

    def seal_note(
        self, record: SealedRecord, note_id: UUID, fields: dict[str, object]
    ) -> SealedNote:
        """A note's ``fields`` (JSON) encrypted with the data key of the resident's ``record``,
        bound to the resident and the note id."""
        data_key = self._unwrap(record)
        plaintext = json.dumps(fields, ensure_ascii=False).encode("utf-8")
        aad = record.resident_id.bytes + note_id.bytes
        return SealedNote(
            note_id=note_id,
            resident_id=record.resident_id,
            ciphertext=self._encrypt(data_key, plaintext, aad),
        )

    def open_note(self, record: SealedRecord, note: SealedNote) -> dict[str, object]:
        """The fields of a note sealed with the data key of ``record`` (its resident's)."""
        data_key = self._unwrap(record)
        aad = record.resident_id.bytes + note.note_id.bytes
        ciphertext = note.ciphertext
        if note.resident_id != record.resident_id:
            raise TamperDetected(f"note {note.note_id} is not resident {record.resident_id}'s")
        try:
            plaintext = AESGCM(data_key).decrypt(
                ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], aad
            )
        except InvalidTag:
            raise TamperDetected(
                f"note {note.note_id} fails authentication under resident {note.resident_id}'s "
                "key: the note was changed or moved from another resident; restore it from a "
                "backup"
            ) from None
        fields: dict[str, object] = json.loads(plaintext.decode("utf-8"))
        return fields

    @staticmethod
    def _encrypt(data_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)

    def open(self, record: SealedRecord) -> PersonalData:
        """Decrypt a sealed record."""
        fields = json.loads(self._decrypt(record, self._unwrap(record)).decode("utf-8"))
        return PersonalData(bsn=fields["bsn"], name=fields["name"], notes=fields["notes"])

    def rewrap(self, record: SealedRecord, *, municipality: str | None = None) -> SealedRecord:
        """The same record with its data key wrapped, and its BSN hashed (scoped to
        ``municipality``, the resident's), under the current secret in the current epoch.

        The encrypted personal data stay as they are: only the wrapped key and the hash change.
        """
        data_key = self._unwrap(record)
        bsn_hash = record.bsn_hash
        if bsn_hash is not None:
            bsn = json.loads(self._decrypt(record, data_key).decode("utf-8"))["bsn"]
            bsn_hash = self.bsn_hash(bsn, municipality)
        return attrs.evolve(
            record,
            bsn_hash=bsn_hash,
            key_id=self.key_id,
            wrapped_key=self._wrap(record.resident_id, data_key),
        )

    def _wrap(self, resident_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        wrapping = self._keys(self._current, self._epoch).wrapping
        return nonce + wrapping.encrypt(nonce, data_key, resident_id.bytes)

    def _unwrap(self, record: SealedRecord) -> bytes:
        secret_key_id, epoch = split_key_id(record.key_id)
        secret = self._secrets.get(secret_key_id)
        if secret is None:
            raise ConfigurationError(
                f"the personal data of resident {record.resident_id} were sealed under another "
                f"deployment secret (key id {record.key_id}; this one is {self.key_id}); open "
                "the store with that secret, or with it among the previous secrets"
            )
        if epoch != LEGACY_EPOCH and epoch not in self._salts:
            self.refresh(check=False)  # another process may have started the epoch since
            if epoch not in self._salts:
                raise ConfigurationError(
                    f"the personal data of resident {record.resident_id} were sealed under key "
                    f"id {record.key_id}, whose key epoch {epoch} has been destroyed: they "
                    "cannot be opened any more"
                )
        wrapped = record.wrapped_key
        try:
            return self._keys(secret, epoch).wrapping.decrypt(
                wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], record.resident_id.bytes
            )
        except InvalidTag:
            raise TamperDetected(
                f"the wrapped key of resident {record.resident_id}'s personal data fails "
                f"authentication under key id {record.key_id}: the vault row was changed or "
                "moved; restore it from a backup"
            ) from None

    @staticmethod
    def _decrypt(record: SealedRecord, data_key: bytes) -> bytes:
        ciphertext = record.ciphertext
        try:
            return AESGCM(data_key).decrypt(
                ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], record.resident_id.bytes
            )
        except InvalidTag:
            raise TamperDetected(
                f"the encrypted personal data of resident {record.resident_id} fail "
                "authentication: the vault row was changed or moved; restore it from a backup"
            ) from None


def _data_text(data: PersonalData) -> bytes:
    """What a vault record encrypts (as release 0.1 wrote it)."""
    return json.dumps(
        {"bsn": data.bsn, "name": data.name, "notes": data.notes}, ensure_ascii=False
    ).encode("utf-8")
