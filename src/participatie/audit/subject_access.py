"""A resident's subject access file (AVG art. 15): the document and its page for the resident.

:func:`subject_access_document` puts together, as JSON-safe data, what
:meth:`participatie.Participation.subject_access` read: the personal data, every event in plain
(Dutch) words, the notes, the access log and the retention. :func:`subject_access_html` renders
that document as one HTML page in Dutch, for the resident: ``lang="nl"``, headings in order, one
table per section with a caption and column headers, no scripts, and every value escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from participatie.audit.access import AccessEntry
from participatie.audit.history import HistoryEntry, json_safe
from participatie.domain.values import Actor
from participatie.privacy.records import Note, PersonalData

__all__ = [
    "SUBJECT_ACCESS_FORMAT",
    "describe_event",
    "subject_access_document",
    "subject_access_html",
]

SUBJECT_ACCESS_FORMAT = "participatie-subject-access/1"

#: What each event means, in the words the page uses.
_EVENTS = {
    "Registered": "U bent aangemeld voor een traject",
    "IntakeHeld": "Het intakegesprek is gehouden",
    "ConversationHeld": "Er is een gesprek met u gevoerd",
    "GoalChanged": "Uw doel is gewijzigd",
    "WorkplaceVisited": "U hebt een werkplek bezocht",
    "ActivityStarted": "U bent met een activiteit begonnen",
    "ActivityEnded": "Een activiteit is beëindigd",
    "JobBrokerRequested": "De jobmakelaar is ingeschakeld",
    "JobBrokerRequestWithdrawn": "Het verzoek aan de jobmakelaar is ingetrokken",
    "Placed": "U bent geplaatst",
    "PlacementEnded": "Een plaatsing is beëindigd",
    "WageValueAssessed": "Uw loonwaarde is bepaald",
    "TrajectoryClosed": "Uw traject is afgesloten",
    "TrajectoryReopened": "Uw traject is heropend",
    "PersonalDataErased": "Uw persoonsgegevens zijn gewist",
    "PersonalDataCorrected": "Uw persoonsgegevens zijn gecorrigeerd",
    "NoteAdded": "Er is een notitie over u vastgelegd",
    "JobCoachingStarted": "Jobcoaching is begonnen",
    "CoachingHoursLogged": "Uren jobcoaching zijn geschreven",
    "EvaluationHeld": "De jobcoaching is geëvalueerd",
    "TrajectoryExtended": "De jobcoaching is verlengd",
    "JobCoachingCompleted": "De jobcoaching is afgerond",
}

#: The fields of the events, in the words the page uses.
_FIELDS = {
    "referral": "verwijzing",
    "benefit": "uitkering",
    "municipality": "gemeente",
    "goal": "doel",
    "happiness": "geluksscore",
    "organisation": "organisatie",
    "kind": "soort",
    "activity": "activiteit",
    "employer": "werkgever",
    "hours_per_week": "uren per week",
    "reason": "reden",
    "percent": "loonwaarde (procent)",
    "needs_job_coaching": "jobcoaching nodig",
    "ground": "grond",
    "corrected": "gecorrigeerd",
    "note_id": "notitie",
    "about": "over gebeurtenis",
    "provider": "aanbieder",
    "job_coach_id": "jobcoach",
    "placement_version": "plaatsing",
    "planned_end": "geplande einddatum",
    "hours": "uren",
    "counterpart": "met wie",
    "coaching_year": "coachingsjaar",
    "outcome": "uitkomst",
    "resident_id": "bewoner",
    "policy_version": "beleidsversie",
}

_ACCESS_KINDS = {
    "personal_data": "persoonsgegevens",
    "history": "geschiedenis",
    "export": "dossier (export)",
    "bsn_lookup": "zoeken op BSN",
    "trajectory": "traject",
    "correction": "correctie",
    "notes": "notities",
    "subject_access": "inzageverzoek",
}


def describe_event(entry: HistoryEntry) -> dict[str, Any]:
    """An event in plain words: what happened, and its details by their Dutch names."""
    details = {
        _FIELDS.get(name, name): ", ".join(map(str, value)) if isinstance(value, list) else value
        for name, value in entry.data.items()
    }
    return {
        "occurred_on": entry.occurred_on.isoformat(),
        "recorded_at": entry.recorded_at.isoformat(),
        "what": _EVENTS.get(entry.event, entry.event),
        "event": entry.event,
        "aggregate": entry.aggregate,
        "aggregate_id": str(entry.aggregate_id),
        "version": entry.version,
        "by": {"id": entry.actor.id, "role": entry.actor.role.value},
        "details": json_safe(details),
    }


def subject_access_document(
    *,
    resident_id: UUID,
    municipality: str,
    data: PersonalData,
    entries: Sequence[HistoryEntry],
    notes: Sequence[Note],
    accesses: Sequence[AccessEntry],
    retention: dict[str, Any],
    by: Actor,
    generated_at: datetime,
) -> dict[str, Any]:
    """The subject access file as JSON-safe data."""
    return {
        "format": SUBJECT_ACCESS_FORMAT,
        "resident_id": str(resident_id),
        "municipality": municipality,
        "generated_at": generated_at.isoformat(),
        "generated_by": {"id": by.id, "role": by.role.value},
        "personal_data": {
            "erased": data.erased,
            "name": data.name,
            "bsn": data.bsn,
        },
        "events": [describe_event(entry) for entry in entries],
        "notes": [
            {
                "note_id": None if note.note_id is None else str(note.note_id),
                "text": note.text,
                "about": note.about,
                "on": note.on.isoformat(),
                "by": {"id": note.by.id, "role": note.by.role.value},
                "recorded_at": note.recorded_at.isoformat(),
            }
            for note in notes
        ],
        "access_log": [
            {
                "at": access.at.isoformat(),
                "by": {"id": access.actor.id, "role": access.actor.role.value},
                "kind": access.kind.value,
                "purpose": access.purpose,
            }
            for access in accesses
        ],
        "retention": retention,
    }


def _text(value: object) -> str:
    if value is None:
        return "-"
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table with a caption and column headers; every cell escaped."""
    if not rows:
        return f"<p>{html.escape(caption)}: geen.</p>"
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _who(by: dict[str, Any]) -> str:
    return f"{by['id']} ({by['role']})"


def subject_access_html(document: dict[str, Any]) -> str:
    """The subject access file as one HTML page in Dutch for the resident (no scripts; every
    value from the document is escaped)."""
    data = document["personal_data"]
    retention = document["retention"]
    personal = (
        [("Gewist", "ja")]
        if data["erased"]
        else [("Naam", data["name"]), ("BSN", data["bsn"]), ("Gemeente", document["municipality"])]
    )
    if retention["erased"]:
        kept = "Uw persoonsgegevens zijn gewist."
    elif retention["erasable_from"] is not None:
        kept = f"Uw dossier mag worden gewist vanaf {retention['erasable_from']}."
    elif retention["statutory_decision"]:
        kept = (
            "Uw dossier bevat een wettelijk besluit: het wordt bewaard zolang uw traject loopt "
            f"en daarna {retention['retention_years']} jaar (Archiefwet)."
        )
    else:
        kept = "Uw dossier bevat geen wettelijk besluit: u kunt vragen het te wissen."
    sections = [
        "<h2>Uw persoonsgegevens</h2>",
        _table("Persoonsgegevens", ["Gegeven", "Waarde"], personal),
        "<h2>Wat er is vastgelegd</h2>",
        _table(
            "Gebeurtenissen",
            ["Datum", "Vastgelegd op", "Wat", "Door", "Details"],
            [
                (e["occurred_on"], e["recorded_at"], e["what"], _who(e["by"]), e["details"])
                for e in document["events"]
            ],
        ),
        "<h2>Notities</h2>",
        _table(
            "Notities",
            ["Datum", "Door", "Over gebeurtenis", "Tekst"],
            [(n["on"], _who(n["by"]), n["about"], n["text"]) for n in document["notes"]],
        ),
        "<h2>Wie uw gegevens heeft ingezien</h2>",
        _table(
            "Inzage",
            ["Wanneer", "Wie", "Wat", "Doel"],
            [
                (a["at"], _who(a["by"]), _ACCESS_KINDS.get(a["kind"], a["kind"]), a["purpose"])
                for a in document["access_log"]
            ],
        ),
        "<h2>Bewaartermijn</h2>",
        f"<p>{html.escape(kept)}</p>",
        _table(
            "Bewaartermijn",
            ["Gegeven", "Waarde"],
            [
                ("Wettelijk besluit", retention["statutory_decision"]),
                ("Selectielijstklasse", retention["selectielijst_class"]),
                ("Archiefnominatie", retention["archive_nomination"]),
                ("Archiefactiedatum", retention["archive_action_date"]),
                ("Bewaartermijn (jaren na afsluiting)", retention["retention_years"]),
                ("Status van het traject", retention["status"]),
                ("Afgesloten op", retention["closed_on"]),
                ("Mag worden gewist vanaf", retention["erasable_from"]),
            ],
        ),
    ]
    title = "Inzage in uw dossier"
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f"<p>Opgesteld op {html.escape(str(document['generated_at']))} door "
        f"{html.escape(_who(document['generated_by']))}, op grond van artikel 15 AVG.</p>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )
