"""Tampering with the processing log (Logboek dataverwerkingen), whose records are rows of their
own table bound to the ledger: each edit is made with SQL, as an attacker who can write every
table would (docs/audit.md, "Threat model"), and verify() must name it, on SQLite and
PostgreSQL; the whole store's check and the resident's own.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from participatie import Participation
from participatie.audit.chain import GENESIS
from participatie.audit.checkpoints import Checkpoint, generate_signing_key
from participatie.audit.ledger import ledger_hash
from participatie.audit.processing import records_hash
from tests.actors import AUDITOR
from tests.integration.database import Database
from tests.integration.test_tamper_evidence import recorded

__all__ = ["recorded"]  # the fixture, shared with the other edits of the store

Recorded = tuple[Participation, Database, dict[str, UUID]]


def _records_of(db: Database, rid: UUID) -> list[tuple[object, ...]]:
    return db.run(
        "SELECT * FROM {participatie_processing_records} WHERE data_subject_id = %s "
        "ORDER BY position, place",
        (str(rid),),
    )


def _problems(app: Participation, rid: UUID) -> tuple[list[str], list[str]]:
    """The problems of the whole store's check and of the resident's own; both must find one."""
    whole, own = app.verify(), app.verify(rid)
    assert not whole.ok
    assert not own.ok
    return whole.problems, own.problems


def test_a_changed_record_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    position, place = _records_of(db, rid)[0][:2]
    db.run(
        "UPDATE {participatie_processing_records} SET processing_activity_id = %s "
        "WHERE position = %s AND place = %s",
        ("https://example.org/verwerkingen/other", position, place),
    )
    whole, own = _problems(app, rid)
    assert any(f"position {position}" in p and "changed" in p for p in whole), whole
    assert any(f"position {position}" in p for p in own), own


def test_a_deleted_record_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["first"]
    records = _records_of(db, rid)
    position = records[-1][0]
    db.run("DELETE FROM {participatie_processing_records} WHERE position = %s", (position,))
    whole, own = _problems(app, rid)
    assert any(f"position {position}" in p and "deleted" in p for p in whole), whole
    assert any(f"position {position}" in p and "deleted" in p for p in own), own
    assert len(app.processing_log(rid, by=AUDITOR)) == len(records) - 1


def test_a_record_moved_to_another_resident_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid, other = ids["second"], ids["fourth"]
    position, place = _records_of(db, rid)[0][:2]
    db.run(
        "UPDATE {participatie_processing_records} SET data_subject_id = %s "
        "WHERE position = %s AND place = %s",
        (str(other), position, place),
    )
    whole, _ = _problems(app, rid)
    assert any(f"position {position}" in p for p in whole), whole
    assert not app.verify(other).ok  # the forged record is the other resident's now


def test_a_record_added_beside_an_event_that_has_none_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["fourth"]
    ((position,),) = db.run(
        "SELECT min(position) FROM {participatie_ledger} WHERE records_hash IS NULL"
    )
    forged = (position, 0, *_records_of(db, rid)[0][2:])
    db.run(
        "INSERT INTO {participatie_processing_records} VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        forged,
    )
    whole, own = _problems(app, rid)
    assert any(f"position {position}" in p and "added" in p for p in whole), whole
    assert any(f"position {position}" in p and "added" in p for p in own), own


def test_a_record_bound_to_no_event_is_detected(recorded: Recorded) -> None:
    app, db, ids = recorded
    rid = ids["fourth"]
    ((last,),) = db.run("SELECT max(position) FROM {participatie_ledger}")
    forged = (last + 10, 0, *_records_of(db, rid)[0][2:])
    db.run(
        "INSERT INTO {participatie_processing_records} VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        forged,
    )
    whole, own = _problems(app, rid)
    assert any(f"position {last + 10}" in p and "no ledger row" in p for p in whole), whole
    assert any(f"position {last + 10}" in p for p in own), own


def test_records_deleted_with_the_hash_their_ledger_row_held_are_detected(
    recorded: Recorded,
) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    position = _records_of(db, rid)[0][0]
    db.run("DELETE FROM {participatie_processing_records} WHERE position = %s", (position,))
    db.run("UPDATE {participatie_ledger} SET records_hash = NULL WHERE position = %s", (position,))
    problems = app.verify().problems
    assert any(f"row at position {position} was changed" in p for p in problems), problems


def test_a_checkpoint_finds_a_record_changed_with_every_hash_recomputed(
    recorded: Recorded, tmp_path: Path
) -> None:
    app, db, ids = recorded
    key_file = tmp_path / "signing.key"
    public_key = generate_signing_key(key_file)
    checkpoint = Checkpoint.from_json(
        app.checkpoint(signing_key=key_file).to_json(), public_key=public_key
    )
    rid = ids["second"]
    position, place = _records_of(db, rid)[0][:2]
    db.run(
        "UPDATE {participatie_processing_records} SET name = %s WHERE position = %s AND place = %s",
        ("read_history", position, place),
    )
    _recompute_ledger(db)
    assert app.verify().ok  # every hash fits: without a checkpoint nothing shows
    problems = app.verify(checkpoint=checkpoint).problems
    assert any("not the one it signed" in p for p in problems), problems


def _recompute_ledger(db: Database) -> None:
    """Every row's records hash from the records as they now are, and every running hash."""
    records: dict[int, list[tuple[object, ...]]] = {}
    for row in db.run("SELECT * FROM {participatie_processing_records} ORDER BY position, place"):
        records.setdefault(int(str(row[0])), []).append(tuple(row[2:]))
    running = GENESIS
    for position, originator, version, event_hash in db.run(
        "SELECT position, originator_id, version, event_hash FROM {participatie_ledger} "
        "ORDER BY position"
    ):
        bound = records_hash(records[position]) if position in records else None
        running = ledger_hash(
            running,
            position,
            UUID(str(originator)),
            version,
            bytes(event_hash),
            records_hash=bound,
        )
        db.run(
            "UPDATE {participatie_ledger} SET records_hash = %s, running_hash = %s "
            "WHERE position = %s",
            (bound, running, position),
        )
