"""Running an import: each resident's records together, whole or not at all, residents saved in
batches of one transaction each, with the source ids that make importing again add only what is
new (:func:`import_records`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError

from participatie.errors import InvalidInput, ParticipatieError
from participatie.importing.commands import HANDLERS, Resident
from participatie.importing.records import ImportRecord
from participatie.importing.report import BadRecord, ImportReport
from participatie.service import core_of

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = ["import_records"]


class _Imports(Protocol):
    def imported_sources(self, source_ids: list[str]) -> dict[str, tuple[UUID, UUID]]: ...

    def imported_resident(self, resident_key: str) -> UUID | None: ...

    def imported_residents(self, resident_keys: list[str]) -> dict[str, UUID]: ...


def _residents(records: Iterable[ImportRecord | BadRecord]) -> list[Resident]:
    """All records of each resident, in the order of the resident's first record in the file
    (each resident's in file order); a bad record that names no resident stands alone."""
    residents: list[Resident] = []
    by_key: dict[str, Resident] = {}
    for record in records:
        key = record.resident
        if not key:
            residents.append(Resident(key="", records=[record]))
        elif (resident := by_key.get(key)) is not None:
            resident.records.append(record)
        else:
            by_key[key] = resident = Resident(key=key, records=[record])
            residents.append(resident)
    return residents


def _first_lines(residents: list[Resident]) -> dict[str, int]:
    """The first line of each source id in the file: a later line with it is refused."""
    first: dict[str, int] = {}
    for resident in residents:
        for record in resident.records:
            if isinstance(record, ImportRecord) and record.line < first.get(
                record.source_id, 1 << 62
            ):
                first[record.source_id] = record.line
    return first


def _batches(residents: Iterable[Resident], size: int) -> Iterator[list[Resident]]:
    """The residents ``size`` at a time (the last batch may be smaller)."""
    batch: list[Resident] = []
    for resident in residents:
        batch.append(resident)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@attrs.frozen
class _Known:
    """What the store says of a batch's residents before it is staged, in two queries instead
    of two for each resident: the residents their keys were imported into, then the source ids
    imported already (in this order, as for one resident: another importer commits whole
    residents, so a resident it imports in between shows as all records known)."""

    residents: dict[str, UUID]
    sources: dict[str, tuple[UUID, UUID]]

    @classmethod
    def of(cls, imports: _Imports, runs: list[Resident]) -> _Known:
        residents = imports.imported_residents([run.key for run in runs])
        sources = imports.imported_sources(
            [r.source_id for run in runs for r in run.records if isinstance(r, ImportRecord)]
        )
        return cls(residents, sources)


class _Refused(Exception):
    def __init__(self, bad: BadRecord) -> None:
        super().__init__(str(bad))
        self.bad = bad


@attrs.define
class _Importer:
    app: Participation
    imports: _Imports
    bad: list[BadRecord] = attrs.Factory(list)
    residents: int = 0
    records: int = 0
    skipped: int = 0
    lines_of_sources: dict[str, int] = attrs.Factory(dict)
    refused_residents: dict[str, int] = attrs.Factory(dict)
    #: Residents staged in the current batch: key -> (resident id, latest coaching id).
    staged: dict[str, tuple[UUID, UUID | None]] = attrs.Factory(dict)
    #: Streams of the records staged in the current batch, by source id.
    staged_streams: dict[str, UUID] = attrs.Factory(dict)
    #: What the store said, before the batch, of its residents' keys and source ids (None:
    #: not asked; each resident is then looked up on its own).
    known: _Known | None = None

    def flush(self, runs: list[Resident]) -> None:
        """Stage each resident's records and save the batch in one transaction."""
        sources: list[tuple[str, str, UUID, UUID]] = []
        accepted: list[tuple[Resident, int]] = []
        skipped = 0
        core = core_of(self.app)
        with core.keyring.read_once(), core.batch() as batch:
            self.known = _Known.of(self.imports, runs)
            for run in runs:
                made, known = self.stage(run)
                sources += made
                if made:
                    accepted.append((run, known))
                else:
                    skipped += known
            try:
                core_of(self.app).save_batch(batch, import_sources=sources)
            except IntegrityError:
                # Another writer came first: redo one resident at a time, from what is stored.
                batch.aggregates.clear()
            else:
                self.counted(sources, skipped + sum(known for _, known in accepted))
                return
            finally:
                self.forget_batch()
        self.skipped += skipped
        for run, _ in accepted:
            with core_of(self.app).batch() as alone:
                made, known = self.stage(run)
                try:
                    core_of(self.app).save_batch(alone, import_sources=made)
                except IntegrityError:
                    self.refuse(run, run.records[0], "changed by another process meanwhile")
                else:
                    self.counted(made, known)
                finally:
                    self.forget_batch()

    def forget_batch(self) -> None:
        """Drop what was staged for a batch (saved or not)."""
        self.staged.clear()
        self.staged_streams.clear()
        self.known = None

    def counted(self, sources: list[tuple[str, str, UUID, UUID]], skipped: int) -> None:
        self.residents += len({key for _, key, _, _ in sources})
        self.records += len(sources)
        self.skipped += skipped

    def refuse(self, run: Resident, record: ImportRecord | BadRecord, problem: str) -> None:
        self.keep_out(run, [BadRecord(record.line, record.source_id, problem, resident=run.key)])

    def keep_out(self, run: Resident, bad: list[BadRecord]) -> None:
        """Report the bad records, and keep the resident out from the first one on."""
        self.bad += bad
        if run.key:
            self.refused_residents.setdefault(run.key, bad[0].line)

    def stage(self, run: Resident) -> tuple[list[tuple[str, str, UUID, UUID]], int]:
        """Stage one resident's new records; return their sources ([] when refused or none are
        new) and how many of its records were imported before."""
        bad = [r for r in run.records if isinstance(r, BadRecord)]
        if bad:
            self.keep_out(run, bad)
            return [], 0
        records = [r for r in run.records if isinstance(r, ImportRecord)]
        if run.key in self.refused_residents:
            line = self.refused_residents[run.key]
            self.refuse(run, records[0], f"resident {run.key} has a bad record on line {line}")
            return [], 0
        for record in records:
            first = self.lines_of_sources.setdefault(record.source_id, record.line)
            if first != record.line:
                self.refuse(run, record, f"source id {record.source_id} is on line {first} too")
                return [], 0
        # The resident first, then the records: another importer commits whole residents, so
        # in this order a resident it imports in between shows as all records known.
        if self.known is None:
            earlier = self.staged.get(run.key) or (self.imports.imported_resident(run.key), None)
            known = self.imports.imported_sources([r.source_id for r in records])
        else:
            earlier = self.staged.get(run.key) or (self.known.residents.get(run.key), None)
            known = {
                r.source_id: self.known.sources[r.source_id]
                for r in records
                if r.source_id in self.known.sources
            }
        new = [r for r in records if r.source_id not in known]
        if not new:
            return [], len(known)
        resident = Resident(key=run.key, records=list(new))
        resident.resident_id, resident.coaching_id = earlier

        def stream_of(source_id: str) -> UUID | None:
            found = resident.streams.get(source_id) or self.staged_streams.get(source_id)
            if found is None and self.known is not None and source_id in self.known.sources:
                found = self.known.sources[source_id][1]
            if found is None:
                found = self.imports.imported_sources([source_id]).get(source_id, (None, None))[1]
            return found

        try:
            with core_of(self.app).batch():
                for record in new:
                    try:
                        stream = HANDLERS[record.event](self.app, resident, record, stream_of)
                    except (ParticipatieError, ValueError, LookupError, PermissionError) as error:
                        # The earlier system's key means more to the reader than our id.
                        problem = str(error)
                        if resident.resident_id is not None:
                            problem = problem.replace(str(resident.resident_id), run.key)
                        raise _Refused(
                            BadRecord(record.line, record.source_id, problem, run.key)
                        ) from error
                    resident.streams[record.source_id] = stream
        except _Refused as refused:
            self.keep_out(run, [refused.bad])
            return [], 0
        assert resident.resident_id is not None  # noqa: S101 (every path above set it)
        self.staged[run.key] = (resident.resident_id, resident.coaching_id)
        self.staged_streams.update(resident.streams)
        made = [
            (r.source_id, run.key, resident.resident_id, resident.streams[r.source_id]) for r in new
        ]
        return made, len(known)


def import_records(
    app: Participation,
    records: Iterable[ImportRecord | BadRecord],
    *,
    batch_size: int = 100,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import records (see :func:`read_records`) into ``app``, ``batch_size`` residents per
    transaction; ``progress`` is called with the number of records handled after each batch."""
    if batch_size < 1:
        raise InvalidInput(f"batch_size must be at least 1, not {batch_size}")
    # The whole file is read first, so that each resident's records are applied together even
    # when they are spread over the file: whole or nothing. A record takes under a kilobyte.
    residents = _residents(records)
    importer = _Importer(
        app=app,
        imports=core_of(app).store.participation_recorder,
        lines_of_sources=_first_lines(residents),
    )
    for batch in _batches(residents, batch_size):
        importer.flush(batch)
        if progress is not None:
            progress(sum(len(run.records) for run in batch))
    return ImportReport(
        residents=importer.residents,
        records=importer.records,
        skipped=importer.skipped,
        bad=tuple(importer.bad),
        kept_out=len(importer.refused_residents),
    )
