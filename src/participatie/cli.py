"""The ``participatie`` command (also ``python -m participatie``).

Exit codes: 0 done; 1 the command ran but was refused or failed (a rule, an unknown id, ...);
2 it could not start (bad usage, a bad store URL, a missing secret, no store at that URL, a file
that cannot be written, a confirmation that was not given). Errors print as one line on standard
error; ``--debug`` (before or after the command's name) shows the traceback instead.

Only commands that record (``demo``, ``import``) make a new store; every other command opens
the store with ``create=False`` and stops with "no store at ..." when it is not there. Text read
from the store is printed as it is, never as rich markup.
"""

from __future__ import annotations

import csv
import getpass
import json
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
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
    ErasureGround,
    HistoryEntry,
    InvalidInput,
    OutcomeReport,
    ParticipatieError,
    Participation,
    Role,
    Verification,
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

DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks of errors.", show_default=False)
]
YesOption = Annotated[
    bool,
    typer.Option(
        "--yes", help="Go ahead without asking (needed when standard input is not a terminal)."
    ),
]


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    """``1 resident``, ``2 residents``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _open(store: str | None) -> Participation:
    """The store to read or check: it must exist (only commands that record make one)."""
    return Participation.open(store, create=False)


def _confirm(question: str, *, yes: bool, without_terminal: str) -> None:
    """Go on when ``--yes`` was given or the person at the terminal says yes; else exit 2.

    Without a terminal (a script, a pipe) nobody can be asked: ``without_terminal`` says what is
    not done, and the command exits 2 unless ``--yes`` was given.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise _fail(f"error: {without_terminal}; add --yes to go ahead without being asked", 2)
    if not typer.confirm(question, default=False):
        raise _fail("stopped: nothing was changed", 2)


def _writable(path: Path, option: str) -> None:
    """Stop before any work when ``path`` cannot be written (a folder, a missing folder)."""
    if path.is_dir():
        raise _fail(f"error: {option} {path} is a folder; give a file name", 2)
    if not path.parent.is_dir():
        raise _fail(f"error: {option} {path}: there is no folder {path.parent}", 2)


def _write(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail(
            f"error: {option} {path} cannot be written: {error.strerror or error}", 2
        ) from None


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
    debug: DebugOption = False,
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
def _reported_errors(debug: bool = False) -> Iterator[None]:
    """Turn errors into one line on standard error and exit code 2 (setup) or 1 (refused).

    ``debug`` is the command's own ``--debug`` (given after its name); the one given before the
    command's name counts as well.
    """
    _settings["debug"] = _settings["debug"] or debug
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
        _confirm(
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
    for rid in participation.resident_ids(by=_auditor(None)):
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
    log entries of reads (reading a demo resident adds no data). An empty store holds nothing.
    """
    try:
        participation = _open(url)
    except ParticipatieError as error:
        return f"something that does not open as a participatie store ({error})"
    with participation:
        stored = _fingerprints(participation)
        if not stored and not participation.event_count():
            return None
        reads = 0
        for rid in participation.resident_ids(by=_auditor(None)):
            entries = len(participation.access_log(rid, by=_auditor(None)))
            reads += entries + 1 if entries else 0  # the log's opening event and its entries
        total = participation.event_count()
    with Participation.open("memory://") as reference:
        haaren_2019.record_haaren_2019(reference)
        noordoostpolder.record_noordoostpolder(reference)
        expected = _fingerprints(reference)
        expected_total = reference.event_count()
    if stored != expected:
        return f"other residents than the demo's ({len(stored)} in all)"
    if total - reads != expected_total:
        return f"{_plural(total - reads, 'event')} where the demo records {expected_total}"
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
    debug: DebugOption = False,
) -> None:
    """Record Haaren's first year (2019) and Noordoostpolder's job coaching, and report on them."""
    with _reported_errors(debug):
        _demo(store, fresh=fresh, yes=yes)


def _demo(store: str | None, *, fresh: bool, yes: bool) -> None:
    if fresh:
        _remove_sqlite_store(store, yes=yes)
    with Participation.open(store) as participation:
        existing = len(participation.resident_ids(by=_auditor(None)))
        if existing:
            raise ConfigurationError(
                f"the store {participation.store_url} already holds "
                f"{_plural(existing, 'resident')}; the demo records into an empty store: add "
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
            f"{_plural(year.events + coaching.events, 'event')} recorded for "
            f"{_plural(len(year.resident_ids) + len(coaching.resident_ids), 'resident')}."
        )


def _print_report(report: OutcomeReport, *, title: str, suppress: bool = False) -> None:
    """The outcome report as a table (small counts hidden when ``suppress``)."""
    table = Table(title=Text(title))
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    for label, value in report.figure_rows(suppress_small_cells=suppress):
        table.add_row(Text(label), Text(value))
    console.print(table)


_ACTOR_DEFAULT = "default $PARTICIPATIE_ACTOR, else your login name"

ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who you are: your role's permissions are checked, nothing is recorded; "
        f"{_ACTOR_DEFAULT}.",
    ),
]
ReaderOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who is looking: recorded in the resident's access log with --purpose; "
        f"{_ACTOR_DEFAULT}.",
    ),
]
EraserOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who erases: recorded on each erasure receipt; {_ACTOR_DEFAULT}.",
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
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    actor: ReaderOption = None,
    purpose: PurposeOption = NOT_STATED,
    debug: DebugOption = False,
) -> None:
    """Show everything recorded about a resident, across all trajectories, in recorded order.

    One entry per event: the day it happened, the event, the trajectory and version; who
    decided it and when it was recorded; its details. Lines are never cut: long ones wrap.
    """
    with _reported_errors(debug):
        rid = _resident_id(resident_id)
        day = _parse_date(as_of, "--as-of")
        moment = _parse_moment(known_at, "--known-at")
        with _open(store) as participation:
            entries = participation.history(
                rid, by=_auditor(actor), purpose=purpose, as_of=day, known_at=moment
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
                    rid, by=_auditor(actor), as_of=day, known_at=moment, purpose=purpose
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
    with _reported_errors(debug):
        rid = _resident_id(resident_id)
        with _open(store) as participation:
            entries = participation.access_log(rid, by=_auditor(actor))
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
    with _reported_errors(debug):
        rid = _resident_id(resident_id)
        _writable(out, "--out")  # before the export is recorded in the access log
        with _open(store) as participation:
            document = participation.export(rid, by=_auditor(actor), purpose=purpose)
        _write(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n", "--out")
        counts = document["manifest"]["counts"]
        console.print(
            Text(
                f"Wrote {out}: {_plural(counts['events'], 'event')} in "
                f"{_plural(counts['streams'], 'stream')}."
            )
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
    with _reported_errors(debug):
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
            with _open(store) as participation:
                result = participation.check_export(document)
            what = f"export {export_file}"
        else:
            rid = None if resident is None else _resident_id(resident)
            with _open(store) as participation:
                result = participation.verify(rid, checkpoint=checkpoint)
            what = f"{_plural(result.streams, 'stream')}, {_plural(result.events, 'event')}"
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
    with _reported_errors(debug):
        if due == erasures:
            raise InvalidInput("purge lists what is due (--due) or the erasures (--erasures)")
        admin = _actor(actor, Role.ADMIN)
        if erasures:
            with _open(store) as participation:
                _print_erasures(participation, admin, only_pending=False)
            return
        with _open(store) as participation:
            residents = participation.retention_due(by=admin)
            pending = sum(not erasure.final for erasure in participation.erasures(by=admin))
            for rid in residents:
                print(rid)
            files = _plural(len(residents), "file")
            verb = "is" if len(residents) == 1 else "are"
            if pending:
                print(
                    f"{_plural(pending, 'erasure')} not final yet: run participatie rotate-keys "
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
            _confirm(
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
    console.print(f"Erased the personal data of {_plural(erased, 'resident')}.")
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
    with _reported_errors(debug), _open(store) as participation:
        found = participation.find_resident(bsn=bsn, by=_actor(actor, Role.COACH), purpose=purpose)
        if found is None:
            raise _fail("no resident with that BSN", 1)
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
    with _reported_errors(debug):
        rid = _resident_id(resident_id)
        ground = _erasure_ground(reason)
        admin = _actor(actor, Role.ADMIN)
        with _open(store) as participation:
            _confirm(
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
    bool,
    typer.Option(
        "--suppress-small-cells",
        help="Hide counts under 5, and what would let a reader work one out, for publication.",
    ),
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
    debug: DebugOption = False,
) -> None:
    """Print the outcome statistics of a period."""
    with _reported_errors(debug):
        if output not in ("table", "json", "csv"):
            raise InvalidInput(f"--format is table, json or csv, not {output!r}")
        period = _period(start, end)
        reference = _parse_date(as_of, "--as-of")
        with _open(store) as participation:
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
            where = municipality.strip() if municipality else "all municipalities"
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
    debug: DebugOption = False,
) -> None:
    """Write the outcome report of a period with charts, as one HTML file."""
    with _reported_errors(debug):
        period = _period(start, end)
        reference = _parse_date(as_of, "--as-of")
        _writable(html_file, "--html")
        with _open(store) as participation:
            page = html_report(
                participation,
                period=period,
                municipality=municipality,
                target=target,
                as_of=reference,
                suppress_small_cells=suppress_small_cells,
            )
        _write(html_file, page, "--html")
        console.print(Text(f"Wrote the report to {html_file}."))


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
    debug: DebugOption = False,
) -> None:
    """Bring the outcome statistics up to date with the events; with --follow, keep them so.

    On PostgreSQL a follower wakes on every notification of new events, so that application
    processes find the statistics current. Several followers may run: each event counts once.
    """
    with _reported_errors(debug):
        if poll <= 0:
            raise InvalidInput(f"--poll must be more than 0 seconds, not {poll}")
        if checkpoint_dir is not None and not follow:
            raise InvalidInput("--checkpoint-dir goes with --follow")
        checkpoints = None if checkpoint_dir is None else _checkpoint_writer(checkpoint_dir)
        with _open(store) as participation:
            _project(participation, follow=follow, poll=poll, checkpoints=checkpoints)


def _project(
    participation: Participation,
    *,
    follow: bool,
    poll: float,
    checkpoints: Callable[[Checkpoint], None] | None,
) -> None:
    if not follow:
        count = participation.project()
        console.print(f"Brought the outcome statistics up to date: {_plural(count, 'new event')}.")
        return
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    console.log(Text(f"Following {participation.store_url}; stop with Ctrl-C or TERM."))
    count = participation.project(
        follow=True,
        stop=stop,
        poll_seconds=poll,
        progress=lambda n: console.log(f"recorded the facts of {_plural(n, 'event')}"),
        checkpoints=checkpoints,
    )
    console.log(f"Stopped after {_plural(count, 'event')}.")


@app.command()
def rebuild(store: StoreOption = None, debug: DebugOption = False) -> None:
    """Rebuild the outcome statistics from all events, with a progress bar."""
    with _reported_errors(debug), _open(store) as participation:
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
        console.print(f"Rebuilt the outcome statistics from {_plural(count, 'event')}.")


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
    debug: DebugOption = False,
) -> None:
    """Make a checkpoint signing key (readable by its owner only) and print its public key.

    Keep the key file away from the database and its administrators; give the public key to
    whoever verifies (an auditor, the privacy officer).
    """
    with _reported_errors(debug):
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
    with _reported_errors(debug), _open(store) as participation:
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
            f"({_plural(signed.events, 'event')}) to "
            f"{escape(str(out))}."
        )
