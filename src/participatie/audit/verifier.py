"""One check over everything that proves a figure: the log, each stream, the chain heads, the
ledger, the vault's bindings and the outcome facts (snapshots are checked by the store).

:func:`check_log` reads the whole log once, in order, a page at a time, and at the same time

- recomputes each stream's chain (:mod:`participatie.audit.chain`) from the stored bytes;
- matches every event with its ledger row and recomputes the ledger's running hash
  (:mod:`participatie.audit.ledger`), which covers the processing records the rows hold: an event
  without a row was inserted, a row without an event was deleted, a row that does not fit (its
  processing records included) was changed;
- recomputes the outcome facts of the events that make facts.

The recomputed facts are compared with the stored view's as both come, page by page. The caller
then compares the streams' last versions and hashes with the chain heads (:func:`check_heads`)
and the vault's rows with their residents. Every problem names what and where.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import Notification, StoredEvent

from participatie.audit.chain import GENESIS, HASH_BYTES, chain_hash
from participatie.audit.fact_check import FactComparer, StoredFacts
from participatie.audit.heads import versions
from participatie.audit.ledger import ledger_hash
from participatie.projections.facts import FactKind, fact_or_uncounted, has_facts

__all__ = [
    "LogCheck",
    "LogRow",
    "PlainLedgerRow",
    "check_log",
    "wrong_type",
]

#: Problems listed of one kind before the rest are only counted.
MAX_PROBLEMS = 50


@attrs.define
class LogCheck:
    """What one pass over the log found."""

    problems: list[str] = attrs.Factory(list)
    #: stream id text -> (last version, its stored chain hash)
    streams: dict[str, tuple[int, bytes]] = attrs.Factory(dict)
    #: stream id text -> (version, event hash) of its last ledger row: the stream's chain head,
    #: as stored (a row changed by hand may hold other types)
    heads: dict[str, tuple[Any, Any]] = attrs.Factory(dict)
    events: int = 0
    #: Each registered resident's municipality (canonical), by the recomputed facts.
    municipality_of: dict[UUID, str] = attrs.Factory(dict)
    #: Differences between the recomputed facts and the view's (compared page by page).
    fact_problems: list[str] = attrs.Factory(list)
    #: The view's monthly counters that are not what its facts make.
    counter_problems: list[str] = attrs.Factory(list)
    #: The last position whose ledger row was made up after the fact (0: none).
    backfilled_through: int = 0
    #: Residents registered and residents whose personal data were erased, by the log.
    residents: set[UUID] = attrs.Factory(set)
    erased: set[UUID] = attrs.Factory(set)
    unlisted: int = 0
    #: How many ledger rows the pass read, and (with a checkpoint position) how many rows up to
    #: that position and the running hash there (None: the ledger has no row there).
    ledger_rows: int = 0
    at_checkpoint: tuple[int, bytes] | None = None

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        else:
            self.unlisted += 1


#: One stored event as the recorders' ``log_rows`` give it: position, stream id (32 hex
#: digits), version, topic, stored state (chain hash first). Any, because a record changed by
#: hand in SQLite can hold a value of any type.
LogRow = tuple[Any, Any, Any, Any, Any]
#: One ledger row as ``ledger_plain`` gives it: position, stream id (32 hex digits), version,
#: event hash, running hash, backfilled, the SHA-256 of the processing records it holds (None:
#: it holds none; see :func:`participatie.audit.ledger.records_digest`).
PlainLedgerRow = tuple[Any, Any, Any, Any, Any, Any, Any]


def _pages(
    read: Callable[[int, int], list[Any]],
    first: int,
    following: Callable[[Any], int],
    page: int,
    *,
    read_ahead: bool,
) -> Iterator[list[Any]]:
    """Rows a page at a time: ``read(first, page)``, then ``read(following(last row), page)``
    until a page is not full. With ``read_ahead``, each next page is read in a thread while the
    caller works on the page before it."""
    if not read_ahead:
        start = first
        while True:
            rows = read(start, page)
            yield rows
            if len(rows) < page:
                return
            start = following(rows[-1])
    with ThreadPoolExecutor(1, thread_name_prefix="participatie-verify") as reader:
        coming = reader.submit(read, first, page)
        while True:
            rows = coming.result()
            if len(rows) == page:
                coming = reader.submit(read, following(rows[-1]), page)
            yield rows
            if len(rows) < page:
                return


def _next_position(row: Any) -> int:
    position: int = row[0] + 1
    return position


def _position(row: Any) -> int:
    position: int = row[0]
    return position


#: The last version and hash of a stream not seen yet.
_NO_EVENTS = (0, GENESIS)


class _Ids:
    """The forms of each stream id the pass needs, made once per stream (not once per event):
    its dashed text (hashed by the chains) and its UUID (for decoding and the results)."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, UUID]] = {}

    def of(self, hex_id: Any) -> tuple[str, UUID] | None:
        found = self.known.get(hex_id) if type(hex_id) is str else None
        if found is None:
            try:
                uuid = UUID(hex=hex_id)
            except (TypeError, ValueError, AttributeError):
                return None
            found = self.known[hex_id] = (str(uuid), uuid)
        return found


class _LogReader:
    """The state of one pass: the ledger read beside the log, the facts made so far."""

    def __init__(
        self,
        ledger: Iterator[PlainLedgerRow],
        decode: Callable[[Notification], Any],
        registered_topic: str,
        erased_topic: str,
        checkpoint_position: int | None = None,
    ) -> None:
        self.found = LogCheck()
        self.ids = _Ids()
        self.ledger = ledger
        self.row = next(ledger, None)
        self.previous_running = GENESIS
        self.municipality_of: dict[str, str] = {}
        self.facts: FactComparer | None = None
        self.decode = decode
        self.registered_topic = registered_topic
        self.erased_topic = erased_topic
        self.checkpoint_position = checkpoint_position

    def event(self, stored: LogRow) -> None:
        found = self.found
        position, hex_id, version, topic, state = stored
        ids = self.ids.known.get(hex_id) if type(hex_id) is str else None
        if ids is None:
            ids = self.ids.of(hex_id)
        if (
            ids is None
            or type(version) is not int
            or type(topic) is not str
            or type(state) is not bytes
        ):
            # SQLite keeps whatever type is written into a column: a record changed by hand.
            self._wrong_record(stored, ids)
            return
        key, stream = ids
        event_hash = state[:HASH_BYTES]
        unhashed = state[HASH_BYTES:]
        last_version, last_hash = found.streams.get(key, _NO_EVENTS)
        if version == last_version + 1:
            if chain_hash(last_hash, key, version, topic, unhashed) != event_hash:
                found.problem(
                    f"stream {key}: version {version} (position {position}) was changed, "
                    "reordered or replaced (its hash does not fit the chain)"
                )
        elif version > last_version:
            found.problem(
                f"stream {key}: {versions(last_version + 1, version - 1)} missing (deleted; "
                f"version {version} is at position {position})"
            )
        else:
            found.problem(
                f"stream {key}: version {version} at position {position} is out of order "
                f"(after version {last_version})"
            )
        found.streams[key] = (version, event_hash)
        found.events += 1
        self.match_ledger(position, hex_id, version, event_hash, key)
        if topic == self.registered_topic:
            found.residents.add(stream)
        elif topic == self.erased_topic:
            found.erased.add(stream)
        if has_facts(topic):
            self.fact(
                _notification(position, stream, version, topic, unhashed), stream, key, version
            )

    def match_ledger(
        self, position: int, hex_id: str, version: int, event_hash: bytes, key: str
    ) -> None:
        """The ledger's row of the event at ``position``: rows before it have lost their events;
        it must be there and record this event."""
        row = self.row
        if row is not None and row[0] < position:
            self.ledger_until(position)
            row = self.row
        if row is None or row[0] != position:
            self.found.problem(
                f"ledger: the event at position {position} (stream {key} version {version}) is "
                "not in the ledger (inserted)"
            )
        elif row[1] != hex_id or row[2] != version or row[3] != event_hash:
            recorded = self.ids.of(row[1])
            self.found.problem(
                f"ledger: the event at position {position} is not the one the ledger recorded "
                f"there (stream {recorded[0] if recorded else repr(row[1])} version {row[2]!r})"
            )
            self.next_row()
        else:
            self.next_row(key)

    def _wrong_record(self, stored: LogRow, ids: tuple[str, UUID] | None) -> None:
        """A record whose columns hold values of the wrong type: a problem, and the pass goes on
        (its ledger row, if any, is passed over)."""
        position, hex_id, version, topic, state = stored
        wrong = _wrong_column(ids, version, topic, state)
        self.found.problem(
            f"stream {ids[0] if ids else repr(hex_id)}: the record of version {version} was "
            f"changed: its {wrong} has the wrong type (position {position})"
        )
        self.ledger_until(position)
        if self.row is not None and self.row[0] == position:
            self.next_row()

    def fact(self, notification: Notification, stream: UUID, key: str, version: int) -> None:
        fact = fact_or_uncounted(notification, self.decode, self.municipality_of)
        if fact is None:
            return
        if fact.kind == FactKind.UNCOUNTED:
            self.found.problem(
                f"stream {key}: version {version} (position {notification.id}) cannot be "
                f"counted in the outcome statistics: {fact.value}"
            )
        if fact.kind == FactKind.REGISTERED:
            self.found.municipality_of[stream] = fact.municipality
        if self.facts is not None:
            self.facts.compare(fact)

    def ledger_until(self, position: int | None) -> None:
        """Rows before ``position`` (all rows left, for None) have no event: deleted."""
        while self.row is not None and (position is None or self.row[0] < position):
            row = self.row
            recorded = self.ids.of(row[1])
            self.found.problem(
                f"ledger: position {row[0]} (stream {recorded[0] if recorded else repr(row[1])} "
                f"version {row[2]!r}) is in the ledger, but its event is gone (deleted)"
            )
            self.next_row()

    def next_row(self, key: str | None = None) -> None:
        """Check the current ledger row's running hash and move to the next row. ``key`` is the
        row's stream id in dashed form when the caller has it (the row matched its event)."""
        row = self.row
        if row is None:
            return
        position, hex_id, version, event_hash, running_hash, backfilled, records = row
        if key is None:
            ids = self.ids.of(hex_id)
            key = None if ids is None else ids[0]
        if (
            key is None
            or type(version) is not int
            or type(event_hash) is not bytes
            or type(running_hash) is not bytes
            or (records is not None and type(records) is not bytes)
            or ledger_hash(
                self.previous_running, position, key, version, event_hash, records_digest=records
            )
            != running_hash
        ):
            held = "" if records is None else " (or the processing records it holds)"
            self.found.problem(f"ledger: the row at position {position} was changed{held}")
        if key is not None:
            self.found.heads[key] = (version, event_hash)  # the stream's last row so far
        self.previous_running = running_hash if type(running_hash) is bytes else b""
        self.found.ledger_rows += 1
        if position == self.checkpoint_position:
            self.found.at_checkpoint = (self.found.ledger_rows, self.previous_running)
        if backfilled:
            self.found.backfilled_through = position
        self.row = next(self.ledger, None)


def _notification(
    position: int, stream: UUID, version: int, topic: str, state: bytes
) -> Notification:
    """A Notification of the record, without the frozen dataclass's ``__init__`` (which sets
    each field through ``object.__setattr__``: a third of the cost, for every fact)."""
    notification = object.__new__(Notification)
    notification.__dict__.update(
        id=position, originator_id=stream, originator_version=version, topic=topic, state=state
    )
    return notification


def _wrong_column(ids: tuple[str, UUID] | None, version: Any, topic: Any, state: Any) -> str | None:
    """The first column of a plain log row whose value has the wrong type, or None."""
    if ids is None:
        return "stream id"
    if type(version) is not int:
        return "version"
    if type(topic) is not str:
        return "topic"
    if type(state) is not bytes:
        return "state"
    return None


def wrong_type(notification: StoredEvent) -> str | None:
    """The first column of a stored record whose value has the wrong type, or None."""
    for name, value, kind in (
        ("version", notification.originator_version, int),
        ("topic", notification.topic, str),
        ("state", notification.state, bytes | bytearray | memoryview),
    ):
        if not isinstance(value, kind) or isinstance(value, bool):
            return name
    return None


def check_log(
    read_log: Callable[[int, int], list[LogRow]],
    read_ledger: Callable[[int, int], list[PlainLedgerRow]],
    decode: Callable[[Notification], Any],
    *,
    registered_topic: str,
    erased_topic: str,
    stored_facts: tuple[StoredFacts, int] | None = None,
    checkpoint_position: int | None = None,
    page: int = 1000,
    progress: Callable[[int], None] | None = None,
    read_ahead: bool = False,
) -> LogCheck:
    """Read the log and the ledger once, side by side (see the module's docstring).

    ``read_log`` and ``read_ledger`` are the recorder's ``log_rows`` and ``ledger_plain``;
    ``decode`` decodes a stored event whose state no longer begins with its chain hash.
    ``stored_facts`` (the outcomes view and the position it has caught up to) has the
    recomputed facts compared with the view's on the way, and the view's monthly counters with
    those its facts make (``LogCheck.counter_problems``). With ``checkpoint_position``, the
    number of ledger rows up to it and its running hash are kept (``LogCheck.at_checkpoint``).
    With ``read_ahead``, the next page of the log is read in a thread while a page is checked
    (for a store on a server, whose reads wait without Python's lock)."""
    ledger = _pages(read_ledger, 0, _position, page, read_ahead=read_ahead)
    reader = _LogReader(
        (row for rows in ledger for row in rows),
        decode,
        registered_topic,
        erased_topic,
        checkpoint_position,
    )
    if stored_facts is not None:
        reader.facts = FactComparer(
            stored_facts[0], stored_facts[1], page, reader.found.fact_problems, MAX_PROBLEMS
        )
    event = reader.event
    try:
        for rows in _pages(read_log, 1, _next_position, page, read_ahead=read_ahead):
            for row in rows:
                event(row)
            if progress is not None and rows:
                progress(len(rows))
    except Exception as error:
        reader.found.problem(
            f"the event log cannot be read: a stored record was changed so that it no longer "
            f"reads ({error}); what follows it was not checked"
        )
        return reader.found
    reader.ledger_until(None)
    if reader.facts is not None:
        reader.facts.finish()
        try:
            reader.found.counter_problems = reader.facts.counter_problems()
        except Exception as error:
            reader.found.counter_problems = [
                f"outcome facts: the monthly counters cannot be read ({error})"
            ]
    return reader.found
