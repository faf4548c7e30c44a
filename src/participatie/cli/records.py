"""Commands that record: the demo, importing case files, and rotating the vault's keys."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from participatie import (
    DEFAULT_LANGUAGE,
    Actor,
    ConfigurationError,
    InvalidInput,
    ParticipatieError,
    Participation,
    Role,
    import_records,
    language,
    parse_store_url,
    read_records,
)
from participatie.cli.app import (
    ActorOption,
    DebugOption,
    LangOption,
    StoreOption,
    YesOption,
    acting_as,
    app,
    auditor_named,
    confirm,
    console,
    fail,
    open_store,
    plural,
    print_report,
    reported_errors,
)
from participatie.demo import MUNICIPALITIES, haaren_2019, noordoostpolder


def _remove_sqlite_store(url: str | None, *, yes: bool) -> None:
    """Delete the SQLite store at ``url`` when it holds nothing but the demo, or when confirmed."""
    config = parse_store_url(url)
    if config.sqlite_path is None:
        raise ConfigurationError(
            f"--fresh only replaces a SQLite file store, not {config.display_url}; "
            "empty that store yourself or choose another --store"
        )
    path = config.sqlite_path
    shown = escape(config.display_url)
    if not path.exists():
        console.print(f"Starting from an empty store: there is no {shown} yet.")
        return
    other = _besides_the_demo(url)
    if other is not None:
        confirm(
            f"{config.display_url} holds {other}. Delete it, with its secret, for good?",
            yes=yes,
            without_terminal=(
                f"the store {config.display_url} holds {other}; --fresh deletes without asking "
                "only a store with nothing but the demo in it"
            ),
        )
    for suffix in ("", "-wal", "-shm", ".secret"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    console.print(f"Starting from an empty store: deleted {shown} and its secret.")


def _fingerprints(participation: Participation) -> list[str]:
    """Each resident's events without ids and recorded times, sorted: what the demo decides."""
    found = []
    for rid in participation.resident_ids(by=auditor_named(None)):
        events = [
            sorted(
                (key, "<id>" if isinstance(value, UUID) else repr(value))
                for key, value in vars(event).items()
                if key not in {"originator_id", "timestamp"}
            )
            for event in participation.events(rid)
        ]
        found.append(repr(events))
    return sorted(found)


def _besides_the_demo(url: str | None) -> str | None:
    """What the store holds besides what ``participatie demo`` records, or None.

    The demo is deterministic apart from ids and recorded times, so it is recorded again into
    an in-process store and compared: every resident's events (without ids and times) must be
    one of the demo's, and the store must hold no other events than the demo's and the access
    log entries and processing records of reads (reading a demo resident adds no data). An
    empty store holds nothing.
    """
    try:
        participation = open_store(url)
    except ParticipatieError as error:
        return f"something that does not open as a participatie store ({error})"
    with participation:
        stored = _fingerprints(participation)
        if not stored and not participation.event_count():
            return None
        reads = 0
        for rid in participation.resident_ids(by=auditor_named(None)):
            entries = len(participation.access_log(rid, by=auditor_named(None)))
            # The access log's opening event and its entries (a read's processing record is a
            # row of its own, not an event).
            reads += entries + 1 if entries else 0
        total = participation.event_count()
    with Participation.open("memory://", municipalities=MUNICIPALITIES) as reference:
        haaren_2019.record_haaren_2019(reference)
        noordoostpolder.record_noordoostpolder(reference)
        expected = _fingerprints(reference)
        expected_total = reference.event_count()
    if stored != expected:
        return f"other residents than the demo's ({len(stored)} in all)"
    if total - reads != expected_total:
        return f"{plural(total - reads, 'event')} where the demo records {expected_total}"
    return None


@app.command()
def demo(
    store: StoreOption = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Delete the SQLite file store (and its secret) first, so the demo starts "
            "empty: at once when it holds only the demo, else only when you confirm (--yes).",
        ),
    ] = False,
    yes: YesOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
    debug: DebugOption = False,
) -> None:
    """Record Haaren's first year (2019) and Noordoostpolder's job coaching, and report on them
    (in Dutch unless --lang en)."""
    with reported_errors(debug):
        language(lang)  # an unknown language is refused before anything is recorded
        _demo(store, fresh=fresh, yes=yes, lang=lang)


def _demo(store: str | None, *, fresh: bool, yes: bool, lang: str) -> None:
    if fresh:
        _remove_sqlite_store(store, yes=yes)
    with open_store(store, create=True, municipalities=MUNICIPALITIES) as participation:
        existing = len(participation.resident_ids(by=auditor_named(None)))
        if existing:
            raise ConfigurationError(
                f"the store {participation.store_url} already holds "
                f"{plural(existing, 'resident')}; the demo records into an empty store: add "
                "--fresh to replace a SQLite file, or choose another --store"
            )
        with Progress(
            TextColumn("Recording {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("residents"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            haaren = progress.add_task("Haaren 2019", total=len(haaren_2019.OUTCOMES))
            year = haaren_2019.record_haaren_2019(
                participation, progress=lambda n: progress.advance(haaren, n)
            )
            polder = progress.add_task("Noordoostpolder", total=noordoostpolder.RESIDENTS)
            coaching = noordoostpolder.record_noordoostpolder(
                participation, progress=lambda n: progress.advance(polder, n)
            )
        haaren_year = (date(2019, 1, 1), date(2019, 12, 31))
        print_report(
            participation.outcomes(
                period=haaren_year,
                municipality=haaren_2019.MUNICIPALITY,
                target=haaren_2019.TARGET,
            ),
            title="Haaren 2019: Participatie Werkt!",
            lang=lang,
        )
        print_report(
            participation.outcomes(
                period=(date(2019, 1, 1), date(2022, 12, 31)),
                municipality=noordoostpolder.MUNICIPALITY,
            ),
            title="Noordoostpolder/Urk 2019-2022: job coaching",
            lang=lang,
        )
        console.print(
            f"{plural(year.events + coaching.events, 'event')} recorded for "
            f"{plural(len(year.resident_ids) + len(coaching.resident_ids), 'resident')}."
        )


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file of records to import.")],
    store: StoreOption = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Residents saved per transaction.")
    ] = 100,
    encoding: Annotated[
        str,
        typer.Option(
            "--encoding",
            help="The file's text encoding: utf-8 (with or without a byte-order mark) or, for "
            "example, cp1252 for a file saved by Windows as 'CSV (comma/semicolon delimited)'.",
        ),
    ] = "utf-8",
    debug: DebugOption = False,
) -> None:
    """Import case files from an earlier system; importing a file again adds only what is new.

    The record format is in docs/importing.md. The whole file is read first; then bad records
    are listed with their line numbers, and none of a resident's records are imported when one
    of them is bad (exit code 1). A file that cannot be read, or holds no records, is exit code 2.
    """
    with reported_errors(debug):
        try:
            if batch_size < 1:
                raise InvalidInput(f"--batch-size must be at least 1, not {batch_size}")
            with console.status(f"Reading {file}"):
                records = list(read_records(file, encoding=encoding))
        except InvalidInput as error:
            raise fail(f"error: {error}", 2) from None
        if not records:
            raise fail(
                f"error: {file} holds no records (it is empty, or a CSV header without rows); "
                "nothing was imported",
                2,
            )
        with (
            open_store(store, create=True) as participation,
            Progress(
                TextColumn("Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("records"),
                TimeRemainingColumn(),
                console=console,
            ) as progress,
        ):
            task = progress.add_task("records", total=len(records))
            report = import_records(
                participation,
                records,
                batch_size=batch_size,
                progress=lambda n: progress.advance(task, n),
            )
        before = "was" if report.skipped == 1 else "were"
        console.print(
            f"Imported {plural(report.records, 'record')} of "
            f"{plural(report.residents, 'resident')}; {plural(report.skipped, 'record')} "
            f"{before} imported before; {plural(len(report.bad), 'bad record')}, which kept "
            f"{plural(report.kept_out, 'resident')} out."
        )
        for bad in report.bad:
            print(bad, file=sys.stderr)
        if report.bad:
            raise typer.Exit(1)


@app.command("rotate-keys")
def rotate_keys(
    store: StoreOption = None, actor: ActorOption = None, debug: DebugOption = False
) -> None:
    """Re-wrap every resident's key in a new key epoch, making erasures final; rotate the secret.

    With PARTICIPATIE_SECRET set: the new secret there and the old one in
    PARTICIPATIE_PREVIOUS_SECRET (other processes go on working meanwhile if they were opened
    with both). A SQLite store whose secret is kept beside it (<file>.secret) gets a new secret
    in that file: the old one stays there as previous until the rotation has completed.
    """
    with reported_errors(debug):
        admin = acting_as(actor, Role.ADMIN)
        config = parse_store_url(store)
        beside = (
            None
            if config.sqlite_path is None
            else config.sqlite_path.with_name(config.sqlite_path.name + ".secret")
        )
        with open_store(store) as participation:
            if not participation.rotation_due(by=admin) and not os.environ.get(
                "PARTICIPATIE_PREVIOUS_SECRET"
            ):
                raise fail(
                    "nothing to rotate: every resident's key is wrapped under the current "
                    "secret in the newest key epoch, and no erasure waits for a rotation. "
                    "To rotate the deployment secret, put the new one in PARTICIPATIE_SECRET "
                    "and the current one in PARTICIPATIE_PREVIOUS_SECRET, and run rotate-keys "
                    "again.",
                    2,
                )
            before = None if beside is None or not beside.exists() else beside.read_bytes()
            rotated = participation.rotate_keys(by=admin)
            if before is not None and beside is not None and beside.read_bytes() != before:
                console.print(
                    f"Re-wrapped the keys of {plural(rotated, 'resident')} under a new secret, "
                    f"now in {beside}; "
                    "the previous secret has been removed from it."
                )
            else:
                console.print(
                    f"Re-wrapped the keys of {plural(rotated, 'resident')} under the current "
                    "secret; the "
                    "previous secret is no longer needed."
                )
            print_erasures(participation, admin, only_pending=True)


def print_erasures(participation: Participation, admin: Actor, *, only_pending: bool) -> None:
    """One line per erasure (or per erasure not final yet) on standard output, a summary on
    standard error."""
    erasures = participation.erasures(by=admin)
    pending = [erasure for erasure in erasures if not erasure.final]
    for erasure in pending if only_pending else erasures:
        when = "before 0.2" if erasure.erased_at is None else erasure.erased_at.isoformat()
        state = "final" if erasure.final else f"not final yet: {erasure.to_do}"
        print(f"{erasure.resident_id}  erased {when}  {state}")
    print(
        f"{len(erasures) - len(pending)} of {len(erasures)} erasures are final"
        + (
            "; the others still unwrap from copies in the database's files or backups"
            if pending
            else "."
        ),
        file=sys.stderr,
    )
