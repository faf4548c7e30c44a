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
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from participatie import (
    Activity,
    CoachingOutcome,
    ConfigurationError,
    OutflowReason,
    ParticipatieError,
    Participation,
    TrajectoryStatus,
)
from participatie.demo import noordoostpolder
from participatie.demo.haaren_2019 import MUNICIPALITY, OUTCOMES, TARGET, record_haaren_2019
from participatie.domain.job_coaching import add_years
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
            haaren = progress.add_task("Haaren 2019", total=len(OUTCOMES))
            year = record_haaren_2019(participation, progress=lambda n: progress.advance(haaren, n))
            polder = progress.add_task("Noordoostpolder", total=noordoostpolder.RESIDENTS)
            coaching = noordoostpolder.record_noordoostpolder(
                participation, progress=lambda n: progress.advance(polder, n)
            )
        _print_haaren(participation, year.resident_ids)
        _print_job_coaching(participation, coaching)
        console.print(
            f"{year.events + coaching.events} events recorded for "
            f"{len(year.resident_ids) + len(coaching.resident_ids)} residents."
        )


def _print_haaren(participation: Participation, resident_ids: tuple[UUID, ...]) -> None:
    trajectories = [participation.resident(rid) for rid in resident_ids]
    statuses = Counter(t.status for t in trajectories)
    reasons = Counter(t.outflow_reason for t in trajectories if t.outflow_reason)
    courses = sum(Activity.LANGUAGE_COURSE in t.activities for t in trajectories)
    table = Table(title=f"{MUNICIPALITY.title()} 2019: residents")
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


def _print_job_coaching(
    participation: Participation, recorded: noordoostpolder.CoachingYear
) -> None:
    residents = [participation.resident(rid) for rid in recorded.resident_ids]
    coachings = [participation.job_coaching(cid) for cid in recorded.coaching_ids]
    assessed = [r for r in residents if r.wage_value is not None]
    needing = sum(r.wage_value is not None and r.wage_value.needs_job_coaching for r in assessed)
    weeks = sum(((c.completed_on or participation.today()) - c.started_on).days for c in coachings)
    hours = sum((c.hours_logged for c in coachings), start=Decimal(0))
    done = [c for c in coachings if c.completed_on is not None]
    table = Table(title="Noordoostpolder/Urk: job coaching")
    table.add_column("job coaching", style="bold")
    table.add_column("value", justify="right")
    table.add_row("wage value assessments", str(len(assessed)))
    table.add_row("  establishing a need for job coaching", f"{needing}/{len(assessed)}")
    table.add_row("job coaching trajectories", str(len(coachings)))
    table.add_row("  mean hours per week", f"{hours / Decimal(weeks) * 7:.2f}" if weeks else "-")
    table.add_row("  extended by a year", str(sum(c.extended for c in coachings)))
    table.add_row(
        "  completed within two years",
        str(sum(c.completed_on < add_years(c.started_on, 2) for c in done if c.completed_on)),
    )
    outcomes = Counter(c.completed_outcome for c in done)
    for outcome in CoachingOutcome:
        if outcomes[outcome]:
            table.add_row(f"  outcome: {outcome.value.replace('_', ' ')}", str(outcomes[outcome]))
    console.print(table)


def main() -> None:
    """Run the command line; exit with 0, 1 or 2 (see the module's documentation)."""
    app(prog_name="participatie")
