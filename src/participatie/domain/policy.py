"""Versioned rule parameters (beleid).

The numbers that a municipality may set differently live here, not in the aggregates. Every event
records the version of the policy it was decided under, so changing policy later never changes how
past events replay.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from participatie.domain.inputs import checked_text
from participatie.domain.retention import SELECTIELIJST_2020, FileResult, RetentionTable
from participatie.domain.values import ErasureGround
from participatie.errors import InvalidInput

__all__ = ["DEFAULT_POLICY", "Policy"]


def _one_line_text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    # The version goes into every event: the same text checks as every other text in an event.
    checked_text(value, field=f"policy {attribute.name}")


def _caps(_: object, attribute: attrs.Attribute[tuple[Decimal, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise InvalidInput(f"policy {attribute.name} must be a non-empty tuple of percentages")
    for cap in value:
        if not isinstance(cap, Decimal) or not Decimal(0) < cap <= Decimal(100):
            raise InvalidInput(f"policy {attribute.name}: {cap!r} is not a percentage in (0, 100]")


def _positive(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidInput(
            f"policy {attribute.name} must be a positive whole number, not {value!r}"
        )


def _not_negative(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"policy {attribute.name} must be a whole number >= 0, not {value!r}")


@attrs.frozen
class Policy:
    """Rule parameters under a version name.

    The defaults follow the UWV protocol and the Participatiewet. A municipality sets its own with
    :func:`attrs.evolve` and a new version name:

    >>> strict = attrs.evolve(DEFAULT_POLICY, version="haaren-2020", coaching_hours_caps=(
    ...     Decimal(10), Decimal("7.5"), Decimal(6)))
    >>> strict.cap_percent(coaching_year=1)
    Decimal('10')
    """

    version: str = attrs.field(validator=_one_line_text)
    #: Job coaching for a placement needs a contract of at least this many months (or a trial).
    min_contract_months: int = attrs.field(default=6, validator=_positive)
    #: ... and at least this many hours per week.
    min_hours_per_week: int = attrs.field(default=12, validator=_positive)
    #: Coaching hours per coaching year as a percentage of the hours worked in that year.
    coaching_hours_caps: tuple[Decimal, ...] = attrs.field(
        default=(Decimal(15), Decimal("7.5"), Decimal(6)), validator=_caps
    )
    #: Planned length of job coaching, in years.
    coaching_years: int = attrs.field(default=2, validator=_positive)
    #: Length of the one extension, in years; 0 means no extension.
    extension_years: int = attrs.field(default=1, validator=_not_negative)
    #: Job coaching never lasts longer than this many years, extension included.
    max_coaching_years: int = attrs.field(default=3, validator=_positive)
    #: How long a file is kept, by what it came to (Archiefwet: the selection list's classes).
    retention_table: RetentionTable = attrs.field(default=SELECTIELIJST_2020)
    #: Grounds on which personal data are erased even while the file must be kept.
    erasure_overrides_retention: frozenset[ErasureGround] = attrs.field(
        default=frozenset({ErasureGround.LEGAL_OBLIGATION})
    )

    # The worklist's signals (see participatie.projections.signals).
    #: Conversations a coach holds in a whole calendar month with an open trajectory.
    conversations_per_month: int = attrs.field(default=2, validator=_positive)
    #: Days after registration by which the intake is held.
    intake_within_days: int = attrs.field(default=14, validator=_positive)
    #: Weeks a job broker request may stay open before it is a signal.
    job_broker_request_weeks: int = attrs.field(default=8, validator=_positive)
    #: Months between evaluations of job coaching (and from its start to the first).
    evaluation_months: int = attrs.field(default=6, validator=_positive)
    #: Months before the planned end of job coaching (not extended) that it is a signal.
    coaching_ending_months: int = attrs.field(default=3, validator=_positive)
    #: Percentage of a coaching year's cap of hours whose use is a signal.
    hours_cap_near_percent: int = attrs.field(default=90, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.coaching_years > self.max_coaching_years:
            raise InvalidInput(
                f"policy coaching_years ({self.coaching_years}) exceeds max_coaching_years "
                f"({self.max_coaching_years})"
            )

    @property
    def retention_years(self) -> int | None:
        """Years a file that involved a statutory decision is kept after it ended (the
        ``retention_table``'s class for a provision granted; None: kept permanently)."""
        return self.retention_table.class_of(FileResult.PROVISION_GRANTED).years

    def cap_percent(self, *, coaching_year: int) -> Decimal:
        """The cap for coaching year 1, 2, 3, ...; the last cap holds for later years."""
        if coaching_year < 1:
            raise InvalidInput(f"coaching years count from 1, not {coaching_year}")
        return self.coaching_hours_caps[min(coaching_year, len(self.coaching_hours_caps)) - 1]


DEFAULT_POLICY = Policy(version="uwv-participatiewet-1")
"""The UWV and Participatiewet defaults."""
