"""Refused attempts are security events in a log of their own (BIO2 8.15), with the BIO fields;
the access log records where a read came from."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from participatie import Actor, InvalidInput, NotAuthorised, Participation, Role
from tests.actors import AUDITOR
from tests.support import COACH, TEST_SECRET, assert_refused, register

ELSEWHERE = Actor("coach-9", Role.COACH, municipality="oss")


def test_a_refused_command_is_a_security_event_not_part_of_the_file(app: Participation) -> None:
    rid = register(app)
    with app.trace(origin="werkplek-oss-17"):
        assert_refused(
            app,
            rid,
            NotAuthorised,
            lambda: app.record_conversation(rid, happiness=5, on=date(2019, 1, 9), by=ELSEWHERE),
        )
    (event,) = app.security_log(by=AUDITOR)
    assert (event.actor, event.action, event.resident_id, event.result) == (
        ELSEWHERE,
        "record_conversation",
        rid,
        "refused",
    )
    assert event.origin == "werkplek-oss-17"
    assert "oss" in event.reason
    # Nothing of it is in the resident's file: not in the access log, not in the history.
    assert app.access_log(rid, by=AUDITOR) == ()
    assert [e.event for e in app.history(rid, by=AUDITOR)] == ["Registered"]


def test_an_attempt_that_names_no_resident_has_no_object(app: Participation) -> None:
    officer = Actor("beleid-1", Role.POLICY_OFFICER)
    with pytest.raises(NotAuthorised):
        app.resident_ids(by=officer)
    (event,) = app.security_log(by=AUDITOR)
    assert (event.actor, event.action, event.resident_id, event.origin) == (
        officer,
        "read_trajectory",
        None,
        None,
    )


def test_reading_the_security_log_is_for_auditors(app: Participation) -> None:
    with pytest.raises(NotAuthorised):
        app.security_log(by=COACH)
    # The refused read is itself on record.
    (event,) = app.security_log(by=AUDITOR)
    assert (event.actor, event.action) == (COACH, "read_security_log")
    assert app.security_log(by=AUDITOR, since=date(2100, 1, 1)) == []


def test_a_read_records_where_it_came_from(app: Participation) -> None:
    rid = register(app)
    with app.trace(origin="10.1.2.3"):
        app.personal_data(rid, by=COACH)
    app.personal_data(rid, by=COACH)
    first, second = app.access_log(rid, by=AUDITOR)
    assert (first.origin, first.result) == ("10.1.2.3", "allowed")
    assert second.origin is None
    with pytest.raises(InvalidInput, match="origin"), app.trace(origin="two\nlines"):
        pass


def test_a_deleted_security_event_is_found_by_verify(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app)
        with pytest.raises(NotAuthorised):
            app.personal_data(rid, by=ELSEWHERE)
        assert app.verify().ok
    with sqlite3.connect(tmp_path / "store.db") as db:
        ((stream,),) = db.execute(
            "SELECT originator_id FROM stored_events WHERE topic LIKE '%AttemptRefused'"
        ).fetchall()
        db.execute("DELETE FROM stored_events WHERE topic LIKE '%AttemptRefused'")
    db.close()
    with Participation.open(url, secret=TEST_SECRET) as app:
        verification = app.verify()
    assert not verification.ok
    assert any(str(UUID(stream)) in p for p in verification.problems), verification.problems
