"""Bulk import on a SQLite file and on PostgreSQL: batches, idempotence, racing importers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from participatie import Participation
from participatie.importing import ImportReport, import_records, read_records
from tests.support import READER, TEST_SECRET, events_but_processing_records, race
from tests.unit.test_importing import jansen, record, write_jsonl


def residents(count: int) -> list[dict[str, Any]]:
    """``count`` residents of four records each, without BSNs."""
    records = []
    for n in range(count):
        key = f"case-{n}"
        records += [
            record(f"{key}-1", key, "Registered", "2019-01-08", referral="walk_in",
                   benefit="none", municipality="haaren", name=f"R{n}"),
            record(f"{key}-2", key, "IntakeHeld", "2019-01-09", goal="work", happiness=5),
            record(f"{key}-3", key, "ConversationHeld", "2019-01-20", happiness=6),
            record(f"{key}-4", key, "ConversationHeld", "2019-02-03", happiness=7),
        ]  # fmt: skip
    return records


def test_a_file_imported_twice_in_batches_is_there_once(store_url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", residents(25) + jansen("jansen"))
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        first = import_records(app, read_records(path), batch_size=10)
        assert first == ImportReport(residents=26, records=106, skipped=0, bad=())
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        events = app.event_count()
        again = import_records(app, read_records(path), batch_size=10)
        assert again == ImportReport(residents=0, records=0, skipped=106, bad=())
        assert app.event_count() == events
        assert len(app.resident_ids(by=READER)) == 26
        assert app.verify().ok


def test_importers_racing_on_one_file_import_it_once(store_url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "old.jsonl", residents(12))
    reports = race(store_url, 3, lambda app: import_records(app, read_records(path), batch_size=4))
    assert all(isinstance(report, ImportReport) and report.bad == () for report in reports)
    # Each record was imported by exactly one of them.
    assert sum(report.records for report in reports) == 48  # type: ignore[attr-defined]
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        assert len(app.resident_ids(by=READER)) == 12
        assert events_but_processing_records(app) == 48
        assert app.verify().ok


def test_a_resident_spread_over_the_file_is_stored_whole_or_not_at_all(
    store_url: str, tmp_path: Path
) -> None:
    # Jansen's records come in two runs, with ten residents in between (a batch of four each);
    # its later run has a bad record, which keeps its earlier run out too.
    first, rest = jansen("jansen")[:2], jansen("jansen")[2:]
    rest[-1]["reason"] = "volunteer_work"  # refused: the resident was placed in paid work
    path = write_jsonl(tmp_path / "old.jsonl", first + residents(10) + rest)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        report = import_records(app, read_records(path), batch_size=4)
        (bad,) = report.bad
        assert (bad.line, bad.source_id, bad.resident) == (46, "a6", "jansen")
        assert (report.residents, report.records, report.kept_out) == (10, 40, 1)
        assert events_but_processing_records(app) == 40
    # Fixed, the file brings the whole resident in, in the order of its records.
    rest[-1]["reason"] = "work"
    path = write_jsonl(tmp_path / "old.jsonl", first + residents(10) + rest)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        again = import_records(app, read_records(path), batch_size=4)
        assert again == ImportReport(residents=1, records=6, skipped=40, bad=())
        (closed,) = [r for r in app.resident_ids(by=READER) if app.resident(r, by=READER).closed_on]
        assert app.resident(closed, by=READER).version == 6
        assert app.verify().ok


def test_a_resident_continued_in_a_later_file_keeps_what_the_first_file_stored(
    store_url: str, tmp_path: Path
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        first = write_jsonl(tmp_path / "first.jsonl", jansen("jansen")[:2])
        assert import_records(app, read_records(first)).records == 2
    later = jansen("jansen")[2:4] + residents(3) + jansen("jansen")[4:]
    later[-1]["reason"] = "volunteer_work"
    path = write_jsonl(tmp_path / "later.jsonl", later)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        report = import_records(app, read_records(path), batch_size=2)
        assert (report.residents, report.records, report.kept_out) == (3, 12, 1)
        # The first file's records stay; none of the later file's for case-1 came in.
        assert events_but_processing_records(app) == 2 + 12
        later[-1]["reason"] = "work"
        write_jsonl(path, later)
        again = import_records(app, read_records(path), batch_size=2)
        assert again == ImportReport(residents=1, records=4, skipped=12, bad=())
        assert app.verify().ok
