"""Tamper evidence: every stored event is chained to its predecessor in the stream by a hash.

The hash covers the previous event's hash and the stored record itself (stream id, version, topic
and the stored state bytes), so it checks what is stored: erasing a resident's personal data, which
lives in the vault and not in events, leaves every chain valid. The 32-byte hash is kept in front of
the stored state; :class:`ChainMapper` adds it when events are stored and strips it when they are
read. The recorders keep each stream's head (last version and hash) in a table of their own, in the
same transaction, so that a truncated stream is seen too.

:func:`verify_stream` recomputes one stream's chain and names the first version that does not fit.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent
from eventsourcing.utils import resolve_topic

__all__ = [
    "GENESIS",
    "HASH_BYTES",
    "ChainError",
    "ChainMapper",
    "Verification",
    "chain_hash",
    "verify_stream",
]

HASH_BYTES = 32
#: The "previous hash" of the first event of every stream.
GENESIS = bytes(HASH_BYTES)
_DOMAIN = b"participatie-chain-v1\x00"


class ChainError(RuntimeError):
    """An event cannot be chained: its predecessor's hash is unknown."""


def chain_hash(
    previous: bytes, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 over the previous hash and one stored record (state without its own hash).

    Hashed as one string of bytes (the same digest as feeding the parts one by one): the
    verifier computes this for every event of the log."""
    return hashlib.sha256(
        b"%s%s%s\x00%d\x00%s\x00%s"
        % (_DOMAIN, previous, str(originator_id).encode("ascii"), version, topic.encode(), state)
    ).digest()


PreviousLookup = Callable[[UUID | str, int], bytes | None]


class ChainMapper(Mapper[UUID]):
    """A mapper whose stored states begin with the event's chain hash.

    To chain version ``v`` it needs the hash of version ``v - 1``, which it remembers from the
    last few events it decoded or saw saved for that stream (an application loads an aggregate
    before it saves new events). When it has not seen that event, it asks ``previous_lookup``,
    which the application connects to its recorder; without one it raises :class:`ChainError`
    rather than store a wrong chain.

    With a ``previous_lookup``, the hashes of events it encodes stay with the encoding thread
    until the application says whether they were stored (:meth:`saved`, :meth:`not_saved`): a
    save that loses a race to another thread of the same process must not leave its hash behind
    for the version the other thread stored. Without one (a plain eventsourcing application, which
    never says) it remembers them at once.

    Snapshots are not events of the stream: they are stored and read without a hash.
    """

    #: How many streams' last hashes are remembered, and how many versions of each.
    CACHE_SIZE = 10_000
    VERSIONS_KEPT = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heads: OrderedDict[str, dict[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._pending = threading.local()
        self.previous_lookup: PreviousLookup | None = None

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        plain = super().to_stored_event(domain_event)
        if isinstance(domain_event, CanSnapshotAggregate):
            return plain
        previous = self._previous(plain.originator_id, plain.originator_version)
        digest = chain_hash(
            previous, plain.originator_id, plain.originator_version, plain.topic, plain.state
        )
        if self.previous_lookup is None:
            self._remember(plain.originator_id, plain.originator_version, digest)
        else:
            self._encoded().append((str(plain.originator_id), plain.originator_version, digest))
        return StoredEvent(
            originator_id=plain.originator_id,
            originator_version=plain.originator_version,
            topic=plain.topic,
            state=digest + plain.state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if not _is_snapshot(stored_event.topic):
            digest = stored_event.state[:HASH_BYTES]
            self._remember(stored_event.originator_id, stored_event.originator_version, digest)
        return self.decode_only(stored_event)

    def decode_only(self, stored_event: StoredEvent) -> Any:
        """Decode without remembering the hash: for readers that never save (projections)."""
        if _is_snapshot(stored_event.topic):
            return super().to_domain_event(stored_event)
        _, state = split_state(stored_event.state)
        return super().to_domain_event(
            StoredEvent(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                topic=stored_event.topic,
                state=state,
            )
        )

    def decode_unhashed(self, stored_event: StoredEvent) -> Any:
        """Decode an event whose state its reader has already split from its chain hash (the
        verifier, which checks the hash itself): read-only, nothing is remembered."""
        return super().to_domain_event(stored_event)

    def saved(self) -> None:
        """The events this thread encoded since it last said were stored: remember their hashes."""
        for key, version, digest in self._take_encoded():
            self._remember(key, version, digest)

    def not_saved(self) -> None:
        """The events this thread encoded since it last said were not stored: forget them."""
        self._take_encoded()

    def _encoded(self) -> list[tuple[str, int, bytes]]:
        encoded: list[tuple[str, int, bytes]] | None = getattr(self._pending, "events", None)
        if encoded is None:
            encoded = self._pending.events = []
        return encoded

    def _take_encoded(self) -> list[tuple[str, int, bytes]]:
        encoded = self._encoded()
        self._pending.events = []
        return encoded

    def _remember(self, originator_id: UUID | str, version: int, digest: bytes) -> None:
        key = str(originator_id)
        with self._lock:
            versions = self._heads.get(key)
            if versions is None:
                versions = self._heads[key] = {}
            versions[version] = digest
            if len(versions) > self.VERSIONS_KEPT:
                for stale in sorted(versions)[: -self.VERSIONS_KEPT]:
                    del versions[stale]
            self._heads.move_to_end(key)
            if len(self._heads) > self.CACHE_SIZE:
                self._heads.popitem(last=False)

    def _previous(self, originator_id: UUID | str, version: int) -> bytes:
        if version == 1:
            return GENESIS
        key = str(originator_id)
        for pending_key, pending_version, digest in reversed(self._encoded()):
            if pending_version == version - 1 and pending_key == key:
                return digest  # an earlier event of the same save
        with self._lock:
            versions = self._heads.get(key, {})
            known = versions.get(version - 1)
            recorded = max(versions, default=0) >= version
        if known is not None:
            return known
        if recorded:
            # The version being saved is recorded already: the save would be refused anyway.
            msg = f"version {version} of stream {originator_id} is already recorded"
            raise IntegrityError(msg)
        if self.previous_lookup is not None:
            found = self.previous_lookup(originator_id, version - 1)
            if found is not None:
                return found
        msg = (
            f"cannot chain version {version} of stream {originator_id}: the hash of version "
            f"{version - 1} is unknown"
        )
        raise ChainError(msg)


@functools.lru_cache(maxsize=1024)
def _is_snapshot(topic: str) -> bool:
    cls = resolve_topic(topic)
    return isinstance(cls, type) and issubclass(cls, CanSnapshotAggregate)


def split_state(state: bytes) -> tuple[bytes, bytes]:
    """The chain hash and the plain state of a stored state."""
    return state[:HASH_BYTES], state[HASH_BYTES:]


@attrs.frozen
class Verification:
    """The result of :meth:`participatie.Participation.verify`.

    ``ok`` is True when nothing was found; ``problems`` names what and where (stream and version,
    log position, vault row or fact); ``streams`` and ``events`` count what was checked;
    ``notes`` say what the check could not prove (for example, without a checkpoint).
    """

    ok: bool
    problems: list[str]
    streams: int = 0
    events: int = 0
    notes: list[str] = attrs.Factory(list)


def verify_stream(
    originator_id: UUID | str,
    stored_events: Sequence[StoredEvent],
    head: tuple[int, bytes] | None,
) -> list[str]:
    """The problems in one stream's chain, given its stored events in version order and its head."""
    problems: list[str] = []
    previous = GENESIS
    expected_version = 1
    for stored in stored_events:
        version = stored.originator_version
        if version != expected_version:
            problems.append(
                f"stream {originator_id}: version {expected_version} is missing "
                f"(found {version} next)"
                if version > expected_version
                else f"stream {originator_id}: version {version} is out of order"
            )
            return problems
        if head is not None and version > head[0]:
            newest = stored_events[-1].originator_version
            problems.append(
                f"stream {originator_id}: versions {head[0] + 1}..{newest} are not covered by "
                "the chain head (events were inserted)"
            )
            return problems
        digest, state = split_state(stored.state)
        if chain_hash(previous, stored.originator_id, version, stored.topic, state) != digest:
            problems.append(
                f"stream {originator_id}: version {version} was changed, reordered or "
                "replaced (its hash does not fit the chain)"
            )
            return problems
        previous = digest
        expected_version += 1
    last = expected_version - 1
    if head is None:
        problems.append(f"stream {originator_id}: has no chain head (a stream was inserted?)")
    elif head[0] > last:
        problems.append(
            f"stream {originator_id}: versions {last + 1}..{head[0]} are missing "
            "(the stream was truncated)"
        )
    elif head[0] < last:
        problems.append(
            f"stream {originator_id}: versions {head[0] + 1}..{last} are not covered by the "
            "chain head (events were inserted)"
        )
    elif last > 0 and head[1] != previous:
        problems.append(f"stream {originator_id}: version {last} does not match the chain head")
    return problems
