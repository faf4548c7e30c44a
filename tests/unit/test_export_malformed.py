"""A malformed export is a problem in the Verification, never an untyped error."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participatie import Goal, Participation
from participatie.audit.export import EXPORT_FORMAT
from tests.actors import AUDITOR
from tests.support import COACH, TEST_SECRET, register

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

# The places in an export that a malformed file may get wrong, as paths into the document.
PLACES: list[tuple[str | int, ...]] = [
    ("manifest",),
    ("history",),
    ("manifest", "counts"),
    ("manifest", "counts", "events"),
    ("manifest", "counts", "streams"),
    ("manifest", "chain_heads"),
    ("manifest", "content_sha256"),
    ("history", 0),
    ("history", 0, "aggregate_id"),
    ("history", 0, "version"),
    ("history", 0, "data"),
]


def _app_and_export() -> tuple[Participation, dict[str, Any]]:
    app = Participation.open("memory://", secret=TEST_SECRET)
    rid = register(app)
    app.hold_intake(rid, goal=Goal.WORK, happiness=5, on=date(2019, 1, 8), by=COACH)
    return app, app.export(rid, by=AUDITOR)


APP, DOCUMENT = _app_and_export()
STREAM = DOCUMENT["manifest"]["resident_id"]


def _unchanged(document: object) -> bool:
    # As JSON, not as Python values: 1.0 == 1 and True == 1, but a file with either is changed.
    return json.dumps(document, sort_keys=True) == json.dumps(DOCUMENT, sort_keys=True)


def _replaced(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> Any:
    changed = copy.deepcopy(document)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(place=st.sampled_from(PLACES), value=json_values)
def test_any_value_in_any_place_of_an_export_is_a_problem_or_fine(
    place: tuple[str | int, ...], value: object
) -> None:
    document = _replaced(DOCUMENT, place, value)
    result = APP.check_export(document)
    assert result.ok == _unchanged(document)
    assert all(isinstance(problem, str) for problem in result.problems)


@settings(max_examples=200, deadline=None)
@given(head=json_values)
def test_any_chain_head_of_a_stream_is_a_problem_or_fine(head: object) -> None:
    document = _replaced(DOCUMENT, ("manifest", "chain_heads", STREAM), head)
    result = APP.check_export(document)
    assert result.ok == _unchanged(document)


@settings(max_examples=200, deadline=None)
@given(stream=st.text(max_size=40), head=json_values)
def test_any_other_chain_head_is_a_problem(stream: str, head: object) -> None:
    heads = {**DOCUMENT["manifest"]["chain_heads"], stream: head}
    document = _replaced(DOCUMENT, ("manifest", "chain_heads"), heads)
    result = APP.check_export(document)
    assert result.ok == _unchanged(document)


@given(document=json_values)
def test_any_json_document_is_a_problem(document: object) -> None:
    assert not APP.check_export(document).ok
    assert not APP.check_export({"format": EXPORT_FORMAT, "manifest": document}).ok


def test_the_malformations_of_the_issue_are_named() -> None:
    counts_as_list = _replaced(DOCUMENT, ("manifest", "counts"), [1, 2])
    assert "the number of events in the file differs from its manifest" in (
        APP.check_export(counts_as_list).problems
    )
    head_as_text = _replaced(DOCUMENT, ("manifest", "chain_heads", STREAM), "v2")
    assert f"the manifest's chain head of stream {STREAM!r} is malformed" in (
        APP.check_export(head_as_text).problems
    )
    entry_as_number = _replaced(DOCUMENT, ("history", 1), 7)
    assert "history entry 2 is malformed (no stream id and version)" in (
        APP.check_export(entry_as_number).problems
    )
