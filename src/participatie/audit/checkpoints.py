"""Signed checkpoints of the log-wide chain, kept outside the store.

A checkpoint states "up to position P the ledger's running hash was H (N events), at time T",
signed with an Ed25519 key that is not kept in the store (``PARTICIPATIE_SIGNING_KEY`` names the
key file; ``participatie keygen`` makes one). Kept elsewhere (a file on another system, a
printout, an e-mail to the auditor), it proves later that the store still holds exactly the log
it signed: anyone who rewrites an event before P, even recomputing every hash, changes H.
Verifying needs only the public key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from participatie.errors import ConfigurationError, InvalidInput, TamperDetected

__all__ = [
    "CHECKPOINT_FORMAT",
    "SIGNING_KEY_ENV",
    "Checkpoint",
    "generate_signing_key",
    "load_signing_key",
    "parse_public_key",
    "public_key_text",
    "sign_checkpoint",
]

CHECKPOINT_FORMAT = "participatie-checkpoint-v1"
SIGNING_KEY_ENV = "PARTICIPATIE_SIGNING_KEY"
_KEY_PREFIX = "ed25519:"


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as ``ed25519:`` and its 32 bytes in base64."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _KEY_PREFIX + base64.b64encode(raw).decode("ascii")


def parse_public_key(text: object) -> Ed25519PublicKey:
    """The public key written by :func:`public_key_text` (``participatie keygen`` prints it)."""
    if not isinstance(text, str) or not text.startswith(_KEY_PREFIX):
        raise InvalidInput(f"a public key reads 'ed25519:' and base64, not {text!r}")
    try:
        raw = base64.b64decode(text[len(_KEY_PREFIX) :], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{text!r} is not an Ed25519 public key") from None


def generate_signing_key(path: Path) -> str:
    """Write a new private key to ``path`` (readable by its owner only); return the public key.

    An existing file is never overwritten: a lost key only ends new checkpoints, an overwritten
    one would make every checkpoint kept elsewhere unverifiable by it.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigurationError(f"{path} exists: a signing key is never overwritten") from None
    except OSError as error:
        raise ConfigurationError(f"cannot write the signing key to {path}: {error}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return public_key_text(key.public_key())


def load_signing_key(path: str | Path | None = None) -> Ed25519PrivateKey:
    """The private key in ``path`` (or the file ``PARTICIPATIE_SIGNING_KEY`` names)."""
    if path is None:
        path = os.environ.get(SIGNING_KEY_ENV) or None
    if path is None:
        raise ConfigurationError(
            f"no signing key: set {SIGNING_KEY_ENV} to the key file made by 'participatie keygen'"
        )
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as error:
        raise ConfigurationError(f"cannot read the signing key {path}: {error.strerror}") from None
    except (ValueError, TypeError):
        raise ConfigurationError(f"{path} holds no unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} holds no Ed25519 key; make one with participatie keygen")
    return key


@attrs.frozen
class Checkpoint:
    """A signed statement of the ledger's running hash at a position (see the module)."""

    position: int
    running_hash: bytes
    events: int
    taken_at: datetime
    store: str
    public_key: str
    signature: bytes = b""

    def payload(self) -> bytes:
        """The signed bytes: every field but the signature, as canonical JSON."""
        return json.dumps(
            {
                "format": CHECKPOINT_FORMAT,
                "position": self.position,
                "running_hash": self.running_hash.hex(),
                "events": self.events,
                "taken_at": self.taken_at.isoformat(),
                "store": self.store,
                "public_key": self.public_key,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode("utf-8")

    def to_json(self) -> str:
        """The checkpoint as a JSON document, to keep outside the store."""
        document: dict[str, Any] = json.loads(self.payload())
        document["signature"] = base64.b64encode(self.signature).decode("ascii")
        return json.dumps(document, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, *, public_key: str) -> Checkpoint:
        """Read a checkpoint and check its signature with ``public_key`` (the key printed by
        ``participatie keygen``, not the one the document names, which anyone could write).

        Raises :class:`InvalidInput` for a document that is not a checkpoint and
        :class:`TamperDetected` for a signature that does not fit.
        """
        key = parse_public_key(public_key)
        try:
            document = json.loads(text)
            if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
                raise InvalidInput(f"not a participatie checkpoint ({CHECKPOINT_FORMAT})")
            checkpoint = cls(
                position=_whole(document["position"]),
                running_hash=bytes.fromhex(document["running_hash"]),
                events=_whole(document["events"]),
                taken_at=datetime.fromisoformat(document["taken_at"]),
                store=str(document["store"]),
                public_key=str(document["public_key"]),
                signature=base64.b64decode(document["signature"], validate=True),
            )
        except InvalidInput:
            raise
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise InvalidInput(f"a malformed checkpoint: {error}") from None
        if checkpoint.public_key != public_key:
            raise TamperDetected(
                "the checkpoint was signed with another key than the one given "
                f"({checkpoint.public_key})"
            )
        try:
            key.verify(checkpoint.signature, checkpoint.payload())
        except InvalidSignature:
            raise TamperDetected(
                "the checkpoint's signature does not fit: it was changed"
            ) from None
        return checkpoint


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"not a position: {value!r}"
        raise ValueError(msg)
    return value


def sign_checkpoint(
    key: Ed25519PrivateKey,
    *,
    position: int,
    running_hash: bytes,
    events: int,
    taken_at: datetime,
    store: str,
) -> Checkpoint:
    """A checkpoint of the ledger at ``position``, signed with ``key``."""
    unsigned = Checkpoint(
        position=position,
        running_hash=running_hash,
        events=events,
        taken_at=taken_at,
        store=store,
        public_key=public_key_text(key.public_key()),
    )
    return attrs.evolve(unsigned, signature=key.sign(unsigned.payload()))
