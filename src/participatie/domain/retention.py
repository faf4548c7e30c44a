"""How long a resident's file is kept (Archiefwet, Selectielijst), and which files must be kept.

A file's *result* decides its class in the municipality's selection list (selectielijst): a file
that involved a statutory decision (a benefit at registration, a wage value assessment, or job
coaching) is a provision granted; a file of a walk-in without a benefit who only talked with the
coaches is a plan of approach for re-integration, the short class. Each class has an archive
nomination (destroy, or keep permanently) and a number of years after the file ended, which give
the archive action date: the day from which the file may, and must, be destroyed (for this
library: its personal data erased; the events hold none). The same fields as the ZGW Zaken API
(``selectielijstklasse``, ``archiefnominatie``, ``archiefactiedatum``).

The table is policy (:class:`~participatie.domain.policy.Policy` ``retention_table``), so a
municipality can set its own; the defaults are those of the Selectielijst gemeenten en
intergemeentelijke organen 2020 that the contract names. Erasure before the action date is
refused (:meth:`ResidentTrajectory.record_erasure
<participatie.domain.resident.ResidentTrajectory.record_erasure>`) unless the policy lets the
ground override retention.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from participatie.domain.dates import add_years
from participatie.domain.values import Benefit
from participatie.errors import InvalidInput

__all__ = [
    "SELECTIELIJST_2020",
    "ArchiveNomination",
    "FileResult",
    "Retention",
    "RetentionClass",
    "RetentionTable",
    "file_retention",
    "involved_statutory_decision",
]


def involved_statutory_decision(
    *, benefit: Benefit, wage_value_assessed: bool, job_coaching: bool
) -> bool:
    """Whether a resident's file involved a statutory decision: a benefit at registration, a
    wage value assessment, or job coaching (the result class "provision granted"). A walk-in
    without a benefit who only talked with the coaches did not.

    The one place this is decided:
    :meth:`~participatie.domain.resident.ResidentTrajectory.involved_statutory_decision` asks it
    of a trajectory, and whoever reads the outcome facts asks it of those.

    >>> involved_statutory_decision(
    ...     benefit=Benefit.NONE, wage_value_assessed=False, job_coaching=False)
    False
    """
    return benefit is not Benefit.NONE or wage_value_assessed or job_coaching


class FileResult(enum.Enum):
    """What a resident's file came to, as far as the selection list asks."""

    #: A benefit, a wage value assessment or job coaching: a statutory decision.
    PROVISION_GRANTED = "provision_granted"
    #: Conversations with a walk-in without a benefit: a plan of approach only.
    PLAN_ONLY = "plan_only"


class ArchiveNomination(enum.Enum):
    """``archiefnominatie``: destroy after the years of the class, or keep permanently."""

    DESTROY = "vernietigen"
    KEEP = "blijvend_bewaren"


def _years(_: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"retention {attribute.name} must be a whole number >= 0, not {value!r}")


@attrs.frozen
class RetentionClass:
    """One row of a selection list: its code (``selectielijstklasse``), what it covers, the
    nomination and the years after the file ended (None with ``KEEP``), and where it is from."""

    code: str
    title: str
    nomination: ArchiveNomination
    years: int | None = attrs.field(validator=_years)
    source: str
    #: Whether erasing the personal data before the archive action date is refused (the
    #: Archiefwet keeps the file). False: the resident may have them erased earlier (the
    #: contract's rule for a walk-in who only talked with the coaches); the date then says when
    #: they must be gone at the latest.
    kept_against_erasure: bool = True

    def __attrs_post_init__(self) -> None:
        if (self.nomination is ArchiveNomination.DESTROY) != (self.years is not None):
            raise InvalidInput(
                f"retention class {self.code}: a class to destroy needs its years, one to keep "
                "permanently has none"
            )


def _pairs(
    classes: Mapping[FileResult, RetentionClass],
) -> tuple[tuple[FileResult, RetentionClass], ...]:
    # Kept as pairs in a fixed order: a table, like the Policy that holds it, is hashable.
    return tuple(sorted(dict(classes).items(), key=lambda pair: pair[0].value))


@attrs.frozen
class RetentionTable:
    """The classes a municipality applies, by file result, under a name (its version)."""

    name: str
    classes: tuple[tuple[FileResult, RetentionClass], ...] = attrs.field(converter=_pairs)

    def __attrs_post_init__(self) -> None:
        missing = [result.value for result in FileResult if result not in dict(self.classes)]
        if missing:
            raise InvalidInput(f"retention table {self.name!r} has no class for {missing}")

    def class_of(self, result: FileResult) -> RetentionClass:
        return dict(self.classes)[result]

    def evolve(
        self, result: FileResult, *, name: str | None = None, **changes: Any
    ) -> RetentionTable:
        """This table with one class changed (e.g. ``years=7``), under a new ``name`` if given.

        >>> SELECTIELIJST_2020.evolve(FileResult.PLAN_ONLY, years=0).class_of(
        ...     FileResult.PLAN_ONLY).years
        0
        """
        changed = attrs.evolve(self.class_of(result), **changes)
        return RetentionTable(
            name=name or self.name, classes={**dict(self.classes), result: changed}
        )


_SOURCE = (
    "Selectielijst gemeenten en intergemeentelijke organen 2020 (Staatscourant 2020, 11143), "
    "as the contract of participatie names it; check it against the list your municipality "
    "applies"
)

SELECTIELIJST_2020 = RetentionTable(
    name="selectielijst-2020",
    classes={
        FileResult.PROVISION_GRANTED: RetentionClass(
            code="8.1",
            title="Voorziening toegekend (provision granted)",
            nomination=ArchiveNomination.DESTROY,
            years=10,
            source=_SOURCE,
        ),
        FileResult.PLAN_ONLY: RetentionClass(
            code="3.1",
            title="Plan van aanpak re-integratie (plan of approach)",
            nomination=ArchiveNomination.DESTROY,
            years=5,
            source=_SOURCE,
            kept_against_erasure=False,
        ),
    },
)
"""The default table: class 8.1 (destroy 10 years after the provision ended; kept until then)
and class 3.1 (destroy 5 years after the file ended; the resident may have it erased earlier)."""


@attrs.frozen
class Retention:
    """The retention of one file: ``selectielijst_class``, ``archive_nomination``,
    ``archive_action_date`` (None while the file has not ended, or for a file kept
    permanently), ``reason`` in words, and whether erasure before that date is refused."""

    selectielijst_class: str
    archive_nomination: ArchiveNomination
    archive_action_date: date | None
    reason: str
    result: FileResult
    kept_against_erasure: bool

    def due_on(self, day: date) -> bool:
        """Whether the file's archive action date has come on ``day``: its personal data must
        be erased (destroyed) now."""
        return (
            self.archive_nomination is ArchiveNomination.DESTROY
            and self.archive_action_date is not None
            and self.archive_action_date <= day
        )

    def refuses_erasure_on(self, day: date) -> bool:
        """Whether erasing the personal data on ``day`` is refused (without a ground that
        overrides retention)."""
        return self.kept_against_erasure and not self.due_on(day)


def file_retention(
    *,
    statutory: bool,
    closed_on: date | None,
    coaching_ended_on: date | None,
    coaching_running: bool,
    table: RetentionTable,
) -> Retention:
    """The retention of a file: its class by what it came to, and the archive action date from
    when it ended: the trajectory's last closure, or the end of its last job coaching if later
    (a file whose trajectory is open, or whose job coaching still runs, has not ended).

    >>> from datetime import date
    >>> file_retention(statutory=True, closed_on=date(2020, 3, 1), coaching_ended_on=date(2022,
    ...     5, 1), coaching_running=False, table=SELECTIELIJST_2020).archive_action_date
    datetime.date(2032, 5, 1)
    """
    result = FileResult.PROVISION_GRANTED if statutory else FileResult.PLAN_ONLY
    row = table.class_of(result)
    what = (
        "a statutory decision (a benefit, a wage value assessment or job coaching)"
        if statutory
        else "conversations only, without a benefit"
    )
    ended: date | None = None
    if closed_on is not None and not coaching_running:
        ended = max(closed_on, coaching_ended_on or closed_on)
    if row.nomination is ArchiveNomination.KEEP:
        action, when = None, "kept permanently"
    elif ended is None:
        action, when = None, f"kept until {row.years} years after the file ends (it has not)"
    else:
        assert row.years is not None  # noqa: S101 (checked by RetentionClass)
        action = add_years(ended, row.years)
        when = f"{row.years} years after the file ended on {ended.isoformat()}"
    reason = f"class {row.code} of {table.name}: the file involved {what}; {when}"
    if not row.kept_against_erasure:
        reason += "; the resident may have it erased before then"
    return Retention(
        selectielijst_class=row.code,
        archive_nomination=row.nomination,
        archive_action_date=action,
        reason=reason,
        result=result,
        kept_against_erasure=row.kept_against_erasure,
    )
