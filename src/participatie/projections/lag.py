"""How far the outcome facts that reports read are behind the event log (see
:meth:`participatie.Participation.facts_lag`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

import attrs

from participatie.projections.views import FactsView

__all__ = ["FactsLag", "ReportsSource"]


@attrs.frozen
class FactsLag:
    """Where the facts reports read stand against the end of the event log.

    ``facts_position`` is the log position up to which the projection worker wrote facts (as
    the server reports read from sees them), ``log_position`` the end of the log on the store
    commands go to; ``positions_behind`` their difference (PostgreSQL's positions can skip
    numbers: at most that many events are not counted yet). ``replay_delay`` is, on a standby,
    how long ago it replayed the last transaction it received from the primary (None when
    reports read from the primary itself); on a primary without writes it keeps growing, so
    read it together with ``positions_behind``. ``source`` is the store reports read from,
    without its password.
    """

    facts_position: int
    log_position: int
    replay_delay: timedelta | None
    source: str

    @property
    def positions_behind(self) -> int:
        """Log positions not yet in the facts reports read (0: up to date)."""
        return max(0, self.log_position - self.facts_position)


class ReportsSource(Protocol):
    """A read-only server reports read the facts from (a PostgreSQL standby)."""

    view: FactsView
    display_url: str

    def position(self) -> int:
        """The log position up to which the facts were written."""

    def replay_delay(self) -> timedelta | None:
        """How long ago the standby replayed its last transaction (None: not a standby)."""

    def close(self) -> None:
        """Close the connections."""
