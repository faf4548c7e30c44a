"""The access log: every read of personal data, history or a file is recorded, and chained."""

from __future__ import annotations

from datetime import date

import pytest

from participatie import AccessKind, ErasureGround, InvalidInput, Participation, Role
from participatie.service import core_of
from tests.actors import ADMIN, AUDITOR
from tests.support import COACH, register


def test_reads_are_recorded_with_who_what_and_why(app: Participation) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen")
    assert app.access_log(rid, by=AUDITOR) == ()
    app.personal_data(rid, by=COACH, purpose="call about the intake")
    app.find_resident(bsn="123456782", by=COACH, purpose="desk visit")
    app.history(rid, by=AUDITOR, purpose="objection 2019-17")
    app.export(rid, by=AUDITOR, purpose="subject access request")
    entries = app.access_log(rid, by=AUDITOR)
    assert [(e.actor.id, e.actor.role, e.kind, e.purpose) for e in entries] == [
        (COACH.id, Role.COACH, AccessKind.PERSONAL_DATA, "call about the intake"),
        (COACH.id, Role.COACH, AccessKind.BSN_LOOKUP, "desk visit"),
        (AUDITOR.id, Role.AUDITOR, AccessKind.HISTORY, "objection 2019-17"),
        (AUDITOR.id, Role.AUDITOR, AccessKind.EXPORT, "subject access request"),
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_reading_the_access_log_is_not_itself_logged(app: Participation) -> None:
    rid = register(app)
    app.history(rid, by=AUDITOR)
    app.access_log(rid, by=AUDITOR)
    assert len(app.access_log(rid, by=AUDITOR)) == 1


def test_a_lookup_that_finds_nobody_logs_nothing(app: Participation) -> None:
    rid = register(app)
    assert app.find_resident(bsn="111222333", by=COACH) is None
    assert app.access_log(rid, by=AUDITOR) == ()


def test_the_chain_covers_the_access_log(app: Participation) -> None:
    rid = register(app)
    app.history(rid, by=AUDITOR)
    assert app.verify(rid).streams == 2  # trajectory, access log (processing records are rows)
    stored = core_of(app).store.recorder._stored_events  # type: ignore[attr-defined]
    index = next(i for i, s in enumerate(stored) if s.topic.endswith("AccessLog.Accessed"))
    original = stored[index]
    stored[index] = type(original)(
        originator_id=original.originator_id,
        originator_version=original.originator_version,
        topic=original.topic,
        state=original.state.replace(b"auditor-1", b"auditor-2"),
    )
    assert not app.verify(rid).ok


def test_the_access_log_outlives_erasure(app: Participation) -> None:
    rid = register(app, name="A")
    app.personal_data(rid, by=COACH, purpose="check")
    app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
    app.personal_data(rid, by=COACH, purpose="check again")
    assert [e.purpose for e in app.access_log(rid, by=AUDITOR)] == ["check", "check again"]


def test_an_empty_purpose_is_invalid_input(app: Participation) -> None:
    rid = register(app)
    with pytest.raises(InvalidInput):
        app.history(rid, by=AUDITOR, purpose=" ")


def test_reads_leave_the_statistics_alone(app: Participation) -> None:
    rid = register(app)
    before = app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31)))
    app.history(rid, by=AUDITOR)
    assert app.outcomes(period=(date(2019, 1, 1), date(2019, 12, 31))) == before
