"""The rooms behind :class:`participatie.Participation` (internal: may change in any release).

- :mod:`~participatie.service.core`: what every room shares, built up from
  :mod:`~participatie.service.core_base` (the store, keys, clock, policy and permissions),
  :mod:`~participatie.service.processing_records` (the processing log, batches),
  :mod:`~participatie.service.changes` (loading, the one load-change-save retry loop) and
  :mod:`~participatie.service.lookups` (the vault's BSN lookups, streams, the outcomes view);
  core.py adds authorisation with the security log and the access log;
- :mod:`~participatie.service.store`: the eventsourcing application underneath (chain, snapshots,
  the outcomes view of the same store);
- :mod:`~participatie.service.batch`: a unit of work for bulk import;
- :mod:`~participatie.service.residents`, :mod:`~participatie.service.coaching`: the commands;
- :mod:`~participatie.service.audit` (states, history, access log, exports),
  :mod:`~participatie.service.tamper` (verify, checkpoints), :mod:`~participatie.service.privacy`,
  :mod:`~participatie.service.statistics`: the queries and operations of each concern.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from participatie.application import Participation
    from participatie.service.core import Core

__all__ = ["core_of"]


def core_of(app: Participation) -> Core:
    """The core of an application, for the package's own modules (the importer) and its tests
    of the machinery; not for users, whose way in is :class:`participatie.Participation`."""
    return app._core
