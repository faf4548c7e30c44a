"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert python_blocks()


@pytest.mark.parametrize("block", python_blocks())
def test_readme_example_runs(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PARTICIPATIE_SECRET", raising=False)
    exec(compile(block, str(README), "exec"), {})  # noqa: S102 (our own documentation)
    assert "datetime.date(2019, 1, 8), 5)" in capsys.readouterr().out
