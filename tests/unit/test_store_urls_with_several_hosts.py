"""PostgreSQL URLs that name several hosts (a failover pair) and which kind of server to keep."""

from __future__ import annotations

import pytest

from participatie import ConfigurationError
from participatie.stores import TARGET_SESSION_ATTRS, parse_store_url


def test_several_hosts_become_libpqs_comma_separated_hosts_and_ports() -> None:
    config = parse_store_url(
        "postgresql://me:geheim@db1.example:5432,db2.example:5433,[::1]/p"
        "?target_session_attrs=read-write"
    )
    assert config.settings["POSTGRES_HOST"] == "db1.example,db2.example,::1"
    assert config.settings["POSTGRES_PORT"] == "5432,5433,5432"
    assert config.settings[TARGET_SESSION_ATTRS] == "read-write"
    assert config.display_url == (
        "postgresql://me:***@db1.example:5432,db2.example:5433,[::1]/p"
        "?target_session_attrs=read-write"
    )


def test_a_url_with_several_hosts_and_no_password_is_shown_whole() -> None:
    url = "postgresql://db1:5432,db2:5432/p?target_session_attrs=prefer-standby"
    assert parse_store_url(url.replace("://", "://me@")).display_url == url.replace("://", "://me@")


def test_one_host_keeps_its_settings_without_target_session_attrs() -> None:
    config = parse_store_url("postgresql://me@db:6543/p")
    assert (config.settings["POSTGRES_HOST"], config.settings["POSTGRES_PORT"]) == ("db", "6543")
    assert TARGET_SESSION_ATTRS not in config.settings


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgresql://me@db1:5432,db2:port/p", "host:port"),
        ("postgresql://me@db1:5432,:5433/p", "host:port"),
        ("postgresql://me@db1:5432,db2:70000/p", "1..65535"),
        ("postgresql://me@db1,db2/p?target_session_attrs=primary-ish", "target_session_attrs"),
        ("postgresql://me@db1,db2/p?sslmode=disable", "unknown options"),
    ],
)
def test_a_malformed_list_of_hosts_is_refused_saying_how_to_write_it(url: str, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        parse_store_url(url)
