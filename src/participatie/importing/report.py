"""What an import tells its caller: the bad records, and the report of the whole import."""

from __future__ import annotations

import attrs

__all__ = ["BadRecord", "ImportReport"]


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
