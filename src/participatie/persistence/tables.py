"""participatie's tables beside eventsourcing's, shared by the SQLite and PostgreSQL recorders:
their names, and how their rows read back.

Each store's application recorder keeps, in the same database and the same transaction as the
events:

- ``participatie_vault``: vault rows passed to ``insert_events`` as ``vault_records=[...]``, so a
  registration is all or nothing, and the unique keyed BSN hash refuses a second registration of
  one BSN even when two processes race; with the key epochs (``participatie_key_epochs``), the
  key ids in use (``participatie_key_ids``) and the erasures (``participatie_erasures``);
- ``participatie_imports``: the source record ids of bulk-imported records (see
  :mod:`participatie.importing`), passed as ``import_sources=[(source_id, resident_key,
  resident_id, stream_id), ...]`` (the stream is the trajectory the record went into), so that
  importing a file twice adds nothing;
- ``participatie_chain_heads``: written by earlier releases (each stream's last version and
  chain hash), no longer written or read: a stream's head is its last ledger row, which the
  ledger's running hash covers (see :func:`heads_of`). Kept so that stores and tools of earlier
  releases find it;
- the ledger (:mod:`participatie.audit.ledger`): the log-wide running hash, one row an event;
- ``participatie_commands``: the ids of the commands whose events were saved, each with the
  command's result (the id it returned, if any) and what the command was (name, actor, the id
  it acted on), passed as ``commands_done=[(command_id, result, command)]``, so that a command
  sent again with the same id is not recorded twice (see :mod:`participatie.service.idempotency`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from participatie.audit.ledger import LedgerRow, ledger_rows
from participatie.errors import ConcurrentUpdate
from participatie.privacy.vault import (
    LEGACY_EPOCH,
    ErasureRecord,
    KeyEpoch,
    SealedRecord,
    VaultKeys,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "CHAIN_HEADS_TABLE",
    "COMMANDS_TABLE",
    "ERASURES_TABLE",
    "HEAD_BYTES",
    "IMPORTS_TABLE",
    "KEY_EPOCHS_TABLE",
    "KEY_IDS_TABLE",
    "VAULT_TABLE",
    "backfilled_ledger_rows",
    "destroy_unused_epochs",
    "epoch_destroyed",
    "epoch_from_row",
    "erasure_from_row",
    "heads_of",
    "ledger_row_from_row",
    "record_from_row",
    "uuid_of",
    "vault_keys_from_rows",
]

VAULT_TABLE = "participatie_vault"
KEY_EPOCHS_TABLE = "participatie_key_epochs"
KEY_IDS_TABLE = "participatie_key_ids"
ERASURES_TABLE = "participatie_erasures"
IMPORTS_TABLE = "participatie_imports"
CHAIN_HEADS_TABLE = "participatie_chain_heads"
COMMANDS_TABLE = "participatie_commands"
HEAD_BYTES = 32


def heads_of(rows: Iterable[Sequence[Any]]) -> dict[str, tuple[int, bytes]]:
    """Each stream's head from its last ledger row, (stream id, version, event hash): the version
    and chain hash keyed by the stream id's dashed text. The values are as stored (a row changed
    by hand into another type is the check's to name); a stream id that is no UUID is left out
    (the pass over the ledger names its row)."""
    heads: dict[str, tuple[int, bytes]] = {}
    for stream_id, version, event_hash in rows:
        try:
            key = str(uuid_of(stream_id))
        except (TypeError, ValueError, AttributeError):
            continue
        stored = event_hash
        if isinstance(event_hash, bytearray | memoryview):
            stored = bytes(event_hash)
        heads[key] = (version, stored)
    return heads


def uuid_of(value: object) -> UUID:
    """A UUID column's value: a UUID (PostgreSQL) or its text (SQLite)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def record_from_row(row: Any) -> SealedRecord:
    bsn_hash = row["bsn_hash"]
    return SealedRecord(
        resident_id=uuid_of(row["resident_id"]),
        bsn_hash=None if bsn_hash is None else bytes(bsn_hash),
        key_id=row["key_id"],
        wrapped_key=bytes(row["wrapped_key"]),
        ciphertext=bytes(row["ciphertext"]),
    )


def epoch_destroyed(epoch: int) -> ConcurrentUpdate:
    """The error of a vault row sealed in an epoch that a key rotation destroyed meanwhile."""
    return ConcurrentUpdate(
        f"key epoch {epoch} of the personal-data vault was destroyed by a key rotation while "
        "this command ran; nothing was saved: issue the command again"
    )


def _legacy_key_ids(text: str | None) -> frozenset[str]:
    return frozenset(filter(None, (text or "").split(",")))


def _when(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def epoch_from_row(row: Any) -> KeyEpoch:
    salt = row["salt"]
    return KeyEpoch(
        epoch=row["epoch"],
        salt=None if salt is None else bytes(salt),
        created_at=_when(row["created_at"]),
        destroyed_at=_when(row["destroyed_at"]),
        legacy_key_ids=_legacy_key_ids(row["legacy_key_ids"]),
    )


def vault_keys_from_rows(epoch_rows: Iterable[Any], key_id_rows: Iterable[Any]) -> VaultKeys:
    """The key epochs (rows in epoch order) and the key ids in use with their epochs."""
    return VaultKeys(
        epochs=tuple(epoch_from_row(row) for row in epoch_rows),
        key_ids={row["key_id"]: row["epoch"] for row in key_id_rows},
    )


def erasure_from_row(row: Any) -> ErasureRecord:
    erased_at = _when(row["erased_at"])
    assert erased_at is not None  # noqa: S101 (NOT NULL column)
    return ErasureRecord(
        resident_id=uuid_of(row["resident_id"]),
        key_id=row["key_id"],
        epoch=row["epoch"],
        erased_at=erased_at,
    )


def destroy_unused_epochs(
    candidates: Iterable[KeyEpoch],
    secret_key_id: str,
    *,
    in_use: Callable[[KeyEpoch], bool],
    destroy: Callable[[int], None],
) -> list[int]:
    """Destroy each live candidate epoch that no record is sealed under (``in_use``), except the
    legacy epoch while the deployment secret is one of its keys; return the destroyed epochs."""
    destroyed = []
    for known in candidates:
        if known.epoch == LEGACY_EPOCH and secret_key_id in known.legacy_key_ids:
            continue
        if in_use(known):
            continue
        destroy(known.epoch)
        destroyed.append(known.epoch)
    return destroyed


def ledger_row_from_row(row: Any) -> LedgerRow:
    return LedgerRow(
        position=row["position"],
        stream_id=uuid_of(row["originator_id"]),
        version=row["version"],
        event_hash=_blob(row["event_hash"]),
        running_hash=_blob(row["running_hash"]),
        backfilled=bool(row["backfilled"]),
        records=None if row["records"] is None else _blob(row["records"]),
    )


def _blob(value: Any) -> bytes:
    """A stored hash or records as bytes. SQLite keeps whatever type is written into a column:
    a value changed by hand into text or a number reads as bytes that fit no hash, so the check
    names the row instead of failing on it."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return b"\x00wrong type:" + repr(value).encode("utf-8", "backslashreplace")


def backfilled_ledger_rows(
    tail: bytes | None,
    positions: Sequence[int],
    event_rows: Sequence[Any],
    originator_id: Callable[[Any], UUID | str],
) -> list[LedgerRow]:
    """The ledger rows of events stored before the ledger existed, chained after ``tail``."""
    stored = [
        StoredEvent(
            originator_id=originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
        for row in event_rows
    ]
    return ledger_rows(tail, positions, stored, backfilled=True)
