"""Tampering with the processing log (Logboek dataverwerkingen), whose records the ledger holds:
the row of the last event a processing stored keeps that processing's records, under its running
hash. Each edit is made with SQL, as an attacker who can write every table would (docs/audit.md,
"Threat model"), and verify() must name it, on SQLite and PostgreSQL: the whole store's check
and the resident's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest

from participatie import Participation, TamperDetected
from participatie.audit.chain import GENESIS
from participatie.audit.ledger import ledger_hash, records_digest
from tests.actors import AUDITOR
from tests.integration.database import Database
from tests.integration.test_tamper_evidence import kept_checkpoint, recorded

__all__ = ["recorded"]  # the fixture, shared with the other edits of the store

Recorded = tuple[Participation, Database, dict[str, UUID]]


def _held(db: Database, rid: UUID) -> list[tuple[int, bytes]]:
    """(position, records) of the resident's trajectory's ledger rows that hold records."""
    return [
        (position, bytes(records))
        for position, records in db.run(
            "SELECT position, records FROM {participatie_ledger} WHERE originator_id = %s "
            "AND records IS NOT NULL ORDER BY position",
            (db.key(rid),),
        )
    ]


def _set(db: Database, position: int, records: bytes | None) -> None:
    db.run("UPDATE {participatie_ledger} SET records = %s WHERE position = %s", (records, position))


def _problems(app: Participation, rid: UUID) -> tuple[list[str], list[str]]:
    """The problems of the whole store's check and of the resident's own; both must find one."""
    whole, own = app.verify(), app.verify(rid)
    assert not whole.ok
    assert not own.ok
    return whole.problems, own.problems


def _changed_at(position: int, problems: list[str]) -> bool:
    return any(f"row at position {position} was changed" in p for p in problems)


def test_a_changed_record_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    position, records = _held(db, rid)[0]
    version, record = json.loads(records)
    record[8] = "https://example.org/verwerkingen/other"  # its processing activity
    _set(db, position, json.dumps([version, record]).encode())
    whole, own = _problems(app, rid)
    assert _changed_at(position, whole), whole
    assert _changed_at(position, own), own


def test_a_deleted_record_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["first"]
    before = app.processing_log(rid, by=AUDITOR)
    position, _ = _held(db, rid)[-1]
    _set(db, position, None)
    whole, own = _problems(app, rid)
    assert _changed_at(position, whole), whole
    assert _changed_at(position, own), own
    assert len(app.processing_log(rid, by=AUDITOR)) == len(before) - 1


def test_a_record_moved_to_another_row_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    (first, records), (second, _) = _held(db, rid)[:2]
    _set(db, first, None)
    _set(db, second, records)
    whole, own = _problems(app, rid)
    assert _changed_at(first, whole), whole
    assert _changed_at(second, whole), whole
    assert _changed_at(second, own), own


def test_a_record_added_to_a_row_that_held_none_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["fourth"]
    ((position,),) = db.run("SELECT min(position) FROM {participatie_ledger} WHERE records IS NULL")
    _set(db, position, _held(db, rid)[0][1])
    problems = app.verify().problems
    assert _changed_at(position, problems), problems
    assert len(app.processing_log(by=AUDITOR)) > 0


def test_records_that_do_not_read_are_named(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    position, _ = _held(db, rid)[0]
    _set(db, position, b"\xff not the records")
    whole, own = _problems(app, rid)
    assert _changed_at(position, whole), whole
    assert _changed_at(position, own), own


def test_a_checkpoint_finds_a_record_changed_with_every_hash_recomputed(
    recorded: Recorded, tmp_path: Path
) -> None:
    app, db, ids = recorded
    checkpoint = kept_checkpoint(app, tmp_path)
    rid = ids["second"]
    position, records = _held(db, rid)[0]
    version, record = json.loads(records)
    record[4] = "read_history"  # its name
    _set(db, position, json.dumps([version, record]).encode())
    _recompute_ledger(db)
    assert app.verify().ok  # every hash fits: without a checkpoint nothing shows
    assert app.verify(rid).ok
    problems = app.verify(checkpoint=checkpoint).problems
    assert any("not the one it signed" in p for p in problems), problems


def test_a_record_given_to_another_resident_is_refused_when_read_even_with_hashes_recomputed(
    recorded: Recorded,
) -> None:
    app, db, ids = recorded
    rid, other = ids["second"], ids["fourth"]
    position, records = _held(db, rid)[0]
    version, record = json.loads(records)
    record[0] = str(other)  # its data subject
    _set(db, position, json.dumps([version, record]).encode())
    _recompute_ledger(db)
    assert app.verify().ok  # every hash fits: the whole store's check needs a checkpoint
    problems = app.verify(rid).problems  # the resident's own check reads its records
    assert any(f"position {position}" in p and "another data subject" in p for p in problems)
    with pytest.raises(TamperDetected, match=f"position {position}.*another data subject"):
        app.processing_log(rid, by=AUDITOR)


def _recompute_ledger(db: Database) -> None:
    """Every running hash, over the rows as they now are."""
    running = GENESIS
    for position, originator, version, event_hash, records in db.run(
        "SELECT position, originator_id, version, event_hash, records FROM {participatie_ledger} "
        "ORDER BY position"
    ):
        running = ledger_hash(
            running,
            position,
            UUID(str(originator)),
            version,
            bytes(event_hash),
            records_digest=None if records is None else records_digest(bytes(records)),
        )
        db.run(
            "UPDATE {participatie_ledger} SET running_hash = %s WHERE position = %s",
            (running, position),
        )


def test_records_changed_into_text_are_named_not_a_crash(recorded: Recorded) -> None:
    app, db, ids = recorded
    if not db.is_sqlite:
        pytest.skip("PostgreSQL's bytea column holds bytes only")
    rid = ids["second"]
    position, _ = _held(db, rid)[0]
    db.run(
        "UPDATE {participatie_ledger} SET records = %s WHERE position = %s",
        ("[[]]", position),
    )
    whole, own = _problems(app, rid)
    assert _changed_at(position, whole), whole
    assert _changed_at(position, own), own
    with pytest.raises(TamperDetected, match=f"position {position}"):
        app.processing_log(rid, by=AUDITOR)
