"""A resident's rights besides erasure: rectification (AVG art. 16), notes, and the subject
access file (AVG art. 15).

The texts (names, BSNs, notes) live in the vault only; the trajectory gets receipts without them
(``PersonalDataCorrected``, ``NoteAdded``), saved in the same transaction as the vault rows (see
:mod:`participatie.persistence.rights`). A note is sealed with the data key of the resident's
vault record, so erasing the record (crypto-shredding) makes the notes unreadable as well, and
the erasure deletes them with it; rotating the keys re-wraps that one data key, which covers the
notes too. A correction reseals the record under the same data key, for the same reason.

Adding a note records a ``NoteAdded`` receipt (its note id, the event it is about, business date
and author) on purpose: the note then has its place in the tamper-evident chain and in the
resident's history ("a note was added on ..."), its author and date cannot be changed without
verification noticing, and :meth:`RightsOperations.notes` reads them from the receipt rather
than from the vault.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import attrs

from participatie.audit.access import AccessKind, AccessLog, access_log_id
from participatie.audit.history import HistoryEntry
from participatie.audit.subject_access import subject_access_document
from participatie.domain.bsn import validate_bsn
from participatie.domain.inputs import business_date
from participatie.domain.municipalities import canonical_form
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.retention import FileResult
from participatie.domain.values import Actor, CorrectionReason, TrajectoryStatus, parse_enum
from participatie.errors import ConcurrentUpdate, InvalidInput, PersonalDataAlreadyErased
from participatie.privacy.authorisation import Action
from participatie.privacy.records import Note, PersonalData, SealedNote, SealedRecord
from participatie.service.core import NOT_STATED, Room, as_uuid
from participatie.service.idempotency import idempotent, promise_result
from participatie.service.retention import file_retention_of

__all__ = ["MAX_NOTE_LENGTH", "RightsOperations"]

#: The longest note, as the notes given at registration.
MAX_NOTE_LENGTH = 10_000


class RightsOperations(Room):
    """Rectification, notes and the subject access file."""

    @idempotent
    def correct_personal_data(
        self,
        resident_id: UUID,
        *,
        reason: CorrectionReason | str,
        by: Actor,
        name: str | None = None,
        bsn: str | None = None,
        on: date | None = None,
        purpose: str = NOT_STATED,
        command_id: UUID | None = None,
    ) -> None:
        """Correct a resident's name and/or BSN in the vault (AVG art. 16).

        The vault record is replaced; a corrected BSN is looked up under its new hash from now
        on, and is refused with :class:`BsnAlreadyRegistered` when another trajectory of the
        resident's municipality has it. A ``PersonalDataCorrected`` receipt (which fields, the
        ``reason``, no values) goes into the trajectory in the same transaction, and the
        correction is recorded in the access log. Refused on an erased resident, for an unknown
        reason, a BSN failing the eleven-test, or when nothing would change.
        """
        del command_id  # taken by @idempotent
        self._core.authorise(by, Action.CORRECT_PERSONAL_DATA)
        rid = as_uuid(resident_id)
        reason = parse_enum(CorrectionReason, reason, field="reason")
        day = self._core.today() if on is None else business_date(on)
        self._core.check_not_future(day)
        if name is None and bsn is None:
            raise InvalidInput("give the corrected name, BSN or both")
        checked_bsn = None if bsn is None else validate_bsn(bsn)
        resident = self._writable(rid, by, Action.CORRECT_PERSONAL_DATA)
        municipality = canonical_form(resident.municipality)
        old = self._core.vault.vault_get(rid)
        current = PersonalData() if old is None else self._core.keyring.open(old)
        corrected = attrs.evolve(
            current,
            name=current.name if name is None else name,
            bsn=current.bsn if checked_bsn is None else checked_bsn,
        )
        fields = [f for f in ("name", "bsn") if getattr(corrected, f) != getattr(current, f)]
        if not fields:
            raise InvalidInput("the personal data are so already: there is nothing to correct")
        if "bsn" in fields and corrected.bsn is not None:
            self._core.refuse_known_bsn(corrected.bsn, municipality)
        keyring = self._core.keyring
        save_with: dict[str, Any]
        if old is None:
            save_with = {"vault_records": [keyring.seal(rid, corrected, municipality=municipality)]}
        else:
            new = keyring.reseal(old, corrected, municipality=municipality)
            save_with = {"vault_corrections": [(old, new)]}

        def correct(trajectory: ResidentTrajectory) -> None:
            self._core.authorise(
                by, Action.CORRECT_PERSONAL_DATA, municipality=trajectory.municipality
            )
            trajectory.record_correction(
                corrected=fields, reason=reason, on=day, by=by, policy=self._core.policy
            )

        try:
            self._core.change(ResidentTrajectory, rid, correct, on=day, **save_with)
        except ConcurrentUpdate:
            if corrected.bsn is not None and "bsn" in fields:
                self._core.refuse_known_bsn(corrected.bsn, municipality)  # registered meanwhile
            raise
        self._core.log_access(rid, by, AccessKind.CORRECTION, purpose)

    @idempotent
    def add_note(
        self,
        resident_id: UUID,
        *,
        text: str,
        by: Actor,
        about: int | HistoryEntry | None = None,
        on: date | None = None,
        command_id: UUID | None = None,
    ) -> UUID:
        """Add a note about the resident (free text, into the vault only) and return its id.

        ``about`` names the event of the resident's trajectory the note is about, by its
        version (a :class:`HistoryEntry`'s ``version``); it must exist. The trajectory gets a
        ``NoteAdded`` receipt with the note's id, never its text, in the same transaction.
        """
        del command_id  # taken by @idempotent
        self._core.authorise(by, Action.ADD_NOTE)
        rid = as_uuid(resident_id)
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("a note is text that is not empty")
        if len(text) > MAX_NOTE_LENGTH:
            raise InvalidInput(f"a note may be at most {MAX_NOTE_LENGTH} characters long")
        if isinstance(about, HistoryEntry):
            if about.aggregate_id != rid:
                raise InvalidInput("about must be an event of the resident's own trajectory")
            about = about.version
        day = self._core.today() if on is None else business_date(on)
        self._core.check_not_future(day)
        resident = self._writable(rid, by, Action.ADD_NOTE)
        keyring = self._core.keyring
        record = self._core.vault.vault_get(rid)
        new_records: list[SealedRecord] = []
        if record is None:  # registered without personal data: the notes need a data key
            record = keyring.seal(
                rid, PersonalData(), municipality=canonical_form(resident.municipality)
            )
            new_records.append(record)
        note_id = uuid4()
        promise_result(note_id)
        sealed = keyring.seal_note(record, note_id, {"text": text})

        def note(trajectory: ResidentTrajectory) -> None:
            self._core.authorise(by, Action.ADD_NOTE, municipality=trajectory.municipality)
            trajectory.record_note(
                note_id=note_id, about=about, on=day, by=by, policy=self._core.policy
            )

        self._core.change(
            ResidentTrajectory,
            rid,
            note,
            on=day,
            vault_records=new_records,
            vault_notes=[sealed],
        )
        return note_id

    def notes(self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED) -> list[Note]:
        """The notes about a resident, oldest first: those given at registration, then each
        added with :meth:`add_note`. None once the personal data were erased. The read is
        recorded in the resident's access log."""
        self._core.authorise(by, Action.READ_NOTES)
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(by, Action.READ_NOTES, municipality=resident.municipality)
        self._core.log_access(rid, by, AccessKind.NOTES, purpose)
        return self._notes(rid, resident)

    def subject_access(
        self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED
    ) -> dict[str, Any]:
        """The resident's own file (AVG art. 15), as JSON-safe data: the personal data, every
        event of the trajectory and of each job coaching in plain words, the notes, every
        read of the access log (who, role, when, purpose), and the retention that applies with
        the date from which the file may be erased. :func:`participatie.subject_access_html`
        renders it as a page for the resident. Recorded in the access log as such.
        """
        self._core.authorise(by, Action.SUBJECT_ACCESS)
        rid = as_uuid(resident_id)
        resident = self._core.load_resident(rid)
        self._core.authorise(by, Action.SUBJECT_ACCESS, municipality=resident.municipality)
        record = None if resident.personal_data_erased else self._core.vault.vault_get(rid)
        data = (
            PersonalData(erased=True)
            if resident.personal_data_erased
            else PersonalData()
            if record is None
            else self._core.keyring.open(record)
        )
        entries = [
            HistoryEntry.of(event, aggregate)
            for aggregate, events in self._core.streams_of(rid)
            for event in events
        ]
        entries.sort(key=lambda e: (e.recorded_at, e.aggregate_id != rid, e.version))
        self._core.log_access(rid, by, AccessKind.SUBJECT_ACCESS, purpose)
        log: object = self._core.store.repository.get(access_log_id(rid))
        accesses = log.entries if isinstance(log, AccessLog) else ()
        return subject_access_document(
            resident_id=rid,
            municipality=resident.municipality,
            data=data,
            entries=entries,
            notes=self._notes(rid, resident),
            accesses=accesses,
            retention=self._retention(resident),
            by=by,
            generated_at=self._core.clock(),
        )

    def _writable(self, rid: UUID, by: Actor, action: Action) -> ResidentTrajectory:
        """The resident, authorised for ``by``, whose personal data were not erased."""
        resident = self._core.load_resident(rid)
        self._core.authorise(by, action, municipality=resident.municipality)
        if resident.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"resident {rid}'s personal data were erased: there is nothing to correct or "
                "annotate"
            )
        return resident

    def _notes(self, rid: UUID, resident: ResidentTrajectory) -> list[Note]:
        if resident.personal_data_erased:
            return []
        record = self._core.vault.vault_get(rid)
        if record is None:
            return []
        keyring = self._core.keyring
        sealed: dict[UUID, SealedNote] = {
            n.note_id: n for n in self._core.store.participation_recorder.vault_notes(rid)
        }
        found = []
        for event in self._core.store.events.get(rid):
            if isinstance(event, ResidentTrajectory.Registered):
                text = keyring.open(record).notes
                if text is not None:
                    found.append(_note(None, text, None, event))
            elif isinstance(event, ResidentTrajectory.NoteAdded) and event.note_id in sealed:
                fields = keyring.open_note(record, sealed[event.note_id])
                found.append(_note(event.note_id, str(fields["text"]), event.about, event))
        return found

    def _retention(self, resident: ResidentTrajectory) -> dict[str, Any]:
        """The retention that applies to the file (the policy's retention table), and from
        when it may be erased."""
        retention = file_retention_of(self._core, resident)
        row = self._core.policy.retention_table.class_of(retention.result)
        closed = resident.status is TrajectoryStatus.CLOSED and resident.closed_on is not None
        action = retention.archive_action_date
        if retention.kept_against_erasure:
            erasable_from = action
        else:
            erasable_from = resident.closed_on if closed else None
        return {
            "statutory_decision": retention.result is FileResult.PROVISION_GRANTED,
            "selectielijst_class": retention.selectielijst_class,
            "archive_nomination": retention.archive_nomination.value,
            "archive_action_date": None if action is None else action.isoformat(),
            "retention_years": row.years,
            "reason": retention.reason,
            "policy_version": self._core.policy.version,
            "status": resident.status.value,
            "closed_on": None if resident.closed_on is None else resident.closed_on.isoformat(),
            "erasable_from": None if erasable_from is None else erasable_from.isoformat(),
            "erasable_on_request": not retention.kept_against_erasure,
            "erased": resident.personal_data_erased,
        }


def _note(note_id: UUID | None, text: str, about: int | None, event: Any) -> Note:
    return Note(
        note_id=note_id,
        text=text,
        about=about,
        on=event.occurred_on,
        by=Actor(event.actor_id, event.actor_role),
        recorded_at=event.timestamp,
    )
