"""What every command of the command line shares: the typer app, the console, options,
errors and exit codes, and reading the values people type."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Iterator, Mapping
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
    TaskID,
    TextColumn,
)
from rich.table import Table
from rich.text import Text

from participatie import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    TIMEZONE,
    Actor,
    ConfigurationError,
    InvalidInput,
    OutcomeReport,
    ParticipatieError,
    Participation,
    Role,
    __version__,
    language,
)

app = typer.Typer(
    name="participatie",
    help="Record how residents are coached towards work, and prove what came of it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

LangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="LANG",
        help=f"The language of the figures: {' or '.join(LANGUAGES)} (default {DEFAULT_LANGUAGE}).",
    ),
]

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help="memory://, sqlite:///file.db or postgresql://...; default $PARTICIPATIE_STORE, "
        "else sqlite:///participatie.db",
    ),
]


settings = {"debug": False}

DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks of errors.", show_default=False)
]
YesOption = Annotated[
    bool,
    typer.Option(
        "--yes", help="Go ahead without asking (needed when standard input is not a terminal)."
    ),
]


def plural(count: int, noun: str, plural: str | None = None) -> str:
    """``1 resident``, ``2 residents``."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def open_store(
    store: str | None, *, create: bool = False, municipalities: Mapping[str, str] | None = None
) -> Participation:
    """The store to read or check: it must exist, unless ``create`` (only commands that record
    make one). A store written before the log-wide ledger is chained into it on first opening,
    behind a progress bar on standard error (standard output may be a report or JSON)."""
    with _chaining_bar() as progress:
        return Participation.open(
            store, create=create, municipalities=municipalities, chaining_progress=progress
        )


@contextmanager
def _chaining_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar that appears only if the store has earlier events to chain."""
    shown: list[tuple[Progress, TaskID]] = []

    def update(chained: int, total: int) -> None:
        if not shown:
            bar = Progress(
                TextColumn("Chaining events stored before this release into the ledger"),
                BarColumn(),
                MofNCompleteColumn(),
                EventsPerSecond(),
                console=Console(stderr=True),
            )
            bar.start()
            shown.append((bar, bar.add_task("events", total=total)))
        bar, task = shown[0]
        bar.update(task, completed=chained, total=total)

    try:
        yield update
    finally:
        for bar, _ in shown:
            bar.stop()


def confirm(question: str, *, yes: bool, without_terminal: str) -> None:
    """Go on when ``--yes`` was given or the person at the terminal says yes; else exit 2.

    Without a terminal (a script, a pipe) nobody can be asked: ``without_terminal`` says what is
    not done, and the command exits 2 unless ``--yes`` was given.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise fail(f"error: {without_terminal}; add --yes to go ahead without being asked", 2)
    if not typer.confirm(question, default=False):
        raise fail("stopped: nothing was changed", 2)


def writable(path: Path, option: str) -> None:
    """Stop before any work when ``path`` cannot be written (a folder, a missing folder)."""
    if path.is_dir():
        raise fail(f"error: {option} {path} is a folder; give a file name", 2)
    if not path.parent.is_dir():
        raise fail(f"error: {option} {path}: there is no folder {path.parent}", 2)


def write_file(path: Path, text: str, option: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise fail(
            f"error: {option} {path} cannot be written: {error.strerror or error}", 2
        ) from None


class EventsPerSecond(ProgressColumn):
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
    settings["debug"] = debug


def fail(message: str, code: int) -> typer.Exit:
    print(f"participatie: {message}", file=sys.stderr)
    return typer.Exit(code)


@contextmanager
def reported_errors(debug: bool = False) -> Iterator[None]:
    """Turn errors into one line on standard error and exit code 2 (setup) or 1 (refused).

    ``debug`` is the command's own ``--debug`` (given after its name); the one given before the
    command's name counts as well.
    """
    settings["debug"] = settings["debug"] or debug
    if settings["debug"]:
        yield
        return
    try:
        yield
    except ConfigurationError as error:
        raise fail(f"error: {error}", 2) from None
    except ParticipatieError as error:
        raise fail(f"error: {error}", 1) from None
    except (typer.Exit, typer.Abort):
        raise
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        raise typer.Exit(0) from None
    except Exception as error:
        raise fail(
            f"unexpected {type(error).__name__}: {error} (run with --debug for the traceback)", 1
        ) from None


def print_report(
    report: OutcomeReport, *, title: str, suppress: bool = False, lang: str = DEFAULT_LANGUAGE
) -> None:
    """The outcome report as a table in ``lang`` (small counts hidden when ``suppress``)."""
    _ = language(lang).gettext
    table = Table(title=Text(title))
    table.add_column(_("figure"), style="bold")
    table.add_column(_("value"), justify="right")
    for label, value in report.figure_rows(lang=lang, suppress_small_cells=suppress):
        table.add_row(Text(label), Text(value))
    console.print(table)


ACTOR_DEFAULT = "default $PARTICIPATIE_ACTOR, else your login name"

ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who you are: your role's permissions are checked (a refusal goes into the "
        f"security log), nothing else is recorded; "
        f"{ACTOR_DEFAULT}.",
    ),
]
ReaderOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who is looking: recorded in the resident's access log with --purpose; "
        f"{ACTOR_DEFAULT}.",
    ),
]
EraserOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="ID",
        help=f"Who erases: recorded on each erasure receipt; {ACTOR_DEFAULT}.",
    ),
]


PurposeOption = Annotated[
    str,
    typer.Option(
        "--purpose", help="Why you look: recorded in the resident's access log (no personal data)."
    ),
]


def acting_as(actor_id: str | None, role: Role) -> Actor:
    """The person at the command line: --actor, else $PARTICIPATIE_ACTOR, else the login name."""
    return Actor(actor_id or os.environ.get("PARTICIPATIE_ACTOR") or getpass.getuser(), role)


def auditor_named(actor_id: str | None) -> Actor:
    return acting_as(actor_id, Role.AUDITOR)


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} takes a date as YYYY-MM-DD, not {value!r}") from None


def parse_moment(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{option} takes a time as YYYY-MM-DDTHH:MM[:SS][+HH:MM], not {value!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TIMEZONE)


def resident_id_of(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"a resident id is a UUID, not {text!r}") from None
