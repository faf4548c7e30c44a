"""Commands of the outcome statistics: stats, the HTML report, and keeping the view current."""

from __future__ import annotations

import csv
import json
import signal
import sys
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from participatie import (
    DEFAULT_LANGUAGE,
    Checkpoint,
    InvalidInput,
    Participation,
    html_report,
    language,
)
from participatie.cli.app import (
    DebugOption,
    EventsPerSecond,
    LangOption,
    StoreOption,
    acting_as,
    app,
    console,
    open_store,
    parse_date,
    plural,
    print_report,
    reported_errors,
    writable,
    write_file,
)
from participatie.cli.audit import checkpoint_writer
from participatie.cli.breakdown_output import (
    ReaderRoleOption,
    StatisticsActorOption,
    print_breakdown,
    reader_role,
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
    return parse_date(start, "--from"), parse_date(end, "--to")


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
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="DIMENSION",
            help="Break reach and outflow down by referral, benefit, coach or municipality.",
        ),
    ] = None,
    actor: StatisticsActorOption = None,
    role: ReaderRoleOption = "policy_officer",
    lang: LangOption = DEFAULT_LANGUAGE,
    debug: DebugOption = False,
) -> None:
    """Print the outcome statistics of a period (the table in Dutch unless --lang en), or with
    --by a breakdown of them."""
    with reported_errors(debug):
        if output not in ("table", "json", "csv"):
            raise InvalidInput(f"--format is table, json or csv, not {output!r}")
        words = language(lang)
        period = _period(start, end)
        reference = parse_date(as_of, "--as-of")
        if by is not None:
            reader = acting_as(actor, reader_role(role))
            with open_store(store) as participation:
                breakdown = participation.breakdown(
                    by, by=reader, period=period, municipality=municipality, as_of=reference
                )
            _ = words.gettext
            first, last = breakdown.period
            print_breakdown(
                breakdown,
                output=output,
                suppress=suppress_small_cells,
                title=_("{where}, {first} to {last}, by {dimension}").format(
                    where=breakdown.municipality or _("all municipalities"),
                    first=words.day(first),
                    last=words.day(last),
                    dimension=breakdown.dimension.value,
                ),
            )
            return
        with open_store(store) as participation:
            report = participation.outcomes(
                period=period, municipality=municipality, target=target, as_of=reference
            )
        first, last = report.period
        data = report.to_dict(suppress_small_cells=suppress_small_cells)
        if report.uncounted:
            shown = ", ".join(map(str, report.uncounted[:10]))
            print(
                f"participatie: warning: {plural(len(report.uncounted), 'event')} could not be "
                f"counted (positions {shown}{', ...' if len(report.uncounted) > 10 else ''}); "
                "participatie verify says why",
                file=sys.stderr,
            )
        if output == "json":
            print(json.dumps(data, indent=2))
        elif output == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(["figure", "value"])
            for key, value in _flatten(data):
                writer.writerow([key, "" if value is None else value])
        else:
            _ = words.gettext
            title = _("{where}, {first} to {last}").format(
                where=municipality.strip() if municipality else _("all municipalities"),
                first=words.day(first),
                last=words.day(last),
            )
            print_report(report, title=title, suppress=suppress_small_cells, lang=lang)


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
    breakdowns: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="DIMENSION",
            help="Add a table of reach and outflow by referral, benefit, coach or municipality "
            "(repeatable).",
        ),
    ] = None,
    actor: StatisticsActorOption = None,
    role: ReaderRoleOption = "policy_officer",
    lang: LangOption = DEFAULT_LANGUAGE,
    debug: DebugOption = False,
) -> None:
    """Write the outcome report of a period with charts, as one HTML file (in Dutch unless
    --lang en), with a table per --by breakdown."""
    with reported_errors(debug):
        language(lang)  # an unknown language is refused before anything is read
        period = _period(start, end)
        reference = parse_date(as_of, "--as-of")
        writable(html_file, "--html")
        with open_store(store) as participation:
            page = html_report(
                participation,
                period=period,
                municipality=municipality,
                target=target,
                as_of=reference,
                suppress_small_cells=suppress_small_cells,
                lang=lang,
                breakdowns=breakdowns or (),
                by=acting_as(actor, reader_role(role)) if breakdowns else None,
            )
        write_file(html_file, page, "--html")
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
    with reported_errors(debug):
        if poll <= 0:
            raise InvalidInput(f"--poll must be more than 0 seconds, not {poll}")
        if checkpoint_dir is not None and not follow:
            raise InvalidInput("--checkpoint-dir goes with --follow")
        checkpoints = None if checkpoint_dir is None else checkpoint_writer(checkpoint_dir)
        with open_store(store) as participation:
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
        console.print(f"Brought the outcome statistics up to date: {plural(count, 'new event')}.")
        return
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    console.log(Text(f"Following {participation.store_url}; stop with Ctrl-C or TERM."))
    count = participation.project(
        follow=True,
        stop=stop,
        poll_seconds=poll,
        progress=lambda n: console.log(f"recorded the facts of {plural(n, 'event')}"),
        checkpoints=checkpoints,
    )
    console.log(f"Stopped after {plural(count, 'event')}.")


@app.command()
def rebuild(store: StoreOption = None, debug: DebugOption = False) -> None:
    """Rebuild the outcome statistics from all events, with a progress bar."""
    with reported_errors(debug), open_store(store) as participation:
        total = participation.event_count()
        with Progress(
            TextColumn("Rebuilding outcomes"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("events"),
            EventsPerSecond(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("events", total=total)
            count = participation.rebuild(progress=lambda n: progress.advance(task, n))
        console.print(f"Rebuilt the outcome statistics from {plural(count, 'event')}.")
