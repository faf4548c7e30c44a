"""A resident's rights on SQLite and PostgreSQL: corrections and notes are written with their
receipts, erased with the resident, survive reopening and key rotation, and a note moved to
another resident in the database is found by verify()."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from participatie import BsnAlreadyRegistered, Participation, PersonalDataAlreadyErased
from tests.actors import ADMIN
from tests.integration.database import Database
from tests.support import COACH, TEST_SECRET, assert_refused, register

BSN = "123456782"
NEW_BSN = "232262536"
OTHER_BSN = "111222333"


def test_a_correction_re_keys_the_bsn_and_keeps_it_unique(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app, bsn=BSN, name="Jan Jansen", notes="belt liever niet")
        register(app, bsn=OTHER_BSN)
        app.correct_personal_data(
            rid, name="Jan Janssen", bsn=NEW_BSN, reason="typing_error", by=COACH
        )
        assert_refused(
            app,
            rid,
            BsnAlreadyRegistered,
            lambda: app.correct_personal_data(rid, bsn=OTHER_BSN, reason="typing_error", by=COACH),
        )
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        data = app.personal_data(rid, by=COACH)
        assert (data.name, data.bsn, data.notes) == ("Jan Janssen", NEW_BSN, "belt liever niet")
        assert app.find_resident(bsn=NEW_BSN, by=COACH) == rid
        assert app.find_resident(bsn=BSN, by=COACH) is None
        assert app.verify().ok


def test_notes_are_kept_rotated_and_erased_with_the_resident(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app, bsn=BSN, name="Jan Jansen", notes="belt liever niet")
        bare = register(app)
        app.add_note(rid, text="Wil in de zorg werken.", about=1, by=COACH)
        app.add_note(bare, text="Kwam zonder afspraak.", by=COACH)
        app.erase_personal_data(register(app, bsn=OTHER_BSN), reason="residents_request", by=ADMIN)
        app.rotate_keys(by=ADMIN)
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        assert [n.text for n in app.notes(rid, by=COACH)] == [
            "belt liever niet",
            "Wil in de zorg werken.",
        ]
        assert [n.text for n in app.notes(bare, by=COACH)] == ["Kwam zonder afspraak."]
        app.correct_personal_data(rid, bsn=NEW_BSN, reason="brp_change", by=COACH)
        app.erase_personal_data(rid, reason="residents_request", by=ADMIN)
        data = app.personal_data(rid, by=COACH)
        assert (data.erased, data.name, data.bsn, data.notes) == (True, None, None, None)
        assert app.notes(rid, by=COACH) == []
        assert app.subject_access(rid, by=COACH)["notes"] == []
        assert app.find_resident(bsn=NEW_BSN, by=COACH) is None
        assert_refused(
            app,
            rid,
            PersonalDataAlreadyErased,
            lambda: app.add_note(rid, text="nog iets", by=COACH),
        )
        assert app.verify().ok
    database = Database(store_url)
    held = database.run(
        "SELECT resident_id FROM {participatie_vault_notes} WHERE resident_id = %s",
        (database.key(rid),),
    )
    assert held == []
    assert len(database.run("SELECT note_id FROM {participatie_vault_notes}")) == 1


def _move_note(database: Database, note_id: UUID, to: UUID) -> None:
    database.run(
        "UPDATE {participatie_vault_notes} SET resident_id = %s WHERE note_id = %s",
        (database.key(to), database.key(note_id)),
    )


@pytest.mark.parametrize("what", ["moved", "changed"])
def test_a_note_moved_or_changed_in_the_database_is_found(store_url: str, what: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app, name="Jan Jansen")
        other = register(app, name="Piet Pieters")
        note_id = app.add_note(rid, text="Schulden bij de woningcorporatie.", by=COACH)
        assert app.verify().ok
    database = Database(store_url)
    if what == "moved":
        _move_note(database, note_id, other)
        victim = other
    else:
        (row,) = database.run(
            "SELECT ciphertext FROM {participatie_vault_notes} WHERE note_id = %s",
            (database.key(note_id),),
        )
        flipped = bytearray(bytes(row[0]))
        flipped[-1] ^= 1
        database.run(
            "UPDATE {participatie_vault_notes} SET ciphertext = %s WHERE note_id = %s",
            (bytes(flipped), database.key(note_id)),
        )
        victim = rid
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        verification = app.verify()
        assert not verification.ok
        assert any(
            f"note {note_id} does not open with the key of resident {victim}" in problem
            for problem in verification.problems
        ), verification.problems
        assert not app.verify(resident_id=victim).ok


def test_a_store_of_an_earlier_release_gets_the_notes_table_on_opening(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app, name="Jan Jansen", notes="van voor 0.3.0", on=date(2019, 1, 8))
    database = Database(store_url)
    database.run("DROP TABLE {participatie_vault_notes}")
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        assert [n.text for n in app.notes(rid, by=COACH)] == ["van voor 0.3.0"]
        app.add_note(rid, text="na de upgrade", by=COACH)
        assert [n.text for n in app.notes(rid, by=COACH)] == ["van voor 0.3.0", "na de upgrade"]
        assert app.verify().ok
