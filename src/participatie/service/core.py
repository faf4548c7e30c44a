"""The core every room of ``Participation`` shares: the store, keys, clock, policy, permissions
(:mod:`.core_base`); the processing log and batches (:mod:`.processing_records`); loading and the
one load-change-save retry loop (:mod:`.changes`); the reads of the vault, the log and the
outcomes view (:mod:`.lookups`); and here, authorisation with the security log, and the access
log.
"""

from __future__ import annotations

from uuid import UUID

from participatie.audit.access import AccessKind, AccessLog, access_log_id
from participatie.audit.security import SecurityLog, security_log_id
from participatie.domain.inputs import checked_text
from participatie.domain.values import Actor
from participatie.errors import NotAuthorised
from participatie.privacy.authorisation import Action, authorise
from participatie.service.changes import ATTEMPTS, back_off
from participatie.service.core_base import NOT_STATED, TIMEZONE, as_uuid
from participatie.service.lookups import Lookups

__all__ = ["ATTEMPTS", "NOT_STATED", "TIMEZONE", "Core", "Room", "as_uuid", "back_off"]


class Core(Lookups):
    """The store and what every command and query needs around it."""

    # Permission: every refusal goes into the security log.

    def authorise(
        self,
        by: object,
        action: Action,
        *,
        municipality: str | None = None,
        about: UUID | None = None,
    ) -> Actor:
        """``by`` if its role may take ``action`` (for a resident of ``municipality``); else the
        refused attempt goes into the security log (``about``: the resident it named) and
        :class:`NotAuthorised` is raised."""
        try:
            actor = authorise(self.permissions, by, action, municipality=municipality)
        except NotAuthorised as refusal:
            assert isinstance(by, Actor)  # noqa: S101 (authorise refuses anything else as input)
            self.record_refusal(by, action, about, str(refusal))
            raise
        self.processing.authorised(action)  # the name of the processing record to come
        return actor

    def refused(self, by: Actor, action: Action, about: UUID | None, message: str) -> NotAuthorised:
        """A refusal decided outside the permissions table (a job coach not assigned to the
        coaching), recorded in the security log like every other; the caller raises it."""
        self.record_refusal(by, action, about, message)
        return NotAuthorised(message)

    def record_refusal(self, by: Actor, action: Action, about: UUID | None, reason: str) -> None:
        """Append a refused attempt to today's security log, at once (never in a batch: an
        import that is rolled back still leaves the attempt on record)."""
        day = self.today()
        origin = self.processing.origin()
        self.change(
            SecurityLog,
            security_log_id(day),
            lambda log: log.refused(
                by=by, action=action.name.lower(), resident_id=about, reason=reason, origin=origin
            ),
            create=lambda: SecurityLog.open_for(day),
            in_batch=False,
        )

    # The access log.

    def log_access(self, resident_id: UUID, by: Actor, kind: AccessKind, purpose: str) -> None:
        """Append a read to the resident's access log (made on the first read), at once."""
        purpose = checked_text(purpose, field="purpose")
        self.change(
            AccessLog,
            access_log_id(resident_id),
            lambda log: log.record(
                by=by, kind=kind, purpose=purpose, origin=self.processing.origin()
            ),
            create=lambda: AccessLog.open_for(resident_id),
            in_batch=False,
        )


class Room:
    """Base of the rooms that make up :class:`participatie.Participation`: each holds the public
    methods of one concern and works through the shared :class:`Core`."""

    _core: Core
