"""How event fields that JSON does not know are stored: dates and the domain's enumerations.

The names below are written into every stored event: they are a persisted API and never change.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from participatie.audit.access import AccessKind
from participatie.domain import values

__all__ = ["DateAsISO", "EnumAsValue", "register_transcodings"]


class DateAsISO(Transcoding):
    """A calendar date as ``YYYY-MM-DD``."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EnumAsValue(Transcoding):
    """A member of one of the domain's enumerations as its text value."""

    def __init__(self, enum_cls: type[enum.Enum]) -> None:
        self.type = enum_cls
        self.name = f"participatie.{enum_cls.__name__}"
        self._enum_cls = enum_cls

    def encode(self, obj: enum.Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> enum.Enum:
        return self._enum_cls(data)


_ENUMS: tuple[type[enum.Enum], ...] = (
    AccessKind,
    values.Role,
    values.Referral,
    values.Benefit,
    values.Goal,
    values.VisitKind,
    values.Activity,
    values.PlacementKind,
    values.PlacementEndReason,
    values.OutflowReason,
    values.Counterpart,
    values.CoachingOutcome,
    values.ErasureGround,
    values.CorrectionReason,
    values.ExtensionReason,
    values.TrajectoryStatus,
)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Register the date and enumeration transcodings on an eventsourcing JSON transcoder."""
    transcoder.register(DateAsISO())
    for enum_cls in _ENUMS:
        transcoder.register(EnumAsValue(enum_cls))
