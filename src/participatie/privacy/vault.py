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


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"participatie-vault", info=purpose
    ).derive(secret)


class KeyRing:
    """Keys derived from the deployment secret (``PARTICIPATIE_SECRET``).

    >>> ring = KeyRing("a deployment secret of at least 32 characters")
    >>> ring.bsn_hash("123456782") == ring.bsn_hash("123456782")
    True
    """

    def __init__(self, secret: str) -> None:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"the deployment secret must be text of at least {MIN_SECRET_LENGTH} characters; "
                "set PARTICIPATIE_SECRET or pass secret=... to Participation.open"
            )
        raw = secret.encode("utf-8")
        self._wrapping = AESGCM(_derive(raw, b"data-key wrapping v1"))
        self._lookup_key = _derive(raw, b"bsn lookup v1")
        self.key_id = hashlib.sha256(_derive(raw, b"key id v1")).hexdigest()[:16]

    def bsn_hash(self, bsn: str) -> bytes:
        """The keyed hash under which a BSN is found."""
        return hmac.new(self._lookup_key, bsn.encode("ascii"), hashlib.sha256).digest()

    def seal(self, resident_id: UUID, data: PersonalData) -> SealedRecord:
        """Encrypt ``data`` with a fresh data key of this resident's own."""
        data_key = AESGCM.generate_key(bit_length=256)
        aad = resident_id.bytes
        plaintext = json.dumps(
            {"bsn": data.bsn, "name": data.name, "notes": data.notes}, ensure_ascii=False
        ).encode("utf-8")
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)
        wrap_nonce = os.urandom(_NONCE_BYTES)
        wrapped = wrap_nonce + self._wrapping.encrypt(wrap_nonce, data_key, aad)
        return SealedRecord(
            resident_id=resident_id,
            bsn_hash=None if data.bsn is None else self.bsn_hash(data.bsn),
            key_id=self.key_id,
            wrapped_key=wrapped,
            ciphertext=ciphertext,
        )

    def open(self, record: SealedRecord) -> PersonalData:
        """Decrypt a sealed record."""
        if record.key_id != self.key_id:
            raise ConfigurationError(
                f"the personal data of resident {record.resident_id} were sealed under another "
                f"deployment secret (key id {record.key_id}, this one is {self.key_id}); "
                "open the store with the secret it was created with"
            )
        aad = record.resident_id.bytes
        wrapped = record.wrapped_key
        data_key = self._wrapping.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], aad)
        ciphertext = record.ciphertext
        plaintext = AESGCM(data_key).decrypt(
            ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], aad
        )
        fields = json.loads(plaintext.decode("utf-8"))
        return PersonalData(bsn=fields["bsn"], name=fields["name"], notes=fields["notes"])
