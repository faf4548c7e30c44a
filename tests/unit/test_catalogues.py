"""The message catalogues (src/participatie/locale) hold every message of the code, and no other;
Dutch translates each, with the same placeholders. ``make messages`` brings a catalogue up to
date with the code; a translator then fills in the Dutch."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import participatie
from participatie import LANGUAGES

SOURCE = Path(participatie.__file__).parent
LOCALE = SOURCE / "locale"


def catalogue(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "participatie.po").open("rb") as po:
        return read_po(po, locale=lang)


def code_messages() -> set[str | tuple[str, str]]:
    """The messages the code names (``_("...")``, ``gettext``, ``ngettext``, ``N_``)."""
    messages: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(SOURCE):
        messages.add(message if isinstance(message, str) else (message[0], message[1]))
    return messages


def catalogue_messages(lang: str) -> set[str | tuple[str, str]]:
    return {
        message.id if isinstance(message.id, str) else (message.id[0], message.id[1])
        for message in catalogue(lang)
        if message.id
    }


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalogue_holds_exactly_the_messages_of_the_code(lang: str) -> None:
    code, catalogued = code_messages(), catalogue_messages(lang)
    assert code - catalogued == set(), "run `make messages` and translate what is new"
    assert catalogued - code == set(), "run `make messages` to drop what the code no longer says"
    assert len(code) > 50


def test_every_message_is_translated_into_dutch_with_the_same_placeholders() -> None:
    for message in catalogue("nl"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string or ())
        assert all(texts), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        for text in texts:
            assert fields(text) == fields(ids[0]), f"placeholders of {message.id!r}"
        assert texts != ids, f"not Dutch: {message.id!r}"
