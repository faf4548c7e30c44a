"""What every store provides beyond eventsourcing's own: the abstract recorder and factory."""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder

from participatie.persistence.tables import heads_of

if TYPE_CHECKING:
    from participatie.audit.ledger import LedgerRow
    from participatie.audit.verifier import LogRow, PlainLedgerRow
    from participatie.privacy.vault import ErasureRecord, SealedNote, SealedRecord, VaultKeys
    from participatie.projections.views import FactsView
    from participatie.projections.worklist_views import WorklistView

__all__ = ["DoneCommand", "ParticipationFactory", "ParticipationRecorder"]


@attrs.frozen
class DoneCommand:
    """A command whose events were saved: its id, the id it returned (None: it returned
    nothing) and what it was (its name, its actor and the id it acted on, so that an id sent
    with another command is told apart). Saved as ``commands_done=[(command_id, result,
    command)]`` with the events."""

    command_id: UUID
    result: UUID | None
    command: str = ""


class ParticipationRecorder(ApplicationRecorder, abc.ABC):
    """An application recorder that also keeps, in the same transaction as the events, the
    personal-data vault (``vault_records=``, ``vault_erasures=``, ``vault_corrections=``,
    ``vault_notes=``: see :mod:`participatie.persistence.rights`), the source ids of imported
    records (``import_sources=``), the ids of the commands done (``commands_done=``), each
    stream's chain head and the ledger, with the processing records of the save in the ledger
    row of each stream's last event (``processing_records=``: stream id -> its records encoded,
    see :func:`participatie.audit.processing.records_by_stream`; see
    :mod:`participatie.persistence.tables` for the tables)."""

    #: Whether reads wait on a server (without Python's lock), so that a long read may read the
    #: next page in a thread while a page is worked on (``verify()``). Not for SQLite: its reads
    #: take Python's lock back for every row, and two threads taking turns cost more than they
    #: save.
    reads_over_network = False

    @abc.abstractmethod
    def command_done(self, command_id: UUID) -> DoneCommand | None:
        """The command saved under this id (with its result), or None when none was."""

    def write_stamp(self) -> object | None:
        """A mark of the store as this thread's last committed save left it, for
        :meth:`unchanged_since`; None when this recorder cannot tell (the default)."""
        return None

    def unchanged_since(self, stamps: Sequence[object]) -> bool:
        """Whether nobody has committed anything since each of ``stamps`` (of
        :meth:`write_stamp`) but the save that made it: then the aggregates those saves left
        in the application's cache are as stored, and a load need not read what follows them.
        False when this recorder cannot tell (the default)."""
        del stamps
        return False

    @abc.abstractmethod
    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        """The resident's sealed record, or None."""

    @abc.abstractmethod
    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        """The resident whose record has this keyed BSN hash, or None."""

    @abc.abstractmethod
    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records not sealed under ``key_id``, by resident id after ``after``."""

    @abc.abstractmethod
    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        """Replace each old record by its new one where the old is unchanged; return how many."""

    @abc.abstractmethod
    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        """Up to ``limit`` records by resident id after ``after``: for verification."""

    @abc.abstractmethod
    def vault_notes(self, resident_id: UUID) -> list[SealedNote]:
        """The resident's notes as stored (``vault_notes=`` saves them with their receipts)."""

    @abc.abstractmethod
    def vault_note_rows(self, after: UUID | None, limit: int) -> list[SealedNote]:
        """Up to ``limit`` notes by note id after ``after``: for verification."""

    @abc.abstractmethod
    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        """Up to ``limit`` rows of the log-wide chain after position ``after``, in order."""

    @abc.abstractmethod
    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        """Up to ``limit`` stored events from position ``start`` on, in log order, as plain
        tuples (position, stream id as 32 hex digits, version, topic, stored state), with the
        values as stored and no objects made: for checking every record (``verify()``)."""

    @abc.abstractmethod
    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        """Up to ``limit`` ledger rows after position ``after``, in order, as plain tuples
        (position, stream id as 32 hex digits, version, event hash, running hash, backfilled,
        the SHA-256 of the processing records it holds or None), with the values as stored: for
        checking every row (``verify()``)."""

    @abc.abstractmethod
    def ledger_records(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """Up to ``limit`` ledger rows that hold processing records, after position ``after``,
        in order: (position, stream id as 32 hex digits, the records as stored)."""

    @abc.abstractmethod
    def running_before(self, positions: Sequence[int]) -> dict[int, bytes | None]:
        """For each of these positions that has a ledger row, the running hash of the row
        before it (None: it is the first)."""

    @abc.abstractmethod
    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        """The ledger rows of these streams, in log order."""

    @abc.abstractmethod
    def ledger_backfill(self, limit: int) -> int:
        """Chain up to ``limit`` events stored before the ledger existed (only while no row
        was written with its events); return how many."""

    @abc.abstractmethod
    def vault_keys(self) -> VaultKeys:
        """Every key epoch and the key ids records are sealed under."""

    @abc.abstractmethod
    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        """Start the key epoch after the newest (``only_if_none``: when no salted one is live)."""

    @abc.abstractmethod
    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        """Destroy the live epochs before ``before`` that no record is sealed under any more."""

    @abc.abstractmethod
    def vault_erasures(self) -> list[ErasureRecord]:
        """Every erasure the vault recorded."""

    def chain_heads_of(self, stream_ids: Sequence[UUID]) -> dict[str, tuple[int, bytes]]:
        """These streams' heads, each its last ledger row: version and chain hash, by the
        stream id's dashed text (a stream without rows is left out)."""
        return heads_of(
            (row.stream_id, row.version, row.event_hash) for row in self.ledger_of(stream_ids)
        )

    @abc.abstractmethod
    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Of these source ids, those imported before: (resident id, stream id) each."""

    @abc.abstractmethod
    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident imported under an earlier system's key, or None."""

    def imported_residents(self, resident_keys: Sequence[str]) -> dict[str, UUID]:
        """The residents that records with these source resident keys were imported into (keys
        never imported left out). Stores that can answer in one query override this."""
        found = {key: self.imported_resident(key) for key in resident_keys}
        return {key: rid for key, rid in found.items() if rid is not None}


class ParticipationFactory(abc.ABC):
    """What a store's eventsourcing ``InfrastructureFactory`` adds for participatie."""

    @abc.abstractmethod
    def participation_recorder(self) -> ParticipationRecorder:
        """The application recorder (the factory's ``application_recorder()`` returns it)."""

    @abc.abstractmethod
    def snapshot_recorder(self, application_name: str) -> AggregateRecorder:
        """The recorder of the snapshot store."""

    def snapshotted_streams(self, recorder: AggregateRecorder) -> list[Any] | None:
        """The stream ids (as stored) that ``recorder`` (:meth:`snapshot_recorder`'s) holds
        snapshots of, in one query; None where the store cannot list them (each stream is then
        asked on its own)."""
        del recorder
        return None

    @abc.abstractmethod
    def facts_view(self) -> FactsView:
        """The outcomes projection's view, in the same store."""

    @abc.abstractmethod
    def worklist_view(self) -> WorklistView:
        """The worklist's view (caseload and signals), in the same store."""

    @contextlib.contextmanager
    def new_events_signal(
        self, recorder: ApplicationRecorder, stop: threading.Event
    ) -> Iterator[Callable[[float], object]]:
        """A function that waits at most some seconds for new events, or for ``stop``.

        A store without notifications only waits (PostgreSQL listens, see its factory).
        """
        del recorder
        yield stop.wait

    def reconnect(self) -> None:
        """After a lost connection: drop the idle connections that were lost with it, so that
        the next command connects afresh (nothing to do for a store without a server)."""
        return
