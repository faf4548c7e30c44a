"""The report's breakdowns: for each dimension asked for, a table of reach, outflow by reason and
still coached by group (:meth:`participatie.Participation.breakdown`), in the report's language.

A table, not a chart: a breakdown is read across its rows and columns, and a table is what a
screen reader reads best. Small cells are hidden across the whole table as the breakdown hides
them (:meth:`participatie.Breakdown.hidden_cells`), with the ``x`` the page's legend explains.
"""

from __future__ import annotations

from html import escape
from typing import Final

from participatie.domain.values import Benefit, OutflowReason, Referral
from participatie.i18n import N_, Language
from participatie.projections.breakdowns import COLUMNS, TOTAL, Breakdown, Dimension
from participatie.projections.figures import HIDDEN
from participatie.projections.labels import OUTFLOW_REASONS

__all__ = ["breakdown_section"]

#: A dimension as the heading of its table ("naar verwijzer").
DIMENSIONS: Final[dict[Dimension, str]] = {
    Dimension.REFERRAL: N_("Reach and outflow by referral channel"),
    Dimension.BENEFIT: N_("Reach and outflow by benefit"),
    Dimension.COACH: N_("Reach and outflow by coach"),
    Dimension.MUNICIPALITY: N_("Reach and outflow by municipality"),
}

#: The column naming the groups.
GROUP_COLUMNS: Final[dict[Dimension, str]] = {
    Dimension.REFERRAL: N_("referral channel"),
    Dimension.BENEFIT: N_("benefit"),
    Dimension.COACH: N_("coach"),
    Dimension.MUNICIPALITY: N_("municipality"),
}

#: The groups whose names are values of the domain, not names of people or places.
GROUPS: Final[dict[str, str]] = {
    Referral.MUNICIPALITY.value: N_("referred by the municipality"),
    Referral.CARE_AND_WELFARE.value: N_("care and welfare"),
    Referral.WALK_IN.value: N_("walk-in"),
    Benefit.SOCIAL_ASSISTANCE.value: N_("social assistance"),
    Benefit.UNEMPLOYMENT.value: N_("unemployment benefit"),
    Benefit.NONE.value: N_("no benefit"),
}


def _column(lang: Language, column: str) -> str:
    _ = lang.gettext
    if column == "reach":
        return _("reach")
    if column == "still_coached":
        return _("still coached")
    return _(OUTFLOW_REASONS[OutflowReason(column.removeprefix("outflow."))])


def breakdown_section(
    lang: Language, breakdown: Breakdown, *, suppressed: bool, number: int
) -> str:
    """The breakdown as a section of the page: a heading and a table with a header row, a row
    per group and the totals row."""
    _ = lang.gettext
    hidden = breakdown.hidden_cells() if suppressed else frozenset()
    heading = _(DIMENSIONS[breakdown.dimension])
    dimension = breakdown.dimension
    head = "".join(
        f'<th scope="col">{escape(text)}</th>'
        for text in (
            _(GROUP_COLUMNS[dimension]),
            *(_column(lang, column) for column in COLUMNS),
        )
    )
    lines = []
    for key, row in [*enumerate(breakdown.rows), (TOTAL, breakdown.total)]:
        if key == TOTAL:
            label = _("total")
        elif row.group is None:
            label = _("no coach")
        elif dimension in (Dimension.REFERRAL, Dimension.BENEFIT):
            label = _(GROUPS[row.group])
        else:
            label = row.group
        counts = row.counts()
        cells = "".join(
            f"<td>{HIDDEN if (key, column) in hidden else lang.integer(counts[column])}</td>"
            for column in COLUMNS
        )
        lines.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    body = "\n".join(lines)
    ident = f"breakdown{number}"
    return (
        f'<section>\n<h2 id="{ident}">{escape(heading)}</h2>\n'
        f'<div class="wide"><table aria-labelledby="{ident}" aria-describedby="signs">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>\n</section>"
    )
