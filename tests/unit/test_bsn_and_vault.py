"""The BSN eleven-test, the personal-data vault and registration by BSN."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import attrs
import pytest

from participatie import (
    BsnAlreadyRegistered,
    ConfigurationError,
    InvalidInput,
    OutflowReason,
    Participation,
    TamperDetected,
    is_valid_bsn,
)
from participatie.persistence.memory_recorder import POPOParticipationRecorder
from participatie.privacy.vault import KeyRing, PersonalData
from participatie.service import core_of
from tests.support import COACH, TEST_SECRET, assert_refused, register


@pytest.mark.parametrize("bsn", ["123456782", "111222333", "999999990"])
def test_numbers_passing_the_eleven_test_are_valid_bsns(bsn: str) -> None:
    assert is_valid_bsn(bsn)


@pytest.mark.parametrize(
    "bsn", ["123456789", "000000000", "12345678", "1234567820", "12345678a", "１２３４５６７８２"]
)
def test_numbers_failing_the_eleven_test_or_the_format_are_not(bsn: str) -> None:
    assert not is_valid_bsn(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "12345678", 123456782, "000000000"])
def test_registering_an_invalid_bsn_is_invalid_input(app: Participation, bsn: object) -> None:
    assert_refused(app, None, InvalidInput, lambda: register(app, bsn=bsn))


def test_a_resident_is_found_by_bsn(app: Participation) -> None:
    rid = register(app, bsn="123456782")
    assert app.find_resident(bsn="123456782", by=COACH) == rid
    assert app.find_resident(bsn="111222333", by=COACH) is None


def test_registering_a_bsn_that_has_an_open_trajectory_is_refused(app: Participation) -> None:
    register(app, bsn="123456782")
    assert_refused(app, None, BsnAlreadyRegistered, lambda: register(app, bsn="123456782"))


def test_registering_a_bsn_whose_trajectory_closed_points_to_reopening(
    app: Participation,
) -> None:
    rid = register(app, bsn="123456782")
    app.close_trajectory(rid, reason=OutflowReason.WITHDREW, on=date(2019, 2, 1), by=COACH)
    assert_refused(
        app, None, BsnAlreadyRegistered, lambda: register(app, bsn="123456782"), match="reopen"
    )


def test_personal_data_read_back_from_the_vault(app: Participation) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen", notes="likes gardening")
    assert app.personal_data(rid, by=COACH) == PersonalData(
        bsn="123456782", name="A. Jansen", notes="likes gardening"
    )


def test_resident_without_personal_data_has_an_empty_record(app: Participation) -> None:
    rid = register(app)
    assert app.personal_data(rid, by=COACH).is_empty


def test_vault_hash_is_keyed_by_the_secret() -> None:
    one = KeyRing(TEST_SECRET)
    other = KeyRing(TEST_SECRET + " but another one")
    assert one.bsn_hash("123456782") != other.bsn_hash("123456782")
    assert one.bsn_hash("123456782") != b"123456782"


def test_each_resident_has_a_key_of_their_own() -> None:
    ring = KeyRing(TEST_SECRET)
    data = PersonalData(bsn="123456782", name="A")
    first, second = ring.seal(uuid4(), data), ring.seal(uuid4(), data)
    assert first.wrapped_key != second.wrapped_key
    assert first.ciphertext != second.ciphertext
    assert b"123456782" not in first.ciphertext


def test_a_sealed_record_does_not_open_for_another_resident() -> None:
    ring = KeyRing(TEST_SECRET)
    record = ring.seal(uuid4(), PersonalData(name="A"))
    moved = type(record)(
        resident_id=uuid4(),
        bsn_hash=record.bsn_hash,
        key_id=record.key_id,
        wrapped_key=record.wrapped_key,
        ciphertext=record.ciphertext,
    )
    with pytest.raises(TamperDetected, match=f"resident {moved.resident_id}"):
        ring.open(moved)


@pytest.mark.parametrize("field", ["wrapped_key", "ciphertext"])
def test_a_vault_row_that_fails_authentication_is_tamper_detected_naming_the_resident(
    app: Participation, field: str
) -> None:
    rid = register(app, bsn="123456782", name="A. Jansen")
    vault = core_of(app).vault
    assert isinstance(vault, POPOParticipationRecorder)
    record = vault.vault_get(rid)
    assert record is not None
    changed = bytearray(getattr(record, field))
    changed[-1] ^= 1
    change: dict[str, Any] = {field: bytes(changed)}
    vault._vault[rid] = attrs.evolve(record, **change)
    with pytest.raises(TamperDetected, match=str(rid)) as raised:
        app.personal_data(rid, by=COACH)
    assert "Jansen" not in str(raised.value)
    assert "123456782" not in str(raised.value)


def test_a_record_sealed_under_another_secret_is_a_configuration_error() -> None:
    record = KeyRing(TEST_SECRET).seal(uuid4(), PersonalData(name="A"))
    with pytest.raises(ConfigurationError, match="another deployment secret"):
        KeyRing(TEST_SECRET + "!").open(record)


NEW_SECRET = "the next deployment secret, also 40+ characters long"


def test_rewrapping_moves_a_record_to_the_new_secret_and_keeps_its_data() -> None:
    old = KeyRing(TEST_SECRET)
    record = old.seal(uuid4(), PersonalData(bsn="123456782", name="A", notes="n"))
    rotating = KeyRing(NEW_SECRET, previous_secrets=[TEST_SECRET])
    assert rotating.open(record).name == "A"
    rewrapped = rotating.rewrap(record)
    new = KeyRing(NEW_SECRET)
    assert rewrapped.key_id == new.key_id != record.key_id
    assert rewrapped.ciphertext == record.ciphertext
    assert rewrapped.bsn_hash == new.bsn_hash("123456782") != record.bsn_hash
    assert new.open(rewrapped) == PersonalData(bsn="123456782", name="A", notes="n")


def test_a_ring_with_a_previous_secret_looks_up_bsns_under_both_hashes() -> None:
    rotating = KeyRing(NEW_SECRET, previous_secrets=[TEST_SECRET])
    assert rotating.bsn_hashes("123456782") == [
        KeyRing(NEW_SECRET).bsn_hash("123456782"),
        KeyRing(TEST_SECRET).bsn_hash("123456782"),
    ]
    assert rotating.previous_key_ids == {KeyRing(TEST_SECRET).key_id}


def test_the_in_process_vault_rewraps_only_unchanged_records() -> None:
    recorder = POPOParticipationRecorder()
    old = KeyRing(TEST_SECRET)
    records = sorted(
        (old.seal(uuid4(), PersonalData(bsn=bsn)) for bsn in ("123456782", "111222333")),
        key=lambda record: record.resident_id,
    )
    recorder.insert_events([], vault_records=records)
    rotating = KeyRing(NEW_SECRET, previous_secrets=[TEST_SECRET])
    first, second = recorder.vault_stale(rotating.key_id, None, 10)
    assert recorder.vault_stale(rotating.key_id, first.resident_id, 10) == [second]
    recorder.insert_events([], vault_erasures=[second.resident_id])
    pairs = [(first, rotating.rewrap(first)), (second, rotating.rewrap(second))]
    assert recorder.vault_rewrap(pairs) == 1
    assert recorder.vault_get(second.resident_id) is None
    bsn = old.open(first).bsn
    assert bsn is not None
    assert recorder.vault_find(rotating.bsn_hash(bsn)) == first.resident_id
    assert recorder.vault_find(old.bsn_hash(bsn)) is None
    assert recorder.vault_stale(rotating.key_id, None, 10) == []


@pytest.mark.parametrize("secret", ["short", "", "x" * 31])
def test_a_secret_shorter_than_32_characters_is_refused(secret: str) -> None:
    with pytest.raises(ConfigurationError, match="32"):
        Participation.open("memory://", secret=secret)


@pytest.mark.parametrize(("field", "length"), [("name", 201), ("notes", 10_001)])
def test_overlong_personal_text_is_invalid_input(
    app: Participation, field: str, length: int
) -> None:
    fields: dict[str, Any] = {field: "x" * length}
    assert_refused(app, None, InvalidInput, lambda: register(app, **fields))


def test_sql_looking_text_is_kept_as_text(app: Participation) -> None:
    name = "Robert'); DROP TABLE participatie_vault;--"
    rid = register(app, name=name)
    assert app.personal_data(rid, by=COACH).name == name


def test_inside_read_once_the_stores_epochs_are_read_by_the_first_refresh_alone() -> None:
    recorder = POPOParticipationRecorder()
    reads: list[int] = []
    original = recorder.vault_keys

    def counted() -> Any:
        reads.append(1)
        return original()

    recorder.vault_keys = counted  # type: ignore[method-assign]
    ring = KeyRing(TEST_SECRET)
    ring.bind(recorder)
    with ring.read_once():
        ring.refresh(check=False)
        ring.refresh()  # checked now: read again
        first = ring.seal(uuid4(), PersonalData(name="A"))  # an epoch is made: read again
        assert len(reads) == 4  # the epoch's creation reads the keys once more
        second = ring.seal(uuid4(), PersonalData(name="B"))
        ring.refresh()
        assert len(reads) == 4
    assert first.key_id == second.key_id
    ring.refresh()
    assert len(reads) == 5  # outside: every refresh reads
