"""Tokens: what make_token.py prints verifies with the configured key, and configuration that
cannot work is refused when the service starts, not at the first request."""

from __future__ import annotations

import pytest

from examples.service import make_token as script
from examples.service.identity import KEY_ENV, Keys
from participatie import Actor, ConfigurationError, Role


def test_the_script_prints_a_token_the_configured_key_verifies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(KEY_ENV, "the key of this test, thirty-two bytes or more")
    assert script.main(["--sub", "coord-1", "--role", "coordinator", "--municipality", "oss"]) == 0
    token = capsys.readouterr().out.strip()
    assert Keys.from_environment().actor(token) == Actor("coord-1", Role.COORDINATOR, "oss")


def test_the_script_makes_a_new_key_long_enough_for_hs256(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert script.main(["--new-key"]) == 0
    assert Keys.of("HS256", capsys.readouterr().out.strip()).algorithm == "HS256"


@pytest.mark.parametrize(
    ("algorithm", "key", "match"),
    [
        ("HS256", "short", "at least 32 bytes"),
        ("RS256", "x" * 40, "one of HS256, EdDSA"),
        ("EdDSA", "not a pem key", "not a PEM key"),
    ],
)
def test_keys_that_cannot_work_are_a_configuration_error(
    algorithm: str, key: str, match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Keys.of(algorithm, key)


def test_no_configured_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ConfigurationError, match=KEY_ENV):
        Keys.from_environment()
