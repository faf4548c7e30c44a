"""Commands of tamper evidence: verify, and the keys and checkpoints it checks against."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from participatie import (
    Checkpoint,
    InvalidInput,
    Verification,
    generate_signing_key,
)
from participatie.cli.app import (
    DebugOption,
    StoreOption,
    app,
    console,
    open_store,
    plural,
    reported_errors,
    resident_id_of,
)


@app.command()
def verify(
    store: StoreOption = None,
    resident: Annotated[
        str | None, typer.Option("--resident", metavar="ID", help="Only this resident's streams.")
    ] = None,
    export_file: Annotated[
        Path | None,
        typer.Option(
            "--export",
            metavar="FILE",
            help="Check an exported file against the store, event by event.",
        ),
    ] = None,
    checkpoint_file: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            metavar="FILE",
            help="Also prove the log up to a checkpoint kept elsewhere (with --public-key).",
        ),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            metavar="KEY",
            help="The public key printed by 'participatie keygen' (or PARTICIPATIE_PUBLIC_KEY).",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Check everything that proves the record: chains, ledger, heads, snapshots, vault, facts.

    Exit 1 when anything does not fit.
    """
    with reported_errors(debug):
        checkpoint = None
        if checkpoint_file is not None:
            key = public_key or os.environ.get("PARTICIPATIE_PUBLIC_KEY")
            if not key:
                raise InvalidInput(
                    "--checkpoint needs --public-key (the key 'participatie keygen' printed); "
                    "the key inside the checkpoint proves nothing"
                )
            try:
                text = checkpoint_file.read_text(encoding="utf-8")
            except OSError as error:
                raise InvalidInput(f"cannot read {checkpoint_file}: {error.strerror}") from None
            checkpoint = Checkpoint.from_json(text, public_key=key)
        result: Verification
        if export_file is not None:
            try:
                document = json.loads(export_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise InvalidInput(f"cannot read {export_file} as JSON: {error}") from None
            with open_store(store) as participation:
                result = participation.check_export(document)
            what = f"export {export_file}"
        else:
            rid = None if resident is None else resident_id_of(resident)
            with open_store(store) as participation:
                result = participation.verify(rid, checkpoint=checkpoint)
            what = f"{plural(result.streams, 'stream')}, {plural(result.events, 'event')}"
            if checkpoint is not None:
                what += f"; the log up to the checkpoint of {checkpoint.taken_at:%Y-%m-%d %H:%M}"
        if result.ok:
            console.print(Text(f"OK: {what}"))
            for note in result.notes:
                console.print(Text(f"note: {note}"))
            return
        for problem in result.problems:
            print(f"participatie: tampered: {problem}", file=sys.stderr)
        raise typer.Exit(1)


def checkpoint_writer(folder: Path) -> Callable[[Checkpoint], None]:
    if not folder.is_dir():
        raise InvalidInput(f"--checkpoint-dir {folder} is not a folder")

    def write(checkpoint: Checkpoint) -> None:
        name = f"checkpoint-{checkpoint.taken_at:%Y%m%dT%H%M%S}-{checkpoint.position}.json"
        (folder / name).write_text(checkpoint.to_json(), encoding="utf-8")
        console.log(f"checkpoint at position {checkpoint.position}: {folder / name}")

    return write


@app.command()
def keygen(
    key_file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the key.")],
    debug: DebugOption = False,
) -> None:
    """Make a checkpoint signing key (readable by its owner only) and print its public key.

    Keep the key file away from the database and its administrators; give the public key to
    whoever verifies (an auditor, the privacy officer).
    """
    with reported_errors(debug):
        public = generate_signing_key(key_file)
        console.print(f"Wrote the signing key to {escape(str(key_file))}. Its public key:")
        print(public)
        console.print(
            f"Set PARTICIPATIE_SIGNING_KEY={escape(str(key_file))} where checkpoints are taken."
        )


@app.command()
def checkpoint(
    store: StoreOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the checkpoint here, not to stdout."),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key", metavar="FILE", help="The signing key (default: PARTICIPATIE_SIGNING_KEY)."
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Sign the log's current end, to keep outside the store (see docs/audit.md)."""
    with reported_errors(debug), open_store(store) as participation:
        signed = participation.checkpoint(signing_key=key_file)
        if out is None:
            print(signed.to_json(), end="")
            return
        try:
            out.write_text(signed.to_json(), encoding="utf-8")
        except OSError as error:
            raise InvalidInput(f"cannot write {out}: {error.strerror}") from None
        console.print(
            f"Wrote the checkpoint of position {signed.position} "
            f"({plural(signed.events, 'event')}) to "
            f"{escape(str(out))}."
        )
