"""What the core holds: the store, keys, clock, policy, permissions and the register of
municipalities; the batch a thread has open; today's date and the municipality names.

:class:`participatie.service.core.Core` builds on this through :mod:`.processing_records`,
:mod:`.changes` and :mod:`.lookups`, one concern a module.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

from participatie.domain.inputs import business_date
from participatie.domain.municipalities import MunicipalityRegister, canonical_municipality
from participatie.errors import BusinessDateRefused, ConfigurationError, InvalidInput
from participatie.service.processing import Processing

if TYPE_CHECKING:
    from participatie.domain.policy import Policy
    from participatie.privacy.authorisation import Permissions
    from participatie.privacy.vault import KeyRing, VaultStorage
    from participatie.projections.lag import ReportsSource
    from participatie.service.batch import Batch
    from participatie.service.store import StoreApplication

__all__ = ["NOT_STATED", "TIMEZONE", "CoreBase", "as_uuid"]

#: The purpose recorded for a read when the caller gives none.
NOT_STATED = "not stated"

#: Business dates are Dutch calendar days.
TIMEZONE = ZoneInfo("Europe/Amsterdam")


def as_uuid(value: object) -> UUID:
    """An id given by a caller, as a UUID (a UUID or its text)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return UUID(value)
    raise InvalidInput(f"an id is a UUID, not {value!r}")


class CoreBase:
    """The store and the settings every command and query needs around it."""

    def __init__(
        self,
        *,
        store: StoreApplication,
        keyring: KeyRing,
        policy: Policy,
        clock: Callable[[], datetime],
        permissions: Permissions,
        store_url: str,
        municipalities: MunicipalityRegister | None = None,
        processing: Processing | None = None,
        reports: ReportsSource | None = None,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.policy = policy
        self.clock = clock
        self.permissions = permissions
        self.store_url = store_url
        self.municipalities = municipalities
        self.vault: VaultStorage = store.participation_recorder
        keyring.bind(self.vault)  # key epochs live in the store
        # The open batch is the thread's own: one application serving many threads (a web
        # service's threadpool) must never collect one thread's commands into another's batch.
        self._batches = threading.local()
        self.processing = processing or Processing(None, clock)
        self.reports = reports

    @property
    def open_batch(self) -> Batch | None:
        """The batch this thread has open (None: commands save at once)."""
        batch: Batch | None = getattr(self._batches, "open", None)
        return batch

    @open_batch.setter
    def open_batch(self, batch: Batch | None) -> None:
        self._batches.open = batch

    # Time.

    def today(self) -> date:
        """Today's date in the Netherlands, by this application's clock."""
        now = self.clock()
        if now.tzinfo is None:
            raise ConfigurationError("the clock must return timezone-aware datetimes")
        return now.astimezone(TIMEZONE).date()

    def check_not_future(self, on: object) -> None:
        on = business_date(on)
        today = self.today()
        if on > today:
            raise BusinessDateRefused(f"business date {on} is after today ({today})")

    def municipality(self, name: object, *, field: str = "municipality") -> str:
        """The canonical name of a municipality this store serves (any, without a register)."""
        if self.municipalities is None:
            return canonical_municipality(name, field=field)
        return self.municipalities.canonical(name, field=field)
