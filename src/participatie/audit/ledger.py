"""The log-wide chain (ledger): one running hash over every record of the store's log.

Each stream's own chain (:mod:`participatie.audit.chain`) proves that stream, but not which
streams and how many events there should be. The ledger covers them all: for every stored event,
in log order, a row with its position, stream, version and chain hash, and a running hash over
the previous row's running hash and those four. The recorders write the rows in the same
transaction as the events, under the store's write lock (PostgreSQL takes eventsourcing's table
lock; SQLite has one writer), so the ledger's order is the log's order. Gaps between positions
(PostgreSQL's sequences skip numbers after a rolled-back insert) are part of what is hashed, not
an alarm: the events and the ledger must show the same positions.

The processing records of a save (:mod:`participatie.audit.processing`: not events) are kept in
the ledger itself: the row of the last event a processing stored holds the records of that
processing, and its running hash covers their SHA-256.

Deleting, inserting, reordering or changing any event or processing record, or a whole stream
with its chain head, leaves the events, the records and the ledger disagreeing. An attacker who
rewrites the ledger too is caught by a signed checkpoint (:mod:`participatie.audit.checkpoints`)
taken before the edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from participatie.audit.chain import GENESIS, HASH_BYTES

__all__ = ["LEDGER_TABLE", "LedgerRow", "ledger_hash", "ledger_rows", "records_digest"]

LEDGER_TABLE = "participatie_ledger"
_DOMAIN = b"participatie-ledger-v1\x00"
#: The domain of a row that also holds processing records: a running hash of a row without
#: records is exactly what it was before records were kept in the ledger.
_DOMAIN_WITH_RECORDS = b"participatie-ledger-v1-records\x00"


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
    #: The processing records of what stored this event, on the row of the last event of its
    #: stream that a save stored (see :func:`participatie.audit.processing.encode_records`);
    #: None on every other row and on rows written before records were kept in the ledger.
    records: bytes | None = None


def records_digest(records: bytes) -> bytes:
    """The SHA-256 of the processing records a ledger row holds, as its running hash covers them
    (PostgreSQL's ``sha256(records)`` gives the same, so a check need not fetch the records)."""
    return hashlib.sha256(records).digest()


def ledger_hash(
    previous: bytes,
    position: int,
    stream_id: UUID | str,
    version: int,
    event_hash: bytes,
    *,
    records_digest: bytes | None = None,
) -> bytes:
    """SHA-256 over the previous running hash and one event's place and chain hash (a stream id
    given as text must be the UUID's usual form, with dashes), and the digest of the processing
    records the row holds, if any (:func:`records_digest`)."""
    if records_digest is None:
        return hashlib.sha256(
            b"%s%s%d\x00%s\x00%d\x00%s"
            % (_DOMAIN, previous, position, str(stream_id).encode("ascii"), version, event_hash)
        ).digest()
    return hashlib.sha256(
        b"%s%s%d\x00%s\x00%d\x00%s\x00%s"
        % (
            _DOMAIN_WITH_RECORDS,
            previous,
            position,
            str(stream_id).encode("ascii"),
            version,
            event_hash,
            records_digest,
        )
    ).digest()


def _uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))


def ledger_rows(
    previous: bytes | None,
    positions: Sequence[int],
    stored_events: Sequence[StoredEvent],
    *,
    backfilled: bool = False,
    records: Mapping[UUID, bytes] | None = None,
) -> list[LedgerRow]:
    """The rows of ``stored_events`` stored at ``positions``, chained on ``previous`` (the last
    row's running hash, or None for an empty ledger). ``records`` (encoded processing records by
    the stream whose save they record) go on the row of each stream's last event here; records
    of a stream without an event here are refused (ValueError)."""
    if len(positions) != len(stored_events):
        msg = f"{len(stored_events)} events but {len(positions)} positions"
        raise ValueError(msg)
    running = GENESIS if previous is None else previous
    last: dict[UUID, int] = {}
    if records:
        last = {_uuid(stored.originator_id): i for i, stored in enumerate(stored_events)}
        unbound = set(records) - set(last)
        if unbound:
            msg = f"processing records of {sorted(map(str, unbound))}, which saved no event"
            raise ValueError(msg)
    rows = []
    for index, (position, stored) in enumerate(zip(positions, stored_events, strict=True)):
        stream_id = _uuid(stored.originator_id)
        event_hash = bytes(stored.state[:HASH_BYTES])
        bound = records.get(stream_id) if records and last[stream_id] == index else None
        running = ledger_hash(
            running,
            position,
            stream_id,
            stored.originator_version,
            event_hash,
            records_digest=None if bound is None else records_digest(bound),
        )
        rows.append(
            LedgerRow(
                position=position,
                stream_id=stream_id,
                version=stored.originator_version,
                event_hash=event_hash,
                running_hash=running,
                backfilled=backfilled,
                records=bound,
            )
        )
    return rows
