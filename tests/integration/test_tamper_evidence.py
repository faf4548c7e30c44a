"""Tamper evidence against an attacker who can read and write every table of the store, but holds
neither the signing key nor the checkpoints kept elsewhere (docs/audit.md, "Threat model").

Each edit is made directly in the database, with SQL, as such an attacker would; verify() must
name it. The same edits against an erased resident are found too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participatie import (
    ErasureGround,
    Goal,
    OutflowReason,
    Participation,
    TamperDetected,
)
from participatie.audit.chain import GENESIS, chain_hash
from participatie.audit.checkpoints import Checkpoint, generate_signing_key
from participatie.audit.ledger import ledger_hash, records_digest
from participatie.testing import commands as c
from participatie.testing import strategies as pst
from tests.actors import ADMIN, AUDITOR, JOB_COACH_ACTOR
from tests.integration.database import Database
from tests.support import COACH, TEST_SECRET, register
from tests.unit.test_job_coaching_rules import placed_and_assessed, start


@pytest.fixture
def recorded(store_url: str) -> Iterator[tuple[Participation, Database, dict[str, UUID]]]:
    """A resident with job coaching and an access log, two with BSNs, and one erased."""
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        first = placed_and_assessed(app)
        coaching = start(app, first)
        app.log_coaching_hours(
            coaching, hours=1, counterpart="employee", on=date(2020, 3, 23), by=JOB_COACH_ACTOR
        )
        second = register(app, bsn="123456782")
        app.hold_intake(second, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
        app.close_trajectory(second, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
        third = register(app, bsn="111111110", name="T. Erased")
        fourth = register(app, bsn="999999990", name="V. Vierde")
        app.personal_data(first, by=COACH, purpose="letter")
        app.erase_personal_data(third, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        app.personal_data(second, by=COACH, purpose="letter")
        assert app.outcomes(municipality="haaren").to_dict()  # the view is current
        verification = app.verify()
        assert verification.ok, verification.problems
        ids = {
            "first": first,
            "coaching": coaching,
            "second": second,
            "third": third,
            "fourth": fourth,
        }
        yield app, Database(store_url), ids


def kept_checkpoint(app: Participation, folder: Path) -> Checkpoint:
    """A checkpoint of the store as it is, signed with a new key in ``folder``, as read back
    from where it was kept with only the public key."""
    key_file = folder / "signing.key"
    public_key = generate_signing_key(key_file)
    return Checkpoint.from_json(
        app.checkpoint(signing_key=key_file).to_json(), public_key=public_key
    )


def _problems(app: Participation, resident: UUID | None = None) -> list[str]:
    verification = app.verify(resident)
    assert not verification.ok
    return verification.problems


def test_deleting_a_whole_stream_with_its_chain_head_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    db.run("DELETE FROM {events} WHERE originator_id = %s", (db.key(rid),))
    db.run("DELETE FROM {participatie_chain_heads} WHERE originator_id = %s", (db.key(rid),))
    problems = _problems(app)
    assert any(str(rid) in p and "deleted" in p for p in problems), problems
    assert not app.verify(rid).ok


def test_deleting_the_newest_event_and_setting_the_head_back_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    key = db.key(rid)
    ((newest,),) = db.run(
        "SELECT max(originator_version) FROM {events} WHERE originator_id = %s", (key,)
    )
    ((state,),) = db.run(
        "SELECT state FROM {events} WHERE originator_id = %s AND originator_version = %s",
        (key, newest - 1),
    )
    db.run(
        "DELETE FROM {events} WHERE originator_id = %s AND originator_version = %s",
        (key, newest),
    )
    db.run(
        "UPDATE {participatie_chain_heads} SET version = %s, head = %s WHERE originator_id = %s",
        (newest - 1, bytes(state)[:32], key),
    )
    problems = _problems(app)
    assert any(str(rid) in p and f"version {newest}" in p for p in problems), problems
    assert not app.verify(rid).ok


def test_deleting_a_residents_access_log_with_its_head_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    from participatie.audit.access import access_log_id  # noqa: PLC0415

    app, db, ids = recorded
    log = access_log_id(ids["first"])
    db.run("DELETE FROM {events} WHERE originator_id = %s", (db.key(log),))
    db.run("DELETE FROM {participatie_chain_heads} WHERE originator_id = %s", (db.key(log),))
    assert any(str(log) in p for p in _problems(app))
    assert any(str(log) in p for p in _problems(app, ids["first"]))


def test_a_changed_coaching_event_without_its_head_is_found_by_the_residents_verify(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    cid = ids["coaching"]
    db.run("DELETE FROM {participatie_chain_heads} WHERE originator_id = %s", (db.key(cid),))
    ((state,),) = db.run(
        "SELECT state FROM {events} WHERE originator_id = %s AND originator_version = 2",
        (db.key(cid),),
    )
    changed = bytes(state).replace(b'"1"', b'"9"', 1)
    assert changed != bytes(state)
    db.run(
        "UPDATE {events} SET state = %s WHERE originator_id = %s AND originator_version = 2",
        (changed, db.key(cid)),
    )
    problems = _problems(app, ids["first"])
    assert any(str(cid) in p and "version 2" in p for p in problems), problems
    assert any(str(cid) in p for p in _problems(app))


def test_a_changed_outcome_fact_is_detected_and_named(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    before = app.outcomes(municipality="haaren", period=(date(2019, 1, 1), date(2019, 12, 31)))
    db.run("UPDATE {participatie_outcome_facts_v6} SET value = 'work' WHERE value = 'withdrew'")
    after = app.outcomes(municipality="haaren", period=(date(2019, 1, 1), date(2019, 12, 31)))
    assert after.outflow != before.outflow  # the attack works on the figures ...
    problems = _problems(app)  # ... and verify names it
    assert any("outcome facts" in p and ids["second"].hex in p for p in problems), problems
    assert any("'work' instead of 'withdrew'" in p for p in problems), problems


def test_an_outcome_fact_that_no_longer_reads_is_named_and_the_rest_still_checked(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    """SQLite keeps any text in a column: a business date that is no date breaks the fact and
    the counters made of it, and verify() names both instead of failing."""
    app, db, ids = recorded
    if not db.is_sqlite:
        pytest.skip("PostgreSQL keeps a fact's business date as a date")
    db.run(
        "UPDATE {participatie_outcome_facts_v6} SET occurred_on = 'garbage' "
        "WHERE stream_id = %s AND kind = 'happiness'",
        (ids["second"].hex,),
    )
    db.run(  # and a change further on, which must still be found
        "UPDATE {participatie_outcome_facts_v6} SET value = 'work' WHERE value = 'withdrew'"
    )
    problems = _problems(app)
    assert any(
        "outcome facts" in p and ids["second"].hex in p and "no longer reads" in p for p in problems
    ), problems
    assert any("'work' instead of 'withdrew'" in p for p in problems), problems
    assert any("monthly counters cannot be read" in p for p in problems), problems


def test_a_changed_monthly_counter_is_detected_and_named(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    period = (date(2019, 1, 1), date(2019, 12, 31))
    before = app.outcomes(municipality="haaren", period=period)
    # The intake's score of the second resident, as if it had been 10: reports read counters.
    db.run(
        "UPDATE {participatie_outcome_months_v6} SET first_amount = 100000, last_amount = 100000 "
        "WHERE stream_id = %s AND kind = 'happiness'",
        (ids["second"].hex,),
    )
    db.run(
        "UPDATE {participatie_outcome_months_v6} SET facts = facts + 1 "
        "WHERE stream_id = %s AND kind = 'happiness'",
        (ids["second"].hex,),
    )
    after = app.outcomes(municipality="haaren", period=period)
    assert after.happiness != before.happiness  # the attack works on the figures ...
    problems = _problems(app)  # ... and verify names it
    assert any("monthly counters" in p and ids["second"].hex in p for p in problems), problems


def test_swapped_bsn_lookup_hashes_are_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    second, fourth = db.key(ids["second"]), db.key(ids["fourth"])
    ((second_hash,),) = db.run(
        "SELECT bsn_hash FROM {participatie_vault} WHERE resident_id = %s", (second,)
    )
    ((fourth_hash,),) = db.run(
        "SELECT bsn_hash FROM {participatie_vault} WHERE resident_id = %s", (fourth,)
    )
    db.run("UPDATE {participatie_vault} SET bsn_hash = NULL WHERE resident_id = %s", (second,))
    db.run(
        "UPDATE {participatie_vault} SET bsn_hash = %s WHERE resident_id = %s",
        (second_hash, fourth),
    )
    db.run(
        "UPDATE {participatie_vault} SET bsn_hash = %s WHERE resident_id = %s",
        (fourth_hash, second),
    )
    assert app.find_resident(bsn="123456782", by=COACH) == ids["fourth"]  # the attack works
    problems = _problems(app)
    for rid in (ids["second"], ids["fourth"]):
        assert any("BSN lookup hash" in p and str(rid) in p for p in problems), problems
    assert not app.verify(ids["second"]).ok


def test_a_vault_record_moved_to_another_resident_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    db.run("DELETE FROM {participatie_vault} WHERE resident_id = %s", (db.key(ids["fourth"]),))
    db.run(
        "UPDATE {participatie_vault} SET resident_id = %s WHERE resident_id = %s",
        (db.key(ids["fourth"]), db.key(ids["second"])),
    )
    problems = _problems(app)
    assert any("does not open" in p and str(ids["fourth"]) in p for p in problems), problems


def test_a_vault_record_put_back_for_an_erased_resident_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    row = db.run(
        "SELECT bsn_hash, key_id, wrapped_key, ciphertext FROM {participatie_vault} "
        "WHERE resident_id = %s",
        (db.key(ids["second"]),),
    )[0]
    db.run(
        "INSERT INTO {participatie_vault} (resident_id, bsn_hash, key_id, wrapped_key, "
        "ciphertext) VALUES (%s, NULL, %s, %s, %s)",
        (db.key(ids["third"]), *row[1:]),
    )
    problems = _problems(app)
    assert any("was erased" in p and str(ids["third"]) in p for p in problems), problems


def test_an_erased_residents_file_still_verifies_and_edits_to_it_are_found(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    rid = ids["third"]
    assert app.verify(rid).ok
    db.run("DELETE FROM {events} WHERE originator_id = %s", (db.key(rid),))
    db.run("DELETE FROM {participatie_chain_heads} WHERE originator_id = %s", (db.key(rid),))
    assert any(str(rid) in p for p in _problems(app))
    assert not app.verify(rid).ok


def test_a_deleted_ledger_row_with_its_event_is_detected(
    recorded: tuple[Participation, Database, dict[str, UUID]],
) -> None:
    app, db, ids = recorded
    rid = ids["second"]
    ((position,),) = db.run(
        f"SELECT max({db.position}) FROM {{events}} WHERE originator_id = %s", (db.key(rid),)
    )
    db.run(f"DELETE FROM {{events}} WHERE {db.position} = %s", (position,))
    db.run("DELETE FROM {participatie_ledger} WHERE position = %s", (position,))
    assert any("ledger" in p and "changed" in p for p in _problems(app))


# An attacker who recomputes every hash: only a checkpoint kept elsewhere finds it.


def _rewrite_everything(db: Database, stream: UUID, version: int, new_state: bytes) -> None:
    """Change one event and recompute its stream's chain, its head and the whole ledger."""
    key = db.key(stream)
    rows = db.run(
        "SELECT originator_version, topic, state FROM {events} WHERE originator_id = %s "
        "ORDER BY originator_version",
        (key,),
    )
    previous = GENESIS
    for stored_version, topic, state in rows:
        plain = new_state if stored_version == version else bytes(state)[32:]
        digest = chain_hash(previous, stream, stored_version, topic, plain)
        db.run(
            "UPDATE {events} SET state = %s WHERE originator_id = %s AND originator_version = %s",
            (digest + plain, key, stored_version),
        )
        previous = digest
    db.run(
        "UPDATE {participatie_chain_heads} SET head = %s WHERE originator_id = %s",
        (previous, key),
    )
    running = GENESIS
    events = db.run(
        f"SELECT {db.position}, originator_id, originator_version, state FROM {{events}} "
        f"ORDER BY {db.position}"
    )
    held = dict(db.run("SELECT position, records FROM {participatie_ledger}"))
    for position, originator, stored_version, state in events:
        stream_id = UUID(str(originator))
        records = None if held[position] is None else bytes(held[position])
        running = ledger_hash(
            running,
            position,
            stream_id,
            stored_version,
            bytes(state)[:32],
            records_digest=None if records is None else records_digest(records),
        )
        db.run(
            "UPDATE {participatie_ledger} SET event_hash = %s, running_hash = %s "
            "WHERE position = %s",
            (bytes(state)[:32], running, position),
        )


def test_a_checkpoint_taken_before_an_edit_finds_it_when_every_hash_was_recomputed(
    recorded: tuple[Participation, Database, dict[str, UUID]], tmp_path: Path
) -> None:
    app, db, ids = recorded
    key_file = tmp_path / "signing.key"
    public_key = generate_signing_key(key_file)
    kept_elsewhere = app.checkpoint(signing_key=key_file).to_json()
    checkpoint = Checkpoint.from_json(kept_elsewhere, public_key=public_key)
    assert app.verify(checkpoint=checkpoint).ok

    rid = ids["second"]
    ((state,),) = db.run(
        "SELECT state FROM {events} WHERE originator_id = %s AND originator_version = 3",
        (db.key(rid),),
    )
    forged = bytes(state)[32:].replace(b'"withdrew"', b'"work"')
    assert forged != bytes(state)[32:]
    _rewrite_everything(db, rid, 3, forged)
    app.rebuild()  # the facts follow the forged events

    assert app.verify().ok  # every hash in the store fits: without a checkpoint, nothing shows
    verification = app.verify(checkpoint=checkpoint)
    assert not verification.ok
    (problem,) = verification.problems
    assert "not the one it signed" in problem
    with pytest.raises(TamperDetected):
        app.verify(checkpoint=checkpoint, strict=True)


def test_a_checkpoint_proves_the_log_it_signed_and_what_chains_on_after_it(
    recorded: tuple[Participation, Database, dict[str, UUID]], tmp_path: Path
) -> None:
    app, _, ids = recorded
    checkpoint = kept_checkpoint(app, tmp_path)
    app.record_conversation(ids["first"], happiness=8, on=date(2020, 4, 1), by=COACH)
    assert app.verify(checkpoint=checkpoint).ok


def test_a_checkpoint_changed_or_signed_by_another_key_is_refused(tmp_path: Path) -> None:
    with Participation.open(f"sqlite:///{tmp_path}/s.db", secret=TEST_SECRET) as app:
        register(app)
        public_key = generate_signing_key(tmp_path / "ours.key")
        document = app.checkpoint(signing_key=tmp_path / "ours.key").to_json()
        other_key = generate_signing_key(tmp_path / "theirs.key")
    with pytest.raises(TamperDetected, match="another key"):
        Checkpoint.from_json(document, public_key=other_key)
    changed = document.replace('"events": 1', '"events": 2')
    assert changed != document
    with pytest.raises(TamperDetected, match="signature"):
        Checkpoint.from_json(changed, public_key=public_key)


# A store written before the ledger.


def test_a_store_written_before_the_ledger_is_chained_once_on_opening(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    db = Database(store_url)
    db.run("DELETE FROM {participatie_ledger}")  # as a store of release 0.1.0 has none
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        verification = app.verify()
        assert verification.ok, verification.problems
        # The resident's two events.
        assert any("up to 2" in note for note in verification.notes), verification.notes
        app.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        assert app.verify().ok
    ((count,),) = db.run("SELECT count(*) FROM {participatie_ledger}")
    assert count == 3


def test_a_ledger_written_before_it_held_processing_records_gets_their_column_once(
    store_url: str,
) -> None:
    """A store of release 0.2.0: its ledger has no column for processing records."""
    from participatie import ResidentTrajectory  # noqa: PLC0415
    from participatie.service import core_of  # noqa: PLC0415

    with Participation.open(store_url, secret=TEST_SECRET) as app:
        earlier = ResidentTrajectory.register(
            referral="walk_in",
            benefit="none",
            municipality="haaren",
            on=date(2019, 1, 7),
            by=COACH,
            policy=app.policy,
        )
        core_of(app).store.save(earlier)  # as 0.2.0 saved it: no processing record
    db = Database(store_url)
    db.run("ALTER TABLE {participatie_ledger} DROP COLUMN records")
    for _ in range(2):  # the column is added once; a second opening leaves it as it is
        with Participation.open(store_url, secret=TEST_SECRET) as app:
            verification = app.verify()
            assert verification.ok, verification.problems
            rid = register(app)
            assert [r.name for r in app.processing_log(rid, by=AUDITOR)] == ["register"]
            assert app.verify().ok
            assert app.verify(rid).ok
    ((held,),) = db.run("SELECT count(*) FROM {participatie_ledger} WHERE records IS NOT NULL")
    assert held == 2


# Random histories, one random edit.


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    commands=pst.command_sequences(min_size=3, max_size=15, valid_only=True),
    pick=st.integers(min_value=0),
    kind=st.sampled_from(["delete", "change"]),
)
def test_any_deleted_or_changed_event_of_a_random_history_is_found(
    tmp_path_factory: pytest.TempPathFactory, commands: list[c.Command], pick: int, kind: str
) -> None:
    folder = tmp_path_factory.mktemp("random")
    url = f"sqlite:///{folder}/store.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        ids = c.Ids()
        for command in commands:
            command.run(app, ids)
        assert app.verify().ok
        db = Database(url)
        positions = [p for (p,) in db.run("SELECT rowid FROM {events} ORDER BY rowid")]
        position = positions[pick % len(positions)]
        if kind == "delete":
            db.run("DELETE FROM {events} WHERE rowid = %s", (position,))
        else:
            ((state,),) = db.run("SELECT state FROM {events} WHERE rowid = %s", (position,))
            at = bytes(state).index(b":", 33) + 1  # first value of the JSON after the hash
            changed = bytes(state)[:at] + b" " + bytes(state)[at:]
            db.run("UPDATE {events} SET state = %s WHERE rowid = %s", (changed, position))
        assert not app.verify().ok
