"""Server-rendered pages for people: the form to register a resident, and what it registered.

Plain HTML without scripts, written to WCAG 2.1 AA (every field has a label, errors are announced
and linked, the language is stated, contrast is high); tests/test_browser.py checks them with
axe-core in Chromium. The bearer token comes with each request like any API call: in a
municipality a gateway in front of the service adds it after the user signs in.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from html import escape
from uuid import UUID

from participatie import Actor, Benefit, Referral

from .resident_models import ResidentOut

__all__ = ["register_form_page", "registered_page"]

_STYLE = """
body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; color: #1a1a1a; }
label { display: block; margin-top: 1rem; font-weight: bold; }
input, select { font-size: 1rem; padding: 0.3rem; margin-top: 0.2rem; }
button { margin-top: 1.5rem; font-size: 1rem; padding: 0.4rem 1rem; background: #01689b;
         color: #fff; border: 0; }
button:focus, input:focus, select:focus { outline: 3px solid #ffb612; }
.error { color: #a90000; border-left: 4px solid #a90000; padding-left: 0.6rem; }
.hint { color: #444; font-weight: normal; display: block; }
dt { font-weight: bold; margin-top: 0.6rem; }
"""

_LABELS: dict[enum.Enum, str] = {
    Referral.MUNICIPALITY: "Gemeente",
    Referral.CARE_AND_WELFARE: "Zorg en welzijn",
    Referral.WALK_IN: "Eigen aanmelding",
    Benefit.SOCIAL_ASSISTANCE: "Bijstand",
    Benefit.UNEMPLOYMENT: "WW",
    Benefit.NONE: "Geen uitkering",
}


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _options(kind: type[enum.Enum], chosen: str | None) -> str:
    return "\n".join(
        f'<option value="{m.value}"{" selected" if m.value == chosen else ""}>'
        f"{escape(_LABELS.get(m, m.value))}</option>"
        for m in kind
    )


def register_form_page(
    actor: Actor,
    *,
    today: date,
    error: str | None = None,
    values: Mapping[str, str] | None = None,
) -> str:
    """The form to register a resident (posted back to the same address)."""
    values = values or {}
    municipality = values.get("municipality") or actor.municipality or ""
    alert = (
        f'<div class="error" role="alert" id="form-error"><p>Niet geregistreerd: '
        f"{escape(error)}</p></div>"
        if error
        else ""
    )
    described = ' aria-describedby="form-error"' if error else ""
    return _page(
        "Inwoner aanmelden",
        f"""<h1>Inwoner aanmelden</h1>
<p>Aangemeld als {escape(actor.id)} ({escape(actor.role.value)}).</p>
{alert}
<form method="post" action="/v1/forms/register-resident"{described}>
<label for="referral">Verwezen door</label>
<select id="referral" name="referral" required>
{_options(Referral, values.get("referral"))}
</select>
<label for="benefit">Uitkering</label>
<select id="benefit" name="benefit" required>
{_options(Benefit, values.get("benefit"))}
</select>
<label for="on">Datum van aanmelding</label>
<input id="on" name="on" type="date" required max="{today.isoformat()}"
       value="{escape(values.get("on") or today.isoformat())}">
<label for="municipality">Gemeente</label>
<input id="municipality" name="municipality" type="text" autocomplete="off"
       value="{escape(municipality)}">
<label for="name">Naam <span class="hint">(optioneel; alleen in de kluis)</span></label>
<input id="name" name="name" type="text" autocomplete="off"
       value="{escape(values.get("name", ""))}">
<label for="bsn">BSN <span class="hint">(optioneel; 9 cijfers)</span></label>
<input id="bsn" name="bsn" type="text" inputmode="numeric" autocomplete="off"
       pattern="[0-9]{{9}}" value="{escape(values.get("bsn", ""))}">
<button type="submit">Aanmelden</button>
</form>
""",
    )


def registered_page(resident_id: UUID, state: ResidentOut) -> str:
    """What the form registered: the new resident's pseudonymous id and trajectory."""
    return _page(
        "Inwoner aangemeld",
        f"""<h1>Inwoner aangemeld</h1>
<p role="status">De inwoner is aangemeld.</p>
<dl>
<dt>Nummer</dt><dd id="resident-id">{resident_id}</dd>
<dt>Gemeente</dt><dd>{escape(state.municipality)}</dd>
<dt>Verwezen door</dt><dd>{escape(_LABELS.get(state.referral, state.referral.value))}</dd>
<dt>Uitkering</dt><dd>{escape(_LABELS.get(state.benefit, state.benefit.value))}</dd>
<dt>Aangemeld op</dt><dd>{state.registered_on.isoformat()}</dd>
<dt>Status</dt><dd>{escape(state.status.value)}</dd>
</dl>
<p><a href="/v1/forms/register-resident">Nog een inwoner aanmelden</a></p>
""",
    )
