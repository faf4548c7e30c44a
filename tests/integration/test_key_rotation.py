"""Rotating the deployment secret: resident keys re-wrapped, BSN hashes re-keyed, events kept."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from participatie import (
    BsnAlreadyRegistered,
    ConfigurationError,
    ErasureGround,
    InvalidInput,
    NotAuthorised,
    Participation,
    PersonalData,
)
from participatie.service import core_of
from tests.actors import ADMIN
from tests.support import COACH, READER, TEST_SECRET, assert_refused, register

OLD = TEST_SECRET
NEW = "the next deployment secret, also 40+ characters long"


def chain_heads(app: Participation, streams: Iterable[UUID]) -> dict[str, Any]:
    return core_of(app).store.participation_recorder.chain_heads_of(list(streams))


def fill(app: Participation) -> dict[str, UUID]:
    residents = {
        "bsn and name": register(app, bsn="123456782", name="A. Jansen", notes="wil bakken"),
        "name only": register(app, name="B. de Vries"),
        "nothing personal": register(app),
        "erased": register(app, bsn="111222333", name="C. Smit"),
    }
    app.erase_personal_data(residents["erased"], by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
    return residents


def test_old_data_reads_under_the_new_secret_after_rotation(store_url: str) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        residents = fill(app)
        heads_before = chain_heads(app, residents.values())
    with Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as app:
        # Before the rotation, both secrets open what is there.
        assert app.personal_data(residents["bsn and name"], by=COACH).name == "A. Jansen"
        assert app.find_resident(bsn="123456782", by=COACH) == residents["bsn and name"]
        events_before = app.event_count()
        assert app.rotate_keys(by=ADMIN) == 2
        assert app.rotate_keys(by=ADMIN) == 0
        assert app.event_count() == events_before
    with Participation.open(store_url, secret=NEW) as app:
        assert app.personal_data(residents["bsn and name"], by=COACH) == PersonalData(
            bsn="123456782", name="A. Jansen", notes="wil bakken"
        )
        assert app.personal_data(residents["name only"], by=COACH).name == "B. de Vries"
        assert app.personal_data(residents["nothing personal"], by=COACH) == PersonalData()
        assert app.personal_data(residents["erased"], by=COACH).erased
        assert app.find_resident(bsn="123456782", by=COACH) == residents["bsn and name"]
        assert app.find_resident(bsn="111222333", by=COACH) is None
        with pytest.raises(BsnAlreadyRegistered):
            register(app, bsn="123456782")
        assert app.verify().ok
        # No trajectory event was touched (only the access logs grew, by the reads).
        trajectory_heads = {
            stream: head
            for stream, head in chain_heads(app, residents.values()).items()
            if stream in {str(rid) for rid in residents.values()}
        }
        assert trajectory_heads == {
            stream: head
            for stream, head in heads_before.items()
            if stream in {str(rid) for rid in residents.values()}
        }
    with (
        Participation.open(store_url, secret=OLD) as app,
        pytest.raises(ConfigurationError, match="another deployment secret"),
    ):
        app.personal_data(residents["bsn and name"], by=COACH)


def test_other_processes_go_on_working_while_keys_rotate(store_url: str) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        residents = [register(app, bsn=bsn, name=f"R{i}") for i, bsn in enumerate(BSNS)]
    with (
        Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as rotating,
        Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as working,
    ):
        seen: list[str | None] = []
        registered: list[UUID] = []

        def meanwhile(_: int) -> None:
            # Between batches another process reads every resident and registers a new one.
            seen.extend(working.personal_data(rid, by=COACH).name for rid in residents)
            registered.append(register(working, name=f"new {len(registered)}"))

        assert rotating.rotate_keys(by=ADMIN, batch_size=2, progress=meanwhile) == len(BSNS)
        assert seen == [f"R{i}" for i in range(len(BSNS))] * 3
    with Participation.open(store_url, secret=NEW) as app:
        for i, (rid, bsn) in enumerate(zip(residents, BSNS, strict=True)):
            assert app.find_resident(bsn=bsn, by=COACH) == rid
            assert app.personal_data(rid, by=COACH).name == f"R{i}"
        assert [app.personal_data(rid, by=COACH).name for rid in registered] == [
            "new 0",
            "new 1",
            "new 2",
        ]


def test_a_record_erased_during_the_rotation_stays_erased(store_url: str) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        rid = register(app, bsn="123456782", name="A. Jansen")
    with Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as app:
        vault = core_of(app).vault
        (stale,) = vault.vault_stale(core_of(app).keyring.key_id, None, 10)
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        assert vault.vault_rewrap([(stale, core_of(app).keyring.rewrap(stale))]) == 0
        assert vault.vault_get(rid) is None
        assert app.find_resident(bsn="123456782", by=COACH) is None


def test_only_an_admin_rotates_keys_and_a_refusal_changes_nothing(store_url: str) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        register(app, bsn="123456782", name="A. Jansen")
    with Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as app:
        with pytest.raises(NotAuthorised, match="rotate"):
            app.rotate_keys(by=COACH)
        assert len(core_of(app).vault.vault_stale(core_of(app).keyring.key_id, None, 10)) == 1


def test_rotation_without_the_old_secret_is_refused_before_anything_changes(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        rid = register(app, bsn="123456782", name="A. Jansen")
    with (
        Participation.open(store_url, secret=NEW) as app,
        pytest.raises(ConfigurationError, match="previous secrets"),
    ):
        app.rotate_keys(by=ADMIN)
    with Participation.open(store_url, secret=OLD) as app:
        assert app.personal_data(rid, by=COACH).name == "A. Jansen"


BSNS = ["123456782", "111222333", "100000010", "999999990", "100000022"]


def test_the_previous_secret_is_read_from_the_environment(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        rid = register(app, name="A. Jansen", on=date(2019, 1, 8))
    monkeypatch.setenv("PARTICIPATIE_SECRET", NEW)
    monkeypatch.setenv("PARTICIPATIE_PREVIOUS_SECRET", OLD)
    with Participation.open(store_url) as app:
        assert app.personal_data(rid, by=COACH).name == "A. Jansen"


def test_a_process_with_only_the_old_secret_refuses_bsn_lookups_and_registrations(
    store_url: str,
) -> None:
    with Participation.open(store_url, secret=OLD) as app:
        rid = register(app, bsn="123456782", name="A. Jansen")
    with Participation.open(store_url, secret=NEW, previous_secrets=[OLD]) as app:
        assert app.rotate_keys(by=ADMIN) == 1
        new_key_id = core_of(app).keyring.key_id
    # A process not restarted after the rotation still has only the old secret.
    with Participation.open(store_url, secret=OLD) as stale:
        with pytest.raises(ConfigurationError, match=f"key id {new_key_id}"):
            stale.find_resident(bsn="123456782", by=COACH)
        refused: list[dict[str, Any]] = [
            {"bsn": "123456782"},
            {"bsn": "111222333"},
            {"name": "B. de Vries"},
        ]
        for fields in refused:
            assert_refused(
                stale,
                None,
                ConfigurationError,
                functools.partial(register, stale, **fields),
                match=new_key_id,
            )
    with Participation.open(store_url, secret=NEW) as app:
        assert app.find_resident(bsn="123456782", by=COACH) == rid
        assert app.resident_ids(by=READER) == [rid]


@pytest.mark.parametrize("batch_size", ["5", 1.5, None, True, 0])
def test_a_batch_size_that_is_not_a_whole_number_of_at_least_one_is_invalid_input(
    batch_size: Any,
) -> None:
    with Participation.open("memory://", secret=NEW) as app:
        register(app, name="A. Jansen")
        with pytest.raises(InvalidInput, match="batch_size"):
            app.rotate_keys(by=ADMIN, batch_size=batch_size)
