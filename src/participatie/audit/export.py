"""A resident's complete file as one JSON document with a manifest that can be checked later.

The manifest names who generated the file and when, counts the events and streams, holds each
stream's chain head (version and hash) at the time of export, and a SHA-256 over the history. An
auditor keeps the file; :func:`check_export` later shows whether the file itself was changed and
whether the store still holds exactly those events: each stream's chain is recomputed from the
store up to the exported head, and each event of the file is compared with the store's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeGuard
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from participatie.audit.chain import GENESIS, HASH_BYTES, chain_hash, split_state
from participatie.audit.history import HistoryEntry
from participatie.domain.values import Actor

__all__ = ["EXPORT_FORMAT", "check_export", "content_hash", "export_document"]

EXPORT_FORMAT = "participatie-resident-file/1"


def content_hash(history: Sequence[dict[str, Any]]) -> str:
    """SHA-256 over the history in canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(history, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_document(
    *,
    resident_id: str,
    entries: Sequence[HistoryEntry],
    heads: dict[str, tuple[int, bytes]],
    by: Actor,
    generated_at: datetime,
    store: str,
) -> dict[str, Any]:
    """The export: manifest and history (no personal data)."""
    history = [entry.to_dict() for entry in entries]
    streams = sorted({str(entry.aggregate_id) for entry in entries})
    return {
        "format": EXPORT_FORMAT,
        "manifest": {
            "resident_id": resident_id,
            "generated_at": generated_at.isoformat(),
            "generated_by": {"id": by.id, "role": by.role.value},
            "store": store,
            "counts": {"events": len(history), "streams": len(streams)},
            "chain_heads": {
                stream: {"version": heads[stream][0], "hash": heads[stream][1].hex()}
                for stream in streams
                if stream in heads
            },
            "content_sha256": content_hash(history),
        },
        "history": history,
    }


#: The store's raw records of a stream, versions 1 up to the given one, in version order.
StoredStream = Callable[[UUID, int], Sequence[StoredEvent]]
#: A stored record decoded into a history entry (as :meth:`HistoryEntry.to_dict` gives it).
DecodedEntry = Callable[[StoredEvent], dict[str, Any]]

_HEX_HASH = re.compile(f"[0-9a-f]{{{2 * HASH_BYTES}}}")


def check_export(document: object, stored_stream: StoredStream, decoded: DecodedEntry) -> list[str]:
    """The problems with an export: a malformed or changed file, or a store that no longer holds
    exactly the events in it.

    Every stream of the file is read back from the store up to the version the manifest names:
    its chain is recomputed from the stored records and must end in the manifest's chain head,
    and every event of the file must equal the store's event of the same stream and version.
    The first difference of each stream is named. ``stored_stream(stream, version)`` gives the
    store's records of a stream up to that version, ``decoded(record)`` one record as a history
    entry. A malformed file gives problems, never an exception.
    """
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        return [f"not a participatie resident file ({EXPORT_FORMAT})"]
    manifest = document.get("manifest")
    history = document.get("history")
    if not isinstance(manifest, dict) or not isinstance(history, list):
        return ["the file has no manifest or no history"]
    problems: list[str] = []
    try:
        if content_hash(history) != manifest.get("content_sha256"):
            problems.append("the history in the file was changed after export (content hash)")
    except (TypeError, ValueError):
        problems.append("the history in the file is not JSON data")
    heads, malformed = _chain_heads(manifest.get("chain_heads"))
    problems += malformed
    entries, malformed = _entries(history)
    problems += malformed
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or not _count_is(counts.get("events"), len(history)):
        problems.append("the number of events in the file differs from its manifest")
    streams = {stream for stream, _ in entries}
    if isinstance(counts, dict) and not _count_is(counts.get("streams"), len(streams)):
        problems.append("the number of streams in the file differs from its manifest")
    if isinstance(manifest.get("chain_heads"), dict):
        problems += [
            f"stream {stream}: in the history but without a chain head in the manifest"
            for stream in sorted(streams - set(heads), key=str)
        ]
    for stream, head in sorted(heads.items(), key=lambda item: str(item[0])):
        problem = _stream_problem(
            stream, head, entries=entries, stored=stored_stream(stream, head[0]), decoded=decoded
        )
        if problem is not None:
            problems.append(problem)
    return problems


def _chain_heads(found: object) -> tuple[dict[UUID, tuple[int, bytes]], list[str]]:
    """The manifest's chain heads by stream, and what is malformed about them."""
    if not isinstance(found, dict):
        return {}, ["the manifest has no chain heads"]
    heads: dict[UUID, tuple[int, bytes]] = {}
    problems = []
    for stream, head in found.items():
        version = head.get("version") if isinstance(head, dict) else None
        digest = head.get("hash") if isinstance(head, dict) else None
        stream_id = _uuid(stream)
        if (
            stream_id is None
            or not _is_version(version)
            or not isinstance(digest, str)
            or not _HEX_HASH.fullmatch(digest)
        ):
            problems.append(f"the manifest's chain head of stream {stream!r} is malformed")
            continue
        heads[stream_id] = (version, bytes.fromhex(digest))
    return heads, problems


def _entries(history: list[object]) -> tuple[dict[tuple[UUID, int], dict[str, Any]], list[str]]:
    """The history's entries by stream and version, and what is malformed about them."""
    entries: dict[tuple[UUID, int], dict[str, Any]] = {}
    problems = []
    for number, entry in enumerate(history, start=1):
        stream = _uuid(entry.get("aggregate_id")) if isinstance(entry, dict) else None
        version = entry.get("version") if isinstance(entry, dict) else None
        if stream is None or not _is_version(version) or not isinstance(entry, dict):
            problems.append(f"history entry {number} is malformed (no stream id and version)")
        elif (stream, version) in entries:
            problems.append(f"stream {stream}: version {version} is in the history twice")
        else:
            entries[stream, version] = entry
    return entries, problems


def _stream_problem(
    stream: UUID,
    head: tuple[int, bytes],
    *,
    entries: dict[tuple[UUID, int], dict[str, Any]],
    stored: Sequence[StoredEvent],
    decoded: DecodedEntry,
) -> str | None:
    """The first difference between the file and the store in one stream, if any."""
    version, digest = head
    if not stored:
        return f"stream {stream}: version {version} is no longer in the store"
    problem = _chain_problem(stream, stored)
    if problem is not None:
        return problem
    if len(stored) < version:
        return f"stream {stream}: versions {len(stored) + 1}..{version} are no longer in the store"
    problem = _content_problem(stream, version, entries=entries, stored=stored, decoded=decoded)
    if problem is not None:
        return problem
    if split_state(stored[-1].state)[0] != digest:
        return (
            f"stream {stream}: version {version} in the store differs from the export (its "
            "chain hash is not the one in the manifest)"
        )
    return None


def _chain_problem(stream: UUID, stored: Sequence[StoredEvent]) -> str | None:
    """The first stored record that does not fit the stream's chain."""
    previous = GENESIS
    for expected, record in enumerate(stored, start=1):
        if record.originator_version != expected:
            return f"stream {stream}: version {expected} is no longer in the store"
        if not isinstance(record.state, bytes) or not isinstance(record.topic, str):
            return f"stream {stream}: version {expected} in the store was changed since export"
        own, state = split_state(record.state)
        if chain_hash(previous, stream, expected, record.topic, state) != own:
            return f"stream {stream}: version {expected} in the store was changed since export"
        previous = own
    return None


def _content_problem(
    stream: UUID,
    version: int,
    *,
    entries: dict[tuple[UUID, int], dict[str, Any]],
    stored: Sequence[StoredEvent],
    decoded: DecodedEntry,
) -> str | None:
    """The first event of the stream that the file and the store do not agree on."""
    for record in stored:
        number = record.originator_version
        exported = entries.get((stream, number))
        if exported is None:
            return f"stream {stream}: version {number} is in the store but not in the file"
        try:
            actual = decoded(record)
        except Exception as error:  # a stored record that does not decode: a finding
            return f"stream {stream}: version {number} in the store does not decode ({error})"
        difference = _first_difference(exported, actual)
        if difference is not None:
            event = actual.get("event")
            return (
                f"stream {stream}: version {number} ({event}) differs between the file and the "
                f"store: {difference}"
            )
    beyond = sorted(v for s, v in entries if s == stream and v > version)
    if beyond:
        return f"stream {stream}: the file has version {beyond[0]}, beyond its chain head"
    return None


def _first_difference(
    exported: dict[str, Any], stored: dict[str, Any], prefix: str = ""
) -> str | None:
    """The first key whose value differs, as ``key: file ... , store ...``."""
    for key in sorted(set(exported) | set(stored), key=str):
        mine, theirs = exported.get(key), stored.get(key)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            found = _first_difference(mine, theirs, f"{prefix}{key}.")
            if found is not None:
                return found
        elif mine != theirs or type(mine) is not type(theirs):
            return f"{prefix}{key} is {_shown(mine)} in the file, {_shown(theirs)} in the store"
    return None


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _uuid(value: object) -> UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def _is_version(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _count_is(value: object, count: int) -> bool:
    # JSON's true is not the number 1, though Python's True == 1.
    return type(value) is int and value == count
