"""The log-wide chain (ledger): one running hash over every record of the store's log.

Each stream's own chain (:mod:`participatie.audit.chain`) proves that stream, but not which
streams and how many events there should be. The ledger covers them all: for every stored event,
in log order, a row with its position, stream, version and chain hash, and a running hash over
the previous row's running hash and those four. The recorders write the rows in the same
transaction as the events, under the store's write lock (PostgreSQL takes eventsourcing's table
lock; SQLite has one writer), so the ledger's order is the log's order. Gaps between positions
(PostgreSQL's sequences skip numbers after a rolled-back insert) are part of what is hashed, not
an alarm: the events and the ledger must show the same positions.

Deleting, inserting, reordering or changing any event, or a whole stream with its chain head,
leaves the events and the ledger disagreeing. An attacker who rewrites the ledger too is caught
by a signed checkpoint (:mod:`participatie.audit.checkpoints`) taken before the edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from participatie.audit.chain import GENESIS, HASH_BYTES

__all__ = ["LEDGER_TABLE", "LedgerRow", "ledger_hash", "ledger_rows"]

LEDGER_TABLE = "participatie_ledger"
_DOMAIN = b"participatie-ledger-v1\x00"


@attrs.frozen
class LedgerRow:
    """One event's row: its position in the log, stream, version and chain hash, and the running
    hash of the ledger up to and including it. ``backfilled`` rows were chained when a release
    with the ledger first opened a store written before it, not when the event was stored."""

    position: int
    stream_id: UUID
    version: int
    event_hash: bytes
    running_hash: bytes
    backfilled: bool = False


def ledger_hash(
    previous: bytes, position: int, stream_id: UUID | str, version: int, event_hash: bytes
) -> bytes:
    """SHA-256 over the previous running hash and one event's place and chain hash (a stream id
    given as text must be the UUID's usual form, with dashes)."""
    return hashlib.sha256(
        b"%s%s%d\x00%s\x00%d\x00%s"
        % (_DOMAIN, previous, position, str(stream_id).encode("ascii"), version, event_hash)
    ).digest()


def _uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))


def ledger_rows(
    previous: bytes | None,
    positions: Sequence[int],
    stored_events: Sequence[StoredEvent],
    *,
    backfilled: bool = False,
) -> list[LedgerRow]:
    """The rows of ``stored_events`` stored at ``positions``, chained on ``previous`` (the last
    row's running hash, or None for an empty ledger)."""
    if len(positions) != len(stored_events):
        msg = f"{len(stored_events)} events but {len(positions)} positions"
        raise ValueError(msg)
    running = GENESIS if previous is None else previous
    rows = []
    for position, stored in zip(positions, stored_events, strict=True):
        stream_id = _uuid(stored.originator_id)
        event_hash = bytes(stored.state[:HASH_BYTES])
        running = ledger_hash(running, position, stream_id, stored.originator_version, event_hash)
        rows.append(
            LedgerRow(
                position=position,
                stream_id=stream_id,
                version=stored.originator_version,
                event_hash=event_hash,
                running_hash=running,
                backfilled=backfilled,
            )
        )
    return rows
