"""The command path's shortcuts keep its guarantees: the cheap copy out of the aggregate cache is
a copy, and the processing log read together with its resident (one query) never loses or
misplaces a record when another process appended in between."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from participatie import Activity, Participation
from participatie.domain.resident import ResidentTrajectory
from participatie.service import core_of
from tests.actors import AUDITOR
from tests.support import COACH, TEST_SECRET, Clock, register_with_intake


def test_a_trajectory_copied_out_of_the_cache_has_containers_of_its_own(
    app: Participation,
) -> None:
    rid = register_with_intake(app)
    app.start_activity(rid, activity=Activity.LANGUAGE_COURSE, on=date(2019, 1, 9), by=COACH)
    cached: object = core_of(app).store.repository.get(rid, deepcopy_from_cache=False)
    assert isinstance(cached, ResidentTrajectory)
    state = dict(vars(cached))
    copied = copy.deepcopy(cached)
    assert vars(copied) == state
    copied.activities[Activity.TRAINING] = date(2019, 1, 10)
    copied.happiness += ((date(2019, 1, 10), 9),)
    copied.record_conversation(
        happiness=8, on=date(2019, 1, 10), by=COACH, policy=core_of(app).policy
    )
    assert vars(cached) == state
    assert cached.pending_events == []
    assert app.resident(rid, by=COACH).activities == {Activity.LANGUAGE_COURSE: date(2019, 1, 9)}


def _two_processes_record_in_turn(url: str, clock: Clock) -> None:
    with (
        Participation.open(url, secret=TEST_SECRET, clock=clock) as first,
        Participation.open(url, secret=TEST_SECRET, clock=clock) as second,
    ):
        rid = register_with_intake(first)  # the first process's copy of the log is at 3
        second.record_conversation(rid, happiness=6, on=date(2019, 1, 9), by=COACH)
        # The first process's copies are behind: its load reads what the second appended.
        first.record_conversation(rid, happiness=7, on=date(2019, 1, 10), by=COACH)
        second.record_conversation(rid, happiness=8, on=date(2019, 1, 11), by=COACH)
        names = [r.name for r in first.processing_log(rid, by=AUDITOR)]
        assert names == ["register", "hold_intake"] + ["record_conversation"] * 3
        assert [score for _, score in first.resident(rid, by=COACH).happiness] == [5, 6, 7, 8]
        result = first.verify()
        assert result.ok, result.problems


def test_a_record_appended_by_another_process_on_sqlite_is_kept(
    tmp_path: Path, clock: Clock
) -> None:
    _two_processes_record_in_turn(f"sqlite:///{tmp_path / 'store.db'}", clock)


def test_a_record_appended_by_another_process_on_postgresql_is_kept(
    postgres_schema_url: str, clock: Clock
) -> None:
    # Also the ledger's tail read in the same pipeline as the insert, by two writers in turn.
    _two_processes_record_in_turn(postgres_schema_url, clock)


@pytest.mark.parametrize("appended", [0, 1, 3])
def test_a_command_reads_its_resident_in_one_query_or_none(
    tmp_path: Path, clock: Clock, appended: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with (
        Participation.open(url, secret=TEST_SECRET, clock=clock) as first,
        Participation.open(url, secret=TEST_SECRET, clock=clock) as second,
    ):
        rid = register_with_intake(first)
        for day in range(appended):  # records the first process has not read
            second.record_conversation(rid, happiness=6, on=date(2019, 1, 9 + day), by=COACH)
        recorder = core_of(first).store.participation_recorder
        calls: list[str] = []
        for name in ("select_events",):
            original: Callable[..., object] = getattr(recorder, name)

            def counted(
                *args: object, _name: str = name, _original: Any = original, **kwargs: object
            ) -> object:
                calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(recorder, name, counted)
        first.record_conversation(rid, happiness=7, on=date(2019, 1, 20), by=COACH)
        # Nothing read when no other writer committed since this process saved it (SQLite's
        # data_version tells); one query when the other process wrote meanwhile.
        assert calls == (["select_events"] if appended else [])
        monkeypatch.undo()
        log = first.processing_log(rid, by=AUDITOR)
        assert len(log) == 3 + appended
        assert first.verify().ok
