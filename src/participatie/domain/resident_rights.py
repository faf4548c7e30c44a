"""The resident trajectory's receipts of a resident's rights: the erasure of the personal data
(crypto-shredding, if the law allows), their correction (AVG art. 16) and notes. The personal
data, the corrected values and the notes' texts are in the vault; the receipts hold none.

A mixin of :class:`~participatie.domain.resident.ResidentTrajectory`: each command is followed by
the event it triggers, whose ``TOPIC`` names the aggregate (see
:mod:`participatie.domain.resident_base`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from participatie.domain import inputs
from participatie.domain.decision import decision_fields
from participatie.domain.policy import Policy
from participatie.domain.resident_base import ResidentCommands, ResidentEvent
from participatie.domain.retention import Retention
from participatie.domain.values import (
    Actor,
    CorrectionReason,
    ErasureGround,
    TrajectoryStatus,
    parse_enum,
)
from participatie.errors import InvalidInput, PersonalDataAlreadyErased, RetentionRequired

__all__ = ["RightsCommands"]


class RightsCommands(ResidentCommands):
    """The receipts of an erasure, a correction and a note."""

    # Erasure of personal data (Privacy and audit).

    def record_erasure(
        self,
        *,
        ground: ErasureGround | str,
        retention: Retention,
        today: date,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Record that the personal data were erased (crypto-shredding), if the law allows.

        ``retention`` (:func:`~participatie.domain.retention.file_retention`) says until when
        the file must be kept: erasure before its archive action date (checked against
        ``today``, when the data are destroyed) is refused unless the policy lets the ground
        override retention.
        """
        ground = parse_enum(ErasureGround, ground, field="ground")
        self._check_business_date(on)
        if self.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"resident {self.id}'s personal data were erased already"
            )
        if ground not in policy.erasure_overrides_retention and retention.refuses_erasure_on(today):
            if self.status is TrajectoryStatus.OPEN:
                raise RetentionRequired(
                    f"resident {self.id}'s file is kept under class "
                    f"{retention.selectielijst_class} and the trajectory is open: it must be "
                    "kept (Archiefwet)"
                )
            until = retention.archive_action_date
            raise RetentionRequired(
                f"resident {self.id}'s file must be kept "
                + (f"until {until}" if until is not None else "for now")
                + f" ({retention.reason}; policy {policy.version})"
            )
        self.trigger_event(
            self.PersonalDataErased, ground=ground, **decision_fields(on=on, by=by, policy=policy)
        )

    class PersonalDataErased(ResidentEvent):
        """A receipt: the personal data and their key were destroyed. Holds no personal data."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.PersonalDataErased"

        ground: ErasureGround

        def apply(self, aggregate: Any) -> None:
            trajectory: ResidentCommands = aggregate
            trajectory.personal_data_erased = True

    # Rectification and notes (AVG art. 16; the texts themselves are in the vault).

    def record_correction(
        self,
        *,
        corrected: list[str],
        reason: CorrectionReason | str,
        on: date,
        by: Actor,
        policy: Policy,
    ) -> None:
        """Record that personal data (the fields named in ``corrected``) were corrected in the
        vault. The receipt holds which fields, never their old or new values."""
        reason = parse_enum(CorrectionReason, reason, field="reason")
        self._check_not_before(inputs.business_date(on), self.registered_on, "registration")
        self._check_not_erased()
        self.trigger_event(
            self.PersonalDataCorrected,
            corrected=sorted(corrected),
            reason=reason,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class PersonalDataCorrected(ResidentEvent):
        """A receipt: the named fields of the personal data were corrected. Holds no personal
        data (neither the old nor the new values)."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.PersonalDataCorrected"

        corrected: list[str]
        reason: CorrectionReason

        def apply(self, aggregate: Any) -> None:
            pass  # the values are in the vault; the trajectory's state does not change

    def record_note(
        self, *, note_id: UUID, about: int | None, on: date, by: Actor, policy: Policy
    ) -> None:
        """Record that a note (its text is in the vault) was added, about the event of this
        trajectory with version ``about`` (or about nothing in particular)."""
        self._check_not_before(inputs.business_date(on), self.registered_on, "registration")
        self._check_not_erased()
        if about is not None and (
            isinstance(about, bool) or not isinstance(about, int) or not 1 <= about <= self.version
        ):
            raise InvalidInput(
                f"about must be the version of an event of resident {self.id}'s trajectory "
                f"(1 to {self.version}), not {about!r}"
            )
        self.trigger_event(
            self.NoteAdded,
            note_id=note_id,
            about=about,
            **decision_fields(on=on, by=by, policy=policy),
        )

    class NoteAdded(ResidentEvent):
        """A receipt: a note was added to the vault. Holds its id and the version of the event
        it is about, never its text."""

        TOPIC = "participatie.domain.resident:ResidentTrajectory.NoteAdded"

        note_id: UUID
        about: int | None

        def apply(self, aggregate: Any) -> None:
            pass  # the text is in the vault

    def _check_not_erased(self) -> None:
        if self.personal_data_erased:
            raise PersonalDataAlreadyErased(
                f"resident {self.id}'s personal data were erased: there is nothing to correct "
                "or annotate"
            )
