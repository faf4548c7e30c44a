"""The application service: ``Participation``, the one entry point importing applications use.

Every command has the same shape: check the input that needs the clock (a business date may not
lie in the future), load the aggregate, call its command (which checks the rules), save. When
another writer saved the same trajectory in between, the command is retried on the fresh state,
so no update is lost and a rule that the other writer's change now breaks is reported as such.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import attrs
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import EventStore, IntegrityError, JSONTranscoder, Mapper
from eventsourcing.popo import POPOFactory
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import get_topic, resolve_topic

from participatie.audit.access import AccessEntry, AccessKind, AccessLog, access_log_id
from participatie.audit.chain import ChainMapper, Verification, split_state, verify_stream
from participatie.audit.export import check_export, export_document
from participatie.audit.history import HistoryEntry, check_moments, replay, selected
from participatie.audit.snapshots import Snapshot
from participatie.domain.bsn import validate_bsn
from participatie.domain.dates import add_years
from participatie.domain.inputs import business_date
from participatie.domain.inputs import checked_text as text
from participatie.domain.job_coaching import JobCoachingTrajectory, coaching_id
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.domain.resident import ResidentTrajectory
from participatie.domain.values import (
    Activity,
    Actor,
    Benefit,
    CoachingOutcome,
    Counterpart,
    ErasureGround,
    Goal,
    JobCoach,
    OutflowReason,
    Placement,
    PlacementEndReason,
    PlacementKind,
    Provider,
    Referral,
    Role,
    TrajectoryStatus,
    VisitKind,
    parse_enum,
)
from participatie.errors import (
    BsnAlreadyRegistered,
    BusinessDateRefused,
    ConcurrentUpdate,
    ConfigurationError,
    InvalidInput,
    JobCoachingAlreadyStarted,
    NoJobCoachingNeed,
    NotAuthorised,
    NotFound,
    PlacementNoLongerCurrent,
    PlacementTooSmall,
    TamperDetected,
)
from participatie.privacy.authorisation import (
    DEFAULT_PERMISSIONS,
    Action,
    Permissions,
    authorise,
)
from participatie.privacy.vault import KeyRing, PersonalData, VaultStorage
from participatie.projections.facts import Fact
from participatie.projections.figures import OutcomeReport, compute
from participatie.projections.runner import catch_up
from participatie.projections.runner import follow as follow_view
from participatie.projections.views import FactsView, POPOFactsView, SQLiteFactsView
from participatie.recorders import POPOParticipationRecorder
from participatie.stores import (
    APP_NAME,
    parse_store_url,
    resolve_previous_secrets,
    resolve_secret,
)
from participatie.transcodings import register_transcodings

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from decimal import Decimal

    from eventsourcing.persistence import ApplicationRecorder, Notification
    from eventsourcing.postgres import PostgresFactory

__all__ = [
    "Participation",
    "coached_placement_is_current",
    "require_coached_placement",
    "require_job_coaching_need",
    "require_outcome_matches_placement",
]

A = TypeVar("A", ResidentTrajectory, JobCoachingTrajectory)

logger = logging.getLogger(__name__)

#: How many trajectories each application keeps in memory (see _EventStoreApplication).
AGGREGATE_CACHE_SIZE = 1000

#: Events between a trajectory's snapshots, unless ``Participation.open`` is told otherwise.
DEFAULT_SNAPSHOT_INTERVAL = 100

#: The purpose recorded for a read when the caller gives none.
NOT_STATED = "not stated"

#: Business dates are Dutch calendar days.
TIMEZONE = ZoneInfo("Europe/Amsterdam")

#: How often a command is tried when other writers keep saving the same trajectory first, and the
#: longest pause (seconds) before a retry; pauses are random so that racing writers spread out.
_ATTEMPTS = 12
_MAX_BACKOFF = 0.5


@attrs.define
class _Staged:
    """Aggregates changed by commands but not saved yet, and what goes with them to the recorder.

    A stage lets a bulk import validate many commands through the usual command methods and save
    them in one transaction (see :meth:`Participation._staging`).
    """

    parent: _Staged | None = None
    aggregates: dict[UUID, Any] = attrs.Factory(dict)
    save_with: dict[str, list[Any]] = attrs.Factory(dict)
    bsn_hashes: set[bytes] = attrs.Factory(set)

    def get(self, aggregate_id: UUID) -> Any | None:
        found = self.aggregates.get(aggregate_id)
        if found is None and self.parent is not None:
            in_parent = self.parent.get(aggregate_id)
            if in_parent is not None:
                # A copy: a refused command in this stage must leave the parent's as it was.
                found = self.aggregates[aggregate_id] = copy.deepcopy(in_parent)
        return found

    def knows_bsn(self, bsn_hashes: Iterable[bytes]) -> bool:
        stage: _Staged | None = self
        while stage is not None:
            if not stage.bsn_hashes.isdisjoint(bsn_hashes):
                return True
            stage = stage.parent
        return False

    def add(self, aggregate: Any, **save_with: Sequence[Any]) -> None:
        self.aggregates[aggregate.id] = aggregate
        for name, values in save_with.items():
            self.save_with.setdefault(name, []).extend(values)

    def merge_into(self, parent: _Staged) -> None:
        for aggregate in self.aggregates.values():
            parent.add(aggregate)
        for name, values in self.save_with.items():
            parent.save_with.setdefault(name, []).extend(values)
        parent.bsn_hashes |= self.bsn_hashes


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _back_off(attempt: int) -> None:
    """Wait a random while, longer after each lost race (exponential backoff with jitter)."""
    time.sleep(random.uniform(0, min(_MAX_BACKOFF, 0.005 * 2**attempt)))  # noqa: S311


class _EventStoreApplication(Application[UUID]):
    """The eventsourcing application underneath: persistence, transcoding, the vault's recorder,
    and the hash chain over every stream."""

    name = APP_NAME

    def __init__(self, env: dict[str, str] | None = None, *, snapshot_interval: int = 0) -> None:
        self.snapshot_interval = snapshot_interval
        env = dict(env or {})
        if snapshot_interval:
            env["IS_SNAPSHOTTING_ENABLED"] = "y"
        # Recently used trajectories stay in memory; each load still reads the events saved
        # since (eventsourcing's fast-forward), so other processes' writes are never missed, and
        # commands change a copy.
        env.setdefault(self.AGGREGATE_CACHE_MAXSIZE, str(AGGREGATE_CACHE_SIZE))
        env[self.AGGREGATE_CACHE_FASTFORWARD] = "y"
        env[self.DEEPCOPY_FROM_AGGREGATE_CACHE] = "y"
        super().__init__(env)
        if isinstance(self.mapper, ChainMapper):
            self.mapper.previous_lookup = self._stored_hash

    def _record(self, processing_event: ProcessingEvent[UUID]) -> Any:
        # The chain mapper remembers the hashes of the events it encoded only once they are
        # stored, so that a save that lost a race leaves no hash behind.
        try:
            recordings = super()._record(processing_event)
        except BaseException:
            if isinstance(self.mapper, ChainMapper):
                self.mapper.not_saved()
            raise
        if isinstance(self.mapper, ChainMapper):
            self.mapper.saved()
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot a trajectory each time its version reaches a multiple of the interval."""
        if self.snapshots is None or not self.snapshot_interval:
            return
        for event in processing_event.events:
            if isinstance(event, ResidentTrajectory.Event | JobCoachingTrajectory.Event) and not (
                event.originator_version % self.snapshot_interval
            ):
                # The events are committed: a snapshot that cannot be taken must not turn the
                # command into a failure (a caller would retry it). Loads then read more events.
                try:
                    self.snapshot(event.originator_id, event.originator_version)
                except Exception:
                    logger.exception(
                        "no snapshot of %s at version %s",
                        event.originator_id,
                        event.originator_version,
                    )

    def snapshot(self, aggregate_id: UUID, version: int) -> None:
        """Store a snapshot of a trajectory at ``version``, from the snapshot before it."""
        if self.snapshots is None:
            return
        previous = self.snapshot_covering(aggregate_id, as_of=None, known_at=None, lte=version)
        events = list(
            self.events.get(
                aggregate_id,
                gt=None if previous is None else previous.originator_version,
                lte=version,
            )
        )
        aggregate = replay(([] if previous is None else [previous]) + events)
        if aggregate is None or aggregate.version != version:
            return
        # Another process may have taken the same snapshot: it is the same state.
        with contextlib.suppress(IntegrityError):
            self.snapshots.put([Snapshot.of(aggregate, events, previous=previous)])

    def snapshot_covering(
        self,
        aggregate_id: UUID,
        *,
        as_of: date | None,
        known_at: datetime | None,
        lte: int | None = None,
    ) -> Snapshot | None:
        """The latest snapshot whose events all count as of ``as_of`` and known at ``known_at``."""
        if self.snapshots is None:
            return None
        for found in self.snapshots.get(aggregate_id, desc=True, lte=lte):
            if isinstance(found, Snapshot) and found.covers(as_of=as_of, known_at=known_at):
                return found
        return None

    def check_snapshots(self, stream_id: UUID) -> list[str]:
        """Problems with the stream's snapshots: each must equal a replay of its events."""
        if self.snapshots is None:
            return []
        stored = self.snapshots.recorder.select_events(stream_id)
        if not stored:
            return []
        events: list[Any] = list(self.events.get(stream_id))
        aggregate: Any = None
        applied = 0
        occurred: date | None = None
        recorded: datetime | None = None
        problems = []
        for record in stored:
            version = record.originator_version
            try:
                snapshot: Any = self.snapshots.mapper.to_domain_event(record)
                restored = snapshot.mutate(None)
            except Exception as error:  # any failure to decode is the finding
                problems.append(f"{stream_id}: snapshot v{version} does not decode ({error})")
                continue
            while applied < len(events) and events[applied].originator_version <= version:
                event = events[applied]
                aggregate = event.mutate(aggregate)
                occurred = max(occurred or event.occurred_on, event.occurred_on)
                recorded = max(recorded or event.timestamp, event.timestamp)
                applied += 1
            if (
                aggregate is None
                or aggregate.version != version
                or _state(aggregate) != _state(restored)
                or (snapshot.occurred_through, snapshot.recorded_through) != (occurred, recorded)
            ):
                problems.append(
                    f"{stream_id}: snapshot v{version} does not match the stream's events"
                )
        return problems

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=ChainMapper)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        # Snapshots are not part of any chain: they are stored with a plain mapper.
        plain: Mapper[UUID] = self.factory.mapper(transcoder=self.construct_transcoder())
        if isinstance(self.factory, POPOFactory | SQLiteFactory):
            recorder = self.factory.aggregate_recorder(purpose="snapshots")
        else:
            from participatie.recorders_postgres import (  # noqa: PLC0415
                PostgresSnapshotRecorder,
            )

            factory = cast("PostgresFactory", self.factory)
            recorder = PostgresSnapshotRecorder(
                factory.datastore, events_table_name=f"{self.name.lower()}_snapshots"
            )
            if factory.env_create_table():
                recorder.create_table()
        return self.factory.event_store(mapper=plain, recorder=recorder)

    @contextlib.contextmanager
    def new_events_signal(self, stop: threading.Event) -> Iterator[Callable[[float], object]]:
        """A function that waits at most some seconds for new events, or for ``stop``.

        On PostgreSQL it listens for the notification eventsourcing sends with every insert;
        elsewhere it only waits.
        """
        channel = getattr(self.recorder, "channel_name", None)
        datastore = getattr(self.recorder, "datastore", None)
        if channel is None or datastore is None or not hasattr(datastore, "pool"):
            yield stop.wait
            return
        from psycopg.sql import SQL, Identifier  # noqa: PLC0415

        with datastore.get_connection() as conn:
            conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
            try:

                def wait(seconds: float) -> object:
                    # Short waits, so that a stop is noticed soon.
                    deadline = time.monotonic() + seconds
                    while not stop.is_set() and time.monotonic() < deadline:
                        for _ in conn.notifies(timeout=min(0.2, seconds), stop_after=1):
                            return True
                    return False

                yield wait
            finally:
                conn.execute(SQL("UNLISTEN {}").format(Identifier(channel)))

    def facts_view(self) -> FactsView:
        """The outcomes projection's view in this store (made on first use)."""
        view: FactsView | None = getattr(self, "_facts_view", None)
        if view is None:
            if isinstance(self.factory, POPOFactory):
                view = POPOFactsView()
            elif isinstance(self.factory, SQLiteFactory):
                view = cast("FactsView", self.factory.tracking_recorder(SQLiteFactsView))
            else:
                from participatie.projections.views_postgres import (  # noqa: PLC0415
                    PostgresFactsView,
                )

                view = cast("FactsView", self.factory.tracking_recorder(PostgresFactsView))
            self._facts_view = view
        return view

    def _stored_hash(self, originator_id: UUID | str, version: int) -> bytes | None:
        """The chain hash of one stored event, read from the store."""
        if isinstance(originator_id, str):
            try:
                originator_id = UUID(originator_id)
            except ValueError:
                return None
        found = self.recorder.select_events(originator_id, lte=version, desc=True, limit=1)
        if not found or found[0].originator_version != version:
            return None
        return split_state(found[0].state)[0]

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)

    def construct_recorder(self) -> ApplicationRecorder:
        # The in-process factory has no recorder-topic setting; the others are set by stores.py.
        if isinstance(self.factory, POPOFactory):
            return POPOParticipationRecorder()
        return super().construct_recorder()


def _system_clock() -> datetime:
    return datetime.now(tz=UTC)


class Participation:
    """Record the coaching of residents towards work, and read it back.

    Open one with :meth:`open`; use it as a context manager or call :meth:`close`.

    >>> from datetime import date
    >>> from participatie import Actor, Benefit, Goal, Participation, Referral, Role
    >>> coach = Actor("coach-17", Role.COACH)
    >>> with Participation.open("memory://") as app:
    ...     rid = app.register_resident(referral=Referral.WALK_IN, benefit=Benefit.NONE,
    ...                                 municipality="haaren", on=date(2019, 1, 8), by=coach)
    ...     app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=coach)
    ...     app.resident(rid).goal
    <Goal.WORK: 'work'>
    """

    def __init__(
        self,
        *,
        events: _EventStoreApplication,
        keyring: KeyRing,
        policy: Policy,
        clock: Callable[[], datetime],
        store_url: str,
        permissions: Permissions = DEFAULT_PERMISSIONS,
    ) -> None:
        self._events = events
        self._permissions = permissions
        self._keyring = keyring
        self._clock = clock
        self.policy = policy
        self.store_url = store_url
        vault = events.recorder
        if not all(hasattr(vault, name) for name in ("vault_get", "vault_find")):
            raise ConfigurationError(
                f"the store {store_url} has no personal-data vault: its recorder "
                f"{type(vault).__name__} is not one of participatie's recorders"
            )
        self._vault: VaultStorage = vault  # type: ignore[assignment]
        self._staged: _Staged | None = None

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        secret: str | None = None,
        previous_secrets: Sequence[str] | None = None,
        policy: Policy = DEFAULT_POLICY,
        clock: Callable[[], datetime] | None = None,
        permissions: Permissions = DEFAULT_PERMISSIONS,
        snapshot_interval: int | None = DEFAULT_SNAPSHOT_INTERVAL,
    ) -> Self:
        """Open the store at ``url`` (see :mod:`participatie.stores`).

        ``secret`` (or ``PARTICIPATIE_SECRET``) protects the personal-data vault;
        ``previous_secrets`` (or ``PARTICIPATIE_PREVIOUS_SECRET``) are secrets that records may
        still be sealed under while a rotation runs (see :meth:`rotate_keys`); ``policy`` is
        recorded on every event; ``clock`` (returning an aware datetime) decides what "today" is;
        ``permissions`` maps roles to what they may do (see
        :mod:`participatie.privacy.authorisation`); a trajectory is snapshotted each time its
        version reaches a multiple of ``snapshot_interval`` (None: no snapshots are taken or
        used), which speeds up loading long trajectories and replaying them as of a date.
        """
        config = parse_store_url(url)
        keyring = KeyRing(
            resolve_secret(config, secret),
            previous_secrets=resolve_previous_secrets(previous_secrets),
        )
        if not isinstance(policy, Policy):
            raise ConfigurationError(f"policy must be a Policy, not {type(policy).__name__}")
        if snapshot_interval is not None and (
            isinstance(snapshot_interval, bool)
            or not isinstance(snapshot_interval, int)
            or snapshot_interval < 2
        ):
            raise ConfigurationError(
                f"snapshot_interval must be a whole number of at least 2, or None, not "
                f"{snapshot_interval!r}"
            )
        if config.sqlite_path is not None:
            config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            events = _EventStoreApplication(
                env=config.env, snapshot_interval=snapshot_interval or 0
            )
        except ImportError as error:
            raise ConfigurationError(
                f"the store {config.display_url} needs an optional package ({error.name}); "
                "install participatie[postgres]"
            ) from None
        except Exception as error:
            raise ConfigurationError(
                f"cannot open the store {config.display_url}: {_without(error, url)}"
            ) from None
        return cls(
            events=events,
            keyring=keyring,
            policy=policy,
            clock=clock or _system_clock,
            store_url=config.display_url,
            permissions=permissions,
        )

    def close(self) -> None:
        """Close the store's connections."""
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def today(self) -> date:
        """Today's date in the Netherlands, by this application's clock."""
        now = self._clock()
        if now.tzinfo is None:
            raise ConfigurationError("the clock must return timezone-aware datetimes")
        return now.astimezone(TIMEZONE).date()

    # Resident commands.

    def register_resident(
        self,
        *,
        referral: Referral | str,
        benefit: Benefit | str,
        municipality: str,
        on: date,
        by: Actor,
        bsn: str | None = None,
        name: str | None = None,
        notes: str | None = None,
    ) -> UUID:
        """Open a trajectory for a resident and return the resident's new pseudonymous id.

        ``bsn``, ``name`` and ``notes`` go into the personal-data vault only, never into an event.
        A BSN that already has a trajectory is refused with :class:`BsnAlreadyRegistered`.
        """
        municipality = text(municipality, field="municipality", max_length=100)
        self._authorise(by, Action.REGISTER, municipality=municipality)
        self._check_not_future(on)
        data = PersonalData(bsn=None if bsn is None else validate_bsn(bsn), name=name, notes=notes)
        if data.bsn is not None:
            self._refuse_known_bsn(data.bsn)
        trajectory = ResidentTrajectory.register(
            referral=referral,
            benefit=benefit,
            municipality=municipality,
            on=on,
            by=by,
            policy=self.policy,
        )
        records = [] if data.is_empty else [self._keyring.seal(trajectory.id, data)]
        if self._staged is not None:
            if data.bsn is not None:
                self._staged.bsn_hashes.add(self._keyring.bsn_hash(data.bsn))
            self._staged.add(trajectory, vault_records=records)
            return trajectory.id
        try:
            self._events.save(trajectory, vault_records=records)
        except IntegrityError:
            if data.bsn is not None:  # another process registered this BSN in between
                self._refuse_known_bsn(data.bsn)
            raise
        return trajectory.id

    def hold_intake(
        self, resident_id: UUID, *, goal: Goal | str, happiness: int, on: date, by: Actor
    ) -> None:
        """Hold the intake: goal and a first happiness score (1..10). Once, before the rest."""
        self._change(
            Action.HOLD_INTAKE,
            by,
            resident_id,
            on,
            lambda t: t.hold_intake(
                goal=goal, happiness=happiness, on=on, by=by, policy=self.policy
            ),
        )

    def record_conversation(
        self, resident_id: UUID, *, happiness: int, on: date, by: Actor
    ) -> None:
        """Record a conversation with the resident and their happiness score (1..10)."""
        self._change(
            Action.RECORD_CONVERSATION,
            by,
            resident_id,
            on,
            lambda t: t.record_conversation(happiness=happiness, on=on, by=by, policy=self.policy),
        )

    def change_goal(self, resident_id: UUID, *, goal: Goal | str, on: date, by: Actor) -> None:
        """Change the resident's goal."""
        self._change(
            Action.CHANGE_GOAL,
            by,
            resident_id,
            on,
            lambda t: t.change_goal(goal=goal, on=on, by=by, policy=self.policy),
        )

    def visit_workplace(
        self,
        resident_id: UUID,
        *,
        organisation: str,
        kind: VisitKind | str,
        on: date,
        by: Actor,
    ) -> None:
        """Record a workplace visit, shadow day, ride-along, coffee at a care home or walk."""
        self._change(
            Action.VISIT_WORKPLACE,
            by,
            resident_id,
            on,
            lambda t: t.visit_workplace(
                organisation=organisation, kind=kind, on=on, by=by, policy=self.policy
            ),
        )

    def start_activity(
        self, resident_id: UUID, *, activity: Activity | str, on: date, by: Actor
    ) -> None:
        """Start an activity such as a language course."""
        self._change(
            Action.START_ACTIVITY,
            by,
            resident_id,
            on,
            lambda t: t.start_activity(activity=activity, on=on, by=by, policy=self.policy),
        )

    def end_activity(
        self, resident_id: UUID, *, activity: Activity | str, on: date, by: Actor
    ) -> None:
        """End a running activity."""
        self._change(
            Action.END_ACTIVITY,
            by,
            resident_id,
            on,
            lambda t: t.end_activity(activity=activity, on=on, by=by, policy=self.policy),
        )

    def request_job_broker(self, resident_id: UUID, *, on: date, by: Actor) -> None:
        """Ask the job broker to search a workplace for a resident who is ready."""
        self._change(
            Action.REQUEST_JOB_BROKER,
            by,
            resident_id,
            on,
            lambda t: t.request_job_broker(on=on, by=by, policy=self.policy),
        )

    def withdraw_job_broker_request(self, resident_id: UUID, *, on: date, by: Actor) -> None:
        """Withdraw the open job broker request."""
        self._change(
            Action.WITHDRAW_JOB_BROKER_REQUEST,
            by,
            resident_id,
            on,
            lambda t: t.withdraw_job_broker_request(on=on, by=by, policy=self.policy),
        )

    def place(
        self,
        resident_id: UUID,
        *,
        employer: str,
        kind: PlacementKind | str,
        hours_per_week: int | float | Decimal,
        contract_months: int | None = None,
        trial: bool = False,
        on: date,
        by: Actor,
    ) -> None:
        """Place the resident at an employer: paid or volunteer work, more than 0 and at most 40
        hours a week, optionally for a number of contract months or as a trial placement."""
        self._change(
            Action.PLACE,
            by,
            resident_id,
            on,
            lambda t: t.place(
                employer=employer,
                kind=kind,
                hours_per_week=hours_per_week,
                contract_months=contract_months,
                trial=trial,
                on=on,
                by=by,
                policy=self.policy,
            ),
        )

    def end_placement(
        self, resident_id: UUID, *, reason: PlacementEndReason | str, on: date, by: Actor
    ) -> None:
        """End the current placement."""
        self._change(
            Action.END_PLACEMENT,
            by,
            resident_id,
            on,
            lambda t: t.end_placement(reason=reason, on=on, by=by, policy=self.policy),
        )

    def assess_wage_value(
        self,
        resident_id: UUID,
        *,
        percent: int,
        needs_job_coaching: bool,
        on: date,
        by: Actor,
    ) -> None:
        """Record a wage value assessment (whole percent 0..100) at the current paid placement."""
        self._change(
            Action.ASSESS_WAGE_VALUE,
            by,
            resident_id,
            on,
            lambda t: t.assess_wage_value(
                percent=percent,
                needs_job_coaching=needs_job_coaching,
                on=on,
                by=by,
                policy=self.policy,
            ),
        )

    def close_trajectory(
        self, resident_id: UUID, *, reason: OutflowReason | str, on: date, by: Actor
    ) -> None:
        """Close the trajectory (outflow) with a reason."""
        self._change(
            Action.CLOSE_TRAJECTORY,
            by,
            resident_id,
            on,
            lambda t: t.close(reason=reason, on=on, by=by, policy=self.policy),
        )

    def reopen_trajectory(self, resident_id: UUID, *, on: date, by: Actor) -> None:
        """Reopen a closed trajectory (re-inflow); the intake is kept."""
        self._change(
            Action.REOPEN_TRAJECTORY,
            by,
            resident_id,
            on,
            lambda t: t.reopen(on=on, by=by, policy=self.policy),
        )

    def erase_personal_data(
        self,
        resident_id: UUID,
        *,
        by: Actor,
        reason: ErasureGround | str,
        on: date | None = None,
    ) -> None:
        """Erase a resident's personal data by destroying their key and vault record (AVG art. 17).

        Events stay (they hold no personal data), the history still replays, statistics still
        rebuild and the tamper-evidence chain still verifies; a ``PersonalDataErased`` receipt is
        recorded. A file that involved a statutory decision is kept for the policy's retention
        years after closure: erasure before then raises :class:`RetentionRequired` unless the
        ground overrides retention (by default ``legal_obligation``).
        """
        rid = _uuid(resident_id)
        day = self.today() if on is None else business_date(on)

        def erase(resident: ResidentTrajectory) -> None:
            resident.record_erasure(
                ground=reason,
                statutory=file_involved_a_statutory_decision(
                    resident, has_job_coaching=self._has_job_coaching(rid)
                ),
                today=self.today(),
                on=day,
                by=by,
                policy=self.policy,
            )

        # The vault record goes in the same transaction as the receipt.
        self._change(Action.ERASE, by, rid, day, erase, vault_erasures=[rid])

    def retention_due(self, *, by: Actor) -> list[UUID]:
        """Residents whose personal data may now be erased on the ground ``retention_ended``.

        Closed files that involved a statutory decision and whose retention years have passed,
        and closed files without such a decision; not the ones already erased.
        """
        self._authorise(by, Action.ERASE)
        today = self.today()
        due = []
        for rid in self._retention_candidates(by.municipality, today):
            resident = self._load_resident(rid)
            if resident.personal_data_erased or resident.closed_on is None:
                continue
            if resident.status is not TrajectoryStatus.CLOSED:
                continue
            if by.municipality is not None and resident.municipality != by.municipality:
                continue
            statutory = file_involved_a_statutory_decision(
                resident, has_job_coaching=self._has_job_coaching(rid)
            )
            if not statutory or add_years(resident.closed_on, self.policy.retention_years) <= today:
                due.append(rid)
        return due

    def _retention_candidates(self, municipality: str | None, today: date) -> list[UUID]:
        """Residents whom the outcome facts show closed, not erased, and never under retention
        or past it, in order of registration. Each is confirmed from its trajectory, which is
        the authority; the facts only spare loading every file."""
        by_resident: dict[str, list[Fact]] = {}
        for fact in self._current_facts(municipality):
            by_resident.setdefault(fact.resident_id, []).append(fact)
        candidates = []
        for rid, facts in by_resident.items():
            registered = next((f for f in facts if f.kind == "registered"), None)
            ends = sorted(
                (f for f in facts if f.stream_id == rid and f.kind in ("closed", "reopened")),
                key=lambda f: f.version,
            )
            if registered is None or not ends or ends[-1].kind != "closed":
                continue
            if any(f.kind == "erased" for f in facts):
                continue
            statutory = registered.value != Benefit.NONE.value or any(
                f.kind in ("assessed", "coaching_started") for f in facts
            )
            retained_until = add_years(ends[-1].occurred_on, self.policy.retention_years)
            if not statutory or retained_until <= today:
                candidates.append((registered.recorded_at, UUID(rid)))
        return [rid for _, rid in sorted(candidates)]

    # Job coaching commands.

    def start_job_coaching(
        self,
        resident_id: UUID,
        *,
        provider: Provider,
        coach: JobCoach,
        on: date,
        by: Actor,
    ) -> UUID:
        """Start job coaching for the resident's current paid placement; return its id.

        Needs a wage value assessment at that placement that established the need, a placement
        of at least the policy's hours and contract months (or a trial placement), a recognised
        provider and a job coach with an HBO degree. One coaching per placement.
        """
        self._check_not_future(on)
        resident = self._load_resident(_uuid(resident_id))
        self._authorise(by, Action.START_JOB_COACHING, municipality=resident.municipality)
        placement = require_job_coaching_need(resident, on=business_date(on), policy=self.policy)
        coaching = JobCoachingTrajectory.start(
            resident_id=resident.id,
            placement=placement,
            provider=provider,
            coach=coach,
            on=on,
            by=by,
            policy=self.policy,
        )
        already = JobCoachingAlreadyStarted(
            f"the placement at {placement.employer} since {placement.started_on} has job "
            f"coaching already: {coaching.id}"
        )
        if self._staged is not None:
            if self._staged.get(coaching.id) is not None or self._events.recorder.select_events(
                coaching.id, limit=1
            ):
                raise already
            self._staged.add(coaching)
            return coaching.id
        try:
            self._events.save(coaching)
        except IntegrityError:
            raise already from None
        return coaching.id

    def log_coaching_hours(
        self,
        coaching_id: UUID,
        *,
        hours: int | float | Decimal,
        counterpart: Counterpart | str,
        on: date,
        by: Actor,
    ) -> None:
        """Log coaching hours (> 0) with the employee, colleagues or manager, within the cap."""

        def log(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.log_hours(
                hours=hours, counterpart=counterpart, on=on, by=by, policy=self.policy
            )

        self._change_coaching(Action.LOG_COACHING_HOURS, by, coaching_id, on, log)

    def evaluate_job_coaching(self, coaching_id: UUID, *, on: date, by: Actor) -> None:
        """Record an evaluation of the job coaching (expected every six months)."""

        def evaluate(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.evaluate(on=on, by=by, policy=self.policy)

        self._change_coaching(Action.EVALUATE_JOB_COACHING, by, coaching_id, on, evaluate)

    def extend_job_coaching(self, coaching_id: UUID, *, reason: str, on: date, by: Actor) -> None:
        """Extend job coaching once, before its planned end. ``reason``: short, no personal data."""

        def extend(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            require_coached_placement(coaching, resident)
            coaching.extend(reason=reason, on=on, by=by, policy=self.policy)

        self._change_coaching(Action.EXTEND_JOB_COACHING, by, coaching_id, on, extend)

    def complete_job_coaching(
        self, coaching_id: UUID, *, outcome: CoachingOutcome | str, on: date, by: Actor
    ) -> None:
        """Complete job coaching with its outcome."""

        def complete(coaching: JobCoachingTrajectory, resident: ResidentTrajectory) -> None:
            parsed = parse_enum(CoachingOutcome, outcome, field="outcome")
            require_outcome_matches_placement(coaching, resident, parsed)
            coaching.complete(outcome=parsed, on=on, by=by, policy=self.policy)

        self._change_coaching(Action.COMPLETE_JOB_COACHING, by, coaching_id, on, complete)

    # Queries.

    def job_coaching(
        self,
        coaching_id: UUID,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> JobCoachingTrajectory:
        """The job coaching (a copy), now or as of a business date and/or recorded time."""
        return self._as_of(JobCoachingTrajectory, coaching_id, as_of=as_of, known_at=known_at)

    def history(
        self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED
    ) -> list[HistoryEntry]:
        """Everything recorded about a resident, across the resident trajectory and all of the
        resident's job coaching, in recorded order. Contains no personal data. The read is
        recorded in the resident's access log."""
        entries = self._history(resident_id, by, Action.READ_HISTORY)
        self._log_access(_uuid(resident_id), by, AccessKind.HISTORY, purpose)
        return entries

    def access_log(self, resident_id: UUID, *, by: Actor) -> tuple[AccessEntry, ...]:
        """Who read the resident's personal data, history or file, when and why."""
        rid = _uuid(resident_id)
        resident = self._load_resident(rid)
        self._authorise(by, Action.READ_HISTORY, municipality=resident.municipality)
        try:
            log: object = self._events.repository.get(access_log_id(rid))
        except AggregateNotFoundError:
            return ()
        return log.entries if isinstance(log, AccessLog) else ()

    def _history(self, resident_id: UUID, by: Actor, action: Action) -> list[HistoryEntry]:
        self._authorise(by, action)
        rid = _uuid(resident_id)
        streams = self._streams_of(rid)
        registered = streams[0][1][0]
        self._authorise(by, action, municipality=registered.municipality)
        entries = [
            HistoryEntry.of(event, aggregate) for aggregate, events in streams for event in events
        ]
        entries.sort(key=lambda e: (e.recorded_at, e.aggregate_id != rid, e.version))
        return entries

    def export(self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED) -> dict[str, Any]:
        """The resident's complete file (history without personal data) with a manifest: who
        generated it and when, counts, chain heads and a content hash. See :meth:`check_export`.
        The export is recorded in the resident's access log."""
        rid = _uuid(resident_id)
        heads = self._events.recorder.chain_heads()  # type: ignore[attr-defined]
        entries = [
            entry
            for entry in self._history(rid, by, Action.EXPORT)
            if entry.version <= heads.get(str(entry.aggregate_id), (entry.version,))[0]
        ]
        self._log_access(rid, by, AccessKind.EXPORT, purpose)
        return export_document(
            resident_id=str(rid),
            entries=entries,
            heads=heads,
            by=by,
            generated_at=self._clock(),
            store=self.store_url,
        )

    def check_export(self, document: object) -> Verification:
        """Whether an export is unchanged and the store still holds exactly what it exported."""
        problems = check_export(document, self._events._stored_hash)
        return Verification(ok=not problems, problems=problems)

    def outcomes(
        self,
        *,
        period: tuple[date, date] | None = None,
        municipality: str | None = None,
        target: int | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> OutcomeReport:
        """The outcome statistics of a period (both days inclusive) for a municipality or all.

        The outcomes view first catches up with the end of the event log, so the effect of every
        command is visible. ``as_of`` counts only what had happened by that business date,
        ``known_at`` only what had been recorded by then. Without a period: the calendar year up
        to ``as_of`` (or today). ``target`` is the reach the municipality aimed for.
        """
        check_moments(as_of, known_at)
        reference = as_of or self.today()
        start, end = period if period is not None else (date(reference.year, 1, 1), reference)
        for day in (start, end):
            business_date(day, field="period")
        if start > end:
            raise InvalidInput(f"the period starts ({start}) after it ends ({end})")
        if target is not None and (
            isinstance(target, bool) or not isinstance(target, int) or target < 1
        ):
            raise InvalidInput(f"target must be a whole number above 0, or None, not {target!r}")
        end = min(end, reference) if as_of else end  # reference is as_of then
        # Nothing that happened after the period's end (so after as_of) counts, nor what was
        # recorded after known_at: the view leaves those facts out.
        facts = self._current_facts(municipality, through=end, known_at=known_at)
        return compute(
            facts,
            period=(start, end),
            municipality=municipality,
            target=target,
        )

    def project(
        self,
        *,
        follow: bool = False,
        stop: threading.Event | None = None,
        poll_seconds: float = 1.0,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Bring the outcomes view up to the end of the event log; return how many events that took.

        With ``follow=True`` keep it there until ``stop`` is set: on PostgreSQL the view catches
        up as soon as a notification says events were recorded (LISTEN/NOTIFY), and at least every
        ``poll_seconds``; on SQLite, which has no notifications, every ``poll_seconds``. Several
        followers and applications may share one view: each event is counted once.
        """
        view = self._events.facts_view()
        if not follow:
            return catch_up(self._events, view, progress=progress)
        if stop is None:
            raise InvalidInput("follow=True needs a stop event (threading.Event) to end it")
        with self._events.new_events_signal(stop) as wait_for_events:
            return follow_view(
                self._events,
                view,
                stop=stop,
                wait_for_events=wait_for_events,
                poll_seconds=poll_seconds,
                progress=progress,
            )

    def rebuild(self, *, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the outcomes view from all events; return how many events were read."""
        view = self._events.facts_view()
        view.reset()
        try:
            return catch_up(self._events, view, progress=progress)
        finally:
            view.create_indexes()

    def event_count(self) -> int:
        """The position of the last event in the store's log (0 for an empty store)."""
        return self._events.recorder.max_notification_id() or 0

    def verify(self, resident_id: UUID | None = None, *, strict: bool = False) -> Verification:
        """Check the tamper-evidence chain of every stream, or of one resident's streams.

        Finds changed, deleted, reordered and inserted events and streams that lost their newest
        events. With ``strict=True`` a problem raises :class:`TamperDetected`.
        """
        heads = self._events.recorder.chain_heads()  # type: ignore[attr-defined]
        if resident_id is None:
            stream_ids = set(heads) | {str(i) for i in self._stream_ids()}
        else:
            # Read raw records only: a tampered stream may not decode any more.
            rid = _uuid(resident_id)
            stored = self._events.recorder.select_events(rid)
            head = heads.get(str(rid))
            if not stored and head is None:
                raise NotFound(f"no resident with id {rid}")
            last = max([head[0] if head else 0] + [s.originator_version for s in stored])
            coaching_streams = {str(coaching_id(rid, v)) for v in range(1, last + 1)}
            own_streams = coaching_streams | {str(access_log_id(rid))}
            stream_ids = {str(rid)} | (own_streams & set(heads))
        problems: list[str] = []
        events = 0
        for stream_id in sorted(stream_ids):
            stored = self._events.recorder.select_events(UUID(stream_id))
            events += len(stored)
            found = verify_stream(stream_id, stored, heads.get(stream_id))
            # Snapshots are checked against events only when the events themselves are sound.
            problems += found or self._events.check_snapshots(UUID(stream_id))
        verification = Verification(
            ok=not problems, problems=problems, streams=len(stream_ids), events=events
        )
        if strict and problems:
            raise TamperDetected("; ".join(problems))
        return verification

    def resident(
        self,
        resident_id: UUID,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> ResidentTrajectory:
        """The resident's trajectory (a copy: changing it changes nothing).

        Without arguments, as it stands now. ``as_of`` (a date) replays only what had happened
        by that business date, ``known_at`` (an aware datetime) only what had been recorded by
        then; both are inclusive and may be combined (see :mod:`participatie.audit.history`).
        """
        return self._as_of(ResidentTrajectory, resident_id, as_of=as_of, known_at=known_at)

    def resident_ids(self) -> list[UUID]:
        """The ids of all registered residents, in order of registration."""
        topic = get_topic(ResidentTrajectory.Registered)
        return [UUID(str(n.originator_id)) for n in self._notifications(topics=[topic])]

    def find_resident(self, *, bsn: str, by: Actor, purpose: str = NOT_STATED) -> UUID | None:
        """The id of the resident with this BSN, or None. Looks up a keyed hash, never the BSN.

        A resident of a municipality the actor does not work for is not found for them. A lookup
        that finds a resident is recorded in that resident's access log.
        """
        self._authorise(by, Action.FIND_RESIDENT)
        found = self._find_bsn(validate_bsn(bsn))
        if found is None:
            return None
        if by.municipality is not None and (
            self._load_resident(found).municipality != by.municipality
        ):
            return None
        self._log_access(found, by, AccessKind.BSN_LOOKUP, purpose)
        return found

    def personal_data(
        self, resident_id: UUID, *, by: Actor, purpose: str = NOT_STATED
    ) -> PersonalData:
        """The vault's record of a resident (BSN, name, notes); ``erased`` once erased.

        The read is recorded in the resident's access log, with its purpose.
        """
        self._authorise(by, Action.READ_PERSONAL_DATA)
        rid = _uuid(resident_id)
        resident = self._load_resident(rid)
        self._authorise(by, Action.READ_PERSONAL_DATA, municipality=resident.municipality)
        self._log_access(rid, by, AccessKind.PERSONAL_DATA, purpose)
        if resident.personal_data_erased:
            return PersonalData(erased=True)
        record = self._vault.vault_get(rid)
        if record is None:
            return PersonalData()
        return self._keyring.open(record)

    def rotate_keys(
        self, *, by: Actor, batch_size: int = 500, progress: Callable[[int], None] | None = None
    ) -> int:
        """Re-wrap every resident's key, and re-hash every BSN, under the current secret.

        Rotating the deployment secret without downtime:

        1. open every process with the new ``secret`` and the old one in ``previous_secrets``
           (``PARTICIPATIE_PREVIOUS_SECRET``): they read records sealed under either and seal new
           ones under the new secret;
        2. run this once (``participatie rotate-keys``), while the processes go on working: it
           re-wraps ``batch_size`` records per transaction, leaves events, the chain and the
           encrypted data as they are, and skips records erased or re-wrapped meanwhile;
        3. drop the previous secret.

        Returns how many records were re-wrapped; running it again re-wraps nothing.
        ``progress`` is called with the number of records re-wrapped by each batch.
        """
        self._authorise(by, Action.ROTATE_KEYS)
        if batch_size < 1:
            raise InvalidInput(f"batch_size must be at least 1, not {batch_size}")
        rotated = 0
        after: UUID | None = None
        while stale := self._vault.vault_stale(self._keyring.key_id, after, batch_size):
            done = self._vault.vault_rewrap([(old, self._keyring.rewrap(old)) for old in stale])
            rotated += done
            if progress is not None:
                progress(done)
            after = stale[-1].resident_id
        return rotated

    # Internals.

    @contextlib.contextmanager
    def _staging(self) -> Iterator[_Staged]:
        """Stage the commands issued inside, instead of saving each; nested stages merge into
        their parent when the block ends without an error, and are dropped when it raises.

        The outermost stage is not saved here: :meth:`_save_staged` saves it in one transaction.
        """
        stage = _Staged(parent=self._staged)
        self._staged = stage
        try:
            yield stage
        finally:
            self._staged = stage.parent
        if stage.parent is not None:
            stage.merge_into(stage.parent)

    def _save_staged(self, stage: _Staged, **save_with: Sequence[Any]) -> None:
        """Save every aggregate of a stage, with what goes with them, in one transaction."""
        merged = {name: list(values) for name, values in stage.save_with.items()}
        for name, values in save_with.items():
            merged.setdefault(name, []).extend(values)
        self._events.save(*stage.aggregates.values(), **merged)

    def _find_bsn(self, bsn: str) -> UUID | None:
        """The resident with this BSN, under the current secret's hash or a previous one's."""
        for bsn_hash in self._keyring.bsn_hashes(bsn):
            found = self._vault.vault_find(bsn_hash)
            if found is not None:
                return found
        return None

    def _log_access(self, resident_id: UUID, by: Actor, kind: AccessKind, purpose: str) -> None:
        """Append a read to the resident's access log (made on the first read)."""
        purpose = text(purpose, field="purpose")
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                found: object = self._events.repository.get(access_log_id(resident_id))
            except AggregateNotFoundError:
                found = AccessLog.open_for(resident_id)
            if not isinstance(found, AccessLog):
                raise NotFound(f"{access_log_id(resident_id)} is not an access log")
            found.record(by=by, kind=kind, purpose=purpose)
            try:
                self._events.save(found)
            except IntegrityError:
                _back_off(attempt)
                continue
            return
        raise ConcurrentUpdate(f"the access log of {resident_id} kept changing; read again")

    def _authorise(self, by: object, action: Action, *, municipality: str | None = None) -> Actor:
        return authorise(self._permissions, by, action, municipality=municipality)

    def _as_of(
        self, kind: type[A], aggregate_id: UUID, *, as_of: date | None, known_at: datetime | None
    ) -> A:
        uid = _uuid(aggregate_id)
        if as_of is None and known_at is None:
            return self._load(kind, uid)
        check_moments(as_of, known_at)
        start = self._events.snapshot_covering(uid, as_of=as_of, known_at=known_at)
        later = list(
            self._events.events.get(uid, gt=None if start is None else start.originator_version)
        )
        # The snapshot's topic, or else the creation event alone, tells the kind of aggregate.
        if start is not None:
            if not issubclass(resolve_topic(start.topic), kind):
                raise NotFound(f"no {kind.__name__} with id {uid}")
        elif not later or not isinstance(replay(later[:1]), kind):
            raise NotFound(f"no {kind.__name__} with id {uid}")
        aggregate = replay(
            ([] if start is None else [start]) + selected(later, as_of=as_of, known_at=known_at)
        )
        if aggregate is None:
            moment = " and ".join(
                part
                for part in (
                    f"as of {as_of}" if as_of else "",
                    f"known at {known_at.isoformat()}" if known_at else "",
                )
                if part
            )
            raise NotFound(f"{uid} did not exist {moment}")
        result: A = aggregate
        return result

    def _current_facts(
        self,
        municipality: str | None,
        *,
        through: date | None = None,
        known_at: datetime | None = None,
    ) -> list[Fact]:
        """The outcome facts (of one municipality, or all; through a business date and known at
        a moment, if given), after catching up with the log."""
        view = self._events.facts_view()
        catch_up(self._events, view)
        return view.select_facts(municipality, through=through, known_at=known_at)

    def _has_job_coaching(self, resident_id: UUID) -> bool:
        return self._latest_coaching(resident_id) is not None

    def _latest_coaching(self, resident_id: UUID) -> UUID | None:
        """The resident's latest job coaching (staged or stored), or None."""
        for cid in reversed(self._coaching_ids(resident_id)):
            staged = self._staged is not None and self._staged.get(cid) is not None
            if staged or self._events.recorder.select_events(cid, limit=1):
                return cid
        return None

    def _coaching_ids(self, resident_id: UUID) -> list[UUID]:
        """Ids that job coaching of this resident would have: one per placement ever made."""
        return [
            coaching_id(resident_id, event.originator_version)
            for event in self._events.events.get(resident_id)
            if isinstance(event, ResidentTrajectory.Placed)
        ]

    def _streams_of(self, resident_id: UUID) -> list[tuple[str, list[Any]]]:
        """The resident's events and those of each of the resident's job coaching streams."""
        resident_events = list(self._events.events.get(resident_id))
        if not resident_events or not isinstance(resident_events[0], ResidentTrajectory.Registered):
            raise NotFound(f"no resident with id {resident_id}")
        streams: list[tuple[str, list[Any]]] = [(ResidentTrajectory.__name__, resident_events)]
        for event in resident_events:
            if isinstance(event, ResidentTrajectory.Placed):
                cid = coaching_id(resident_id, event.originator_version)
                coaching_events = list(self._events.events.get(cid))
                if coaching_events:
                    streams.append((JobCoachingTrajectory.__name__, coaching_events))
        return streams

    def _stream_ids(self) -> set[UUID]:
        return {UUID(str(n.originator_id)) for n in self._notifications()}

    def _notifications(self, topics: Sequence[str] = ()) -> Iterator[Notification]:
        """Every stored event (of the given topics), in log order, a page at a time."""
        start = 1
        while True:
            page = self._events.recorder.select_notifications(start, 1000, topics=topics)
            yield from page
            if len(page) < 1000:
                return
            start = page[-1].id + 1

    def _check_not_future(self, on: object) -> None:
        on = business_date(on)
        today = self.today()
        if on > today:
            raise BusinessDateRefused(f"business date {on} is after today ({today})")

    def _refuse_known_bsn(self, bsn: str) -> None:
        if self._staged is not None and self._staged.knows_bsn(self._keyring.bsn_hashes(bsn)):
            raise BsnAlreadyRegistered(
                "this BSN is registered earlier in the same import; one resident, one trajectory"
            )
        known = self._find_bsn(bsn)
        if known is not None:
            raise BsnAlreadyRegistered(
                f"this BSN already has a trajectory (resident {known}); reopen that trajectory "
                "instead of registering again"
            )

    def _load(self, kind: type[A], aggregate_id: UUID) -> A:
        what = "resident" if kind is ResidentTrajectory else "job coaching"
        aggregate: object = None
        if self._staged is not None:
            aggregate = self._staged.get(aggregate_id)
        try:
            if aggregate is None:
                aggregate = self._events.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"{aggregate_id} is not a {what} id")
        return aggregate

    def _load_resident(self, resident_id: UUID) -> ResidentTrajectory:
        return self._load(ResidentTrajectory, resident_id)

    def _change(
        self,
        action: Action,
        by: Actor,
        resident_id: UUID,
        on: object,
        command: Callable[[ResidentTrajectory], None],
        **save_with: Any,
    ) -> None:
        """A resident command by ``by``, authorised for the resident's municipality.

        ``save_with`` goes with the events to the recorder (e.g. vault rows to delete).
        """

        def authorised(trajectory: ResidentTrajectory) -> None:
            self._authorise(by, action, municipality=trajectory.municipality)
            command(trajectory)

        self._change_aggregate(ResidentTrajectory, resident_id, on, authorised, **save_with)

    def _change_coaching(
        self,
        action: Action,
        by: Actor,
        coaching_id: UUID,
        on: object,
        command: Callable[[JobCoachingTrajectory, ResidentTrajectory], None],
    ) -> None:
        """Change job coaching; the command also sees the resident's trajectory as it is now.

        Job coaches act only on the coaching assigned to them.
        """

        def with_resident(coaching: JobCoachingTrajectory) -> None:
            resident = self._load_resident(coaching.resident_id)
            self._authorise(by, action, municipality=resident.municipality)
            if by.role is Role.JOB_COACH and by.id != coaching.job_coach_id:
                raise NotAuthorised(
                    f"{by.id} is not the job coach assigned to {coaching.id} "
                    f"({coaching.job_coach_id})"
                )
            command(coaching, resident)

        self._change_aggregate(JobCoachingTrajectory, coaching_id, on, with_resident)

    def _change_aggregate(
        self,
        kind: type[A],
        aggregate_id: UUID,
        on: object,
        command: Callable[[A], None],
        **save_with: Any,
    ) -> None:
        """Load, command, save; on a concurrent save of the same stream, retry on the new state."""
        uid = _uuid(aggregate_id)
        self._check_not_future(on)
        if self._staged is not None:
            aggregate = self._load(kind, uid)
            command(aggregate)
            self._staged.add(aggregate, **save_with)
            return
        for attempt in range(1, _ATTEMPTS + 1):
            aggregate = self._load(kind, uid)
            command(aggregate)
            try:
                self._events.save(aggregate, **save_with)
            except IntegrityError:
                # Another writer saved this version first: retry on the fresh state.
                _back_off(attempt)
                continue
            return
        raise ConcurrentUpdate(
            f"{uid} was changed by other writers during each of {_ATTEMPTS} attempts; "
            "issue the command again"
        )


# Cross-aggregate rules: the only rules that live in the application.


def require_job_coaching_need(
    resident: ResidentTrajectory, *, on: date, policy: Policy
) -> Placement:
    """Job coaching needs a current paid placement that meets the policy's minimums, and a wage
    value assessment at that placement that established the need. Returns the placement."""
    placement = resident.placement
    if placement is None or placement.kind is not PlacementKind.PAID_WORK:
        raise NoJobCoachingNeed(f"resident {resident.id} has no current paid placement to coach")
    wage_value = resident.wage_value
    if wage_value is None or wage_value.placed_version != placement.placed_version:
        raise NoJobCoachingNeed(
            f"resident {resident.id} has no wage value assessment at the current placement "
            f"(since {placement.started_on}); the need for job coaching is established there"
        )
    if not wage_value.needs_job_coaching:
        raise NoJobCoachingNeed(
            f"the wage value assessment of {wage_value.assessed_on} found no need for job "
            f"coaching for resident {resident.id}"
        )
    if on < wage_value.assessed_on:
        raise BusinessDateRefused(
            f"job coaching cannot start on {on}, before the wage value assessment of "
            f"{wage_value.assessed_on}"
        )
    if placement.hours_per_week < policy.min_hours_per_week:
        raise PlacementTooSmall(
            f"job coaching needs a placement of at least {policy.min_hours_per_week} hours a week "
            f"(policy {policy.version}); this one has {placement.hours_per_week}"
        )
    months = placement.contract_months
    if not placement.trial and months is not None and months < policy.min_contract_months:
        raise PlacementTooSmall(
            f"job coaching needs a contract of at least {policy.min_contract_months} months or a "
            f"trial placement (policy {policy.version}); this contract is for {months} months"
        )
    return placement


def file_involved_a_statutory_decision(
    resident: ResidentTrajectory, *, has_job_coaching: bool
) -> bool:
    """Whether the resident's file must be kept (Archiefwet): a benefit at registration, a wage
    value assessment, or job coaching. A walk-in who only talked with the coaches may be erased."""
    return (
        resident.benefit is not Benefit.NONE
        or resident.wage_value is not None
        or (has_job_coaching)
    )


def coached_placement_is_current(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory
) -> bool:
    """Whether the placement the coaching is for is still the resident's current placement."""
    placement = resident.placement
    return placement is not None and placement.placed_version == coaching.placement_version


def require_coached_placement(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory
) -> None:
    """Hours, evaluations and extensions need the coached placement to go on."""
    if not coached_placement_is_current(coaching, resident):
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} ended; complete the coaching with outcome "
            "placement_ended"
        )


def require_outcome_matches_placement(
    coaching: JobCoachingTrajectory, resident: ResidentTrajectory, outcome: CoachingOutcome
) -> None:
    """Once the placement ended, the only outcome is placement_ended, and only then."""
    current = coached_placement_is_current(coaching, resident)
    if not current and outcome is not CoachingOutcome.PLACEMENT_ENDED:
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} ended; the only outcome now is placement_ended"
        )
    if current and outcome is CoachingOutcome.PLACEMENT_ENDED:
        raise PlacementNoLongerCurrent(
            f"the placement coached by {coaching.id} goes on; end it on the resident's trajectory "
            "before completing with outcome placement_ended"
        )


def _uuid(value: object) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return UUID(value)
    raise InvalidInput(f"an id is a UUID, not {value!r}")


def _without(error: Exception, url: str | None) -> str:
    """The error's message with any password in the URL removed."""
    message = str(error)
    if url:
        with contextlib.suppress(ValueError):
            password = urlsplit(url).password
            if password:
                message = message.replace(password, "***")
    return message
