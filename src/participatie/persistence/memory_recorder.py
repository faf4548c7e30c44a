"""The in-process application recorder (``memory://``): eventsourcing's POPO recorder with the
vault, import sources, chain heads and ledger kept in dictionaries and lists."""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from participatie.audit.ledger import LedgerRow, ledger_rows, records_digest
from participatie.persistence.base import DoneCommand, ParticipationRecorder
from participatie.persistence.rights import MemoryRights
from participatie.persistence.tables import destroy_unused_epochs, epoch_destroyed
from participatie.privacy.vault import (
    LEGACY_EPOCH,
    ErasureRecord,
    KeyEpoch,
    SealedRecord,
    VaultKeys,
    epoch_of,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from participatie.audit.verifier import LogRow, PlainLedgerRow

__all__ = ["POPOParticipationRecorder"]


def _position(row: LedgerRow) -> int:
    return row.position


class POPOParticipationRecorder(MemoryRights, POPOApplicationRecorder, ParticipationRecorder):
    """The in-process recorder (``memory://``) with a vault kept in dictionaries."""

    def __init__(self) -> None:
        super().__init__()
        self._vault: dict[UUID, SealedRecord] = {}
        self._vault_by_hash: dict[bytes, UUID] = {}
        self._epochs: dict[int, KeyEpoch] = {}
        self._key_ids: dict[str, int] = {}
        self._erasures: dict[UUID, ErasureRecord] = {}
        self._imports: dict[str, tuple[str, UUID, UUID]] = {}
        self._imported_residents: dict[str, UUID] = {}
        self._ledger: list[LedgerRow] = []
        self._commands: dict[UUID, tuple[UUID | None, str]] = {}

    def _insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        vault_records: Sequence[SealedRecord] = (),
        vault_erasures: Sequence[UUID] = (),
        import_sources: Sequence[tuple[str, str, UUID, UUID]] = (),
        processing_records: Mapping[UUID, bytes] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        with self._database_lock:
            new_sources = [source[0] for source in import_sources]
            if len(set(new_sources)) < len(new_sources) or not self._imports.keys().isdisjoint(
                new_sources
            ):
                msg = "import source id exists"
                raise IntegrityError(msg)
            for record in vault_records:
                if record.resident_id in self._vault:
                    msg = f"vault record for {record.resident_id} exists"
                    raise IntegrityError(msg)
                if record.bsn_hash is not None and record.bsn_hash in self._vault_by_hash:
                    msg = "vault BSN hash exists"
                    raise IntegrityError(msg)
                epoch = epoch_of(record.key_id)
                if epoch != LEGACY_EPOCH and not self._epoch_is_live(epoch):
                    raise epoch_destroyed(epoch)
            write_rights = self._check_rights(kwargs)  # notes and corrections
            done = self._check_commands(kwargs.get("commands_done", ()))
            notification_ids = super()._insert_events(stored_events, **kwargs)
            if notification_ids or processing_records:  # records without events: refused
                tail = self._ledger[-1].running_hash if self._ledger else None
                self._ledger += ledger_rows(
                    tail,
                    notification_ids or [],
                    stored_events,
                    records=processing_records,
                )
            for record in vault_records:
                self._vault[record.resident_id] = record
                self._key_ids.setdefault(record.key_id, epoch_of(record.key_id))
                if record.bsn_hash is not None:
                    self._vault_by_hash[record.bsn_hash] = record.resident_id
            for resident_id in vault_erasures:
                erased = self._vault.pop(resident_id, None)
                if erased is not None and erased.bsn_hash is not None:
                    self._vault_by_hash.pop(erased.bsn_hash, None)
                self._erasures[resident_id] = ErasureRecord(
                    resident_id=resident_id,
                    key_id=None if erased is None else erased.key_id,
                    epoch=max(
                        (e.epoch for e in self._epochs.values() if e.live), default=LEGACY_EPOCH
                    ),
                    erased_at=datetime.now(tz=UTC),
                )
            write_rights(vault_erasures)
            for source_id, resident_key, resident_id, stream_id in import_sources:
                self._imports[source_id] = (resident_key, resident_id, stream_id)
                self._imported_residents.setdefault(resident_key, resident_id)
            self._commands.update(done)
            return notification_ids

    def _check_commands(
        self, commands_done: Sequence[tuple[UUID, UUID | None, str]]
    ) -> dict[UUID, tuple[UUID | None, str]]:
        """The commands to record, refused (as the other stores' primary key does) when an id
        was recorded already."""
        done = {command_id: (result, command) for command_id, result, command in commands_done}
        if len(done) < len(commands_done) or not self._commands.keys().isdisjoint(done):
            msg = "command id exists"
            raise IntegrityError(msg)
        return done

    def command_done(self, command_id: UUID) -> DoneCommand | None:
        with self._database_lock:
            if command_id not in self._commands:
                return None
            return DoneCommand(command_id, *self._commands[command_id])

    def imported_sources(self, source_ids: Sequence[str]) -> dict[str, tuple[UUID, UUID]]:
        """Which of these source record ids were imported: their resident and stream."""
        with self._database_lock:
            return {s: self._imports[s][1:] for s in source_ids if s in self._imports}

    def imported_resident(self, resident_key: str) -> UUID | None:
        """The resident that records with this source resident key were imported into."""
        with self._database_lock:
            return self._imported_residents.get(resident_key)

    def imported_residents(self, resident_keys: Sequence[str]) -> dict[str, UUID]:
        with self._database_lock:
            found = self._imported_residents
            return {key: found[key] for key in resident_keys if key in found}

    def vault_get(self, resident_id: UUID) -> SealedRecord | None:
        with self._database_lock:
            return self._vault.get(resident_id)

    def vault_find(self, bsn_hash: bytes) -> UUID | None:
        with self._database_lock:
            return self._vault_by_hash.get(bsn_hash)

    def vault_stale(self, key_id: str, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self._database_lock:
            stale = sorted(
                (r for r in self._vault.values() if r.key_id != key_id),
                key=lambda r: r.resident_id,
            )
        return [r for r in stale if after is None or r.resident_id > after][:limit]

    def vault_rows(self, after: UUID | None, limit: int) -> list[SealedRecord]:
        with self._database_lock:
            rows = sorted(self._vault.values(), key=lambda r: r.resident_id)
        return [r for r in rows if after is None or r.resident_id > after][:limit]

    def ledger_select(self, after: int, limit: int) -> list[LedgerRow]:
        with self._database_lock:
            return [row for row in self._ledger if row.position > after][:limit]

    def log_rows(self, start: int, limit: int) -> list[LogRow]:
        return [
            (n.id, UUID(str(n.originator_id)).hex, n.originator_version, n.topic, n.state)
            for n in self.select_notifications(start, limit)
        ]

    def ledger_plain(self, after: int, limit: int) -> list[PlainLedgerRow]:
        return [
            (
                r.position,
                r.stream_id.hex,
                r.version,
                r.event_hash,
                r.running_hash,
                r.backfilled,
                None if r.records is None else records_digest(r.records),
            )
            for r in self.ledger_select(after, limit)
        ]

    def ledger_records(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        with self._database_lock:
            start = bisect.bisect_right(self._ledger, after, key=_position)
            held: list[tuple[int, str, bytes]] = []
            for index in range(start, len(self._ledger)):  # from ``after`` on, not from the start
                row = self._ledger[index]
                if row.records is not None:
                    held.append((row.position, row.stream_id.hex, row.records))
                    if len(held) == limit:
                        break
            return held

    def running_before(self, positions: Sequence[int]) -> dict[int, bytes | None]:
        with self._database_lock:
            found: dict[int, bytes | None] = {}
            for position in positions:
                at = bisect.bisect_left(self._ledger, position, key=_position)
                if at < len(self._ledger) and self._ledger[at].position == position:
                    found[position] = self._ledger[at - 1].running_hash if at else None
            return found

    def ledger_of(self, stream_ids: Sequence[UUID]) -> list[LedgerRow]:
        wanted = set(stream_ids)
        with self._database_lock:
            return [row for row in self._ledger if row.stream_id in wanted]

    def ledger_backfill(self, limit: int) -> int:
        with self._database_lock:
            if any(not row.backfilled for row in self._ledger):
                return 0
            done = len(self._ledger)
            events = self._stored_events[done : done + limit]
            tail = self._ledger[-1].running_hash if self._ledger else None
            positions = range(done + 1, done + len(events) + 1)
            self._ledger += ledger_rows(tail, positions, events, backfilled=True)
            return len(events)

    def vault_rewrap(self, pairs: Sequence[tuple[SealedRecord, SealedRecord]]) -> int:
        with self._database_lock:
            changed = [(old, new) for old, new in pairs if self._vault.get(old.resident_id) == old]
            hashes = dict(self._vault_by_hash)
            for old, _ in changed:
                if old.bsn_hash is not None:
                    del hashes[old.bsn_hash]
            for _, new in changed:
                if new.bsn_hash is not None:
                    if new.bsn_hash in hashes:
                        msg = "vault BSN hash exists"
                        raise IntegrityError(msg)
                    hashes[new.bsn_hash] = new.resident_id
            for _, new in changed:
                self._vault[new.resident_id] = new
                self._key_ids.setdefault(new.key_id, epoch_of(new.key_id))
            self._vault_by_hash = hashes
            return len(changed)

    def _epoch_is_live(self, epoch: int) -> bool:
        known = self._epochs.get(epoch)
        return known is not None and known.live

    def vault_keys(self) -> VaultKeys:
        with self._database_lock:
            return VaultKeys(
                epochs=tuple(self._epochs[e] for e in sorted(self._epochs)),
                key_ids=dict(self._key_ids),
            )

    def vault_new_epoch(self, salt: bytes, *, only_if_none: bool) -> None:
        with self._database_lock:
            if only_if_none and any(
                e.live and e.epoch != LEGACY_EPOCH for e in self._epochs.values()
            ):
                return
            epoch = max(self._epochs, default=LEGACY_EPOCH) + 1
            self._epochs[epoch] = KeyEpoch(epoch=epoch, salt=salt, created_at=datetime.now(UTC))

    def vault_destroy_epochs(self, before: int, secret_key_id: str) -> list[int]:
        def in_use(known: KeyEpoch) -> bool:
            return any(epoch_of(r.key_id) == known.epoch for r in self._vault.values())

        def destroy(epoch: int) -> None:
            self._epochs[epoch] = attrs.evolve(
                self._epochs[epoch], salt=None, destroyed_at=datetime.now(UTC)
            )

        with self._database_lock:
            destroyed = destroy_unused_epochs(
                [e for e in self._epochs.values() if e.live and e.epoch < before],
                secret_key_id,
                in_use=in_use,
                destroy=destroy,
            )
            in_use_ids = {r.key_id for r in self._vault.values()}
            self._key_ids = {k: e for k, e in self._key_ids.items() if k in in_use_ids}
            return destroyed

    def vault_erasures(self) -> list[ErasureRecord]:
        with self._database_lock:
            return sorted(self._erasures.values(), key=lambda r: r.erased_at)
