"""As-of replay from snapshots gives the same state as replay from the first event.

One SQLite file: commands run on an application that snapshots every second event, then the same
file is read by that application and by one without snapshots, as of every business date and
known at every recorded time that could make a difference (and a few combinations of both).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from participatie import NotFound, Participation
from participatie.service import core_of
from participatie.testing import strategies as pst
from participatie.testing.commands import run_commands
from tests.actors import AUDITOR
from tests.support import TEST_SECRET


def state(
    app: Participation, kind: str, stream: UUID, as_of: date | None, known_at: datetime | None
) -> dict[str, Any] | str:
    """The trajectory's attributes as replayed by ``app``, or "not found"."""
    read: Callable[..., Any] = getattr(app, kind)
    try:
        aggregate = read(stream, by=AUDITOR, as_of=as_of, known_at=known_at)
    except NotFound:
        return "not found"
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


@given(commands=pst.command_sequences(min_size=5, max_size=30), data=st.data())
def test_as_of_replay_with_and_without_snapshots_agrees(
    commands: list[Any], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/snapshots.db"
        with Participation.open(url, secret=TEST_SECRET, snapshot_interval=2) as app:
            ids = run_commands(app, commands).ids
        with (
            Participation.open(url, secret=TEST_SECRET, snapshot_interval=2) as snapshotted,
            Participation.open(url, secret=TEST_SECRET, snapshot_interval=None) as plain,
        ):
            snapshots = core_of(snapshotted).store.snapshots
            assert snapshots is not None
            for rid in ids.residents:
                entries = plain.history(rid, by=AUDITOR)
                days = {e.occurred_on + timedelta(days=d) for e in entries for d in (-1, 0)}
                moments = {
                    e.recorded_at - timedelta(microseconds=m) for e in entries for m in (1, 0)
                }
                cuts: list[tuple[date | None, datetime | None]] = [(None, None)]
                cuts += [(day, None) for day in sorted(days)]
                cuts += [(None, moment) for moment in sorted(moments)]
                cuts += data.draw(
                    st.lists(
                        st.tuples(st.sampled_from(sorted(days)), st.sampled_from(sorted(moments))),
                        max_size=5,
                    )
                )
                streams: list[tuple[str, UUID]] = [("resident", rid)] + [
                    ("job_coaching", UUID(str(e.aggregate_id)))
                    for e in entries
                    if e.event == "JobCoachingStarted"
                ]
                for kind, stream in streams:
                    if len([e for e in entries if e.aggregate_id == stream]) >= 2:
                        # Not vacuous: the stream has snapshots to start from.
                        assert snapshots.recorder.select_events(stream)
                    for as_of, known_at in cuts:
                        assert state(snapshotted, kind, stream, as_of, known_at) == state(
                            plain, kind, stream, as_of, known_at
                        ), (kind, as_of, known_at)
            assert snapshotted.verify().ok
