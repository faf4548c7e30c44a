"""The keys of the personal-data vault, derived from a deployment secret: per key epoch, the key
that wraps each resident's data key and the key of the BSN lookup hashes, which are scoped to a
municipality. A key id names the secret and the epoch (see :mod:`participatie.privacy.vault`).
"""

from __future__ import annotations

import hashlib
import hmac

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from participatie.errors import ConfigurationError
from participatie.privacy.records import LEGACY_EPOCH

__all__ = ["MIN_SECRET_LENGTH", "EpochKeys", "Secret", "derive"]

MIN_SECRET_LENGTH = 32


def derive(secret: bytes, purpose: bytes, salt: bytes = b"participatie-vault") -> bytes:
    """A 32-byte key for ``purpose``, derived from ``secret`` (HKDF-SHA256) with ``salt``."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose).derive(secret)


@attrs.frozen
class Secret:
    """A deployment secret and its key id."""

    key_id: str
    raw: bytes

    @classmethod
    def of(cls, secret: object) -> Secret:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"a deployment secret must be text of at least {MIN_SECRET_LENGTH} characters; "
                "set PARTICIPATIE_SECRET or pass secret=... to Participation.open"
            )
        raw = secret.encode("utf-8")
        return cls(key_id=hashlib.sha256(derive(raw, b"key id v1")).hexdigest()[:16], raw=raw)

    def keys(self, epoch: int, salt: bytes | None) -> EpochKeys:
        if epoch == LEGACY_EPOCH:
            return EpochKeys(
                key_id=self.key_id,
                wrapping=AESGCM(derive(self.raw, b"data-key wrapping v1")),
                lookup=derive(self.raw, b"bsn lookup v1"),
            )
        if salt is None:
            msg = f"epoch {epoch} has no salt"
            raise ValueError(msg)
        return EpochKeys(
            key_id=f"{self.key_id}.{epoch}",
            wrapping=AESGCM(derive(self.raw, b"data-key wrapping v2", salt)),
            lookup=derive(self.raw, b"bsn lookup v2", salt),
        )


@attrs.frozen
class EpochKeys:
    """The keys of one deployment secret in one key epoch."""

    key_id: str
    wrapping: AESGCM
    lookup: bytes

    def bsn_hash(self, bsn: str, municipality: str | None = None) -> bytes:
        # Scoped to a municipality: one BSN may have a trajectory in each municipality a store
        # serves, and a lookup in one reveals nothing of another. Hashes without a
        # municipality are those of records sealed before 0.2.0.
        message = bsn.encode("ascii")
        if municipality is not None:
            message = municipality.encode("utf-8") + b"\x00" + message
        return hmac.new(self.lookup, message, hashlib.sha256).digest()
