"""Municipalities are a register: matched without case and spaces, stored in one form, unknown
names refused in commands and reports alike (never a report of zeros)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from participatie import (
    Actor,
    ConfigurationError,
    InvalidInput,
    NotAuthorised,
    Participation,
    Role,
)
from tests.support import COACH, READER, TEST_SECRET, Clock, assert_refused, register

SERVED = {"Haaren": "GM0788", "Noordoostpolder": "GM0171", "Urk": "GM0184"}


@pytest.fixture
def served(clock: Clock) -> Participation:
    return Participation.open("memory://", secret=TEST_SECRET, clock=clock, municipalities=SERVED)


def test_a_name_is_matched_without_case_and_spaces_and_stored_in_one_form(
    served: Participation,
) -> None:
    rid = register(served, municipality="  HAAREN ")
    assert served.resident(rid, by=READER).municipality == "haaren"
    report = served.outcomes(municipality="Haaren", period=(date(2019, 1, 1), date(2019, 12, 31)))
    assert report.reach == 1


def test_an_unknown_municipality_is_refused_in_commands_and_appends_nothing(
    served: Participation,
) -> None:
    assert_refused(
        served, None, InvalidInput, lambda: register(served, municipality="Haarne"), match="serves"
    )


def test_an_unknown_municipality_in_a_report_is_invalid_input_not_zeros(
    served: Participation,
) -> None:
    register(served)
    with pytest.raises(InvalidInput, match="Haarne"):
        served.outcomes(municipality="Haarne")


def test_without_a_register_a_report_on_a_name_no_resident_has_is_invalid_input(
    app: Participation,
) -> None:
    register(app)
    assert app.outcomes(municipality="HAAREN", period=(date(2019, 1, 1), None)).reach == 1
    with pytest.raises(InvalidInput, match="no resident of municipality 'haarne'"):
        app.outcomes(municipality="haarne")


def test_a_register_from_a_json_or_csv_file_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    as_json = tmp_path / "gemeenten.json"
    as_json.write_text(json.dumps(SERVED), encoding="utf-8")
    as_csv = tmp_path / "gemeenten.csv"
    as_csv.write_text("name,code\nHaaren,GM0788\nUrk,GM0184\n", encoding="utf-8-sig")
    for path in (as_json, as_csv):
        monkeypatch.setenv("PARTICIPATIE_MUNICIPALITIES", str(path))
        with Participation.open("memory://", secret=TEST_SECRET, clock=clock) as app:
            anywhere = Actor("coach-1", Role.COACH)
            register(app, municipality="urk", by=anywhere)
            with pytest.raises(InvalidInput):
                register(app, municipality="oss", by=anywhere)


@pytest.mark.parametrize(
    "municipalities",
    [{"Haaren": "0788"}, {"Haaren": "GM0788", " haaren": "GM0788"}, {}, ["haaren"]],
    ids=["no GM", "twice", "empty", "not a mapping"],
)
def test_a_malformed_register_is_a_configuration_error(municipalities: object) -> None:
    with pytest.raises(ConfigurationError):
        Participation.open("memory://", secret=TEST_SECRET, municipalities=municipalities)  # type: ignore[arg-type]


class _EqualToEverything(str):
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


def test_an_actors_municipality_must_be_plain_text_not_a_str_that_equals_everything(
    app: Participation,
) -> None:
    with pytest.raises(InvalidInput, match="str"):
        Actor("coach-9", Role.COACH, municipality=_EqualToEverything("oss"))


def test_an_actors_municipality_is_compared_without_case_and_spaces(app: Participation) -> None:
    rid = register(app)
    assert Actor("coach-1", Role.COACH, municipality=" Haaren").municipality == "haaren"
    shouting = Actor("c", Role.COACH, municipality="HAAREN")
    app.hold_intake(rid, goal="work", happiness=5, on=date(2019, 1, 9), by=shouting)
    elsewhere = Actor("coach-9", Role.COACH, municipality="Oss")
    with pytest.raises(NotAuthorised):
        app.resident(rid, by=elsewhere)
    assert app.resident(rid, by=Actor("c", Role.AUDITOR, municipality=" HAAREN ")).id == rid
    assert COACH.municipality == "haaren"


def test_a_plain_text_role_is_read_and_an_unknown_one_is_invalid_input() -> None:
    assert Actor("coach-1", "coach").role is Role.COACH
    with pytest.raises(InvalidInput, match="role"):
        Actor("coach-1", "coachh")
