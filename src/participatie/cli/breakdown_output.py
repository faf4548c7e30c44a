"""Breakdowns at the command line: ``participatie stats --by DIMENSION`` as a table, JSON or CSV,
and who is reading (a breakdown names its actor: see :meth:`participatie.Participation.breakdown`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from participatie import Breakdown, InvalidInput, Role
from participatie.cli.app import console

__all__ = ["ReaderRoleOption", "StatisticsActorOption", "print_breakdown", "reader_role"]

StatisticsActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help="Who reads breakdowns or exports (its role's permissions are checked); default "
        "$PARTICIPATIE_ACTOR, else your login name.",
    ),
]
ReaderRoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="Your role, for breakdowns and exports (policy_officer, coordinator or coach).",
    ),
]


def reader_role(text: str) -> Role:
    """The ``--role`` given, as a :class:`Role`."""
    try:
        return Role(text)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"--role is one of {roles}, not {text!r}") from None


def print_breakdown(breakdown: Breakdown, *, output: str, suppress: bool, title: str) -> None:
    """Print a breakdown as a table, JSON (:meth:`Breakdown.to_dict`) or CSV (a line per group
    and one for the totals; a hidden count is empty)."""
    if output == "json":
        print(json.dumps(breakdown.to_dict(suppress_small_cells=suppress), indent=2))
        return
    lines = breakdown.table_rows(suppress_small_cells=suppress)
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        header, *rows = lines
        writer.writerow(["kind", *header])
        for i, row in enumerate(rows):
            kind = "total" if i == len(rows) - 1 else "group"
            group = row[0]
            if kind == "group" and breakdown.rows[i].group is None:
                group = ""  # no coach: an empty group, not the text "(none)"
            writer.writerow([kind, group, *("" if cell == "x" else cell for cell in row[1:])])
        print(buffer.getvalue(), end="")
        return
    table = Table(title=Text(title))
    header, *rows = lines
    for i, name in enumerate(header):
        # Headers break between words and groups keep their whole name (a coach's id): on a
        # narrow terminal the figures' columns give way, and fold rather than cut.
        table.add_column(
            name.replace("_", "\n"),
            justify="left" if i == 0 else "right",
            no_wrap=i == 0,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
