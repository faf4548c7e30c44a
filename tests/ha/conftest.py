"""The failover cluster of scripts/ha-cluster: its URLs, and a fresh schema per test.

These tests run only when ``PARTICIPATIE_HA_URL`` names the cluster (``make test-ha`` starts
it, sets that, runs them and stops it); otherwise they are skipped, saying so.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

HA_URL_ENV = "PARTICIPATIE_HA_URL"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ha-cluster"


@pytest.fixture(scope="session")
def ha_url() -> str:
    """The cluster's read-write URL (both nodes, ``target_session_attrs=read-write``)."""
    url = os.environ.get(HA_URL_ENV)
    if not url:
        pytest.skip(
            f"no failover cluster: {HA_URL_ENV} is not set; `make test-ha` starts one "
            "(scripts/ha-cluster) and runs these tests"
        )
    return url


def cluster(*args: str) -> str:
    """Run scripts/ha-cluster with these arguments; its output."""
    done = subprocess.run(  # noqa: S603 (the repository's own script)
        [str(SCRIPT), *args], capture_output=True, text=True, check=True, timeout=600
    )
    return done.stdout.strip()


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture
def ha_schema(ha_url: str) -> Iterator[str]:
    """A fresh schema on the cluster (made on the primary, replicated to the standby)."""
    import psycopg  # noqa: PLC0415

    schema = f"ha_{secrets.token_hex(6)}"
    with psycopg.connect(ha_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema
    cluster("wait-healthy", "300")
    with psycopg.connect(ha_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
