"""What the personal-data vault stores, and what it asks of a store: the sealed records, the key
epochs and the key ids in use, the erasures, and the :class:`VaultStorage` protocol a store's
recorder implements. Nothing here encrypts or derives a key: see :mod:`participatie.privacy.keys`
and :mod:`participatie.privacy.vault`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import attrs

from participatie.errors import ConfigurationError, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime
    from uuid import UUID

    from participatie.domain.values import Actor

__all__ = [
    "LEGACY_EPOCH",
    "ErasureRecord",
    "ErasureStatus",
    "KeyEpoch",
    "Note",
    "PersonalData",
    "SealedNote",
    "SealedRecord",
    "VaultKeys",
    "VaultStorage",
    "epoch_of",
    "split_key_id",
]

_MAX_TEXT = {"name": 200, "notes": 10_000}

#: The epoch of records sealed before key epochs existed: wrapped by the secret alone.
LEGACY_EPOCH = 0


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
class Note:
    """A note about a resident, as :meth:`participatie.Participation.notes` returns it.

    ``note_id`` is None for the notes given at registration (kept in the resident's vault record
    since release 0.1); ``about`` is the version of the trajectory's event the note is about, or
    None; ``on`` its business date, ``by`` who wrote it, ``recorded_at`` when it was saved.
    """

    note_id: UUID | None
    text: str
    about: int | None
    on: date
    by: Actor
    recorded_at: datetime


@attrs.frozen
class SealedRecord:
    """A vault row as stored: nothing in it is readable without the deployment secret."""

    resident_id: UUID
    bsn_hash: bytes | None
    key_id: str
    wrapped_key: bytes
    ciphertext: bytes


@attrs.frozen
class KeyEpoch:
    """A key epoch as stored: its salt until it is destroyed (epoch 0 never has one)."""

    epoch: int
    salt: bytes | None
    created_at: datetime | None = None
    destroyed_at: datetime | None = None
    #: Epoch 0 only: the key ids of the secrets that legacy records were sealed under.
    legacy_key_ids: frozenset[str] = frozenset()

    @property
    def live(self) -> bool:
        return self.destroyed_at is None


@attrs.frozen
class VaultKeys:
    """What the store says about the vault's keys: every epoch, and the key ids in use."""

    epochs: tuple[KeyEpoch, ...] = ()
    #: Key id -> epoch, for every key id that records may be sealed under.
    key_ids: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def live_epochs(self) -> dict[int, KeyEpoch]:
        return {e.epoch: e for e in self.epochs if e.live}


@attrs.frozen
class ErasureRecord:
    """An erasure as the vault recorded it: the key the record was sealed under (None: there was
    no record) and the newest key epoch in force when it was erased."""

    resident_id: UUID
    key_id: str | None
    epoch: int
    erased_at: datetime


@attrs.frozen
class ErasureStatus:
    """Whether an erasure is final: whether what the deployment still holds could unwrap a copy
    of the erased record left in the database's files or backups."""

    resident_id: UUID
    #: When the record was erased (None: erased before release 0.2 recorded it).
    erased_at: datetime | None
    #: The newest key epoch in force at the erasure (0: before key epochs).
    epoch: int
    final: bool
    #: What the operator must do to make it final ("" once it is).
    to_do: str


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

    def vault_keys(self) -> VaultKeys:
        """Every key epoch and the key ids records are sealed under."""
        ...

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        """Start the epoch after the newest one, with this salt (``only_if_none``: only when no
        salted epoch is live). Two processes racing may both try: one of them wins."""
        ...

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        """Destroy every live epoch before ``before`` that no record is sealed under any more:
        delete its salt and wipe the copies the database keeps. Epoch 0 is destroyed only when
        ``secret_key_id`` (the current secret's) is none of its secrets. Returns those destroyed.
        """
        ...

    def vault_erasures(self) -> list[ErasureRecord]:
        """Every erasure the vault recorded."""
        ...


def split_key_id(key_id: str) -> tuple[str, int]:
    """The secret key id and the epoch of a record's key id."""
    secret_key_id, dot, epoch = key_id.partition(".")
    if not dot:
        return key_id, LEGACY_EPOCH
    if not epoch.isdigit():
        raise ConfigurationError(f"the vault holds an unknown kind of key id {key_id!r}")
    return secret_key_id, int(epoch)


def epoch_of(key_id: str) -> int:
    """The key epoch of a record's key id (0: sealed before key epochs)."""
    return split_key_id(key_id)[1]


@attrs.frozen
class SealedNote:
    """A note as stored: its text and metadata encrypted with its resident's data key (the one
    of the resident's vault record), bound to the resident and the note id."""

    note_id: UUID
    resident_id: UUID
    ciphertext: bytes
