"""The ``participatie`` command (also ``python -m participatie``).

Exit codes: 0 done; 1 the command ran but was refused or failed (a rule, an unknown id, ...);
2 it could not start (bad usage, a bad store URL, a missing secret). Errors print as one line on
standard error; ``participatie --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import csv
import getpass
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from participatie import (
    NOT_STATED,
    TIMEZONE,
    Actor,
    Checkpoint,
    ConfigurationError,
    InvalidInput,
    OutcomeReport,
    ParticipatieError,
    Participation,
    Role,
    __version__,
    generate_signing_key,
    html_report,
    import_records,
    parse_store_url,
    read_records,
)
from participatie.demo import haaren_2019, noordoostpolder

__all__ = ["app", "main"]

app = typer.Typer(
    name="participatie",
    help="Record how residents are coached towards work, and prove what came of it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help="memory://, sqlite:///file.db or postgresql://...; default $PARTICIPATIE_STORE, "
        "else sqlite:///participatie.db",
    ),
]


_settings = {"debug": False}


class _EventsPerSecond(ProgressColumn):
    """The rate of a progress bar counted in events."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


def _print_version(value: bool) -> None:
    if value:
        print(f"participatie {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[  # noqa: ARG001 (handled by its callback, before any command)
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Record how residents are coached towards work, and prove what came of it."""
    _settings["debug"] = debug


def _fail(message: str, code: int) -> typer.Exit:
    print(f"participatie: {message}", file=sys.stderr)
    return typer.Exit(code)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn errors into one line on standard error and exit code 2 (setup) or 1 (refused)."""
    if _settings["debug"]:
        yield
        return
    try:
        yield
    except ConfigurationError as error:
        raise _fail(f"error: {error}", 2) from None
    except ParticipatieError as error:
        raise _fail(f"error: {error}", 1) from None
    except (typer.Exit, typer.Abort):
        raise
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        raise typer.Exit(0) from None
    except Exception as error:
        raise _fail(
            f"unexpected {type(error).__name__}: {error} (run with --debug for the traceback)", 1
        ) from None


def _remove_sqlite_store(url: str | None) -> Path:
    config = parse_store_url(url)
    if config.sqlite_path is None:
        raise ConfigurationError(
            f"--fresh only replaces a SQLite file store, not {config.display_url}; "
            "empty that store yourself or choose another --store"
        )
    path = config.sqlite_path
    for suffix in ("", "-wal", "-shm", ".secret"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return path


@app.command()
def demo(
    store: StoreOption = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Delete the SQLite file store (and its secret) first, so the demo starts empty.",
        ),
    ] = False,
) -> None:
    """Record Haaren's first year (2019) and Noordoostpolder's job coaching, and report on them."""
    with _reported_errors():
        _demo(store, fresh=fresh)


def _demo(store: str | None, *, fresh: bool) -> None:
    if fresh:
        removed = _remove_sqlite_store(store)
        console.print(f"Starting from an empty store: removed {removed} if it existed.")
    with Participation.open(store) as participation:
        existing = len(participation.resident_ids())
        if existing:
            raise ConfigurationError(
                f"the store {participation.store_url} already holds {existing} residents; the "
                "demo records into an empty store: add --fresh to replace a SQLite file, "
                "or choose another --store"
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
        _print_report(
            participation.outcomes(
                period=haaren_year,
                municipality=haaren_2019.MUNICIPALITY,
                target=haaren_2019.TARGET,
            ),
            title="Haaren 2019: Participatie Werkt!",
        )
        _print_report(
            participation.outcomes(
                period=(date(2019, 1, 1), date(2022, 12, 31)),
                municipality=noordoostpolder.MUNICIPALITY,
            ),
            title="Noordoostpolder/Urk 2019-2022: job coaching",
        )
        console.print(
            f"{year.events + coaching.events} events recorded for "
            f"{len(year.resident_ids) + len(coaching.resident_ids)} residents."
        )


def _print_report(report: OutcomeReport, *, title: str, suppress: bool = False) -> None:
    """The outcome report as a table (counts under 5 blanked when ``suppress``)."""
    table = Table(title=title)
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    for label, value in report.figure_rows(suppress_small_cells=suppress):
        table.add_row(label, value)
    console.print(table)


ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help="Who is looking (recorded as the reader); default $PARTICIPATIE_ACTOR, else your "
        "login name.",
    ),
]


PurposeOption = Annotated[
    str,
    typer.Option(
        "--purpose", help="Why you look: recorded in the resident's access log (no personal data)."
    ),
]


def _actor(actor_id: str | None, role: Role) -> Actor:
    """The person at the command line: --actor, else $PARTICIPATIE_ACTOR, else the login name."""
    return Actor(actor_id or os.environ.get("PARTICIPATIE_ACTOR") or getpass.getuser(), role)


def _auditor(actor_id: str | None) -> Actor:
    return _actor(actor_id, Role.AUDITOR)


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None


def _parse_moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} takes a time as YYYY-MM-DDTHH:MM[:SS][+HH:MM], not {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TIMEZONE)


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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    actor: ActorOption = None,
    purpose: PurposeOption = NOT_STATED,
) -> None:
    """Show everything recorded about a resident, across all trajectories, in recorded order."""
    with _reported_errors():
        day = _parse_date(as_of, "--as-of")
        moment = _parse_moment(known_at, "--known-at")
        with Participation.open(store) as participation:
            entries = participation.history(
                _resident_id(resident_id),
                by=_auditor(actor),
                purpose=purpose,
                as_of=day,
                known_at=moment,
            )
            if as_json:
                print(json.dumps([e.to_dict() for e in entries], indent=2))
                return
            table = Table(title=f"History of resident {resident_id}")
            for column in ("recorded at", "date", "trajectory", "v", "event", "by", "details"):
                table.add_column(column)
            for entry in entries:
                details = ", ".join(
                    f"{key}={value}" for key, value in entry.data.items() if key != "policy_version"
                )
                table.add_row(
                    entry.recorded_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.occurred_on.isoformat(),
                    "resident" if entry.aggregate == "ResidentTrajectory" else "job coaching",
                    str(entry.version),
                    entry.event,
                    f"{entry.actor.id} ({entry.actor.role.value})",
                    details,
                )
            console.print(table)
            if entries and (day is not None or moment is not None):
                state = participation.resident(
                    _resident_id(resident_id), as_of=day, known_at=moment
                )
                console.print(
                    f"As of {day or 'now'}{f' (known at {moment.isoformat()})' if moment else ''}: "
                    f"{state.status.value}, goal {state.goal.value if state.goal else '-'}, "
                    f"placement {state.placement.employer if state.placement else '-'}"
                )


@app.command("access-log")
def access_log(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """Show who read a resident's personal data, history or file, when and why."""
    with _reported_errors(), Participation.open(store) as participation:
        entries = participation.access_log(_resident_id(resident_id), by=_auditor(actor))
        table = Table(title=f"Access log of resident {resident_id}")
        for column in ("when", "who", "what", "purpose"):
            table.add_column(column)
        for entry in entries:
            table.add_row(
                entry.at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
                f"{entry.actor.id} ({entry.actor.role.value})",
                entry.kind.value.replace("_", " "),
                entry.purpose,
            )
        console.print(table)


@app.command()
def export(
    resident_id: Annotated[str, typer.Argument(metavar="RESIDENT_ID")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="Where to write the file.")],
    store: StoreOption = None,
    actor: ActorOption = None,
    purpose: PurposeOption = NOT_STATED,
) -> None:
    """Write a resident's complete file (JSON, no personal data) with a checkable manifest."""
    with _reported_errors(), Participation.open(store) as participation:
        document = participation.export(
            _resident_id(resident_id), by=_auditor(actor), purpose=purpose
        )
        out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        counts = document["manifest"]["counts"]
        console.print(f"Wrote {out}: {counts['events']} events in {counts['streams']} streams.")


@app.command()
def verify(
    store: StoreOption = None,
    resident: Annotated[
        str | None, typer.Option("--resident", metavar="ID", help="Only this resident's streams.")
    ] = None,
    export_file: Annotated[
        Path | None,
        typer.Option("--export", metavar="FILE", help="Check an exported file against the store."),
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
) -> None:
    """Check everything that proves the record: chains, ledger, heads, snapshots, vault, facts.

    Exit 1 when anything does not fit.
    """
    with _reported_errors():
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
        with Participation.open(store) as participation:
            _verify(participation, resident, export_file, checkpoint)


def _verify(
    participation: Participation,
    resident: str | None,
    export_file: Path | None,
    checkpoint: Checkpoint | None,
) -> None:
    if export_file is not None:
        try:
            document = json.loads(export_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InvalidInput(f"cannot read {export_file}: {error}") from None
        result = participation.check_export(document)
        what = f"export {export_file}"
    else:
        result = participation.verify(
            None if resident is None else _resident_id(resident), checkpoint=checkpoint
        )
        what = f"{result.streams} streams, {result.events} events"
        if checkpoint is not None:
            what += f"; the log up to the checkpoint of {checkpoint.taken_at:%Y-%m-%d %H:%M}"
    if result.ok:
        console.print(f"OK: {what}")
        for note in result.notes:
            console.print(f"note: {escape(note)}")
        return
    for problem in result.problems:
        print(f"participatie: tampered: {problem}", file=sys.stderr)
    raise typer.Exit(1)


def _resident_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"a resident id is a UUID, not {text!r}") from None


@app.command()
def purge(
    due: Annotated[
        bool, typer.Option("--due", help="List the residents whose retention period has ended.")
    ] = False,
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """List the files whose personal data may now be erased (retention ended)."""
    with _reported_errors():
        if not due:
            raise InvalidInput("purge lists what is due: add --due")
        admin = _actor(actor, Role.ADMIN)
        with Participation.open(store) as participation:
            residents = participation.retention_due(by=admin)
        for rid in residents:
            print(rid)
        print(
            f"{len(residents)} files are due for erasure (erase_personal_data with reason "
            "retention_ended).",
            file=sys.stderr,
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
) -> None:
    """Import case files from an earlier system; importing a file again adds only what is new.

    The record format is in docs/importing.md. The whole file is read first; then bad records
    are listed with their line numbers, and none of a resident's records are imported when one
    of them is bad (exit code 1). A file that cannot be read, or holds no records, is exit code 2.
    """
    with _reported_errors():
        try:
            if batch_size < 1:
                raise InvalidInput(f"--batch-size must be at least 1, not {batch_size}")
            with console.status(f"Reading {file}"):
                records = list(read_records(file, encoding=encoding))
        except InvalidInput as error:
            raise _fail(f"error: {error}", 2) from None
        if not records:
            raise _fail(
                f"error: {file} holds no records (it is empty, or a CSV header without rows); "
                "nothing was imported",
                2,
            )
        with (
            Participation.open(store) as participation,
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
        console.print(
            f"Imported {report.records} records of {report.residents} residents; "
            f"{report.skipped} records were imported before; {len(report.bad)} bad records, "
            f"which kept {report.kept_out} residents out."
        )
        for bad in report.bad:
            print(bad, file=sys.stderr)
        if report.bad:
            raise typer.Exit(1)


@app.command("rotate-keys")
def rotate_keys(store: StoreOption = None, actor: ActorOption = None) -> None:
    """Re-wrap every resident's key under a new secret, without downtime.

    The new secret in PARTICIPATIE_SECRET, the old one in PARTICIPATIE_PREVIOUS_SECRET. Other
    processes go on working meanwhile if they were opened with both secrets.
    """
    with _reported_errors():
        admin = _actor(actor, Role.ADMIN)
        with Participation.open(store) as participation:
            rotated = participation.rotate_keys(by=admin)
        console.print(
            f"Re-wrapped {rotated} residents' keys under the current secret; the previous "
            "secret is no longer needed."
        )


FromOption = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="First day (default 1 January).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Last day (default today).")
]
MunicipalityOption = Annotated[
    str | None, typer.Option("--municipality", help="One municipality (default all).")
]
TargetOption = Annotated[int | None, typer.Option("--target", help="The reach aimed for.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="Only what had happened by this date."),
]
SuppressOption = Annotated[
    bool, typer.Option("--suppress-small-cells", help="Blank counts under 5 for publication.")
]


def _period(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The period as given (the library fills in what is left out)."""
    return _parse_date(start, "--from"), _parse_date(end, "--to")


@app.command()
def stats(
    store: StoreOption = None,
    start: FromOption = None,
    end: ToOption = None,
    municipality: MunicipalityOption = None,
    target: TargetOption = None,
    as_of: AsOfOption = None,
    output: Annotated[
        str, typer.Option("--format", help="table, json or csv.", metavar="FORMAT")
    ] = "table",
    suppress_small_cells: SuppressOption = False,
) -> None:
    """Print the outcome statistics of a period."""
    with _reported_errors():
        if output not in ("table", "json", "csv"):
            raise InvalidInput(f"--format is table, json or csv, not {output!r}")
        period = _period(start, end)
        reference = _parse_date(as_of, "--as-of")
        with Participation.open(store) as participation:
            report = participation.outcomes(
                period=period, municipality=municipality, target=target, as_of=reference
            )
        first, last = report.period
        data = report.to_dict(suppress_small_cells=suppress_small_cells)
        if output == "json":
            print(json.dumps(data, indent=2))
        elif output == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(["figure", "value"])
            for key, value in _flatten(data):
                writer.writerow([key, "" if value is None else value])
        else:
            where = municipality or "all municipalities"
            _print_report(
                report, title=f"{where}, {first} to {last}", suppress=suppress_small_cells
            )


@app.command()
def report(
    html_file: Annotated[
        Path, typer.Option("--html", metavar="FILE", help="Write the report as an HTML page.")
    ],
    store: StoreOption = None,
    start: FromOption = None,
    end: ToOption = None,
    municipality: MunicipalityOption = None,
    target: TargetOption = None,
    as_of: AsOfOption = None,
    suppress_small_cells: SuppressOption = False,
) -> None:
    """Write the outcome report of a period with charts, as one HTML file."""
    with _reported_errors():
        period = _period(start, end)
        reference = _parse_date(as_of, "--as-of")
        with Participation.open(store) as participation:
            page = html_report(
                participation,
                period=period,
                municipality=municipality,
                target=target,
                as_of=reference,
                suppress_small_cells=suppress_small_cells,
            )
        html_file.write_text(page, encoding="utf-8")
        console.print(f"Wrote the report to {html_file}.")


def _flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        rows: list[tuple[str, object]] = []
        for key, value in data.items():
            rows += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(data, list):
        return [(prefix, "/".join(str(v) for v in data))]
    return [(prefix, data)]


@app.command()
def project(
    store: StoreOption = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", help="Keep the outcome statistics current until stopped (Ctrl-C, TERM)."
        ),
    ] = False,
    poll: Annotated[
        float,
        typer.Option(
            "--poll",
            metavar="SECONDS",
            help="Look for new events at least this often (SQLite has no notifications).",
        ),
    ] = 1.0,
    checkpoint_dir: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint-dir",
            metavar="DIR",
            help="While following, write a signed checkpoint there at most every minute "
            "(PARTICIPATIE_SIGNING_KEY names the key); keep the folder outside the database.",
        ),
    ] = None,
) -> None:
    """Bring the outcome statistics up to date with the events; with --follow, keep them so.

    On PostgreSQL a follower wakes on every notification of new events, so that application
    processes find the statistics current. Several followers may run: each event counts once.
    """
    with _reported_errors(), Participation.open(store) as participation:
        if poll <= 0:
            raise InvalidInput(f"--poll must be more than 0 seconds, not {poll}")
        if checkpoint_dir is not None and not follow:
            raise InvalidInput("--checkpoint-dir goes with --follow")
        if not follow:
            count = participation.project()
            console.print(f"Brought the outcome statistics up to date: {count} new events.")
            return
        stop = threading.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, lambda *_: stop.set())
        console.log(f"Following {participation.store_url}; stop with Ctrl-C or TERM.")
        count = participation.project(
            follow=True,
            stop=stop,
            poll_seconds=poll,
            progress=lambda n: console.log(f"recorded the facts of {n} events"),
            checkpoints=None if checkpoint_dir is None else _checkpoint_writer(checkpoint_dir),
        )
        console.log(f"Stopped after {count} events.")


@app.command()
def rebuild(store: StoreOption = None) -> None:
    """Rebuild the outcome statistics from all events, with a progress bar."""
    with _reported_errors(), Participation.open(store) as participation:
        total = participation.event_count()
        with Progress(
            TextColumn("Rebuilding outcomes"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("events"),
            _EventsPerSecond(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("events", total=total)
            count = participation.rebuild(progress=lambda n: progress.advance(task, n))
        console.print(f"Rebuilt the outcome statistics from {count} events.")


def main() -> None:
    """Run the command line; exit with 0, 1 or 2 (see the module's documentation)."""
    app(prog_name="participatie")


def _checkpoint_writer(folder: Path) -> Callable[[Checkpoint], None]:
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
) -> None:
    """Make a checkpoint signing key (readable by its owner only) and print its public key.

    Keep the key file away from the database and its administrators; give the public key to
    whoever verifies (an auditor, the privacy officer).
    """
    with _reported_errors():
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
) -> None:
    """Sign the log's current end, to keep outside the store (see docs/audit.md)."""
    with _reported_errors(), Participation.open(store) as participation:
        signed = participation.checkpoint(signing_key=key_file)
        if out is None:
            print(signed.to_json(), end="")
            return
        try:
            out.write_text(signed.to_json(), encoding="utf-8")
        except OSError as error:
            raise InvalidInput(f"cannot write {out}: {error.strerror}") from None
        console.print(
            f"Wrote the checkpoint of position {signed.position} ({signed.events} events) to "
            f"{escape(str(out))}."
        )
