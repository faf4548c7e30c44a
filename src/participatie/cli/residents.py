"""Commands about one resident: history, access log, export, find, erase, purge."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table
from rich.text import Text

from participatie import (
    NOT_STATED,
    TIMEZONE,
    Actor,
    ErasureGround,
    HistoryEntry,
    InvalidInput,
    ParticipatieError,
    Participation,
    Role,
)
from participatie.cli.app import (
    ActorOption,
    DebugOption,
    EraserOption,
    PurposeOption,
    ReaderOption,
    StoreOption,
    YesOption,
    acting_as,
    app,
    auditor_named,
    confirm,
    console,
    fail,
    open_store,
    parse_date,
    parse_moment,
    plural,
    reported_errors,
    resident_id_of,
    writable,
    write_file,
)
from participatie.cli.records import print_erasures


@app.command()
def history(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    store: StoreOption = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Only what had happened by this date."),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            metavar="TIME",
            help="Only what had been recorded by this time (ISO; without offset: Dutch time).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    actor: ReaderOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Show everything recorded about a resident, across all trajectories, in recorded order.

    One entry per event: the day it happened, the event, the trajectory and version; who
    decided it and when it was recorded; its details. Lines are never cut: long ones wrap.
    """
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        day = parse_date(as_of, "--as-of")
        moment = parse_moment(known_at, "--known-at")
        with open_store(store) as participation:
            entries = participation.history(
                rid, by=auditor_named(actor), purpose=purpose, as_of=day, known_at=moment
            )
            if as_json:
                print(json.dumps([e.to_dict() for e in entries], indent=2))
                return
            when = " and ".join(
                part
                for part in (
                    f"happened by {day}" if day else "",
                    f"been recorded by {moment.isoformat()}" if moment else "",
                )
                if part
            )
            if not entries:
                console.print(Text(f"Nothing about resident {rid} had {when}."))
                return
            _print_history(rid, entries)
            if when:
                state = participation.resident(
                    rid, by=auditor_named(actor), as_of=day, known_at=moment, purpose=purpose
                )
                goal = state.goal.value if state.goal else "-"
                placement = state.placement.employer if state.placement else "-"
                console.print(
                    Text(
                        f"As it stood when all this had {when}: {state.status.value}, goal "
                        f"{goal}, placement {placement}"
                    )
                )


def _print_history(resident_id: UUID, entries: Sequence[HistoryEntry]) -> None:
    """The history as plain lines that wrap between words: ids and names are never cut."""
    width = max(console.width, 40)
    console.print(Text(f"History of resident {resident_id}", style="bold"), soft_wrap=True)
    for entry in entries:
        trajectory = "resident" if entry.aggregate == "ResidentTrajectory" else "job coaching"
        recorded = entry.recorded_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")
        details = ", ".join(
            f"{key}={value}" for key, value in entry.data.items() if key != "policy_version"
        )
        head = Text()
        head.append(entry.occurred_on.isoformat())
        head.append("  ")
        head.append(entry.event, style="bold")
        head.append(f"  {trajectory} v{entry.version}")
        console.print(head, soft_wrap=True)
        lines = [f"by {entry.actor.id} ({entry.actor.role.value}), recorded {recorded}"]
        if details:
            lines.append(details)
        for line in lines:
            for part in textwrap.wrap(
                line,
                width=width - 4,
                break_long_words=False,
                break_on_hyphens=False,
            ):
                console.print(Text("    " + part), soft_wrap=True)


@app.command("access-log")
def access_log(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    store: StoreOption = None,
    actor: ActorOption = None,
    debug: DebugOption = False,
) -> None:
    """Show who read a resident's personal data, history or file, when and why."""
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        with open_store(store) as participation:
            entries = participation.access_log(rid, by=auditor_named(actor))
        if not entries:
            console.print(Text(f"Nobody has read the data of resident {rid}."))
            return
        table = Table(title=Text(f"Access log of resident {rid}"))
        for column in ("when", "who", "what", "purpose"):
            table.add_column(column, overflow="fold")
        for entry in entries:
            table.add_row(
                entry.at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
                Text(f"{entry.actor.id} ({entry.actor.role.value})"),
                entry.kind.value.replace("_", " "),
                Text(entry.purpose),
            )
        console.print(table)


@app.command()
def export(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="Where to write the file.")],
    store: StoreOption = None,
    actor: ReaderOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Write a resident's complete file (JSON, no personal data) with a checkable manifest."""
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        writable(out, "--out")  # before the export is recorded in the access log
        with open_store(store) as participation:
            document = participation.export(rid, by=auditor_named(actor), purpose=purpose)
        write_file(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n", "--out")
        counts = document["manifest"]["counts"]
        console.print(
            Text(
                f"Wrote {out}: {plural(counts['events'], 'event')} in "
                f"{plural(counts['streams'], 'stream')}."
            )
        )


@app.command()
def purge(
    due: Annotated[
        bool,
        typer.Option(
            "--due", help="List the residents whose archive action date has come (retention ended)."
        ),
    ] = False,
    erase: Annotated[
        bool,
        typer.Option(
            "--erase",
            help="Then erase their personal data (ground retention_ended), after asking.",
        ),
    ] = False,
    yes: YesOption = False,
    erasures: Annotated[
        bool,
        typer.Option("--erasures", help="List every erasure and whether it is final yet."),
    ] = False,
    store: StoreOption = None,
    actor: EraserOption = None,
    debug: DebugOption = False,
) -> None:
    """List the files whose personal data may now be erased (retention ended), and with --erase
    erase them; or, with --erasures, the erasures made and whether each is final (no copy left
    that the deployment's keys still open).

    The list goes to standard output, one resident id a line. Erasing asks first; without a
    terminal it erases nothing unless --yes is given.
    """
    with reported_errors(debug):
        if due == erasures:
            raise InvalidInput("purge lists what is due (--due) or the erasures (--erasures)")
        admin = acting_as(actor, Role.ADMIN)
        if erasures:
            with open_store(store) as participation:
                print_erasures(participation, admin, only_pending=False)
            return
        with open_store(store) as participation:
            residents = participation.retention_due(by=admin)
            pending = sum(not erasure.final for erasure in participation.erasures(by=admin))
            for rid in residents:
                print(rid)
            files = plural(len(residents), "file")
            verb = "is" if len(residents) == 1 else "are"
            if pending:
                print(
                    f"{plural(pending, 'erasure')} {'is' if pending == 1 else 'are'} not final "
                    "yet: run participatie rotate-keys "
                    "(see purge --erasures).",
                    file=sys.stderr,
                )
            if not erase:
                hint = "; erase them with --erase" if residents else ""
                print(f"{files} {verb} due for erasure{hint}.", file=sys.stderr)
                return
            if not residents:
                print("No files are due for erasure: nothing was erased.", file=sys.stderr)
                return
            confirm(
                f"Erase the personal data of these {files} for good?",
                yes=yes,
                without_terminal=f"{files} {verb} due for erasure, and nothing was erased",
            )
            _erase_all(participation, residents, admin)


def _erase_all(participation: Participation, residents: Sequence[UUID], admin: Actor) -> None:
    """Erase each resident's personal data; report each refusal and exit 1 if there was one."""
    refused = 0
    for rid in residents:
        try:
            participation.erase_personal_data(rid, by=admin, reason=ErasureGround.RETENTION_ENDED)
        except ParticipatieError as error:  # e.g. reopened meanwhile: the others go on
            refused += 1
            print(f"participatie: not erased {rid}: {error}", file=sys.stderr)
    erased = len(residents) - refused
    console.print(f"Erased the personal data of {plural(erased, 'resident')}.")
    if refused:
        raise typer.Exit(1)


@app.command()
def find(
    bsn: Annotated[
        str,
        typer.Option(
            "--bsn",
            metavar="BSN",
            help="The citizen service number (9 digits). It is looked up by keyed hash, "
            "never stored in the access log.",
        ),
    ],
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose",
            help="Why you look: recorded in the found resident's access log (no personal data).",
        ),
    ],
    store: StoreOption = None,
    actor: ReaderOption = None,
    debug: DebugOption = False,
) -> None:
    """Print the id of the resident with this BSN (exit 1 when there is none), as a coach.

    A lookup that finds a resident is recorded in that resident's access log.
    """
    with reported_errors(debug), open_store(store) as participation:
        found = participation.find_resident(
            bsn=bsn, by=acting_as(actor, Role.COACH), purpose=purpose
        )
        if found is None:
            raise fail("no resident with that BSN", 1)
        print(found)


@app.command()
def erase(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="GROUND",
            help="residents_request, retention_ended or legal_obligation (AVG art. 17).",
        ),
    ],
    yes: YesOption = False,
    store: StoreOption = None,
    actor: EraserOption = None,
    debug: DebugOption = False,
) -> None:
    """Erase a resident's personal data for good (their key and vault record), after asking.

    The events stay (they hold no personal data) and a receipt is recorded. A file that must be
    kept (Archiefwet) is refused until its retention ends, unless the ground is
    legal_obligation.
    """
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        ground = _erasure_ground(reason)
        admin = acting_as(actor, Role.ADMIN)
        with open_store(store) as participation:
            confirm(
                f"Erase the personal data of resident {rid} ({ground.value}) for good?",
                yes=yes,
                without_terminal=f"the personal data of resident {rid} were not erased",
            )
            participation.erase_personal_data(rid, by=admin, reason=ground)
        console.print(Text(f"Erased the personal data of resident {rid} ({ground.value})."))


def _erasure_ground(text: str) -> ErasureGround:
    try:
        return ErasureGround(text.strip().lower())
    except ValueError:
        grounds = ", ".join(g.value for g in ErasureGround)
        raise InvalidInput(f"--reason is one of {grounds}, not {text!r}") from None
