"""An export is checked event by event against the store, not only by its chain heads."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from participatie import Participation
from participatie.audit.chain import chain_hash, split_state
from participatie.audit.export import content_hash
from tests.actors import AUDITOR
from tests.integration.test_tampering import Store, flip_a_byte
from tests.support import TEST_SECRET
from tests.unit.test_job_coaching_rules import placed_and_assessed


@pytest.fixture
def exported(store_url: str) -> Iterator[tuple[Participation, Store, UUID, dict[str, Any]]]:
    """A resident with four events on the store under test, and their export."""
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = placed_and_assessed(app)  # Registered, IntakeHeld, Placed, WageValueAssessed
        document = app.export(rid, by=AUDITOR)
        assert app.check_export(document).ok
        yield app, Store(store_url), rid, document


def test_an_event_changed_in_the_store_before_the_chain_head_is_named(
    exported: tuple[Participation, Store, UUID, dict[str, Any]],
) -> None:
    app, store, rid, document = exported
    store.set_state(rid, 2, flip_a_byte(store.state(rid, 2)))
    assert app.check_export(document).problems == [
        f"stream {rid}: version 2 in the store was changed since export"
    ]


def test_a_store_whose_chain_was_rewritten_is_named_at_the_first_changed_event(
    exported: tuple[Participation, Store, UUID, dict[str, Any]],
) -> None:
    app, store, rid, document = exported
    # Someone with database access changes version 2 and rehashes the chain from there on.
    previous = split_state(store.state(rid, 1))[0]
    for version in range(2, 5):
        _, state = split_state(store.state(rid, version))
        if version == 2:
            state = state.replace(b'"happiness":5', b'"happiness":9')
        digest = chain_hash(previous, rid, version, store.topic(rid, version), state)
        store.set_state(rid, version, digest + state)
        previous = digest
    (problem,) = app.check_export(document).problems
    assert problem == (
        f"stream {rid}: version 2 (IntakeHeld) differs between the file and the store: "
        "data.happiness is 5 in the file, 9 in the store"
    )


def test_a_forged_file_with_a_recomputed_content_hash_is_named(
    exported: tuple[Participation, Store, UUID, dict[str, Any]],
) -> None:
    app, _, rid, document = exported
    forged = copy.deepcopy(document)
    forged["history"][0]["data"]["municipality"] = "oss"
    forged["manifest"]["content_sha256"] = content_hash(forged["history"])
    expected = (
        f"stream {rid}: version 1 (Registered) differs between the file and the store: "
        'data.municipality is "oss" in the file, "haaren" in the store'
    )
    assert app.check_export(forged).problems == [expected]


def test_a_file_that_leaves_out_an_event_is_named(
    exported: tuple[Participation, Store, UUID, dict[str, Any]],
) -> None:
    app, _, rid, document = exported
    forged = copy.deepcopy(document)
    del forged["history"][2]
    forged["manifest"]["content_sha256"] = content_hash(forged["history"])
    forged["manifest"]["counts"]["events"] = 3
    assert app.check_export(forged).problems == [
        f"stream {rid}: version 3 is in the store but not in the file"
    ]


def test_an_export_read_back_from_json_still_verifies(
    exported: tuple[Participation, Store, UUID, dict[str, Any]],
) -> None:
    app, _, _, document = exported
    assert app.check_export(json.loads(json.dumps(document))).ok
