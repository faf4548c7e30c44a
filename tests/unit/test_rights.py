"""A resident's rights on the in-process store: rectification (AVG art. 16), notes, and the
subject access file (AVG art. 15). The same on SQLite and PostgreSQL:
tests/integration/test_rights_on_stores.py."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from uuid import UUID

import pytest

from participatie import (
    AccessKind,
    Actor,
    BsnAlreadyRegistered,
    BusinessDateRefused,
    CorrectionReason,
    InvalidInput,
    NotAuthorised,
    Participation,
    PersonalDataAlreadyErased,
    Role,
    subject_access_html,
)
from tests.actors import ADMIN, AUDITOR, COACH, JOB_COACH_ACTOR
from tests.support import assert_refused, register
from tests.unit.test_job_coaching_rules import placed_and_assessed, start

BSN = "123456782"
NEW_BSN = "232262536"
OTHER_BSN = "111222333"
DAY = date(2020, 2, 3)


def jan(app: Participation) -> UUID:
    return register(app, bsn=BSN, name="Jan Jansen", notes="belt liever niet")


def texts(app: Participation, rid: UUID) -> list[str]:
    return [note.text for note in app.notes(rid, by=COACH)]


# Rectification.


def test_a_correction_replaces_name_and_bsn_and_keeps_the_registration_notes(
    app: Participation,
) -> None:
    rid = jan(app)
    app.correct_personal_data(
        rid, name="Jan Janssen", bsn=NEW_BSN, reason=CorrectionReason.TYPING_ERROR, on=DAY, by=COACH
    )
    data = app.personal_data(rid, by=COACH)
    assert (data.name, data.bsn, data.notes) == ("Jan Janssen", NEW_BSN, "belt liever niet")
    assert app.find_resident(bsn=NEW_BSN, by=COACH) == rid
    assert app.find_resident(bsn=BSN, by=COACH) is None
    # The old BSN is free again in the municipality.
    assert register(app, bsn=BSN) != rid


def test_history_shows_that_a_correction_happened_never_a_value(app: Participation) -> None:
    rid = jan(app)
    app.correct_personal_data(rid, name="Jan Janssen", reason="brp_change", on=DAY, by=COACH)
    app.correct_personal_data(rid, bsn=NEW_BSN, reason="residents_request", on=DAY, by=COACH)
    history = app.history(rid, by=AUDITOR)
    corrections = [e for e in history if e.event == "PersonalDataCorrected"]
    assert [(e.occurred_on, e.data["corrected"], e.data["reason"]) for e in corrections] == [
        (DAY, ["name"], "brp_change"),
        (DAY, ["bsn"], "residents_request"),
    ]
    stored = json.dumps([e.to_dict() for e in history])
    for value in ("Jan", BSN, NEW_BSN):
        assert value not in stored
    for event in app.events(rid):
        assert "Jan" not in repr(event)
        assert NEW_BSN not in repr(event)


def test_a_correction_is_recorded_in_the_access_log(app: Participation) -> None:
    rid = jan(app)
    app.correct_personal_data(
        rid, name="J. Jansen", reason="typing_error", on=DAY, by=COACH, purpose="brief van 3 feb"
    )
    (entry,) = app.access_log(rid, by=AUDITOR)
    assert (entry.actor.id, entry.kind, entry.purpose) == (
        COACH.id,
        AccessKind.CORRECTION,
        "brief van 3 feb",
    )


def test_a_bsn_is_unique_in_the_municipality_only(app: Participation) -> None:
    rid = jan(app)
    register(app, bsn=OTHER_BSN)
    assert_refused(
        app,
        rid,
        BsnAlreadyRegistered,
        lambda: app.correct_personal_data(rid, bsn=OTHER_BSN, reason="typing_error", by=COACH),
    )
    oss = Actor("coach-oss", Role.COACH, municipality="oss")
    elsewhere = register(app, municipality="oss", by=oss, bsn=NEW_BSN)
    app.correct_personal_data(rid, bsn=NEW_BSN, reason="typing_error", by=COACH)
    assert app.find_resident(bsn=NEW_BSN, by=COACH) == rid
    assert app.find_resident(bsn=NEW_BSN, by=oss) == elsewhere


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "J. Jansen", "reason": "tikfout"}, InvalidInput),  # an unknown reason
        ({"bsn": "123456789", "reason": "typing_error"}, InvalidInput),  # fails the eleven-test
        ({"reason": "typing_error"}, InvalidInput),  # nothing to correct
        ({"name": "Jan Jansen", "bsn": BSN, "reason": "typing_error"}, InvalidInput),  # unchanged
        ({"name": "x" * 201, "reason": "typing_error"}, InvalidInput),  # too long
        ({"name": 7, "reason": "typing_error"}, InvalidInput),  # not text
        (
            {"name": "J. Jansen", "reason": "typing_error", "on": date(2030, 1, 1)},
            BusinessDateRefused,
        ),
        (
            {"name": "J. Jansen", "reason": "typing_error", "on": date(2018, 1, 1)},
            BusinessDateRefused,
        ),
    ],
)
def test_a_refused_correction_appends_nothing_and_changes_nothing(
    app: Participation, fields: dict[str, object], error: type[Exception]
) -> None:
    rid = jan(app)
    assert_refused(
        app,
        rid,
        error,
        lambda: app.correct_personal_data(rid, by=COACH, **fields),  # type: ignore[arg-type]
    )
    assert app.personal_data(rid, by=COACH).name == "Jan Jansen"


def test_an_erased_resident_is_neither_corrected_nor_annotated(app: Participation) -> None:
    rid = jan(app)
    app.erase_personal_data(rid, reason="residents_request", by=ADMIN)
    assert_refused(
        app,
        rid,
        PersonalDataAlreadyErased,
        lambda: app.correct_personal_data(rid, name="Jan", reason="typing_error", by=COACH),
    )
    assert_refused(
        app, rid, PersonalDataAlreadyErased, lambda: app.add_note(rid, text="nog iets", by=COACH)
    )


def test_a_resident_registered_without_personal_data_may_get_a_name(app: Participation) -> None:
    rid = register(app)
    app.correct_personal_data(rid, name="Fatima", reason="residents_request", by=COACH)
    assert app.personal_data(rid, by=COACH).name == "Fatima"


# Notes.


def test_notes_come_back_with_the_registration_notes_first(app: Participation) -> None:
    rid = jan(app)
    first = app.add_note(rid, text="Wil in de zorg werken.", about=1, on=DAY, by=COACH)
    second = app.add_note(rid, text="Belde af.", by=COACH)
    notes = app.notes(rid, by=COACH)
    assert [(n.note_id, n.text, n.about) for n in notes] == [
        (None, "belt liever niet", None),
        (first, "Wil in de zorg werken.", 1),
        (second, "Belde af.", None),
    ]
    assert notes[1].on == DAY
    assert notes[1].by == Actor(COACH.id, COACH.role)
    assert notes[0].on == date(2019, 1, 8)


def test_a_note_has_a_receipt_without_its_text(app: Participation) -> None:
    rid = jan(app)
    note_id = app.add_note(rid, text="Zorgen over schulden.", on=DAY, by=COACH)
    receipt = app.events(rid)[-1]
    assert type(receipt).__name__ == "NoteAdded"
    assert (receipt.note_id, receipt.about) == (note_id, None)  # type: ignore[attr-defined]
    assert "schulden" not in repr(receipt)
    history = json.dumps([e.to_dict() for e in app.history(rid, by=AUDITOR)])
    assert "schulden" not in history


def test_reading_notes_is_access_logged(app: Participation) -> None:
    rid = jan(app)
    app.notes(rid, by=COACH, purpose="voorbereiding gesprek")
    (entry,) = app.access_log(rid, by=AUDITOR)
    assert (entry.kind, entry.purpose) == (AccessKind.NOTES, "voorbereiding gesprek")


def test_a_note_without_personal_data_gets_the_resident_a_data_key(app: Participation) -> None:
    rid = register(app)
    app.add_note(rid, text="Kwam zonder afspraak.", by=COACH)
    assert texts(app, rid) == ["Kwam zonder afspraak."]
    assert app.personal_data(rid, by=COACH).is_empty
    assert app.verify().ok


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"text": ""}, InvalidInput),
        ({"text": "   "}, InvalidInput),
        ({"text": "x" * 10_001}, InvalidInput),
        ({"text": 3}, InvalidInput),
        ({"text": "ok", "about": 0}, InvalidInput),
        ({"text": "ok", "about": 2}, InvalidInput),  # the trajectory has one event
        ({"text": "ok", "about": True}, InvalidInput),
        ({"text": "ok", "about": "1"}, InvalidInput),
        ({"text": "ok", "on": date(2030, 1, 1)}, BusinessDateRefused),
        ({"text": "ok", "on": date(2018, 1, 1)}, BusinessDateRefused),
    ],
)
def test_a_refused_note_appends_nothing(
    app: Participation, fields: dict[str, object], error: type[Exception]
) -> None:
    rid = jan(app)
    assert_refused(app, rid, error, lambda: app.add_note(rid, by=COACH, **fields))  # type: ignore[arg-type]
    assert texts(app, rid) == ["belt liever niet"]


def test_a_note_may_be_about_a_history_entry_of_the_resident(app: Participation) -> None:
    rid = jan(app)
    entry = app.history(rid, by=AUDITOR)[0]
    app.add_note(rid, text="Aanmelding via de wijkcoach.", about=entry, by=COACH)
    assert app.notes(rid, by=COACH)[-1].about == 1
    other = register(app)
    foreign = app.history(other, by=AUDITOR)[0]
    assert_refused(
        app, rid, InvalidInput, lambda: app.add_note(rid, text="x", about=foreign, by=COACH)
    )


def test_notes_survive_key_rotation_and_a_later_correction(app: Participation) -> None:
    rid = jan(app)
    app.add_note(rid, text="Eerste gesprek ging goed.", by=COACH)
    app.erase_personal_data(register(app, bsn=OTHER_BSN), reason="residents_request", by=ADMIN)
    assert app.rotate_keys(by=ADMIN) >= 1
    app.correct_personal_data(rid, name="Jan Janssen", reason="typing_error", by=COACH)
    assert app.rotate_keys(by=ADMIN) == 0
    assert texts(app, rid) == ["belt liever niet", "Eerste gesprek ging goed."]
    assert app.verify().ok


# Rectification then erasure.


def test_rectification_then_erasure_leaves_nothing_readable(app: Participation) -> None:
    rid = jan(app)
    app.correct_personal_data(rid, name="Jan Janssen", bsn=NEW_BSN, reason="typing_error", by=COACH)
    app.add_note(rid, text="Heeft een rijbewijs.", by=COACH)
    app.erase_personal_data(rid, reason="residents_request", by=ADMIN)
    data = app.personal_data(rid, by=COACH)
    assert data.erased
    assert data.name is None
    assert data.bsn is None
    assert data.notes is None
    assert app.notes(rid, by=COACH) == []
    assert app.find_resident(bsn=NEW_BSN, by=COACH) is None
    assert app.find_resident(bsn=BSN, by=COACH) is None
    recorder = app._core.store.participation_recorder
    assert recorder.vault_get(rid) is None
    assert recorder.vault_notes(rid) == []
    document = app.subject_access(rid, by=COACH)
    assert document["personal_data"] == {"erased": True, "name": None, "bsn": None}
    assert document["notes"] == []
    assert app.verify().ok


# Authorisation and scope.


def test_every_new_read_and_command_is_scoped_to_the_municipality(app: Participation) -> None:
    rid = jan(app)
    oss = Actor("coach-oss", Role.COACH, municipality="oss")
    for command in (
        lambda: app.correct_personal_data(rid, name="X", reason="typing_error", by=oss),
        lambda: app.add_note(rid, text="x", by=oss),
        lambda: app.notes(rid, by=oss),
        lambda: app.subject_access(rid, by=oss),
    ):
        assert_refused(app, rid, NotAuthorised, command)


def test_roles_without_personal_data_read_no_notes(app: Participation) -> None:
    rid = jan(app)
    for actor in (AUDITOR, ADMIN, JOB_COACH_ACTOR):

        def read(by: Actor = actor) -> object:
            return app.notes(rid, by=by)

        assert_refused(app, rid, NotAuthorised, read)


# Subject access.


@pytest.fixture
def coached_jan(app: Participation) -> UUID:
    rid = placed_and_assessed(app)
    start(app, rid)
    app.correct_personal_data(rid, name="Jan Jansen", bsn=BSN, reason="residents_request", by=COACH)
    app.add_note(rid, text="Wil graag meer uren.", about=3, by=COACH)
    app.personal_data(rid, by=COACH, purpose="gesprek met werkgever")
    return rid


def test_subject_access_holds_what_article_15_asks(app: Participation, coached_jan: UUID) -> None:
    rid = coached_jan
    before = app.history(rid, by=AUDITOR)
    document = app.subject_access(rid, by=COACH, purpose="verzoek van 1 maart")
    assert document["resident_id"] == str(rid)
    assert document["personal_data"] == {"erased": False, "name": "Jan Jansen", "bsn": BSN}
    assert [(e["event"], e["version"]) for e in document["events"]] == [
        (e.event, e.version) for e in before
    ]
    assert {e["aggregate"] for e in document["events"]} == {
        "ResidentTrajectory",
        "JobCoachingTrajectory",
    }
    assert all(e["what"] and e["what"] != e["event"] for e in document["events"])
    assert [n["text"] for n in document["notes"]] == ["Wil graag meer uren."]
    log = document["access_log"]
    assert [(a["kind"], a["purpose"]) for a in log[:-1]] == [
        ("correction", "not stated"),
        ("personal_data", "gesprek met werkgever"),
        ("history", "not stated"),
    ]
    assert log[-1]["kind"] == "subject_access"
    assert log[-1]["purpose"] == "verzoek van 1 maart"
    assert log[-1]["by"] == {"id": COACH.id, "role": "coach"}
    retention = document["retention"]
    assert retention["statutory_decision"] is True  # a wage value assessment and job coaching
    assert retention["erasable_from"] is None  # kept while open
    assert retention["retention_years"] == 10
    json.dumps(document)  # JSON-safe
    assert app.access_log(rid, by=AUDITOR)[-1].kind is AccessKind.SUBJECT_ACCESS


def test_the_retention_of_a_closed_file_names_the_date_it_may_be_erased(
    app: Participation,
) -> None:
    walk_in = jan(app)
    app.close_trajectory(walk_in, reason="withdrew", on=DAY, by=COACH)
    kept = register(app, benefit="social_assistance")
    app.close_trajectory(kept, reason="withdrew", on=DAY, by=COACH)
    assert app.subject_access(walk_in, by=COACH)["retention"]["erasable_from"] == "2020-02-03"
    assert app.subject_access(kept, by=COACH)["retention"]["erasable_from"] == "2030-02-03"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_page_for_the_resident_is_dutch_ordered_and_escapes_everything(
    app: Participation,
) -> None:
    hostile = "<script>alert('x')</script>"
    rid = register(app, name=hostile, notes="<img src=x onerror=alert(1)>")
    app.add_note(rid, text="</td></tr><script>steal()</script>", by=COACH)
    page = subject_access_html(app.subject_access(rid, by=COACH, purpose="<b>doel</b>"))
    parser = _Page()
    parser.feed(page)
    assert parser.lang == "nl"
    assert "script" not in parser.tags
    assert "img" not in parser.tags
    assert "b" not in parser.tags
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    text = "".join(parser.text)
    assert hostile in text
    assert "steal()" in text
    assert "<b>doel</b>" in text
    headings = [t for t in parser.tags if re.fullmatch(r"h[1-6]", t)]
    assert headings[0] == "h1"
    assert set(headings[1:]) == {"h2"}
    assert parser.tags.count("table") == parser.tags.count("caption") >= 4
    assert "th" in parser.tags
