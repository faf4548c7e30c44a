"""The languages of the figures and the report: Dutch by default, English on request.

The texts are gettext messages: the code names each in English (``language.gettext("reach")``),
and ``participatie/locale/<lang>/LC_MESSAGES/participatie.po`` gives its translation (English is
the language of the code, so its catalogue leaves each message as written). A catalogue is
compiled from its ``.po`` file the first time it is used (Babel's ``babel.messages``), so there is
no compiled ``.mo`` file that could fall behind its source. ``make messages`` collects the
messages of the code into both catalogues; a test fails while one is missing or untranslated.

Numbers and dates are written the way the language writes them, through Babel:

>>> nl, en = language("nl"), language("en")
>>> nl.integer(1234), nl.decimal(2.444), nl.decimal(0.44, signed=True), nl.percent(46)
('1.234', '2,44', '+0,44', '46%')
>>> en.integer(1234), en.decimal(2.444)
('1,234', '2.44')
>>> from datetime import date
>>> nl.day(date(2019, 3, 1)), nl.month(date(2019, 3, 1)), en.day(date(2019, 3, 1))
('1 maart 2019', 'mrt 2019', '2019-03-01')
>>> nl.gettext("reach"), en.gettext("reach")
('Bereik', 'reach')
"""

from __future__ import annotations

import functools
import gettext
import io
from datetime import date
from decimal import Decimal
from importlib.resources import files
from typing import Final, Literal, get_args

import attrs

from participatie.errors import InvalidInput

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "N_", "Lang", "Language", "language"]

#: The language codes there are catalogues for.
Lang = Literal["nl", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
#: What a municipality publishes in, unless English is asked for.
DEFAULT_LANGUAGE: Final[Lang] = "nl"

#: The gettext domain: the catalogues' file name.
DOMAIN = "participatie"

#: How each language writes a day and a month (Babel's date patterns). English keeps the ISO dates
#: that the report has always shown; Dutch writes them out ("1 maart 2019", "mrt 2019").
_DATE_PATTERNS: Final[dict[Lang, tuple[str, str]]] = {
    "nl": ("d MMMM y", "MMM y"),
    "en": ("yyyy-MM-dd", "yyyy-MM"),
}


def N_(message: str) -> str:  # noqa: N802 (the gettext name that message extraction looks for)
    """Marks a message to translate later (in a table of labels): returns it as it is."""
    return message


@functools.cache
def _translations(lang: Lang) -> gettext.NullTranslations:
    """The catalogue of one language, compiled from its .po file (once per process)."""
    from babel.messages.mofile import write_mo  # noqa: PLC0415 (only when a report is written)
    from babel.messages.pofile import read_po  # noqa: PLC0415
    from babel.support import Translations  # noqa: PLC0415

    source = files("participatie") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@attrs.frozen
class Language:
    """The messages, numbers and dates of one language (get one with :func:`language`)."""

    code: Lang

    def gettext(self, message: str) -> str:
        """The message in this language."""
        return _translations(self.code).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or the plural message in this language, as ``n`` asks."""
        return _translations(self.code).ngettext(singular, plural, n)

    def integer(self, value: int) -> str:
        """A count with the language's thousands separator (1.234 in Dutch)."""
        from babel.numbers import format_decimal  # noqa: PLC0415

        return format_decimal(value, format="#,##0", locale=self.code)

    def decimal(self, value: Decimal | float, *, places: int = 2, signed: bool = False) -> str:
        """A number with ``places`` decimals (2,44 in Dutch), with a + before a positive one when
        ``signed``."""
        from babel.numbers import format_decimal  # noqa: PLC0415

        pattern = "#,##0." + "0" * places if places else "#,##0"
        if signed:
            pattern = f"+{pattern};-{pattern}"
        return format_decimal(value, format=pattern, locale=self.code)

    def percent(self, percent: Decimal | float) -> str:
        """A percentage (not a fraction) in whole percents: 46%."""
        from babel.numbers import format_percent  # noqa: PLC0415

        return format_percent(Decimal(str(percent)) / 100, locale=self.code)

    def day(self, day: date) -> str:
        """A day as the language writes it."""
        from babel.dates import format_date  # noqa: PLC0415

        return format_date(day, _DATE_PATTERNS[self.code][0], locale=self.code)

    def month(self, day: date) -> str:
        """The month of a day, short, as the language writes it (a chart's axis)."""
        from babel.dates import format_date  # noqa: PLC0415

        return format_date(day, _DATE_PATTERNS[self.code][1], locale=self.code)


def language(lang: str = DEFAULT_LANGUAGE) -> Language:
    """The :class:`Language` of a code from :data:`LANGUAGES`; another code is refused."""
    if lang not in LANGUAGES:
        raise InvalidInput(f"the language is one of {', '.join(LANGUAGES)}, not {lang!r}")
    return Language(lang)
