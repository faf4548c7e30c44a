"""A resident's complete file as one JSON document with a manifest that can be checked later.

The manifest names who generated the file and when, counts the events and streams, holds each
stream's chain head (version and hash) at the time of export, and a SHA-256 over the history. An
auditor keeps the file; :func:`check_export` later shows whether the file itself was changed and
whether the store still holds exactly those events under those hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from participatie.audit.chain import HASH_BYTES
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


StoredHash = Callable[[str, int], bytes | None]


def check_export(document: object, stored_hash: StoredHash) -> list[str]:
    """The problems with an export: a changed file, or a store that no longer matches it.

    ``stored_hash(stream, version)`` returns the chain hash the store now holds for that event.
    """
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        return [f"not a participatie resident file ({EXPORT_FORMAT})"]
    manifest = document.get("manifest")
    history = document.get("history")
    if not isinstance(manifest, dict) or not isinstance(history, list):
        return ["the file has no manifest or no history"]
    problems: list[str] = []
    if content_hash(history) != manifest.get("content_sha256"):
        problems.append("the history in the file was changed after export (content hash)")
    if manifest.get("counts", {}).get("events") != len(history):
        problems.append("the number of events in the file differs from its manifest")
    for stream, head in sorted(manifest.get("chain_heads", {}).items()):
        found = stored_hash(stream, int(head["version"]))
        if found is None:
            problems.append(f"stream {stream}: version {head['version']} is no longer in the store")
        elif len(found) != HASH_BYTES or found.hex() != head["hash"]:
            problems.append(
                f"stream {stream}: version {head['version']} in the store differs from the export"
            )
    return problems
