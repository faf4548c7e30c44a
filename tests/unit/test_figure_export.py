"""The statisticians' export: real exports of both demos validate against the shipped JSON Schema,
the schema rejects broken documents, and a suppressed figure never carries its numbers."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import jsonschema
import pytest

from participatie import Actor, FiguresExport, Participation, Role, figures_schema
from participatie.demo import MUNICIPALITIES
from participatie.demo.haaren_2019 import record_haaren_2019
from participatie.demo.noordoostpolder import record_noordoostpolder
from tests.support import TEST_SECRET, Clock

OFFICER = Actor("beleid-1", Role.POLICY_OFFICER)
DEMO_PERIOD = (date(2019, 1, 1), date(2022, 12, 31))
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demos() -> Iterator[Participation]:
    """Both demos in one store that serves their municipalities (recorded once per module)."""
    with Participation.open(
        "memory://", secret=TEST_SECRET, clock=Clock(NOW), municipalities=MUNICIPALITIES
    ) as app:
        record_haaren_2019(app)
        record_noordoostpolder(app)
        yield app


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(figures_schema())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def export(app: Participation, **kwargs: Any) -> FiguresExport:
    return app.export_figures(by=OFFICER, period=DEMO_PERIOD, **kwargs)


@pytest.mark.parametrize("suppress", [True, False])
@pytest.mark.parametrize("municipality", [None, "haaren", "Noordoostpolder"])
def test_exports_of_both_demos_are_valid_against_the_schema(
    demos: Participation, suppress: bool, municipality: str | None
) -> None:
    document = export(
        demos,
        municipality=municipality,
        dimensions=("referral", "benefit", "coach"),
        suppress_small_cells=suppress,
    ).to_dict()
    validator().validate(document)
    records = document["records"]
    assert any(r["suppressed"] for r in records) is suppress
    codes = {r["municipality"]: r["municipality_code"] for r in records}
    expected = MUNICIPALITIES if municipality is None else {municipality.lower(): None}
    assert set(codes) == set(expected)
    for name, code in codes.items():
        assert code == MUNICIPALITIES[name]
    for record in records:
        numerator, denominator = record["numerator"], record["denominator"]
        if numerator is not None and denominator is not None:
            assert numerator <= denominator, record


def test_the_haaren_figures_are_the_reports_figures(demos: Participation) -> None:
    records = export(demos, municipality="haaren", suppress_small_cells=False).records
    figures = {r.figure: r for r in records if r.dimension is None}
    assert (figures["outflow_work"].numerator, figures["outflow_work"].denominator) == (23, 50)
    assert figures["reach"].numerator == 50
    assert figures["reach"].denominator is None
    assert figures["still_coached"].numerator == 20
    assert figures["reach"].period_start == date(2019, 1, 1)
    assert figures["reach"].period_end == date(2022, 12, 31)
    assert figures["reach"].municipality_code == "GM0788"


def test_a_suppressed_figure_has_no_numbers_and_follows_the_reports_suppression(
    demos: Participation,
) -> None:
    report = demos.outcomes(period=DEMO_PERIOD, municipality="haaren")
    shown = report.to_dict(suppress_small_cells=True)
    records = export(demos, municipality="haaren").records
    figures = {r.figure: r for r in records if r.dimension is None}
    moved = figures["outflow_moved_away"]
    assert shown["outflow"]["moved_away"]["numerator"] is None
    assert (moved.suppressed, moved.numerator, moved.denominator) == (True, None, None)
    work = figures["outflow_work"]
    assert (work.suppressed, work.numerator) == (False, shown["outflow"]["work"]["numerator"])
    for record in records:
        if record.suppressed:
            assert record.numerator is None
            assert record.denominator is None
        else:
            assert record.numerator is None or not 0 < record.numerator < 5, record


def test_breakdown_records_follow_the_breakdowns_suppression(demos: Participation) -> None:
    breakdown = demos.breakdown("coach", by=OFFICER, period=DEMO_PERIOD, municipality="haaren")
    shown = breakdown.to_dict(suppress_small_cells=True)
    records = [
        r for r in export(demos, municipality="haaren", dimensions=("coach",)).records if r.group
    ]
    for record in records:
        row = next(row for row in shown["rows"] if row["group"] == record.group)
        if record.figure.startswith("outflow_"):
            ratio = row["outflow"][record.figure.removeprefix("outflow_")]
            expected = (ratio["numerator"], ratio["denominator"])
            assert (record.numerator, record.denominator) == (
                expected if None not in expected else (None, None)
            )
        else:
            assert record.numerator == row[record.figure]


def test_the_csv_export_holds_the_json_records(demos: Participation) -> None:
    figures = export(demos, dimensions=("benefit",))
    rows = list(csv.DictReader(io.StringIO(figures.to_csv())))
    records = figures.to_dict()["records"]
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert row["figure"] == record["figure"]
        assert row["municipality_code"] == (record["municipality_code"] or "")
        assert row["numerator"] == ("" if record["numerator"] is None else str(record["numerator"]))
        assert row["suppressed"] == ("true" if record["suppressed"] else "false")


def _broken(document: dict[str, Any], change: str) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    record = broken["records"][0]
    if change == "a suppressed record with its number":
        record["suppressed"] = True
    elif change == "a record without a figure":
        del record["figure"]
    elif change == "a code that is not a CBS code":
        record["municipality_code"] = "0788"
    elif change == "a negative count":
        record["numerator"] = -1
    elif change == "another version":
        broken["version"] = 2
    elif change == "a group without a dimension":
        record["group"] = "walk_in"
    elif change == "a date that is no date":
        record["period_start"] = "2019-02-30"
    elif change == "an unknown field":
        record["percent"] = 46.0
    return broken


@pytest.mark.parametrize(
    "change",
    [
        "a suppressed record with its number",
        "a record without a figure",
        "a code that is not a CBS code",
        "a negative count",
        "another version",
        "a group without a dimension",
        "a date that is no date",
        "an unknown field",
    ],
)
def test_the_schema_rejects_a_broken_export(demos: Participation, change: str) -> None:
    document = export(demos, municipality="haaren").to_dict()
    validator().validate(document)
    assert document["records"][0]["numerator"] == 50  # reach, shown: the change breaks it
    with pytest.raises(jsonschema.ValidationError):
        validator().validate(_broken(document, change))


def test_without_a_register_the_codes_are_empty(app: Participation) -> None:
    record_haaren_2019(app)
    document = app.export_figures(by=OFFICER, period=DEMO_PERIOD).to_dict()
    validator().validate(document)
    assert {r["municipality_code"] for r in document["records"]} == {None}
