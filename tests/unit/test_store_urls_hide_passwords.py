"""A password in a store URL is never shown, however oddly it is written or the URL parses.

The rule (stores.py): nothing between ``://`` and the last ``@`` is shown but a plain user name, and
a URL without ``@`` that cannot be read as ``host:port`` shows nothing after its first ``:``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from participatie import ConfigurationError, parse_store_url
from tests.support import TEST_SECRET

ODD = "#/?@:%[] "
# Any printable text, with the characters that end or split a URL's parts drawn often.
passwords = st.text(
    st.one_of(st.sampled_from(ODD), st.characters(blacklist_categories=("Cc", "Cs"))),
    min_size=4,
    max_size=24,
)
schemes = st.sampled_from(["postgresql", "postgres", "sqlite", "memory", "mysql"])
# A refusing port on the loopback address: the CLI fails at once if the URL parses.
SHAPES = [
    "{scheme}://user:{password}@127.0.0.1:1/participatie",
    "{scheme}://user:{password}@127.0.0.1:1/participatie?schema=haaren",
    "{scheme}://:{password}@127.0.0.1:1/participatie",
    "{scheme}://user:{password}",  # no host: the '@' is forgotten or inside the password
]
shapes = st.sampled_from(SHAPES)


def store_url(shape: str, scheme: str, password: str) -> str:
    url = shape.format(scheme=scheme, password=password)
    # The password occurs once (a password equal to "user" or "127." proves nothing)...
    assume(url.count(password) == 1 and url.find(password, url.find(password) + 1) == -1)
    if "@" not in shape:
        # Without a host after it, a password cannot hold an '@' (what follows it is the host)
        # nor read as a port: "user:5432/db" is a host and a port by every reading.
        assume("@" not in password)
        assume(not re.fullmatch(r"\d+([/?].*)?", password, flags=re.DOTALL))
    return url


def shown(url: str) -> str:
    """What parse_store_url shows of the URL: its display URL, or its error."""
    try:
        return parse_store_url(url).display_url
    except ConfigurationError as error:
        return str(error)


# Passwords that steer parsing down each path; they hold '\x01', which no password here does.
PLACEHOLDERS = ["\x01", *(f"\x01{c}\x01" for c in ODD), *(f"1{c}\x01" for c in ODD)]


def message_words(shape: str, scheme: str) -> str:
    """All that parse_store_url says of URLs of this shape with other passwords."""
    return "\n".join(shown(shape.format(scheme=scheme, password=p)) for p in PLACEHOLDERS)


def assert_not_shown(password: str, text: str, words: str) -> None:
    # A password that is also a message's own words ("store", "sqli") cannot be told from them.
    assume(password not in words)
    assert password not in text, text


@settings(max_examples=300, deadline=None)
@given(shape=shapes, scheme=schemes, password=passwords)
@example(shape=SHAPES[0], scheme="postgresql", password="Geheim#2024")
@example(shape=SHAPES[0], scheme="postgresql", password="a/b?c@d:e%zz f")
@example(shape=SHAPES[3], scheme="postgresql", password="Geheim#2024")
@example(shape=SHAPES[3], scheme="postgresql", password="Geheim")
def test_parse_store_url_never_shows_the_password(shape: str, scheme: str, password: str) -> None:
    url = store_url(shape, scheme, password)
    assert_not_shown(password, shown(url), message_words(shape, scheme))


@settings(max_examples=300, deadline=None)
@given(scheme=schemes, password=passwords)
def test_the_display_url_shows_the_user_and_stars_for_the_password(
    scheme: str, password: str
) -> None:
    url = store_url(SHAPES[0], scheme, password)
    display = f"{scheme}://user:***@127.0.0.1:1/participatie"
    assert shown(url) == display or repr(display) in shown(url)


@pytest.mark.parametrize(
    ("url", "display"),
    [
        ("postgresql://me@db/x", "postgresql://me@db/x"),
        ("postgresql://db:5432/x", "postgresql://db:5432/x"),
        ("postgresql://[::1]:5432/x", "postgresql://[::1]:5432/x"),
        ("sqlite:////data/haaren@2024/p.db", "sqlite:////data/haaren@2024/p.db"),
        ("postgresql://Geheim#2024@db/x", "postgresql://***@db/x"),
        ("postgresql://me:a/b?c@db/x", "postgresql://me:***@db/x"),
        ("postgresql:me:secret@db/x", "***@db/x"),  # without '//' the scheme may be the user
        ("postgresql://me:secret", "postgresql://me:***"),
        ("postgresql://db:notaport/x", "postgresql://db:***"),
    ],
)
def test_what_a_store_url_shows_of_itself(url: str, display: str) -> None:
    assert shown(url) == display or repr(display) in shown(url)


def test_an_unencoded_password_is_refused_with_how_to_encode_it() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_store_url("postgresql://postgres:Geheim#2024@db/trajecten")
    message = str(raised.value)
    assert "'postgresql://postgres:***@db/trajecten'" in message
    assert "%23" in message
    assert "Geheim" not in message


def test_a_percent_encoded_password_is_read_as_the_password() -> None:
    config = parse_store_url("postgresql://postgres:Geheim%232024@db/trajecten")
    assert config.settings["POSTGRES_PASSWORD"] == "Geheim#2024"
    assert config.display_url == "postgresql://postgres:***@db/trajecten"


def run_stats(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARTICIPATIE_SECRET": TEST_SECRET}
    env.pop("PARTICIPATIE_STORE", None)
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "participatie", "stats", "--store", url],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# A URL that parses waits out the connect timeout (5 s), so the CLI runs a batch in parallel.
@settings(
    max_examples=1,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a batch takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cases=st.lists(
        st.tuples(shapes, schemes, passwords), min_size=10, max_size=10, unique_by=lambda c: c[2]
    )
)
@example(
    cases=[
        (SHAPES[0], "postgresql", "Geheim#2024"),
        (SHAPES[0], "postgresql", "met spaties"),
        (SHAPES[0], "postgresql", "a/b/c/d"),
        (SHAPES[1], "postgresql", "wat?nu=ja"),
        (SHAPES[0], "postgresql", "p@ss@word"),
        (SHAPES[0], "postgresql", "a:b:c:d"),
        (SHAPES[0], "postgresql", "100%zeker"),
        (SHAPES[3], "postgresql", "Geheim"),
    ]
)
def test_the_command_line_never_shows_the_password(
    cases: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    urls = [store_url(shape, scheme, password) for shape, scheme, password in cases]
    # The words of a connection failure, from a password that cannot be in any message.
    urls.append(SHAPES[0].format(scheme="postgresql", password="\x01"))
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        *results, failure = pool.map(lambda url: run_stats(url, tmp_path), urls)
    assert "***" in failure.stderr
    for (shape, scheme, password), url, result in zip(cases, urls, results, strict=False):
        assert result.returncode == 2, (url, result.stderr)
        assert "Traceback" not in result.stderr
        assert "***" in result.stderr, (url, result.stderr)
        if password in message_words(shape, scheme) + failure.stderr:
            continue  # ordinary message words, as above
        assert password not in result.stdout + result.stderr, (url, result.stderr)
