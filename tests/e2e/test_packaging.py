"""Release artefacts: the sdist and the wheel hold what they must; the wheel installs and runs.

The sdist and the wheel are built as a release builds them (``python -m build``: the sdist from a
copy of the source tree, the wheel from the unpacked sdist), then the wheel is installed with its
dependencies into a fresh virtual environment. About 15 s, most of it installing from pip's cache.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", ".*_cache", ".hypothesis", "__pycache__", "build", "dist", "*.egg-info",
    "*.db", "*.db-*", "*.secret",
)  # fmt: skip

pytestmark = pytest.mark.packaging


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    version: str


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter, pip and the built wheel)
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def checked(*command: str | Path, cwd: Path | None = None) -> str:
    result = run(*command, cwd=cwd)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("packaging")
    tree = work / "participatie"
    shutil.copytree(ROOT, tree, ignore=NOT_SOURCES)
    checked(sys.executable, "-m", "build", "--outdir", work / "dist", tree)
    (sdist,) = (work / "dist").glob("participatie-*.tar.gz")
    (wheel,) = (work / "dist").glob("participatie-*-py3-none-any.whl")
    version = wheel.name.split("-")[1]
    return Built(sdist=sdist, wheel=wheel, version=version)


def test_the_sdist_holds_the_licence_and_every_document_the_readme_links_to(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml"} <= names
    linked = set(re.findall(r"\]\((docs/[^)#\s]+)", (ROOT / "README.md").read_text("utf-8")))
    assert linked, "README.md links to docs/"
    assert linked <= names
    documents = {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}
    assert documents <= names


def test_the_wheel_holds_the_licence_text_and_names_it(built: Built) -> None:
    dist_info = f"participatie-{built.version}.dist-info"
    with zipfile.ZipFile(built.wheel) as wheel:
        licence = wheel.read(f"{dist_info}/licenses/LICENSE").decode("utf-8")
        metadata = wheel.read(f"{dist_info}/METADATA").decode("utf-8")
        names = set(wheel.namelist())
    assert licence == (ROOT / "LICENSE").read_text("utf-8")
    assert licence.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "License-Expression: EUPL-1.2" in metadata.splitlines()
    assert "participatie/py.typed" in names
    # The message catalogues the figures are written with (compiled when first used).
    assert {
        f"participatie/locale/{lang}/LC_MESSAGES/participatie.po" for lang in ("nl", "en")
    } <= names
    assert "participatie/schemas/figures-v1.schema.json" in names  # the export's JSON Schema
    assert not any(name.startswith(("tests/", "docs/")) for name in names)


def test_the_wheel_installs_into_a_fresh_environment_and_runs(built: Built, tmp_path: Path) -> None:
    # A venv of the base interpreter, filled by this environment's pip: as `pip install` would.
    checked(sys.executable, "-m", "venv", "--without-pip", tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python, "install", "--quiet")
    checked(*pip, built.wheel)

    where = checked(python, "-c", "import participatie; print(participatie.__file__)")
    assert Path(where.strip()).is_relative_to(tmp_path / "venv")
    version = checked(tmp_path / "venv" / "bin" / "participatie", "--version")
    assert version == f"participatie {built.version}\n"
    dutch = checked(
        python, "-c", "import participatie; print(participatie.language().gettext('reach'))"
    )
    assert dutch == "Bereik\n"
    without_extra = run(python, "-c", "import participatie.testing")
    assert without_extra.returncode == 1
    assert "No module named 'hypothesis'" in without_extra.stderr

    checked(*pip, f"{built.wheel}[testing]")
    checked(python, "-c", "from participatie.testing import TrajectoryMachine, strategies")
