"""The personal-data vault: BSN, name and free-text notes, never in an event.

Each resident's record is encrypted (AES-256-GCM) with a data key of that resident's own. The data
key is stored wrapped (encrypted) by a key derived from the deployment secret, so that:

- erasing a resident (crypto-shredding) destroys one data key and leaves every event intact;
- rotating the deployment secret re-wraps data keys without touching any record or event.

Lookups by BSN use a keyed hash (HMAC-SHA256 with a key derived from the secret), so that the stored
hash cannot be reversed by trying all one billion BSNs without the secret.

The rows are written by the store's recorder in the same transaction as the registration event
(see :mod:`participatie.recorders`), so a registration never leaves a vault row without its
trajectory or the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import TYPE_CHECKING, Protocol

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from participatie.errors import ConfigurationError, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

__all__ = [
    "MIN_SECRET_LENGTH",
    "KeyRing",
    "PersonalData",
    "SealedRecord",
    "VaultStorage",
]

MIN_SECRET_LENGTH = 32
_NONCE_BYTES = 12
_MAX_TEXT = {"name": 200, "notes": 10_000}


@attrs.frozen
class PersonalData:
    """What the vault keeps of a resident. Any field may be None (not given, or erased)."""

    bsn: str | None = None
    name: str | None = None
    notes: str | None = None
    erased: bool = False

    def __attrs_post_init__(self) -> None:
        for field in ("name", "notes"):
            value = getattr(self, field)
            if value is None:
                continue
            if not isinstance(value, str):
                raise InvalidInput(f"{field} must be text, not {type(value).__name__}")
            if len(value) > _MAX_TEXT[field]:
                raise InvalidInput(f"{field} may be at most {_MAX_TEXT[field]} characters long")

    @property
    def is_empty(self) -> bool:
        return self.bsn is None and self.name is None and self.notes is None


@attrs.frozen
class SealedRecord:
    """A vault row as stored: nothing in it is readable without the deployment secret."""

    resident_id: UUID
    bsn_hash: bytes | None
    key_id: str
    wrapped_key: bytes
    ciphertext: bytes


class VaultStorage(Protocol):
    """What a store's recorder offers the vault besides writing rows with events."""

    def vault_get(self, resident_id: UUID) -> SealedRecord | None: ...

    def vault_find(self, bsn_hash: bytes) -> UUID | None: ...

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records not sealed under ``key_id``, by resident id after ``after``."""
        ...

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        """Replace each old record by its new one, in one transaction, where it is unchanged.

        A record erased or re-wrapped by another process in the meantime is left alone.
        Returns how many records were replaced.
        """
        ...


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"participatie-vault", info=purpose
    ).derive(secret)


@attrs.frozen
class _Keys:
    """The keys derived from one deployment secret."""

    key_id: str
    wrapping: AESGCM
    lookup: bytes

    @classmethod
    def of(cls, secret: object) -> _Keys:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"a deployment secret must be text of at least {MIN_SECRET_LENGTH} characters; "
                "set PARTICIPATIE_SECRET or pass secret=... to Participation.open"
            )
        raw = secret.encode("utf-8")
        return cls(
            key_id=hashlib.sha256(_derive(raw, b"key id v1")).hexdigest()[:16],
            wrapping=AESGCM(_derive(raw, b"data-key wrapping v1")),
            lookup=_derive(raw, b"bsn lookup v1"),
        )

    def bsn_hash(self, bsn: str) -> bytes:
        return hmac.new(self.lookup, bsn.encode("ascii"), hashlib.sha256).digest()


class KeyRing:
    """Keys derived from the deployment secret (``PARTICIPATIE_SECRET``).

    New records are sealed under ``secret``. Records sealed under one of ``previous_secrets``
    still open, and their BSNs are still found, until :meth:`rewrap` has moved them to the
    current secret: that is how a deployment rotates its secret without downtime.

    >>> ring = KeyRing("a deployment secret of at least 32 characters")
    >>> ring.bsn_hash("123456782") == ring.bsn_hash("123456782")
    True
    """

    def __init__(self, secret: str, *, previous_secrets: Sequence[str] = ()) -> None:
        self._current = _Keys.of(secret)
        self._by_id = {keys.key_id: keys for keys in map(_Keys.of, previous_secrets)}
        self._by_id[self._current.key_id] = self._current
        self.key_id = self._current.key_id

    @property
    def previous_key_ids(self) -> frozenset[str]:
        """The key ids of the previous secrets this ring still opens records with."""
        return frozenset(self._by_id) - {self.key_id}

    def bsn_hash(self, bsn: str) -> bytes:
        """The keyed hash under which a BSN is stored now."""
        return self._current.bsn_hash(bsn)

    def bsn_hashes(self, bsn: str) -> list[bytes]:
        """The hashes a BSN may be stored under: the current one first, then the previous ones."""
        return [self.bsn_hash(bsn)] + [
            keys.bsn_hash(bsn) for keys in self._by_id.values() if keys is not self._current
        ]

    def seal(self, resident_id: UUID, data: PersonalData) -> SealedRecord:
        """Encrypt ``data`` with a fresh data key of this resident's own."""
        data_key = AESGCM.generate_key(bit_length=256)
        aad = resident_id.bytes
        plaintext = json.dumps(
            {"bsn": data.bsn, "name": data.name, "notes": data.notes}, ensure_ascii=False
        ).encode("utf-8")
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)
        return SealedRecord(
            resident_id=resident_id,
            bsn_hash=None if data.bsn is None else self.bsn_hash(data.bsn),
            key_id=self.key_id,
            wrapped_key=self._wrap(resident_id, data_key),
            ciphertext=ciphertext,
        )

    def open(self, record: SealedRecord) -> PersonalData:
        """Decrypt a sealed record."""
        fields = json.loads(self._decrypt(record, self._unwrap(record)).decode("utf-8"))
        return PersonalData(bsn=fields["bsn"], name=fields["name"], notes=fields["notes"])

    def rewrap(self, record: SealedRecord) -> SealedRecord:
        """The same record with its data key wrapped, and its BSN hashed, under the current secret.

        The encrypted personal data stay as they are: only the wrapped key and the hash change.
        """
        data_key = self._unwrap(record)
        bsn_hash = record.bsn_hash
        if bsn_hash is not None:
            bsn = json.loads(self._decrypt(record, data_key).decode("utf-8"))["bsn"]
            bsn_hash = self.bsn_hash(bsn)
        return attrs.evolve(
            record,
            bsn_hash=bsn_hash,
            key_id=self.key_id,
            wrapped_key=self._wrap(record.resident_id, data_key),
        )

    def _wrap(self, resident_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._current.wrapping.encrypt(nonce, data_key, resident_id.bytes)

    def _unwrap(self, record: SealedRecord) -> bytes:
        keys = self._by_id.get(record.key_id)
        if keys is None:
            raise ConfigurationError(
                f"the personal data of resident {record.resident_id} were sealed under another "
                f"deployment secret (key id {record.key_id}; this one is {self.key_id}); open "
                "the store with that secret, or with it among the previous secrets"
            )
        wrapped = record.wrapped_key
        return keys.wrapping.decrypt(
            wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], record.resident_id.bytes
        )

    @staticmethod
    def _decrypt(record: SealedRecord, data_key: bytes) -> bytes:
        ciphertext = record.ciphertext
        return AESGCM(data_key).decrypt(
            ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], record.resident_id.bytes
        )
