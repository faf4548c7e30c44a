"""``participatie export-figures``: the figures for statisticians, as JSON or CSV.

A command of its own rather than another ``stats --format``: the export is another document (a
record per municipality, figure and group, with CBS codes, in a versioned format with a JSON
Schema), it names its reader, and it suppresses small cells unless told not to, while ``stats``
keeps printing the report as it always has.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from participatie import InvalidInput
from participatie.cli.app import (
    DebugOption,
    StoreOption,
    acting_as,
    app,
    console,
    open_store,
    parse_date,
    reported_errors,
    writable,
    write_file,
)
from participatie.cli.breakdown_output import ReaderRoleOption, StatisticsActorOption, reader_role
from participatie.cli.statistics import AsOfOption, FromOption, MunicipalityOption, ToOption

__all__ = ["export_figures"]


@app.command("export-figures")
def export_figures(
    store: StoreOption = None,
    start: FromOption = None,
    end: ToOption = None,
    municipality: MunicipalityOption = None,
    as_of: AsOfOption = None,
    output: Annotated[
        str, typer.Option("--format", help="json or csv.", metavar="FORMAT")
    ] = "json",
    dimensions: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="DIMENSION",
            help="Add the breakdown by referral, benefit or coach (repeat for more).",
        ),
    ] = None,
    suppress_small_cells: Annotated[
        bool,
        typer.Option(
            "--suppress-small-cells/--no-suppress-small-cells",
            help="Hide counts under 5 and what would reveal one (the default: for publication).",
        ),
    ] = True,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", help="Write to this file (default: standard output)."
        ),
    ] = None,
    actor: StatisticsActorOption = None,
    role: ReaderRoleOption = "policy_officer",
    debug: DebugOption = False,
) -> None:
    """Export the figures of a period for statisticians: per municipality (with its CBS code),
    figure and group, the numerator, the denominator and whether it is suppressed."""
    with reported_errors(debug):
        if output not in ("json", "csv"):
            raise InvalidInput(f"--format is json or csv, not {output!r}")
        reader = acting_as(actor, reader_role(role))
        period = (parse_date(start, "--from"), parse_date(end, "--to"))
        reference = parse_date(as_of, "--as-of")
        if out is not None:
            writable(out, "--out")
        with open_store(store) as participation:
            export = participation.export_figures(
                by=reader,
                period=period,
                municipality=municipality,
                as_of=reference,
                dimensions=tuple(dimensions or ()),
                suppress_small_cells=suppress_small_cells,
            )
        if any(record.municipality_code is None for record in export.records):
            print(
                "participatie: warning: the store has no municipality register, so the CBS codes "
                "are empty; set PARTICIPATIE_MUNICIPALITIES to a file of names and codes",
                file=sys.stderr,
            )
        text = export.to_csv() if output == "csv" else json.dumps(export.to_dict(), indent=2) + "\n"
        if out is None:
            print(text, end="")
            return
        write_file(out, text, "--out")
        console.print(f"Wrote {len(export.records)} figures to {out}.")
