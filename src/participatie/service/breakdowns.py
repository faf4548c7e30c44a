"""Breakdowns of the outcome statistics, and the statisticians' export of the figures.

A breakdown by coach tells how each coach's residents fared, so unlike :meth:`outcomes` these
reads name their actor: they are authorised (``READ_BREAKDOWNS``) and scoped to the actor's
municipality like the caseload. A refusal goes into the security log; nothing else is recorded
(a table of counts is no resident's file).
"""

from __future__ import annotations

from datetime import date, datetime

from participatie.audit.history import check_moments
from participatie.domain.values import Actor, parse_enum
from participatie.errors import InvalidInput
from participatie.privacy.authorisation import Action
from participatie.projections.breakdowns import Breakdown, Dimension, compute_breakdown
from participatie.projections.figure_export import FiguresExport, export_of
from participatie.projections.figures import compute
from participatie.service.core import Room
from participatie.service.statistics import reporting_period

__all__ = ["Breakdowns"]


class Breakdowns(Room):
    """Breakdowns by referral channel, benefit, coach and municipality, and exports."""

    def _breakdown_scope(self, by: Actor, municipality: str | None) -> str | None:
        """The municipality read (canonical), or None for all; refuses one ``by`` does not
        serve. An actor of one municipality reads that one when none is named."""
        self._core.authorise(by, Action.READ_BREAKDOWNS)
        if municipality is not None:
            municipality = self._core.municipality(municipality)
            self._core.authorise(by, Action.READ_BREAKDOWNS, municipality=municipality)
            return municipality
        if by.municipality is not None:
            return self._core.municipality(by.municipality)
        return None

    def _served(self, scope: str | None) -> list[str]:
        """The municipalities in ``scope``: the register's (or, without one, those residents
        were registered under)."""
        if scope is not None:
            return [scope]
        register = self._core.municipalities
        return sorted(register.codes if register is not None else self._core.known_municipalities())

    def breakdown(
        self,
        dimension: Dimension | str,
        *,
        by: Actor,
        period: tuple[date | None, date | None] | None = None,
        municipality: str | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> Breakdown:
        """Reach, outflow by reason and still coached of a period, by ``dimension``
        (``referral``, ``benefit``, ``coach`` or ``municipality``; see
        :mod:`participatie.projections.breakdowns`), with the totals of :meth:`outcomes`.

        ``period``, ``municipality``, ``as_of`` and ``known_at`` are those of :meth:`outcomes`,
        and as exact. ``by`` must be allowed ``READ_BREAKDOWNS`` (policy officers, coordinators,
        coaches) for the municipality read; an actor of one municipality reads that one when
        none is named. :meth:`Breakdown.to_dict` and :meth:`Breakdown.table_rows` hide small
        cells across the whole table when asked to.
        """
        scope = self._breakdown_scope(by, municipality)
        check_moments(as_of, known_at)
        wanted = parse_enum(Dimension, dimension, field="dimension")
        start, end = reporting_period(period, as_of=as_of, today=self._core.today())
        facts = self._core.current_facts(scope, through=end, known_at=known_at)
        self._check_known(scope)
        groups = self._served(scope) if wanted is Dimension.MUNICIPALITY else []
        return compute_breakdown(
            facts, dimension=wanted, period=(start, end), municipality=scope, groups=groups
        )

    def export_figures(
        self,
        *,
        by: Actor,
        period: tuple[date | None, date | None] | None = None,
        municipality: str | None = None,
        as_of: date | None = None,
        known_at: datetime | None = None,
        dimensions: tuple[Dimension | str, ...] = (),
        suppress_small_cells: bool = True,
    ) -> FiguresExport:
        """The figures for statisticians: one record per municipality, figure (and group of a
        breakdown by each of ``dimensions``), with the municipality's CBS code, the period,
        numerator, denominator and whether the figure is suppressed (see
        :mod:`participatie.projections.figure_export` and docs/statistics.md).

        Every municipality in scope gets its own records (the one named, ``by``'s, or every one
        the store serves); authorised as :meth:`breakdown`. Small cells are suppressed unless
        ``suppress_small_cells=False`` (for the municipality's own analysts, not publication).
        """
        scope = self._breakdown_scope(by, municipality)
        check_moments(as_of, known_at)
        wanted = tuple(parse_enum(Dimension, d, field="dimensions") for d in dimensions)
        if Dimension.MUNICIPALITY in wanted:
            raise InvalidInput(
                "an export has the records of each municipality already: leave municipality "
                "out of dimensions"
            )
        start, end = reporting_period(period, as_of=as_of, today=self._core.today())
        self._check_known(scope)
        register = self._core.municipalities
        parts = []
        for name in self._served(scope):
            facts = self._core.current_facts(name, through=end, known_at=known_at)
            report = compute(
                facts, period=(start, end), municipality=name, target=None, policy=self._core.policy
            )
            breakdowns = [
                compute_breakdown(facts, dimension=d, period=(start, end), municipality=name)
                for d in wanted
            ]
            code = None if register is None else register.codes.get(name)
            parts.append((name, code, report, breakdowns))
        return export_of(
            parts,
            period=(start, end),
            as_of=as_of,
            known_at=known_at,
            suppressed=suppress_small_cells,
        )

    def _check_known(self, scope: str | None) -> None:
        """Without a register, a name no resident was ever registered under is a typo, not a
        municipality with no residents (as :meth:`outcomes` decides it)."""
        if scope is None or self._core.municipalities is not None:
            return
        known = self._core.known_municipalities()
        if scope not in known:
            raise InvalidInput(
                f"no resident of municipality {scope!r} is recorded in this store "
                f"(known: {', '.join(sorted(known)) or 'none'}); open the store with "
                "municipalities={...} to report on a municipality without residents"
            )
