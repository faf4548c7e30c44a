"""Commands of a resident's rights: notes, correct, subject-access (as a coach)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from participatie import (
    NOT_STATED,
    TIMEZONE,
    CorrectionReason,
    InvalidInput,
    Role,
    subject_access_html,
)
from participatie.cli.app import (
    DebugOption,
    PurposeOption,
    StoreOption,
    acting_as,
    app,
    console,
    open_store,
    parse_date,
    plural,
    reported_errors,
    resident_id_of,
    writable,
    write_file,
)

CoachOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help="Who you are, as a coach: recorded on receipts and in the resident's access log; "
        "default $PARTICIPATIE_ACTOR, else your login name.",
    ),
]


@app.command()
def notes(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    add: Annotated[
        str | None,
        typer.Option("--add", metavar="TEXT", help="Add this note (into the vault only) first."),
    ] = None,
    about: Annotated[
        int | None,
        typer.Option(
            "--about", metavar="VERSION", help="With --add: the trajectory's event it is about."
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="With --add: its business date.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    store: StoreOption = None,
    actor: CoachOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Show the notes about a resident (and add one with --add), as a coach.

    The read is recorded in the resident's access log.
    """
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        day = parse_date(on, "--on")
        if add is None and (about is not None or day is not None):
            raise InvalidInput("--about and --on go with --add")
        coach = acting_as(actor, Role.COACH)
        with open_store(store) as participation:
            if add is not None:
                participation.add_note(rid, text=add, about=about, on=day, by=coach)
            found = participation.notes(rid, by=coach, purpose=purpose)
        if as_json:
            print(
                json.dumps(
                    [
                        {
                            "note_id": None if n.note_id is None else str(n.note_id),
                            "text": n.text,
                            "about": n.about,
                            "on": n.on.isoformat(),
                            "by": {"id": n.by.id, "role": n.by.role.value},
                            "recorded_at": n.recorded_at.isoformat(),
                        }
                        for n in found
                    ],
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        if not found:
            console.print(Text(f"No notes about resident {rid}."))
            return
        table = Table(title=f"{plural(len(found), 'note')} about resident {rid}")
        for column in ("On", "By", "About", "Recorded", "Note"):
            table.add_column(column, overflow="fold")
        for n in found:
            table.add_row(
                Text(n.on.isoformat()),
                Text(n.by.id),
                Text("-" if n.about is None else str(n.about)),
                Text(n.recorded_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")),
                Text(n.text),
            )
        console.print(table)


@app.command()
def correct(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="REASON",
            help="residents_request, typing_error or brp_change (AVG art. 16).",
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help="The corrected name.")
    ] = None,
    bsn: Annotated[
        str | None, typer.Option("--bsn", metavar="BSN", help="The corrected BSN.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", metavar="DATE", help="Business date (default today).")
    ] = None,
    store: StoreOption = None,
    actor: CoachOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Correct a resident's name and/or BSN in the vault, as a coach.

    The trajectory gets a receipt naming which fields were corrected and why, never their
    values; the correction is recorded in the resident's access log.
    """
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        ground = _correction_reason(reason)
        day = parse_date(on, "--on")
        with open_store(store) as participation:
            participation.correct_personal_data(
                rid,
                name=name,
                bsn=bsn,
                reason=ground,
                on=day,
                by=acting_as(actor, Role.COACH),
                purpose=purpose,
            )
        fields = " and ".join(f for f, v in (("name", name), ("BSN", bsn)) if v is not None)
        console.print(Text(f"Corrected the {fields} of resident {rid} ({ground.value})."))


def _correction_reason(text: str) -> CorrectionReason:
    try:
        return CorrectionReason(text.strip().lower())
    except ValueError:
        reasons = ", ".join(r.value for r in CorrectionReason)
        raise InvalidInput(f"--reason is one of {reasons}, not {text!r}") from None


@app.command("subject-access")
def subject_access(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    out: Annotated[
        Path, typer.Option("--out", metavar="FILE", help="Where to write the file (JSON).")
    ],
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Also write the page for the resident."),
    ] = None,
    store: StoreOption = None,
    actor: CoachOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Write a resident's subject access file (AVG art. 15, JSON), as a coach.

    It holds the personal data, every event in plain words, the notes, the access log and the
    retention; --html also writes it as a page in Dutch for the resident. Recorded in the
    resident's access log.
    """
    with reported_errors(debug):
        rid = resident_id_of(resident_id)
        writable(out, "--out")  # before the read is recorded in the access log
        if html is not None:
            writable(html, "--html")
        with open_store(store) as participation:
            document = participation.subject_access(
                rid, by=acting_as(actor, Role.COACH), purpose=purpose
            )
        write_file(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n", "--out")
        if html is not None:
            write_file(html, subject_access_html(document), "--html")
        console.print(
            Text(
                f"Wrote the subject access file of resident {rid} to {out}"
                + ("" if html is None else f" and {html}")
                + f": {plural(len(document['events']), 'event')}, "
                f"{plural(len(document['notes']), 'note')}, "
                f"{plural(len(document['access_log']), 'read')} of the access log."
            )
        )
