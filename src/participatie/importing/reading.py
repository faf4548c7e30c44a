"""Reading an import file: JSON Lines or CSV, in UTF-8 or another ASCII-keeping encoding, line
by line, into checked records (:class:`ImportRecord`) and bad ones (:class:`BadRecord`)."""

from __future__ import annotations

import codecs
import csv
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from participatie.errors import InvalidInput, ParticipatieError
from participatie.importing.records import ImportRecord, parse_record
from participatie.importing.report import BadRecord

__all__ = ["read_records"]

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
