"""Stores on disk and on the server: each test gets an empty store of its own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty SQLite file, or an empty schema in the run's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/participatie.db"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url
