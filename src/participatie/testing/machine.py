"""A hypothesis state machine that issues trajectory commands and checks the rules after each.

Run it in your own test suite, on ``memory://`` or your store, with your policy::

    from participatie.testing import TrajectoryMachine

    class HaarenPolicyMachine(TrajectoryMachine):
        policy = attrs.evolve(DEFAULT_POLICY, version="haaren-2020", ...)

    TestHaarenPolicy = HaarenPolicyMachine.TestCase

Rules issue valid commands (chosen from a simple model that must agree with the system after every
step) and arbitrary ones (which may be refused, and then must append nothing). Invariants: versions
are contiguous; each resident stream obeys rules 2-8 and each coaching stream its own; a trajectory
closed with reason work had a current paid placement; job coaching started only where the need was
established, stays within the policy's cap of every coaching year, is extended at most once and
never beyond the policy's maximum; the statistics equal a count over the history, and their ratios
count parts of their wholes. Subclasses add rules and invariants of their own and may use
``self.app`` and ``self.ids``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from participatie.application import Participation
from participatie.domain.dates import add_years
from participatie.domain.job_coaching import JobCoachingTrajectory, coaching_id
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import (
    Actor,
    OutflowReason,
    PlacementKind,
    Role,
    TrajectoryStatus,
)
from participatie.errors import ParticipatieError
from participatie.testing import commands as c
from participatie.testing import strategies as pst
from participatie.testing.checks import check_resident_stream, count_over_history
from participatie.testing.model import LAST_DAY, CoachingModel, Model, ResidentModel, refusals
from participatie.testing.steps import valid_next

__all__ = ["TrajectoryMachine", "count_over_history"]


#: Reads trajectories to compare them with the model (an auditor; each read is logged).
READER = Actor("trajectory-machine", Role.AUDITOR)


class TrajectoryMachine(RuleBasedStateMachine):
    """Issues resident and job coaching commands against a Participation and checks the rules."""

    #: The store each run starts from; it must be empty (memory:// is, every time).
    store_url: ClassVar[str] = "memory://"
    policy: ClassVar[Policy] = DEFAULT_POLICY
    secret: ClassVar[str] = "participatie.testing machine secret, not for production"

    def __init__(self) -> None:
        super().__init__()
        self.app = Participation.open(self.store_url, secret=self.secret, policy=self.policy)
        self.ids = c.Ids()
        self.model = Model(policy=self.policy)
        self.refused = 0

    def teardown(self) -> None:
        self.app.close()

    # Rules.

    @rule(data=st.data(), days=st.integers(0, 20))
    def issue_a_valid_command(self, data: st.DataObject, days: int) -> None:
        """A command the model says the rules accept: it must be accepted."""
        self.model.day = min(LAST_DAY, self.model.day + timedelta(days=days))
        command = valid_next(self.model, data.draw)
        try:
            command.run(self.app, self.ids)
        except ParticipatieError as error:
            msg = f"{command!r} was refused although the rules allow it: {error}"
            raise AssertionError(msg) from error
        observed = self._observed()
        assert observed == self.model, f"after {command!r}: model {self.model} != {observed}"

    @precondition(lambda self: bool(self._refusals()))
    @rule(data=st.data())
    def issue_a_command_the_rules_refuse(self, data: st.DataObject) -> None:
        """A command the model says the rules refuse: it must be refused and append nothing."""
        command = data.draw(st.sampled_from(self._refusals()))
        position = self._position()
        try:
            command.run(self.app, self.ids)
        except ParticipatieError:
            assert self._position() == position, f"refused {command!r} appended events"
            return
        msg = f"{command!r} was accepted although the rules refuse it"
        raise AssertionError(msg)

    def _refusals(self) -> list[c.Command]:
        """Commands the model knows the rules refuse now, one or two per rule."""
        return refusals(self.model, self.policy)

    @precondition(lambda self: bool(self.ids.residents))
    @rule(
        command=st.one_of(
            pst.resident_commands(residents=4), pst.job_coaching_commands(residents=4)
        )
    )
    def issue_any_command(self, command: c.Command) -> None:
        """A command drawn without regard to the rules: if refused, it appends nothing."""
        if getattr(command, "coaching", None) is not None and not self.ids.coachings:
            return
        position = self._position()
        try:
            command.run(self.app, self.ids)
        except ParticipatieError:
            self.refused += 1
            assert self._position() == position, f"refused {command!r} appended events"
            return
        # Accepted: carry on from the system's state, and from that command's date on.
        day = getattr(command, "on", self.model.day)
        self.model = self._observed()
        self.model.day = max(self.model.day, day)

    # Invariants.

    @invariant()
    def versions_are_contiguous(self) -> None:
        for stream in self._streams():
            versions = [e.originator_version for e in self.app.events(stream)]
            assert versions == list(range(1, len(versions) + 1)), (stream, versions)

    @invariant()
    def closure_to_work_had_a_current_paid_placement(self) -> None:
        for rid in self.ids.residents:
            placement: PlacementKind | None = None
            for event in self.app.events(rid):
                if isinstance(event, ResidentTrajectory.Placed):
                    placement = event.kind
                elif isinstance(event, ResidentTrajectory.PlacementEnded):
                    placement = None
                elif isinstance(event, ResidentTrajectory.TrajectoryClosed):
                    if event.reason is OutflowReason.WORK:
                        assert placement is PlacementKind.PAID_WORK, rid
                    if event.reason is OutflowReason.VOLUNTEER_WORK:
                        assert placement is PlacementKind.VOLUNTEER_WORK, rid

    @invariant()
    def resident_streams_follow_the_trajectory_rules(self) -> None:
        """Rules 2-8 of domain.md, checked on each resident's stored events in order."""
        for rid in self.ids.residents:
            check_resident_stream(list(self.app.events(rid)))

    @invariant()
    def coaching_streams_follow_the_rules(self) -> None:
        """Nothing after completion; hours, evaluations and extensions inside the period."""
        for cid in self.ids.coachings:
            events: list[Any] = list(self.app.events(cid))
            started = events[0]
            planned_end = started.planned_end
            completed = False
            for event in events[1:]:
                assert not completed, f"{cid}: an event after completion"
                assert event.occurred_on >= started.occurred_on, cid
                if isinstance(event, JobCoachingTrajectory.JobCoachingCompleted):
                    completed = True
                    continue
                assert event.occurred_on < planned_end, (cid, "outside the coaching period")
                if isinstance(event, JobCoachingTrajectory.TrajectoryExtended):
                    planned_end = event.planned_end

    @invariant()
    def coaching_started_only_where_the_need_was_established(self) -> None:
        """At its start, the resident had a big enough paid placement assessed with need."""
        for cid in self.ids.coachings:
            started: Any = next(iter(self.app.events(cid)))
            then = self.app.resident(started.resident_id, known_at=started.timestamp, by=READER)
            placement, wage_value = then.placement, then.wage_value
            assert placement is not None, cid
            assert placement.kind is PlacementKind.PAID_WORK, cid
            assert placement.placed_version == started.placement_version, cid
            assert wage_value is not None, cid
            assert wage_value.needs_job_coaching, cid
            assert wage_value.placed_version == placement.placed_version, cid
            assert placement.hours_per_week >= self.policy.min_hours_per_week, cid
            months = placement.contract_months
            assert placement.trial or months is None or months >= self.policy.min_contract_months

    @invariant()
    def coaching_stays_within_caps_and_years(self) -> None:
        for cid in self.ids.coachings:
            coaching = self.app.job_coaching(cid, by=READER)
            for year, hours in coaching.hours_by_year.items():
                assert hours <= coaching.cap(coaching_year=year, policy=self.policy), (cid, year)
            extensions = [
                e
                for e in self.app.events(cid)
                if isinstance(e, JobCoachingTrajectory.TrajectoryExtended)
            ]
            assert len(extensions) <= 1, cid
            assert coaching.planned_end <= add_years(
                coaching.started_on, self.policy.max_coaching_years
            )

    @invariant()
    def statistics_equal_a_count_over_the_history(self) -> None:
        """Reach, outflow and still coached from the projection equal a count over history()."""
        for period in self.report_periods:
            report = self.app.outcomes(period=period)
            assert (report.reach, report.still_coached, self._outflow(report)) == (
                self._brute_force(period)
            ), period

    @invariant()
    def ratios_have_numerators_within_their_denominators(self) -> None:
        """Every ratio of the report but outflow (n over reach, where a resident registered
        before the period may flow out in it) counts a part of its whole."""
        report = self.app.outcomes(period=self.report_periods[-1])
        coaching = report.job_coaching
        for ratio in (
            report.contact_compliance,
            report.happiness.rising,
            report.durability.six_months,
            report.durability.twelve_months,
            coaching.need_rate,
            coaching.completed_within_two_years,
            coaching.completed_within_three_years,
        ):
            assert 0 <= ratio.numerator <= ratio.denominator, ratio

    # Helpers.

    #: Periods the statistics invariants report on.
    report_periods: ClassVar[tuple[tuple[date, date], ...]] = (
        (date(2019, 1, 1), date(2019, 12, 31)),
        (date(2019, 6, 1), LAST_DAY),
    )

    @staticmethod
    def _outflow(report: Any) -> dict[str, int]:
        return {r.value: n.numerator for r, n in report.outflow.items() if n.numerator}

    def _brute_force(self, period: tuple[date, date]) -> tuple[int, int, dict[str, int]]:
        return count_over_history(self.app, self.ids.residents, period)

    def _position(self) -> int:
        return self.app.event_count()

    def _streams(self) -> list[UUID]:
        return [*self.ids.residents, *self.ids.coachings]

    def _observed(self) -> Model:
        """The model as the system sees it, to compare with the machine's own."""
        observed = Model(day=self.model.day, policy=self.policy)
        index_of = {rid: index for index, rid in enumerate(self.ids.residents)}
        for cid in self.ids.coachings:
            coaching = self.app.job_coaching(cid, by=READER)
            observed.coachings.append(
                CoachingModel(
                    resident=index_of[coaching.resident_id],
                    placement_serial=coaching.placement_version,
                    started_on=coaching.started_on,
                    planned_end=coaching.planned_end,
                    hours_per_week=coaching.hours_per_week,
                    extended=coaching.extended,
                    completed=coaching.completed_outcome is not None,
                    hours_by_year=dict(coaching.hours_by_year),
                )
            )
        for rid in self.ids.residents:
            observed.residents.append(self._observed_resident(rid))
        return observed

    def _observed_resident(self, rid: UUID) -> ResidentModel:
        trajectory = self.app.resident(rid, by=READER)
        placement = trajectory.placement
        wage_value = trajectory.wage_value
        serial = placement.placed_version if placement else 0
        return ResidentModel(
            version=trajectory.version,
            intake=trajectory.intake_on is not None,
            open=trajectory.status is TrajectoryStatus.OPEN,
            placement=placement.kind if placement else None,
            placement_hours=placement.hours_per_week if placement else Decimal(0),
            placement_months=placement.contract_months if placement else None,
            placement_serial=serial if placement else self._last_serial(rid),
            assessed_need=bool(
                placement
                and wage_value
                and wage_value.needs_job_coaching
                and wage_value.placed_version == placement.placed_version
            ),
            request_open=trajectory.job_broker_requested_on is not None,
            activities=set(trajectory.activities),
            coached=bool(placement) and self._has_coaching(rid, serial),
        )

    def _has_coaching(self, rid: UUID, placed_version: int) -> bool:
        return coaching_id(rid, placed_version) in self.ids.coachings

    def _last_serial(self, rid: UUID) -> int:
        """The version of the last Placed event (the model keeps it after a placement ends)."""
        serial = 0
        for event in self.app.events(rid):
            if isinstance(event, ResidentTrajectory.Placed):
                serial = event.originator_version
        return serial
