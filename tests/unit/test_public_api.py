"""The public API: every name in ``participatie.__all__`` is there, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import participatie


def test_every_public_name_is_importable() -> None:
    missing = [name for name in participatie.__all__ if not hasattr(participatie, name)]
    assert missing == []


def test_importing_participatie_needs_neither_matplotlib_nor_psycopg() -> None:
    # The report and postgres extras are optional: only their features may import them.
    script = (
        "import sys, participatie; "
        "print(sorted(m for m in ('matplotlib', 'psycopg') if m in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"
