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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
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
    ConfigurationError,
    InvalidInput,
    OutcomeReport,
    ParticipatieError,
    Participation,
    Role,
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


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
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
) -> None:
    """Check the tamper-evidence chains (exit 1 when anything does not fit)."""
    with _reported_errors(), Participation.open(store) as participation:
        if export_file is not None:
            try:
                document = json.loads(export_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise InvalidInput(f"cannot read {export_file}: {error}") from None
            result = participation.check_export(document)
            what = f"export {export_file}"
        else:
            result = participation.verify(None if resident is None else _resident_id(resident))
            what = f"{result.streams} streams, {result.events} events"
        if result.ok:
            console.print(f"OK: {what}")
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
    erasures: Annotated[
        bool,
        typer.Option("--erasures", help="List every erasure and whether it is final yet."),
    ] = False,
    store: StoreOption = None,
    actor: ActorOption = None,
) -> None:
    """List the files whose personal data may now be erased (retention ended), or the erasures
    made and whether each is final (no copy left that the deployment's keys still open)."""
    with _reported_errors():
        if due == erasures:
            raise InvalidInput("purge lists what is due (--due) or the erasures (--erasures)")
        admin = _actor(actor, Role.ADMIN)
        if erasures:
            with Participation.open(store) as participation:
                _print_erasures(participation, admin, only_pending=False)
            return
        with Participation.open(store) as participation:
            residents = participation.retention_due(by=admin)
            pending = sum(not erasure.final for erasure in participation.erasures(by=admin))
        for rid in residents:
            print(rid)
        print(
            f"{len(residents)} files are due for erasure (erase_personal_data with reason "
            "retention_ended).",
            file=sys.stderr,
        )
        if pending:
            print(
                f"{pending} erasures are not final yet: run participatie rotate-keys "
                "(see purge --erasures).",
                file=sys.stderr,
            )


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file of records to import.")],
    store: StoreOption = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Residents saved per transaction.")
    ] = 100,
) -> None:
    """Import case files from an earlier system; importing a file again adds only what is new.

    The record format is in docs/importing.md. Bad records are listed with their line numbers;
    none of a resident's records are imported when one of them is bad (exit code 1).
    """
    with _reported_errors():
        if not file.is_file():
            raise InvalidInput(f"no file {file}")
        records = read_records(file)
        with file.open("rb") as handle:
            total = sum(1 for line in handle if line.strip())
        if file.suffix.lower() == ".csv":
            total -= 1  # the header
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
            task = progress.add_task("records", total=total)
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
    """Re-wrap every resident's key in a new key epoch, making erasures final; rotate the secret.

    With PARTICIPATIE_SECRET set: the new secret there and the old one in
    PARTICIPATIE_PREVIOUS_SECRET (other processes go on working meanwhile if they were opened
    with both). A SQLite store whose secret is kept beside it (<file>.secret) gets a new secret
    in that file: the old one stays there as previous until the rotation has completed.
    """
    with _reported_errors():
        admin = _actor(actor, Role.ADMIN)
        config = parse_store_url(store)
        beside = (
            None
            if config.sqlite_path is None
            else config.sqlite_path.with_name(config.sqlite_path.name + ".secret")
        )
        with Participation.open(store) as participation:
            if not participation.rotation_due(by=admin) and not os.environ.get(
                "PARTICIPATIE_PREVIOUS_SECRET"
            ):
                raise _fail(
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
                    f"Re-wrapped {rotated} residents' keys under a new secret, now in {beside}; "
                    "the previous secret has been removed from it."
                )
            else:
                console.print(
                    f"Re-wrapped {rotated} residents' keys under the current secret; the "
                    "previous secret is no longer needed."
                )
            _print_erasures(participation, admin, only_pending=True)


def _print_erasures(participation: Participation, admin: Actor, *, only_pending: bool) -> None:
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
) -> None:
    """Bring the outcome statistics up to date with the events; with --follow, keep them so.

    On PostgreSQL a follower wakes on every notification of new events, so that application
    processes find the statistics current. Several followers may run: each event counts once.
    """
    with _reported_errors(), Participation.open(store) as participation:
        if poll <= 0:
            raise InvalidInput(f"--poll must be more than 0 seconds, not {poll}")
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
