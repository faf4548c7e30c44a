"""``participatie stats --by`` and ``participatie export-figures``, run in a subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from participatie import Participation, figures_schema
from participatie.demo import MUNICIPALITIES
from participatie.demo.haaren_2019 import record_haaren_2019
from tests.e2e.test_cli import run
from tests.support import TEST_SECRET

YEAR = ("--from", "2019-01-01", "--to", "2019-12-31")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A SQLite store with the Haaren year, and the environment that names its register."""
    folder = tmp_path_factory.mktemp("breakdowns")
    with Participation.open(
        f"sqlite:///{folder}/demo.db", secret=TEST_SECRET, municipalities=MUNICIPALITIES
    ) as app:
        record_haaren_2019(app)
    register = folder / "municipalities.json"
    register.write_text(json.dumps(MUNICIPALITIES))
    env = {
        "PARTICIPATIE_SECRET": TEST_SECRET,
        "PARTICIPATIE_MUNICIPALITIES": str(register),
        "PARTICIPATIE_STORE": "",
    }
    return folder, env


def store(folder: Path) -> tuple[str, str]:
    return ("--store", f"sqlite:///{folder}/demo.db")


def test_stats_by_coach_prints_the_breakdown_in_each_format(
    demo: tuple[Path, dict[str, str]],
) -> None:
    folder, env = demo
    table = run("stats", *store(folder), *YEAR, "--by", "coach", cwd=folder, env=env)
    assert table.returncode == 0, table.stderr
    assert "coach-haaren-1" in table.stdout
    assert "naar coach" in table.stdout  # the title, in Dutch unless --lang en
    as_json = run(
        "stats", *store(folder), *YEAR, "--by", "coach", "--format", "json",
        "--suppress-small-cells", cwd=folder, env=env,
    )  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["dimension"] == "coach"
    assert data["total"]["reach"] == 50
    assert data["total"]["outflow"]["moved_away"]["numerator"] is None
    as_csv = run(
        "stats", *store(folder), *YEAR, "--by", "referral", "--format", "csv",
        "--suppress-small-cells", cwd=folder, env=env,
    )  # fmt: skip
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["referral"] for r in rows] == [
        "municipality",
        "care_and_welfare",
        "walk_in",
        "total",
    ]
    assert rows[-1]["kind"] == "total"
    assert rows[-1]["work"] == "23"
    assert rows[-1]["moved_away"] == ""  # hidden


def test_stats_without_by_is_unchanged(demo: tuple[Path, dict[str, str]]) -> None:
    folder, env = demo
    result = run("stats", *store(folder), *YEAR, "--format", "json", cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outflow"]["work"]["numerator"] == 23


def test_export_figures_writes_json_valid_against_the_schema_and_csv(
    demo: tuple[Path, dict[str, str]],
) -> None:
    folder, env = demo
    result = run(
        "export-figures", *store(folder), *YEAR, "--by", "coach", "--by", "benefit",
        cwd=folder, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, json.loads(figures_schema()))
    haaren = [r for r in document["records"] if r["municipality"] == "haaren"]
    assert {r["municipality_code"] for r in haaren} == {"GM0788"}
    assert {r["dimension"] for r in haaren} == {None, "coach", "benefit"}
    assert any(r["suppressed"] for r in haaren)
    out = folder / "figures.csv"
    written = run(
        "export-figures", *store(folder), *YEAR, "--format", "csv", "--no-suppress-small-cells",
        "--municipality", "Haaren", "--out", str(out), cwd=folder, env=env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    work = next(r for r in rows if r["figure"] == "outflow_work")
    assert (work["numerator"], work["denominator"], work["suppressed"]) == ("23", "50", "false")


def test_breakdowns_and_exports_refuse_a_role_without_statistics(
    demo: tuple[Path, dict[str, str]],
) -> None:
    folder, env = demo
    for command in (("stats", "--by", "coach"), ("export-figures",)):
        result = run(
            *command, *store(folder), "--actor", "jc-3", "--role", "job_coach", cwd=folder, env=env
        )
        assert result.returncode == 1
        assert "may not read breakdowns" in result.stderr
    unknown = run("stats", *store(folder), "--by", "goal", cwd=folder, env=env)
    assert unknown.returncode == 1
    assert "dimension" in unknown.stderr


def test_report_html_adds_a_table_per_breakdown_and_refuses_a_reader_who_may_not(
    demo: tuple[Path, dict[str, str]],
) -> None:
    folder, env = demo
    page = folder / "report.html"
    written = run(
        "report", "--html", str(page), *store(folder), *YEAR, "--municipality", "haaren",
        "--by", "referral", "--by", "coach", "--suppress-small-cells", cwd=folder, env=env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    text = page.read_text()
    assert "Bereik en uitstroom naar toeleiding" in text
    assert "Bereik en uitstroom naar klantmanager" in text
    assert "coach-haaren-1" in text
    page.unlink()
    refused = run(
        "report", "--html", str(page), *store(folder), *YEAR, "--by", "coach",
        "--actor", "jc-3", "--role", "job_coach", cwd=folder, env=env,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "may not read breakdowns" in refused.stderr
    assert not page.exists()
