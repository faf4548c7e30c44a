"""Tamper evidence: verifying the whole store, or one resident's file, and signed checkpoints.

See docs/audit.md for the threat model and for which check catches which kind of tampering.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.utils import get_topic

from participatie.audit.access import access_log_id
from participatie.audit.chain import GENESIS, Verification, verify_stream
from participatie.audit.checkpoints import Checkpoint, load_signing_key, sign_checkpoint
from participatie.audit.heads import check_heads, check_stream_ledger
from participatie.audit.ledger import LedgerRow, ledger_hash, records_digest
from participatie.audit.processing import processing_log_id, records_of_subject
from participatie.audit.verifier import MAX_PROBLEMS, check_log, wrong_type
from participatie.domain.job_coaching import coaching_id
from participatie.domain.municipalities import canonical_form
from participatie.domain.resident import ResidentTrajectory
from participatie.errors import InvalidInput, NotFound, TamperDetected
from participatie.persistence.base import ParticipationRecorder
from participatie.persistence.tables import heads_of
from participatie.privacy.vault import SealedNote, SealedRecord
from participatie.projections.runner import catch_up
from participatie.projections.views import TRACKING_KEY
from participatie.service.core import Core, Room, as_uuid

__all__ = ["TamperEvidence"]

_REGISTERED = get_topic(ResidentTrajectory.Registered)
_ERASED = get_topic(ResidentTrajectory.PersonalDataErased)
_PLACED = get_topic(ResidentTrajectory.Placed)


class TamperEvidence(Room):
    """verify() and checkpoints."""

    def verify(
        self,
        resident_id: UUID | None = None,
        *,
        strict: bool = False,
        checkpoint: Checkpoint | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Verification:
        """Check that nothing in the store was changed, removed or inserted.

        Without ``resident_id``: every event (its stream's chain and the log-wide ledger),
        every chain head, every snapshot against its events, every vault row against its
        resident, and the outcome facts against a recomputation from the events. With
        ``resident_id``: the resident's trajectory, every job coaching found from the
        resident's own placements, and the resident's access and processing logs, vault row and
        facts.

        ``checkpoint`` (a :class:`~participatie.audit.checkpoints.Checkpoint` read with the
        public key) also proves that the log up to its position is exactly the one it signed,
        even if every hash in the store was recomputed. ``progress`` is called with the number
        of events read after each page. With ``strict=True`` a problem raises
        :class:`TamperDetected`.
        """
        if resident_id is not None and checkpoint is not None:
            raise InvalidInput("a checkpoint proves the whole log: verify without a resident id")
        if resident_id is None:
            problems, notes, streams, events = self._verify_all(checkpoint, progress)
        else:
            problems, notes, streams, events = self._verify_resident(as_uuid(resident_id))
        verification = Verification(
            ok=not problems, problems=problems, streams=streams, events=events, notes=notes
        )
        if strict and problems:
            raise TamperDetected("; ".join(problems))
        return verification

    def checkpoint(self, *, signing_key: str | Path | None = None) -> Checkpoint:
        """Sign the ledger's current end with the key in ``signing_key`` (a file; default:
        ``PARTICIPATIE_SIGNING_KEY``). Keep the result outside the store
        (:meth:`Checkpoint.to_json`)."""
        return take_checkpoint(self._core, load_signing_key(signing_key))

    # The whole store.

    def _verify_all(
        self, checkpoint: Checkpoint | None, progress: Callable[[int], None] | None
    ) -> tuple[list[str], list[str], int, int]:
        store = self._core.store
        recorder = store.participation_recorder
        view = store.facts_view()
        stored_facts = None
        view_problem: str | None = None
        try:
            catch_up(store, view)
            stored_facts = (view, view.max_tracking_id(TRACKING_KEY) or 0)
        except Exception as error:
            view_problem = f"outcome facts: the view cannot catch up with the log ({error})"
        found = check_log(
            recorder.log_rows,
            recorder.ledger_plain,
            store.decode_unhashed,
            registered_topic=_REGISTERED,
            erased_topic=_ERASED,
            stored_facts=stored_facts,
            checkpoint_position=None if checkpoint is None else checkpoint.position,
            progress=progress,
            read_ahead=recorder.reads_over_network,
        )
        problems = found.problems
        heads = found.heads  # each stream's last ledger row, as the pass read it
        problems += check_heads(found.streams, heads)
        problems += self._check_snapshots(found.streams)
        problems += self._check_vault(found.residents, found.erased, found.municipality_of)
        problems += self._check_notes(found.residents, found.erased)
        problems += found.fact_problems
        # Reports read the monthly counters: they must be what the (checked) facts make.
        problems += found.counter_problems
        if view_problem is not None:
            problems.append(view_problem)
        notes = []
        if found.unlisted:
            problems.append(f"... and {found.unlisted} more problems of the log")
        if found.backfilled_through:
            notes.append(
                f"positions up to {found.backfilled_through} were chained into the ledger when "
                "a release with the ledger first opened this store: the ledger proves them only "
                "from then on (and checkpoints from theirs)"
            )
        if checkpoint is not None:
            problems += _checkpoint_problems(checkpoint, found.at_checkpoint)
        else:
            notes.append(
                "no checkpoint given: edits that recompute every hash are found only against a "
                "checkpoint kept outside the store"
            )
        return problems, notes, len(found.streams | dict.fromkeys(heads, (0, b""))), found.events

    def _check_snapshots(self, streams: dict[str, tuple[int, bytes]]) -> list[str]:
        """Every stream's snapshots against its events. The store lists the streams that have
        snapshots in one query where it can, and a snapshot of a stream without events is a
        problem of its own (it would be loaded as that stream)."""
        store = self._core.store
        if store.snapshots is None:
            return []
        listed = store.store_factory.snapshotted_streams(store.snapshots.recorder)
        if listed is None:
            return [p for key in sorted(streams) for p in self._snapshot_problems(UUID(key))]
        problems: list[str] = []
        keys: set[str] = set()
        for stored_id in listed:
            try:
                keys.add(str(stored_id if isinstance(stored_id, UUID) else UUID(stored_id)))
            except (TypeError, ValueError, AttributeError):
                problems.append(f"snapshots: a snapshot's stream id was changed ({stored_id!r})")
        for key in sorted(keys):
            if key in streams:
                problems += self._snapshot_problems(UUID(key))
            else:
                problems.append(
                    f"stream {key}: has snapshots but no events (a snapshot was inserted, or "
                    "its stream deleted)"
                )
        return problems

    def _snapshot_problems(self, stream_id: UUID) -> list[str]:
        try:
            return self._core.store.check_snapshots(stream_id)
        except Exception as error:
            return [f"stream {stream_id}: its events cannot be decoded ({error})"]

    def _check_vault(
        self, residents: set[UUID], erased: set[UUID], municipality_of: dict[UUID, str]
    ) -> list[str]:
        vault = self._core.store.participation_recorder
        problems: list[str] = []
        after: UUID | None = None
        while len(problems) < MAX_PROBLEMS and (records := vault.vault_rows(after, 500)):
            problems += filter(
                None,
                (
                    self._vault_problem(r, residents, erased, municipality_of.get(r.resident_id))
                    for r in records
                ),
            )
            after = records[-1].resident_id
        return problems

    def _vault_problem(  # noqa: PLR0911 (one return per finding)
        self,
        record: SealedRecord,
        residents: set[UUID],
        erased: set[UUID],
        municipality: str | None,
    ) -> str | None:
        """What is wrong with one vault row: its resident, its key, or its BSN lookup hash."""
        rid = record.resident_id
        if rid not in residents:
            return f"vault: a record for {rid}, who was never registered (a row was inserted)"
        if rid in erased:
            return f"vault: resident {rid} was erased, but the vault still holds a record"
        keyring = self._core.keyring
        try:
            data = keyring.open(record)
        except Exception:
            return (
                f"vault: the record of resident {rid} does not open with its own key (it was "
                "changed, or moved from another resident)"
            )
        if data.bsn is None:
            if record.bsn_hash is None:
                return None
            return f"vault: resident {rid} has a BSN lookup hash but no BSN (inserted)"
        if record.bsn_hash in keyring.bsn_hashes(data.bsn, municipality):
            return None
        return (
            f"vault: the BSN lookup hash of resident {rid} is not that of the resident's own "
            "BSN (hashes were swapped or moved): find_resident would be misled"
        )

    def _check_notes(self, residents: set[UUID], erased: set[UUID]) -> list[str]:
        recorder = self._core.store.participation_recorder
        problems: list[str] = []
        after: UUID | None = None
        while len(problems) < MAX_PROBLEMS and (notes := recorder.vault_note_rows(after, 500)):
            problems += filter(None, (self._note_problem(n, residents, erased) for n in notes))
            after = notes[-1].note_id
        return problems

    def _note_problem(
        self, note: SealedNote, residents: set[UUID], erased: set[UUID]
    ) -> str | None:
        """What is wrong with one note: its resident, or its binding to that resident's key."""
        rid = note.resident_id
        if rid not in residents:
            return f"vault: note {note.note_id} of {rid}, who was never registered (inserted)"
        if rid in erased:
            return (
                f"vault: resident {rid} was erased, but the vault still holds note {note.note_id}"
            )
        record = self._core.store.participation_recorder.vault_get(rid)
        try:
            if record is None:
                raise TamperDetected(f"no vault record of {rid}")
            self._core.keyring.open_note(record, note)
        except Exception:
            return (
                f"vault: note {note.note_id} does not open with the key of resident {rid} (it was "
                "changed, or moved from another resident)"
            )
        return None

    # One resident.

    def _verify_resident(self, rid: UUID) -> tuple[list[str], list[str], int, int]:
        store = self._core.store
        recorder = store.participation_recorder
        own = recorder.select_events(rid)
        # Coaching streams from the resident's own placements (read raw: a tampered stream may
        # not decode), not from ledger rows an attacker could delete.
        streams = [rid, access_log_id(rid), processing_log_id(rid)] + [
            coaching_id(rid, stored.originator_version) for stored in own if stored.topic == _PLACED
        ]
        ledger = recorder.ledger_of(streams)
        if not own and not any(row.stream_id == rid for row in ledger):
            raise NotFound(f"no resident with id {rid}")
        # A row changed by hand into values of other types (SQLite keeps any type): named, and
        # left out of the checks below, which compare versions and hashes.
        mistyped = [row for row in ledger if not _well_typed(row)]
        ledger = [row for row in ledger if _well_typed(row)]
        # Each stream's head: its last ledger row (the rows come in log order).
        heads = heads_of((row.stream_id, row.version, row.event_hash) for row in ledger)
        problems: list[str] = [
            f"ledger: the row at position {row.position} was changed (wrong types)"
            for row in mistyped
        ]
        events = 0
        counted = 0
        for stream in streams:
            stored = recorder.select_events(stream)
            head = heads.get(str(stream)) or heads.get(stream.hex)
            if not stored and head is None and not any(r.stream_id == stream for r in ledger):
                continue  # a placement without job coaching, or no access or processing log yet
            counted += 1
            events += len(stored)
            wrong = next(((s, w) for s in stored if (w := wrong_type(s)) is not None), None)
            if wrong is not None:
                problems.append(
                    f"stream {stream}: the record of version {wrong[0].originator_version} was "
                    f"changed: its {wrong[1]} has the wrong type"
                )
                continue
            found = verify_stream(str(stream), stored, head)
            found += check_stream_ledger(
                stream, ((s.originator_version, bytes(s.state[:32])) for s in stored), ledger
            )
            problems += found or self._snapshot_problems(stream)
        problems += _rows_in_chain(recorder, ledger)
        problems += _records_of_another(ledger, rid)
        record = recorder.vault_get(rid)
        if record is not None:
            erased = {rid} if any(s.topic == _ERASED for s in own) else set()
            registered = {rid} if any(s.topic == _REGISTERED for s in own) else set()
            first = own[0] if own else None
            municipality = None
            if first is not None and first.topic == _REGISTERED:
                try:
                    registration: Any = store.decode(first)
                    municipality = canonical_form(registration.municipality)
                except Exception:
                    municipality = None
            problem = self._vault_problem(record, registered, erased, municipality)
            problems += [] if problem is None else [problem]
        known = {rid} if any(s.topic == _REGISTERED for s in own) else set()
        gone = {rid} if any(s.topic == _ERASED for s in own) else set()
        problems += filter(
            None, (self._note_problem(n, known, gone) for n in recorder.vault_notes(rid))
        )
        return problems, [], counted, events


def _well_typed(row: LedgerRow) -> bool:
    return (
        type(row.position) is int
        and type(row.version) is int
        and type(row.event_hash) is bytes
        and type(row.running_hash) is bytes
    )


def _rows_in_chain(recorder: ParticipationRecorder, rows: list[LedgerRow]) -> list[str]:
    """Each of these ledger rows (a resident's) against the running hash of the row before it:
    a row changed without recomputing every row after it, its processing records included."""
    before = recorder.running_before([row.position for row in rows])
    problems = []
    for row in rows:
        if row.position not in before:
            continue
        previous = before[row.position]
        expected = ledger_hash(
            GENESIS if previous is None else previous,
            row.position,
            row.stream_id,
            row.version,
            row.event_hash,
            records_digest=None if row.records is None else records_digest(row.records),
        )
        if expected != row.running_hash:
            held = "" if row.records is None else " (or the processing records it holds)"
            problems.append(f"ledger: the row at position {row.position} was changed{held}")
    return problems


def _records_of_another(rows: list[LedgerRow], rid: UUID) -> list[str]:
    """The resident's ledger rows whose processing records do not read or name another data
    subject: found even where every hash was recomputed to fit."""
    problems = []
    for row in rows:
        if row.records is not None:
            try:
                records_of_subject(row.records, str(rid))
            except ValueError as error:
                problems.append(f"ledger: at position {row.position}, {error}")
    return problems


def _checkpoint_problems(checkpoint: Checkpoint, at: tuple[int, bytes] | None) -> list[str]:
    """Whether the ledger the pass read holds, at the checkpoint's position, the running hash
    and the number of rows up to there that the checkpoint signed (``at``: what it held)."""
    signed = f"the checkpoint of {checkpoint.taken_at.isoformat()} (position {checkpoint.position})"
    if at is None:
        if not checkpoint.position:
            return (
                []
                if checkpoint.events == 0
                else [f"{signed}: it signed {checkpoint.events} events"]
            )
        return [f"{signed}: the ledger has no row at that position any more"]
    count, running_hash = at
    if running_hash != checkpoint.running_hash:
        changed = (
            "an event at or before it was changed, removed or inserted, and the hashes recomputed"
        )
        return [f"{signed}: the log up to that position is not the one it signed ({changed})"]
    if count != checkpoint.events:
        return [f"{signed}: it signed {checkpoint.events} events there, the store has {count}"]
    return []


def take_checkpoint(core: Core, key: Ed25519PrivateKey) -> Checkpoint:
    """A checkpoint of the ledger's current end, signed with ``key``."""
    recorder = core.store.participation_recorder
    position, running_hash, events = 0, GENESIS, 0
    while rows := recorder.ledger_select(position, 10_000):
        events += len(rows)
        position, running_hash = rows[-1].position, rows[-1].running_hash
    return sign_checkpoint(
        key,
        position=position,
        running_hash=running_hash,
        events=events,
        taken_at=core.clock(),
        store=core.store_url,
    )
