"""Bulk import of case files from an earlier system: ``participatie import FILE``.

A file holds one record per line (JSON Lines, ``.jsonl``) or per row (CSV with a header, ``.csv``,
separated by commas or, as Dutch Excel writes it, by semicolons), in UTF-8 (a byte-order mark is
skipped) or in an encoding given to :func:`read_records` (such as ``cp1252``).
Every record is one thing that happened to a resident, named like the event it becomes:

=========================  =================================================================
``event``                  fields besides the common ones (optional ones in brackets)
=========================  =================================================================
Registered                 referral, benefit, municipality, [bsn], [name], [notes]
IntakeHeld                 goal, happiness
ConversationHeld           happiness
GoalChanged                goal
WorkplaceVisited           organisation, kind
ActivityStarted            activity
ActivityEnded              activity
JobBrokerRequested         (none)
JobBrokerRequestWithdrawn  (none)
Placed                     employer, kind, hours_per_week, [contract_months], [trial]
PlacementEnded             reason
WageValueAssessed          percent, needs_job_coaching
TrajectoryClosed           reason
TrajectoryReopened         (none)
JobCoachingStarted         provider, provider_recognised, job_coach_id, job_coach_hbo_degree
CoachingHoursLogged        hours, counterpart, [coaching]
EvaluationHeld             [coaching]
TrajectoryExtended         reason, [coaching]
JobCoachingCompleted       outcome, [coaching]
=========================  =================================================================

Common to every record: ``source_id`` (the earlier system's id of the record, unique in the
file), ``resident`` (the earlier system's key of the resident: a case number, never a BSN),
``event``, ``on`` (the business date, ``YYYY-MM-DD``), ``actor_id``, ``actor_role`` and, optionally,
``actor_municipality``. A job coaching record applies to the job coaching started by the
``JobCoachingStarted`` record whose source id is in its ``coaching`` field, or else to the
resident's latest job coaching.

Each record goes through the same rules and authorisation as the command it stands for. A resident's
records are imported all together or not at all: one bad record keeps the whole resident out, and
the report names its line and what is wrong. Residents are saved in batches, one transaction each.
The source ids are stored with the events in the same transaction, so importing the same file again
(or a longer version of it) adds only what is new. A resident's records are in the order they
happened, and may be spread over the file: the whole file is read first (held in memory, under a
kilobyte a record) and each resident's records are applied together, residents in the order of
their first record. A resident continued in a later file goes on where the earlier one stopped.
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError

from participatie.domain.bsn import is_valid_bsn
from participatie.domain.inputs import checked_text
from participatie.domain.values import Actor, JobCoach, Provider
from participatie.errors import InvalidInput, ParticipatieError
from participatie.service import core_of

if TYPE_CHECKING:
    from participatie.application import Participation

__all__ = [
    "BadRecord",
    "ImportRecord",
    "ImportReport",
    "import_records",
    "read_records",
]

_COMMON = frozenset(
    {"source_id", "resident", "event", "on", "actor_id", "actor_role", "actor_municipality"}
)

#: For each event: its required fields and its optional ones.
_EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Registered": (("referral", "benefit", "municipality"), ("bsn", "name", "notes")),
    "IntakeHeld": (("goal", "happiness"), ()),
    "ConversationHeld": (("happiness",), ()),
    "GoalChanged": (("goal",), ()),
    "WorkplaceVisited": (("organisation", "kind"), ()),
    "ActivityStarted": (("activity",), ()),
    "ActivityEnded": (("activity",), ()),
    "JobBrokerRequested": ((), ()),
    "JobBrokerRequestWithdrawn": ((), ()),
    "Placed": (("employer", "kind", "hours_per_week"), ("contract_months", "trial")),
    "PlacementEnded": (("reason",), ()),
    "WageValueAssessed": (("percent", "needs_job_coaching"), ()),
    "TrajectoryClosed": (("reason",), ()),
    "TrajectoryReopened": ((), ()),
    "JobCoachingStarted": (
        ("provider", "provider_recognised", "job_coach_id", "job_coach_hbo_degree"),
        (),
    ),
    "CoachingHoursLogged": (("hours", "counterpart"), ("coaching",)),
    "EvaluationHeld": ((), ("coaching",)),
    "TrajectoryExtended": (("reason",), ("coaching",)),
    "JobCoachingCompleted": (("outcome",), ("coaching",)),
}

_WHOLE_NUMBERS = frozenset({"happiness", "percent", "contract_months"})
_YES_NO = frozenset({"trial", "needs_job_coaching", "provider_recognised", "job_coach_hbo_degree"})
_SCALARS = (str, int, float, type(None))
_TRUE = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@attrs.frozen
class ImportRecord:
    """One record of an import file, checked for form (the rules come when it is imported)."""

    line: int
    source_id: str
    resident: str
    event: str
    on: date
    by: Actor
    fields: Mapping[str, Any]


@attrs.frozen
class BadRecord:
    """A record that was not imported, with its line in the file and what is wrong."""

    line: int
    source_id: str | None
    problem: str
    resident: str | None = None

    def __str__(self) -> str:
        source = f" ({self.source_id})" if self.source_id else ""
        return f"line {self.line}{source}: {self.problem}"


@attrs.frozen
class ImportReport:
    """What an import did: residents and records imported, records imported before, bad records,
    and how many residents were kept out (whole) because of a bad record. A report that is
    :attr:`empty` read no records at all."""

    residents: int
    records: int
    skipped: int
    bad: tuple[BadRecord, ...]
    kept_out: int = 0

    @property
    def empty(self) -> bool:
        """Whether there were no records at all (an empty file, or a CSV header only)."""
        return not (self.records or self.skipped or self.bad)


def _text(raw: Mapping[str, Any], name: str) -> str:
    return checked_text(raw.get(name), field=name)


def _field(name: str, value: Any) -> Any:
    """A field's value as the command takes it; CSV gives text for numbers and yes/no."""
    if name == "coaching":  # a source id, looked up as text
        return checked_text(value, field=name)
    if name in _WHOLE_NUMBERS and isinstance(value, str):
        if not value.strip().isdigit():
            raise InvalidInput(f"{name} must be a whole number, not {value!r}")
        return int(value)
    if name in _YES_NO:
        if isinstance(value, str) and value.strip().lower() in _TRUE:
            return _TRUE[value.strip().lower()]
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false, not {value!r}")
    return value


@functools.lru_cache(maxsize=4096)
def _actor(actor_id: str, role: str, municipality: object) -> Actor:
    # A file names the same few actors on every line: make each Actor once.
    return Actor(actor_id, role, municipality=municipality)  # type: ignore[arg-type]


def parse_record(line: int, raw: Mapping[str, Any]) -> ImportRecord:
    """Check one record's form; raise :class:`InvalidInput` naming what is wrong."""
    odd = sorted(name for name, value in raw.items() if not isinstance(value, _SCALARS))
    if odd:
        kind = type(raw[odd[0]]).__name__
        raise InvalidInput(f"{odd[0]} must be text, a number, true or false, not a {kind}")
    event = _text(raw, "event")
    if event not in _EVENTS:
        raise InvalidInput(f"unknown event {event!r}; known: {', '.join(_EVENTS)}")
    required, optional = _EVENTS[event]
    given = {k: v for k, v in raw.items() if k not in _COMMON and v not in (None, "")}
    missing = [name for name in required if name not in given]
    if missing:
        raise InvalidInput(f"{event} needs {', '.join(missing)}")
    unknown = sorted(set(given) - set(required) - set(optional))
    if unknown:
        raise InvalidInput(f"{event} has no field {', '.join(unknown)}")
    resident = _text(raw, "resident")
    if is_valid_bsn(resident):
        raise InvalidInput(
            "the resident key looks like a BSN; use the earlier system's case number (a BSN "
            "goes in the bsn field of Registered, into the personal-data vault)"
        )
    try:
        on = date.fromisoformat(_text(raw, "on"))
    except ValueError:
        raise InvalidInput(f"on must be a date as YYYY-MM-DD, not {raw.get('on')!r}") from None
    municipality = raw.get("actor_municipality") or None
    return ImportRecord(
        line=line,
        source_id=_text(raw, "source_id"),
        resident=resident,
        event=event,
        on=on,
        by=_actor(_text(raw, "actor_id"), _text(raw, "actor_role"), municipality),
        fields={name: _field(name, value) for name, value in given.items()},
    )


#: The columns a CSV header must name (``actor_municipality`` and the event's fields may be absent).
_HEADER = ("source_id", "resident", "event", "on", "actor_id", "actor_role")
_SUFFIXES = frozenset({".jsonl", ".ndjson", ".csv"})
#: Characters that must be single bytes of the same value for a file to be read line by line.
_ASCII = '\n\r\t ,;"{}[]:0123456789abcdefghijklmnopqrstuvwxyz_-'


def read_records(path: Path, *, encoding: str = "utf-8") -> Iterator[ImportRecord | BadRecord]:
    """The records of a ``.jsonl`` or ``.csv`` file, in file order, each checked for form.

    ``encoding`` is the file's text encoding: UTF-8 by default (a byte-order mark is allowed and
    skipped), or an encoding such as ``cp1252`` (Windows-1252) that keeps ASCII as it is. A CSV
    file is separated by semicolons when its header line holds more semicolons than commas, else
    by commas. Every line is decoded on its own: a line that cannot be, a CSV row of the wrong
    width and a line that is not a JSON object are :class:`BadRecord` values like any other bad
    record. The file's kind, its encoding and its being there are checked at once (raising
    :class:`InvalidInput`); an unusable CSV header raises it when reading starts.
    """
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InvalidInput(f"{path.name}: an import file is .jsonl (JSON Lines) or .csv")
    codec = _codec(encoding)
    if not path.is_file():
        raise InvalidInput(f"no file {path}: give the path of a .jsonl or .csv file")
    lines = _lines(path, codec)
    return _csv_records(lines, codec) if suffix == ".csv" else _json_records(lines, codec)


def _codec(encoding: str) -> str:
    """The name of ``encoding`` if a file in it can be read line by line, else InvalidInput."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(
            f"unknown encoding {encoding!r}; use utf-8 (the default) or, for example, cp1252"
        ) from None
    if name == "utf-8-sig":  # a byte-order mark is skipped in any case
        name = "utf-8"
    try:
        ascii_compatible = _ASCII.encode(name) == _ASCII.encode("ascii")
    except (LookupError, UnicodeError):  # not a text encoding (rot13, base64)
        ascii_compatible = False
    if not ascii_compatible:
        raise InvalidInput(
            f"encoding {encoding!r} cannot be read line by line; save the file as UTF-8 "
            "(or in an encoding that keeps ASCII as it is, such as cp1252)"
        )
    return name


def _lines(path: Path, encoding: str) -> Iterator[tuple[int, bytes]]:
    """The file's lines as bytes with their numbers, the first without a byte-order mark."""
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, _without_bom(path, line, encoding) if number == 1 else line
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None


def _without_bom(path: Path, line: bytes, encoding: str) -> bytes:
    if line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidInput(
            f"{path.name} is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' instead"
        )
    if not line.startswith(codecs.BOM_UTF8):
        return line
    if encoding != "utf-8":
        raise InvalidInput(
            f"{path.name} starts with a UTF-8 byte-order mark, so it is UTF-8, not {encoding}: "
            "leave the encoding out"
        )
    return line[len(codecs.BOM_UTF8) :]


def _undecodable(error: UnicodeDecodeError, encoding: str) -> str:
    byte = error.object[error.start]
    return (
        f"cannot be read as {encoding}: byte 0x{byte:02X} at position {error.start + 1}; save "
        "the file as UTF-8, or give its encoding (cp1252 for most Windows files)"
    )


def _bad(line: int, problem: str, raw: object = None) -> BadRecord:
    """A bad record, with its source id and resident when ``raw`` shows them."""
    return BadRecord(line, _maybe(raw, "source_id"), problem, resident=_maybe(raw, "resident"))


def _parsed(line: int, raw: dict[str, Any]) -> ImportRecord | BadRecord:
    try:
        return parse_record(line, raw)
    except ParticipatieError as error:
        return _bad(line, str(error), raw)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a record can hold")


def _json(line: str) -> object:
    """The JSON value of a line; ValueError (or RecursionError) when it is not JSON."""
    return json.loads(line, parse_constant=_no_constant)


def _json_records(
    lines: Iterable[tuple[int, bytes]], encoding: str
) -> Iterator[ImportRecord | BadRecord]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            decoded = line.decode(encoding)
        except UnicodeDecodeError as error:
            # Kept out with its resident, when the rest of the line still names it.
            yield _bad(number, _undecodable(error, encoding), _json_or_none(line, encoding))
            continue
        try:
            raw = _json(decoded)
        except RecursionError:
            yield _bad(number, "not JSON this import can read: nested too deeply")
            continue
        except ValueError as error:  # also numbers of thousands of digits, NaN, Infinity
            problem = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            yield _bad(number, f"not JSON: {problem}")
            continue
        if isinstance(raw, dict):
            yield _parsed(number, raw)
        else:
            yield _bad(number, f"a record is a JSON object ({{...}}), not {type(raw).__name__}")


def _json_or_none(line: bytes, encoding: str) -> object:
    try:
        return _readable(_json(line.decode(encoding, errors="replace")))
    except (ValueError, RecursionError):
        return None


def _readable(raw: object) -> object:
    """The values of ``raw`` that were decoded whole (without replacement characters)."""
    if not isinstance(raw, dict):
        return None
    return {k: v for k, v in raw.items() if not (isinstance(v, str) and "\ufffd" in v)}


@attrs.define
class _Decoded:
    """Decoded lines for the csv module, remembering which lines could not be decoded."""

    lines: Iterator[tuple[int, bytes]]
    encoding: str
    #: The number of the last line handed out.
    number: int = 0
    undecodable: dict[int, str] = attrs.Factory(dict)

    def __iter__(self) -> Iterator[str]:
        for number, line in self.lines:
            self.number = number
            try:
                yield line.decode(self.encoding)
            except UnicodeDecodeError as error:
                self.undecodable[self.number] = _undecodable(error, self.encoding)
                yield line.decode(self.encoding, errors="replace")


def _csv_records(
    lines: Iterator[tuple[int, bytes]], encoding: str
) -> Iterator[ImportRecord | BadRecord]:
    found = next(((n, line) for n, line in lines if line.strip()), None)
    if found is None:
        return  # an empty file
    number, first = found
    try:
        header_line = first.decode(encoding)
    except UnicodeDecodeError as error:
        raise InvalidInput(f"line {number} (the header) {_undecodable(error, encoding)}") from None
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    decoded = _Decoded(itertools.chain([(number, first)], lines), encoding)
    reader = iter(csv.reader(decoded, delimiter=delimiter))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as error:
        raise InvalidInput(f"line {number} (the header) is not CSV: {error}") from None
    _check_header(header, delimiter)
    while True:
        start = decoded.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield _bad(start, f"not CSV: {error}")
            continue
        if not row:
            continue  # a blank line
        raw = {name: value for name, value in zip(header, row, strict=False) if name}
        ran_over = range(start, decoded.number + 1)
        if undecodable := [
            decoded.undecodable.pop(n) for n in ran_over if n in decoded.undecodable
        ]:
            yield _bad(start, undecodable[0], _readable(raw))
        elif len(row) != len(header) or any(v for v, n in zip(row, header, strict=False) if not n):
            yield _bad(start, _width(row, header, delimiter, ran_over), raw)
        else:
            yield _parsed(start, raw)


def _check_header(header: list[str], delimiter: str) -> None:
    missing = [name for name in _HEADER if name not in header]
    if missing:
        raise InvalidInput(
            f"the CSV header names no {', '.join(missing)} column (read as separated by "
            f"{delimiter!r}: {', '.join(header)}); it names at least {', '.join(_HEADER)}"
        )
    named = [name for name in header if name]
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        raise InvalidInput(f"the CSV header names {', '.join(twice)} twice")


def _width(row: list[str], header: list[str], delimiter: str, lines: range) -> str:
    if len(row) == len(header):
        return "a value in a column the header does not name"
    problem = f"{len(row)} values, but the header names {len(header)} columns"
    if len(lines) > 1:
        return (
            f"{problem}; the row runs over lines {lines[0]} to {lines[-1]}: is a quote left open?"
        )
    if len(row) > len(header):
        return f"{problem}; put a value that holds {delimiter!r} between double quotes"
    return problem


def _maybe(raw: object, name: str) -> str | None:
    value = raw.get(name) if isinstance(raw, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


class _Imports(Protocol):
    def imported_sources(self, source_ids: list[str]) -> dict[str, tuple[UUID, UUID]]: ...

    def imported_resident(self, resident_key: str) -> UUID | None: ...


@attrs.define
class _Resident:
    """One resident's records in the file, and what importing them made."""

    key: str
    records: list[ImportRecord | BadRecord]
    resident_id: UUID | None = None
    coaching_id: UUID | None = None
    #: The stream each imported record went into, by source id.
    streams: dict[str, UUID] = attrs.Factory(dict)


#: A record's command: given the app, the resident, the record and a way to find the stream an
#: earlier record went into (by its source id); returns the stream the record went into.
Handler = Callable[["Participation", _Resident, ImportRecord, Callable[[str], UUID | None]], UUID]


def _resident_command(name: str) -> Handler:
    def handle(app: Participation, resident: _Resident, record: ImportRecord, _: object) -> UUID:
        if resident.resident_id is None:
            raise InvalidInput(f"resident {resident.key} has no Registered record before this")
        getattr(app, name)(resident.resident_id, on=record.on, by=record.by, **record.fields)
        return resident.resident_id

    return handle


def _coaching_command(name: str) -> Handler:
    def handle(
        app: Participation,
        resident: _Resident,
        record: ImportRecord,
        stream_of: Callable[[str], UUID | None],
    ) -> UUID:
        fields = dict(record.fields)
        started_by = fields.pop("coaching", None)
        if started_by is not None:
            coaching = stream_of(started_by)
            if coaching is None:
                raise InvalidInput(f"no JobCoachingStarted record with source id {started_by}")
        else:
            if resident.coaching_id is None and resident.resident_id is not None:
                resident.coaching_id = core_of(app).latest_coaching(resident.resident_id)
            coaching = resident.coaching_id
        if coaching is None:
            raise InvalidInput(f"resident {resident.key} has no job coaching for this record")
        getattr(app, name)(coaching, on=record.on, by=record.by, **fields)
        return coaching

    return handle


def _register(app: Participation, resident: _Resident, record: ImportRecord, _: object) -> UUID:
    if resident.resident_id is not None:
        raise InvalidInput(f"resident {resident.key} is registered already")
    resident.resident_id = app.register_resident(on=record.on, by=record.by, **record.fields)
    return resident.resident_id


def _start_coaching(
    app: Participation, resident: _Resident, record: ImportRecord, _: object
) -> UUID:
    if resident.resident_id is None:
        raise InvalidInput(f"resident {resident.key} has no Registered record before this")
    fields = record.fields
    resident.coaching_id = app.start_job_coaching(
        resident.resident_id,
        provider=Provider(fields["provider"], recognised=fields["provider_recognised"]),
        coach=JobCoach(fields["job_coach_id"], hbo_degree=fields["job_coach_hbo_degree"]),
        on=record.on,
        by=record.by,
    )
    return resident.coaching_id


_HANDLERS: dict[str, Handler] = {
    "Registered": _register,
    "IntakeHeld": _resident_command("hold_intake"),
    "ConversationHeld": _resident_command("record_conversation"),
    "GoalChanged": _resident_command("change_goal"),
    "WorkplaceVisited": _resident_command("visit_workplace"),
    "ActivityStarted": _resident_command("start_activity"),
    "ActivityEnded": _resident_command("end_activity"),
    "JobBrokerRequested": _resident_command("request_job_broker"),
    "JobBrokerRequestWithdrawn": _resident_command("withdraw_job_broker_request"),
    "Placed": _resident_command("place"),
    "PlacementEnded": _resident_command("end_placement"),
    "WageValueAssessed": _resident_command("assess_wage_value"),
    "TrajectoryClosed": _resident_command("close_trajectory"),
    "TrajectoryReopened": _resident_command("reopen_trajectory"),
    "JobCoachingStarted": _start_coaching,
    "CoachingHoursLogged": _coaching_command("log_coaching_hours"),
    "EvaluationHeld": _coaching_command("evaluate_job_coaching"),
    "TrajectoryExtended": _coaching_command("extend_job_coaching"),
    "JobCoachingCompleted": _coaching_command("complete_job_coaching"),
}


def _residents(records: Iterable[ImportRecord | BadRecord]) -> list[_Resident]:
    """All records of each resident, in the order of the resident's first record in the file
    (each resident's in file order); a bad record that names no resident stands alone."""
    residents: list[_Resident] = []
    by_key: dict[str, _Resident] = {}
    for record in records:
        key = record.resident
        if not key:
            residents.append(_Resident(key="", records=[record]))
        elif (resident := by_key.get(key)) is not None:
            resident.records.append(record)
        else:
            by_key[key] = resident = _Resident(key=key, records=[record])
            residents.append(resident)
    return residents


def _first_lines(residents: list[_Resident]) -> dict[str, int]:
    """The first line of each source id in the file: a later line with it is refused."""
    first: dict[str, int] = {}
    for resident in residents:
        for record in resident.records:
            if isinstance(record, ImportRecord) and record.line < first.get(
                record.source_id, 1 << 62
            ):
                first[record.source_id] = record.line
    return first


def _batches(residents: Iterable[_Resident], size: int) -> Iterator[list[_Resident]]:
    """The residents ``size`` at a time (the last batch may be smaller)."""
    batch: list[_Resident] = []
    for resident in residents:
        batch.append(resident)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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

    def flush(self, runs: list[_Resident]) -> None:
        """Stage each resident's records and save the batch in one transaction."""
        sources: list[tuple[str, str, UUID, UUID]] = []
        accepted: list[tuple[_Resident, int]] = []
        skipped = 0
        with core_of(self.app).batch() as batch:
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

    def counted(self, sources: list[tuple[str, str, UUID, UUID]], skipped: int) -> None:
        self.residents += len({key for _, key, _, _ in sources})
        self.records += len(sources)
        self.skipped += skipped

    def refuse(self, run: _Resident, record: ImportRecord | BadRecord, problem: str) -> None:
        self.bad.append(BadRecord(record.line, record.source_id, problem, resident=run.key))
        if run.key:
            self.refused_residents.setdefault(run.key, record.line)

    def stage(self, run: _Resident) -> tuple[list[tuple[str, str, UUID, UUID]], int]:
        """Stage one resident's new records; return their sources ([] when refused or none are
        new) and how many of its records were imported before."""
        bad = [r for r in run.records if isinstance(r, BadRecord)]
        if bad:
            self.bad += bad
            if run.key:
                self.refused_residents.setdefault(run.key, bad[0].line)
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
        earlier = self.staged.get(run.key) or (self.imports.imported_resident(run.key), None)
        known = self.imports.imported_sources([r.source_id for r in records])
        new = [r for r in records if r.source_id not in known]
        if not new:
            return [], len(known)
        resident = _Resident(key=run.key, records=list(new))
        resident.resident_id, resident.coaching_id = earlier

        def stream_of(source_id: str) -> UUID | None:
            found = resident.streams.get(source_id) or self.staged_streams.get(source_id)
            if found is None:
                found = self.imports.imported_sources([source_id]).get(source_id, (None, None))[1]
            return found

        try:
            with core_of(self.app).batch():
                for record in new:
                    try:
                        stream = _HANDLERS[record.event](self.app, resident, record, stream_of)
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
            self.bad.append(refused.bad)
            self.refused_residents.setdefault(run.key, refused.bad.line)
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
