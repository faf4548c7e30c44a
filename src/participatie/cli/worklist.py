"""The working day at the command line: ``participatie caseload`` and ``participatie signals``.

Both read as ``--actor`` in ``--role`` (default coach), whose permissions are checked; neither
records anything (a list is not one resident's file: see :mod:`participatie.service.worklist`).
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from participatie import InvalidInput, Role
from participatie.cli.app import (
    ActorOption,
    DebugOption,
    StoreOption,
    acting_as,
    app,
    console,
    open_store,
    parse_date,
    reported_errors,
)


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv.")]
RoleOption = Annotated[
    str, typer.Option("--role", help="Your role (coach, job_coach, job_broker, coordinator).")
]
MunicipalityOption = Annotated[
    str | None,
    typer.Option("--municipality", help="One municipality (default all you may read)."),
]


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"--role is one of {roles}, not {text!r}") from None


def _print(rows: Sequence[dict[str, object]], columns: Sequence[str], output: Format) -> None:
    if output is Format.JSON:
        print(json.dumps(list(rows), indent=2))
        return
    if output is Format.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in row.items()})
        print(buffer.getvalue(), end="")
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(
            *(
                Text("-" if v is None else ", ".join(v) if isinstance(v, list) else str(v))
                for v in (row[c] for c in columns)
            )
        )
    console.print(table)


@app.command()
def caseload(
    store: StoreOption = None,
    municipality: MunicipalityOption = None,
    coach: Annotated[
        str | None, typer.Option("--coach", metavar="ID", help="Only this coach's residents.")
    ] = None,
    status: Annotated[str, typer.Option("--status", help="open, closed or any.")] = "open",
    goal: Annotated[
        str | None, typer.Option("--goal", help="Only residents with this goal.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As it stood on this date.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Residents on the page.")] = 50,
    after: Annotated[
        str | None,
        typer.Option("--after", metavar="RESIDENT_ID", help="The page after this resident."),
    ] = None,
    output: FormatOption = Format.TABLE,
    actor: ActorOption = None,
    role: RoleOption = "coach",
    debug: DebugOption = False,
) -> None:
    """Show a page of the caseload, by resident id; the next page's --after is printed below
    (on standard error) when there is one."""
    with reported_errors(debug):
        day = parse_date(as_of, "--as-of")
        with open_store(store) as participation:
            page = participation.caseload(
                by=acting_as(actor, _role(role)),
                municipality=municipality,
                coach=coach,
                status=None if status == "any" else status,
                goal=goal,
                as_of=day,
                limit=limit,
                after=after,
            )
        rows = [e.as_dict() for e in page.entries]
        columns = [
            "resident_id",
            "municipality",
            "status",
            "goal",
            "registered_on",
            "last_conversation_on",
            "placement_kind",
            "activities",
            "coach_id",
        ]
        _print(rows, columns, output)
        if page.next_after is not None:
            typer.echo(f"next page: --after {page.next_after}", err=True)


@app.command()
def signals(
    store: StoreOption = None,
    municipality: MunicipalityOption = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="DATE", help="The worklist as it was on this date."),
    ] = None,
    output: FormatOption = Format.TABLE,
    actor: ActorOption = None,
    role: RoleOption = "coach",
    debug: DebugOption = False,
) -> None:
    """Show the worklist's signals (default: today), oldest first."""
    with reported_errors(debug):
        day = parse_date(on, "--on")
        with open_store(store) as participation:
            found = participation.signals(
                by=acting_as(actor, _role(role)), municipality=municipality, on=day
            )
        rows = [s.as_dict() for s in found]
        _print(rows, ["kind", "resident_id", "coaching_id", "since", "detail"], output)
