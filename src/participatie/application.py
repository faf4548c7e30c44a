"""The application service: ``Participation``, the one entry point importing applications use.

``Participation`` is a facade over rooms of one concern each (``participatie.service``):
resident commands, job coaching commands, audit, privacy and statistics, which share one core
(the store, keys, clock, policy and permissions; loading and the retry loop). See
docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Self
from urllib.parse import urlsplit

from participatie.domain.municipalities import MunicipalityRegister
from participatie.domain.policy import DEFAULT_POLICY, Policy
from participatie.errors import ConfigurationError
from participatie.privacy.authorisation import DEFAULT_PERMISSIONS, Action, Permissions
from participatie.privacy.vault import KeyRing
from participatie.projections.lag import ReportsSource
from participatie.service.audit import AuditQueries
from participatie.service.breakdowns import Breakdowns
from participatie.service.coaching import (
    CoachingCommands,
    coached_placement_is_current,
    require_coached_placement,
    require_job_coaching_need,
    require_outcome_matches_placement,
)
from participatie.service.core import NOT_STATED, TIMEZONE, Core
from participatie.service.privacy import PrivacyOperations
from participatie.service.processing import Processing
from participatie.service.processing_log import ProcessingRecords
from participatie.service.residents import ResidentCommands
from participatie.service.retention import RetentionOperations
from participatie.service.rights import RightsOperations
from participatie.service.statistics import Statistics
from participatie.service.store import StoreApplication
from participatie.service.tamper import TamperEvidence
from participatie.service.worklist import Worklist
from participatie.store_probe import store_exists
from participatie.store_secrets import resolve_previous_secrets, resolve_secret
from participatie.stores import parse_store_url

__all__ = [
    "NOT_STATED",
    "TIMEZONE",
    "Participation",
    "coached_placement_is_current",
    "require_coached_placement",
    "require_job_coaching_need",
    "require_outcome_matches_placement",
]

#: The environment variable naming the municipalities file (see ``Participation.open``).
MUNICIPALITIES_ENV = "PARTICIPATIE_MUNICIPALITIES"

#: Events between a trajectory's snapshots, unless ``Participation.open`` is told otherwise.
DEFAULT_SNAPSHOT_INTERVAL = 100


def _municipality_register(
    municipalities: Mapping[str, str] | None,
) -> MunicipalityRegister | None:
    if municipalities is not None:
        return MunicipalityRegister.of(municipalities)
    path = os.environ.get(MUNICIPALITIES_ENV)
    return MunicipalityRegister.load(path) if path else None


def _system_clock() -> datetime:
    return datetime.now(tz=UTC)


class Participation(
    ResidentCommands,
    CoachingCommands,
    AuditQueries,
    TamperEvidence,
    PrivacyOperations,
    RetentionOperations,
    ProcessingRecords,
    Statistics,
    Breakdowns,
    RightsOperations,
    Worklist,
):
    """Record the coaching of residents towards work, and read it back.

    Open one with :meth:`open`; use it as a context manager or call :meth:`close`.

    >>> from datetime import date
    >>> from participatie import Actor, Benefit, Goal, Participation, Referral, Role
    >>> coach = Actor("coach-17", Role.COACH)
    >>> with Participation.open("memory://") as app:
    ...     rid = app.register_resident(referral=Referral.WALK_IN, benefit=Benefit.NONE,
    ...                                 municipality="haaren", on=date(2019, 1, 8), by=coach)
    ...     app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=coach)
    ...     app.resident(rid, by=coach).goal
    <Goal.WORK: 'work'>
    """

    def __init__(self, core: Core) -> None:
        """Use :meth:`open`."""
        self._core = core

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
        municipalities: Mapping[str, str] | None = None,
        create: bool = True,
        chaining_progress: Callable[[int, int], object] | None = None,
        processing_activities: Mapping[Action, str] | None = None,
        reports_url: str | None = None,
    ) -> Self:
        """Open the store at ``url`` (see :mod:`participatie.stores`).

        With ``create=True`` (the default) a store that does not exist yet is made: the SQLite
        file and its folder, the PostgreSQL tables (in a database and schema that must exist).
        With ``create=False`` only a store that exists is opened, for reading it or checking it:
        otherwise :class:`ConfigurationError` ("no store at ...") is raised and nothing is made,
        no file, no folder and no ``.secret`` beside it. ``memory://`` is allowed either way
        (an in-process store is always new and empty).

        ``secret`` (or ``PARTICIPATIE_SECRET``) protects the personal-data vault;
        ``previous_secrets`` (or ``PARTICIPATIE_PREVIOUS_SECRET``) are secrets that records may
        still be sealed under while a rotation runs (see :meth:`rotate_keys`); ``policy`` is
        recorded on every event; ``clock`` (returning an aware datetime) decides what "today" is;
        ``permissions`` maps roles to what they may do (see
        :mod:`participatie.privacy.authorisation`); a trajectory is snapshotted each time its
        version reaches a multiple of ``snapshot_interval`` (None: no snapshots are taken or
        used), which speeds up loading long trajectories and replaying them as of a date.
        ``municipalities`` (or the JSON or CSV file ``PARTICIPATIE_MUNICIPALITIES`` names) maps
        the names of the municipalities the store serves to their CBS codes
        (``{"haaren": "GM0788"}``): a command or report for any other is refused. Without it,
        any municipality may be registered, and reports refuse names no resident has.

        ``processing_activities`` maps each :class:`Action` to the URI of its processing
        activity in the municipality's register (AVG art. 30), which every processing record
        names (see :meth:`processing_log`); an action not mapped is named
        ``urn:participatie:processing-activity:unconfigured:<action>``, which says "configure
        me".

        A store written by a release before the log-wide ledger (0.2.0 and earlier) has its
        events chained into the ledger once, when this release first opens it;
        ``chaining_progress`` is then called after every 10,000 events with the number chained so
        far and the number there are (about: PostgreSQL's positions can skip numbers), for a
        progress bar.

        ``reports_url`` names a PostgreSQL standby (a URL of its own, or the failover pair's
        hosts with ``?target_session_attrs=prefer-standby``) that :meth:`outcomes` reads the
        outcome facts from, on read-only connections: nothing is written there, the view is not
        caught up (the primary's projection worker, ``participatie follow``, keeps it), and
        :meth:`facts_lag` says how far behind those facts are. Everything else, reads of
        personal data included (they write the access log), goes to ``url``. See
        docs/deployment.md.
        """
        config = parse_store_url(url)
        reports = _reports_source(reports_url)
        register = _municipality_register(municipalities)
        exists: bool | None = None
        if not create:
            exists = store_exists(config)
            if not exists and config.kind != "memory":
                raise ConfigurationError(
                    f"no store at {config.display_url}: check the store URL (nothing was made "
                    "there; a store is made by recording into it: Participation.open(url), "
                    "participatie demo or participatie import)"
                )
        keyring = KeyRing(
            resolve_secret(config, secret),
            previous_secrets=resolve_previous_secrets(previous_secrets),
        )
        processing = Processing(processing_activities, clock or _system_clock)
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
        if exists is None and config.kind == "postgresql":
            # One connection first, so that a server that cannot be used says why (eventsourcing's
            # pool would only say that it got no connection in time).
            store_exists(config)
        if config.sqlite_path is not None:
            config.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            store = StoreApplication(
                env=config.env,
                snapshot_interval=snapshot_interval or 0,
                chaining_progress=chaining_progress,
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
        if reports is not None:
            # The facts tables are made on the primary (where the worker writes them), so that
            # the standby has them, if empty, before the worker first runs.
            store.facts_view()
        return cls(
            Core(
                store=store,
                keyring=keyring,
                policy=policy,
                clock=clock or _system_clock,
                processing=processing,
                store_url=config.display_url,
                permissions=permissions,
                municipalities=register,
                reports=reports,
            )
        )

    @property
    def policy(self) -> Policy:
        """The policy recorded on every event this application decides."""
        return self._core.policy

    @property
    def store_url(self) -> str:
        """The store's URL, without its password."""
        return self._core.store_url

    def close(self) -> None:
        """Close the store's connections (and those to the reports' standby)."""
        self._core.store.close()
        if self._core.reports is not None:
            self._core.reports.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def today(self) -> date:
        """Today's date in the Netherlands, by this application's clock."""
        return self._core.today()


def _reports_source(reports_url: str | None) -> ReportsSource | None:
    """The read-only server reports read from, or None (reports read the store itself)."""
    if reports_url is None:
        return None
    config = parse_store_url(reports_url)
    if config.kind != "postgresql":
        raise ConfigurationError(
            f"reports_url {config.display_url!r} is not a PostgreSQL URL: reports read from a "
            "PostgreSQL standby (see docs/deployment.md)"
        )
    try:
        from participatie.persistence.postgres_reports import (  # noqa: PLC0415 (optional extra)
            PostgresReportsSource,
        )
    except ImportError as error:
        raise ConfigurationError(
            f"reports_url {config.display_url} needs an optional package ({error.name}); "
            "install participatie[postgres]"
        ) from None
    store_exists(config)  # one connection first, so that a server that cannot be used says why
    return PostgresReportsSource(config)


def _without(error: Exception, url: str | None) -> str:
    """The error's message with any password in the URL removed."""
    message = str(error)
    if url:
        with contextlib.suppress(ValueError):
            password = urlsplit(url).password
            if password:
                message = message.replace(password, "***")
    return message
