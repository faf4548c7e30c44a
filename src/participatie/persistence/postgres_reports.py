"""Reading the outcome facts from a PostgreSQL standby, on connections that cannot write
(needs the ``postgres`` extra).

A standby is read-only: the facts it holds are those the primary's projection worker wrote,
replicated. So nothing here catches the view up or creates a table; every connection is opened
with ``default_transaction_read_only`` on, so that a write would be refused even on a server
that could take it (a URL that reaches the primary by mistake).
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from eventsourcing.utils import Environment

from participatie.persistence.postgres import PostgresStoreFactory
from participatie.projections.views import TRACKING_KEY, FactsView
from participatie.stores import APP_NAME, StoreConfig

__all__ = ["PostgresReportsSource"]

#: Given to libpq with every connection: each transaction is read-only.
READ_ONLY_OPTIONS = "-c default_transaction_read_only=on"


class PostgresReportsSource:
    """The facts view of a standby (or of any server given for reports), read-only."""

    def __init__(self, config: StoreConfig) -> None:
        env = {**config.env, f"{APP_NAME.upper()}_CREATE_TABLE": "n"}
        self._factory = PostgresStoreFactory(Environment(APP_NAME, env))
        kwargs = self._factory.datastore.pool.kwargs
        assert isinstance(kwargs, dict)  # noqa: S101 (eventsourcing passes a dict)
        kwargs["options"] = READ_ONLY_OPTIONS
        self.view: FactsView = self._factory.facts_view()
        self.display_url = config.display_url

    def position(self) -> int:
        """The position in the event log up to which the facts were written by the primary."""
        return self.view.max_tracking_id(TRACKING_KEY) or 0

    def replay_delay(self) -> timedelta | None:
        """How long ago the standby replayed the primary's last transaction it received; None
        when the server is not a standby (or has replayed nothing yet)."""
        with self._factory.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT CASE WHEN pg_is_in_recovery() "
                "THEN now() - pg_last_xact_replay_timestamp() END AS delay"
            )
            row = curs.fetchone()
        return None if row is None else cast("timedelta | None", row["delay"])

    def close(self) -> None:
        """Close the connections."""
        self._factory.close()
