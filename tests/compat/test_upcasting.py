"""Records of 0.1.0 that a later release reads in a new form (docs/upgrading.md, "How a release
changes an event"): each upcaster is tested against the frozen corpus, on SQLite and PostgreSQL,
and shown to be needed.

0.2.0: ``TrajectoryExtended`` version 2 has an ``ExtensionReason``; a version 1 event's free-text
reason reads as ``other``. ``JobCoachingTrajectory`` version 2 has ``extension_reason``; a
version 1 snapshot gets it from ``extended``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from participatie import ExtensionReason, JobCoachingTrajectory, Participation
from participatie.audit.snapshots import Snapshot, pack
from participatie.service import core_of
from tests.compat.corpus import AUDITOR
from tests.compat.test_corpus import CORPORA, _copy_to_postgres, _expected, _unpack

CORPUS_0_1_0 = next(c for c in CORPORA if c.name == "0.1.0")
#: The free text 0.1.0's scenario stored as the extension reason of coaching_a.
STORED_TEXT = "employer needs more time to take over"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def corpus_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Participation]:
    """The 0.1.0 corpus opened with the current code, as stored (SQLite) or copied (PostgreSQL)."""
    db = _unpack(CORPUS_0_1_0, tmp_path)
    secret = _expected(CORPUS_0_1_0)["secret"]
    url = f"sqlite:///{db}"
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_schema_url")
        _copy_to_postgres(db, url, secret)
    with Participation.open(url, secret=secret) as app:
        yield app


def _spec(name: str) -> UUID:
    return UUID(_expected(CORPUS_0_1_0)["spec"][name])


def _stored_state(app: Participation, stream: UUID, version: int) -> bytes:
    """The stored bytes of one event (the chain hash in front stripped on SQLite too)."""
    recorder = core_of(app).store.recorder
    (stored,) = recorder.select_events(stream, gt=version - 1, lte=version)
    return bytes(stored.state)


def test_a_free_text_extension_reason_of_0_1_0_reads_as_other(corpus_app: Participation) -> None:
    coaching = _spec("coaching_a")
    extended = [
        e
        for e in corpus_app.events(coaching)
        if isinstance(e, JobCoachingTrajectory.TrajectoryExtended)
    ]
    assert len(extended) == 1
    assert extended[0].reason is ExtensionReason.OTHER
    assert extended[0].planned_end == date(2022, 8, 26)
    # The text is kept only where it was stored: the record itself is never rewritten.
    assert STORED_TEXT.encode() in _stored_state(
        corpus_app, coaching, extended[0].originator_version
    )
    assert corpus_app.job_coaching(coaching, by=AUDITOR).extension_reason is ExtensionReason.OTHER
    (entry,) = [
        e
        for e in corpus_app.history(_spec("a"), by=AUDITOR, purpose="upcasting test")
        if e.event == "TrajectoryExtended"
    ]
    assert entry.data["reason"] == "other"


def test_every_extension_of_the_0_1_0_demo_reads_as_other(corpus_app: Participation) -> None:
    reasons = {
        corpus_app.job_coaching(UUID(cid), by=AUDITOR).extension_reason
        for cid in _expected(CORPUS_0_1_0)["spec"]["noordoostpolder"]
    }
    assert reasons == {ExtensionReason.OTHER, None}


def test_a_snapshot_of_0_1_0_gets_no_extension_reason_before_the_extension(
    corpus_app: Participation,
) -> None:
    # The corpus holds a snapshot of coaching_a at version 4 (before its extension): as of the
    # end of 2020 the state starts from it.
    coaching = corpus_app.job_coaching(_spec("coaching_a"), as_of=date(2020, 12, 31), by=AUDITOR)
    assert coaching.version == 5
    assert coaching.extended is False
    assert coaching.extension_reason is None
    assert corpus_app.verify().ok


def test_without_the_event_upcaster_a_stored_extension_does_not_load(
    corpus_app: Participation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(JobCoachingTrajectory.TrajectoryExtended, "upcast_v1_v2")
    with pytest.raises(AttributeError, match="upcast_v1_v2"):
        corpus_app.events(_spec("coaching_a"))


def test_without_the_snapshot_upcaster_a_stored_snapshot_does_not_load(
    corpus_app: Participation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(JobCoachingTrajectory, "upcast_v1_v2")
    with pytest.raises(AttributeError, match="upcast_v1_v2"):
        corpus_app.job_coaching(_spec("coaching_a"), as_of=date(2020, 12, 31), by=AUDITOR)


def _snapshot(state: dict[str, object]) -> Snapshot:
    return Snapshot(
        originator_id=UUID(int=1),
        originator_version=6,
        timestamp=Snapshot.create_timestamp(),
        topic="participatie.domain.job_coaching:JobCoachingTrajectory",
        state=pack(state),
        occurred_through=date(2021, 6, 1),
        recorded_through=Snapshot.create_timestamp(),
    )


def test_a_version_1_snapshot_of_an_extended_coaching_reads_its_reason_as_other() -> None:
    # As 0.1.0 packed it: no class_version, no extension_reason.
    version_1 = {"extended": True, "planned_end": date(2022, 8, 26)}
    assert _snapshot(version_1).mutate(None).extension_reason is ExtensionReason.OTHER
    assert _snapshot({**version_1, "extended": False}).mutate(None).extension_reason is None
    # A version 2 snapshot keeps its reason.
    version_2 = {
        **version_1,
        "extension_reason": ExtensionReason.ABSENCE,
        "class_version": 2,
    }
    assert _snapshot(version_2).mutate(None).extension_reason is ExtensionReason.ABSENCE
