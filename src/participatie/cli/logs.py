"""The logs an auditor reads besides a resident's access log: the processing log (Logboek
dataverwerkingen) and the security log (refused attempts)."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from participatie import TIMEZONE, __version__
from participatie.cli.app import (
    ActorOption,
    DebugOption,
    StoreOption,
    app,
    auditor_named,
    console,
    open_store,
    parse_date,
    plural,
    reported_errors,
    resident_id_of,
)

__all__ = ["processing_log", "security_log"]

SinceOption = Annotated[
    str | None, typer.Option("--since", metavar="DATE", help="From this day on (YYYY-MM-DD).")
]


def _otlp(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """Spans in the JSON encoding of OTLP's ExportTraceServiceRequest."""
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        {"key": "service.name", "value": {"stringValue": "participatie"}}
                    ]
                },
                "scopeSpans": [
                    {"scope": {"name": "participatie", "version": __version__}, "spans": spans}
                ],
            }
        ]
    }


@app.command("processing-log")
def processing_log(
    resident_id: Annotated[
        str | None, typer.Argument(metavar="[RESIDENT_ID]", help="One resident's records.")
    ] = None,
    since: SinceOption = None,
    output: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, or otlp: the records as OpenTelemetry spans (OTLP JSON), for a "
            "collector or another system to take in.",
        ),
    ] = "table",
    store: StoreOption = None,
    actor: ActorOption = None,
    debug: DebugOption = False,
) -> None:
    """Show the processing records (Logboek dataverwerkingen) of one resident or of all."""
    with reported_errors(debug):
        if output not in ("table", "otlp"):
            raise typer.BadParameter("--format is table or otlp")
        day = parse_date(since, "--since")
        moment = None if day is None else datetime.combine(day, time(), tzinfo=TIMEZONE)
        rid = None if resident_id is None else resident_id_of(resident_id)
        with open_store(store) as participation:
            records = participation.processing_log(rid, by=auditor_named(actor), since=moment)
        if output == "otlp":
            print(json.dumps(_otlp([r.to_dict() for r in records]), indent=1))
            return
        table = Table(title=Text(f"Processing log: {plural(len(records), 'record')}"))
        for column in ("start", "name", "data subject", "activity", "trace", "span"):
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(
                record.start_time.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
                record.name,
                record.data_subject_id,
                Text(record.processing_activity_id),
                record.trace_id,
                record.span_id,
            )
        console.print(table)


@app.command("security-log")
def security_log(
    since: SinceOption = None,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    store: StoreOption = None,
    actor: ActorOption = None,
    debug: DebugOption = False,
) -> None:
    """Show the attempts that were refused (who, what, on which resident, why, from where)."""
    with reported_errors(debug):
        if output not in ("table", "json"):
            raise typer.BadParameter("--format is table or json")
        day = parse_date(since, "--since")
        with open_store(store) as participation:
            events = participation.security_log(by=auditor_named(actor), since=day)
        if output == "json":
            rows = [
                {
                    "time": e.at.isoformat(),
                    "actor": e.actor.id,
                    "role": e.actor.role.value,
                    "action": e.action,
                    "object": None if e.resident_id is None else str(e.resident_id),
                    "result": e.result,
                    "reason": e.reason,
                    "origin": e.origin,
                }
                for e in events
            ]
            print(json.dumps(rows, indent=1))
            return
        if not events:
            console.print("No attempt was refused.")
            return
        table = Table(title=Text(f"Security log: {plural(len(events), 'refused attempt')}"))
        for column in ("when", "who", "action", "resident", "origin", "why"):
            table.add_column(column, overflow="fold")
        for event in events:
            table.add_row(
                event.at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"),
                Text(f"{event.actor.id} ({event.actor.role.value})"),
                event.action,
                "" if event.resident_id is None else str(event.resident_id),
                Text(event.origin or ""),
                Text(event.reason),
            )
        console.print(table)
