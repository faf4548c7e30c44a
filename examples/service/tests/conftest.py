"""Fixtures of the service's tests: an app on an in-process store with the suite's fixed clock,
keys to sign tokens with, and a client; PostgreSQL fixtures come from the suite's conftest."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from examples.service.app import create_app
from examples.service.identity import Keys, make_token
from participatie import Participation
from tests.conftest import app, clock, postgres_schema_url, postgres_url

__all__ = ["app", "clock", "postgres_schema_url", "postgres_url"]

Token = Callable[..., dict[str, str]]


@pytest.fixture
def keys() -> Keys:
    return Keys.of("HS256", "a test secret of the example service, 32+ bytes")


@pytest.fixture
def headers(keys: Keys) -> Token:
    """``headers(actor_id, role, municipality)``: the Authorization header of such an actor."""

    def made(actor_id: str, role: str, municipality: str | None = "haaren") -> dict[str, str]:
        token = make_token(keys, actor_id=actor_id, role=role, municipality=municipality)
        return {"Authorization": f"Bearer {token}"}

    return made


@pytest.fixture
def client(app: Participation, keys: Keys) -> Iterator[TestClient]:
    with TestClient(create_app(app, keys=keys)) as test_client:
        yield test_client
