"""The end of each stream against its chain head, and one stream's events against its ledger
rows (see :mod:`participatie.audit.verifier`)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from participatie.audit.ledger import LedgerRow

__all__ = ["check_heads", "check_stream_ledger", "versions"]


def check_heads(
    streams: dict[str, tuple[int, bytes]], heads: dict[str, tuple[int, bytes]]
) -> list[str]:
    """The streams whose last event does not match their chain head, or that have none."""
    problems = [
        f"stream {wrong}: its chain head was changed (wrong types)"
        for wrong in sorted(k for k, h in heads.items() if not _good_head(h))
    ]
    heads = {k: h for k, h in heads.items() if _good_head(h)}
    for key in sorted(set(streams) | {str(UUID(h)) for h in heads}):
        last = streams.get(key)
        head = heads.get(key) or heads.get(UUID(key).hex)
        if head is None:
            problems.append(f"stream {key}: has no chain head (a stream was inserted?)")
        elif last is None:
            problems.append(
                f"stream {key}: the chain head says version {head[0]}, but the stream has no "
                "events (the stream was deleted)"
            )
        elif head[0] > last[0]:
            problems.append(f"stream {key}: {versions(last[0] + 1, head[0])} missing (truncated)")
        elif head[0] < last[0]:
            problems.append(
                f"stream {key}: {versions(head[0] + 1, last[0])} not covered by the chain head "
                "(events were inserted)"
            )
        elif head[1] != last[1]:
            problems.append(f"stream {key}: version {last[0]} does not match the chain head")
    return problems


def _good_head(head: object) -> bool:
    return (
        isinstance(head, tuple)
        and isinstance(head[0], int)
        and not isinstance(head[0], bool)
        and isinstance(head[1], bytes)
    )


def versions(first: int, last: int) -> str:
    return f"version {first} is" if first == last else f"versions {first}..{last} are"


def check_stream_ledger(
    stream: UUID, versions: Iterable[tuple[int, bytes]], rows: Iterable[LedgerRow]
) -> list[str]:
    """One stream's events (version, chain hash) against its ledger rows."""
    stored = dict(versions)
    recorded = {row.version: row.event_hash for row in rows if row.stream_id == stream}
    problems = []
    for version in sorted(set(stored) | set(recorded)):
        if version not in recorded:
            problems.append(f"stream {stream}: version {version} is not in the ledger (inserted)")
        elif version not in stored:
            problems.append(
                f"stream {stream}: version {version} is in the ledger, but its event is gone "
                "(deleted)"
            )
        elif stored[version] != recorded[version]:
            problems.append(
                f"stream {stream}: version {version} is not the event the ledger recorded"
            )
    return problems
