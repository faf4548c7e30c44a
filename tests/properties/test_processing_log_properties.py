"""Every accepted command is exactly one processing record of its resident, whatever the sequence
of commands (refused ones make none), and the records are covered by the tamper evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given

from participatie import Participation
from participatie.audit.access import access_log_id
from participatie.audit.processing import processing_log_id
from participatie.domain.job_coaching import coaching_id
from participatie.domain.resident import ResidentTrajectory
from participatie.testing import strategies as pst
from participatie.testing.commands import Command, run_commands
from tests.actors import AUDITOR
from tests.support import TEST_SECRET, Clock


@given(commands=pst.command_sequences(max_size=25))
def test_each_accepted_command_is_one_record_of_its_resident(commands: list[Command]) -> None:
    clock = Clock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
        outcome = run_commands(app, commands)
        for rid in outcome.ids.residents:
            # Each accepted command triggers one event of the resident's trajectory or of one of
            # the resident's job coaching streams: the records match them one to one.
            events = app.events(rid)
            decided = len(events) + sum(
                len(app.events(coaching_id(rid, e.originator_version)))
                for e in events
                if isinstance(e, ResidentTrajectory.Placed)
            )
            records = app.processing_log(rid, by=AUDITOR)
            assert len(records) == decided
            assert {r.data_subject_id for r in records} == {str(rid)}
            assert app.events(access_log_id(rid)) == []  # no read was made
        # Nothing else was stored: the trajectories, the job coaching and the processing logs
        # (each with its opening event) are the whole log.
        assert app.event_count() == sum(
            len(app.events(rid)) + len(app.events(processing_log_id(rid)))
            for rid in outcome.ids.residents
        ) + sum(len(app.events(c)) for c in outcome.ids.coachings)
        assert app.verify().ok
