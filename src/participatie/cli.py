"""The ``participatie`` command (also ``python -m participatie``).

Exit codes: 0 done; 1 the command ran but was refused or failed (a rule, an unknown id, ...);
2 it could not start (bad usage, a bad store URL, a missing secret). Errors print as one line on
standard error; ``participatie --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from participatie import (
    Activity,
    ConfigurationError,
    OutflowReason,
    ParticipatieError,
    Participation,
    TrajectoryStatus,
)
from participatie.demo.haaren_2019 import MUNICIPALITY, OUTCOMES, TARGET, record_haaren_2019
from participatie.stores import parse_store_url

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
    """Record the first year of "Participatie Werkt! in Haaren" (2019) and report on it."""
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
            TextColumn("Recording Haaren 2019"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("residents"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("residents", total=len(OUTCOMES))
            year = record_haaren_2019(participation, progress=lambda n: progress.advance(task, n))
        trajectories = [participation.resident(rid) for rid in year.resident_ids]
        statuses = Counter(t.status for t in trajectories)
        reasons = Counter(t.outflow_reason for t in trajectories if t.outflow_reason)
        courses = sum(Activity.LANGUAGE_COURSE in t.activities for t in trajectories)
        table = Table(title=f"Haaren 2019 in {participation.store_url}")
        table.add_column("residents", style="bold")
        table.add_column("count", justify="right")
        table.add_row(f"registered (target {TARGET})", str(len(trajectories)))
        table.add_row("still coached (open)", str(statuses[TrajectoryStatus.OPEN]))
        table.add_row("flowed out (closed)", str(statuses[TrajectoryStatus.CLOSED]))
        for reason in OutflowReason:
            if reasons[reason]:
                table.add_row(f"  outflow: {reason.value.replace('_', ' ')}", str(reasons[reason]))
        table.add_row("following a language course", str(courses))
        console.print(table)
        console.print(
            f"{year.events} events recorded for {len(trajectories)} residents of {MUNICIPALITY}."
        )


def main() -> None:
    """Run the command line; exit with 0, 1 or 2 (see the module's documentation)."""
    app(prog_name="participatie")
