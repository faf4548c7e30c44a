"""The municipalities a store serves (gemeenten): a register, not free text.

A store serves the municipalities it is opened with (``Participation.open(...,
municipalities={"haaren": "GM0788"})``, or the file ``PARTICIPATIE_MUNICIPALITIES`` names), each
with its CBS code. Names are matched without regard to case and surrounding spaces and stored in
one canonical form (stripped and case-folded), so "Haaren", " haaren" and "HAAREN" are one
municipality in events, facts, reports and authorisation alike. An unknown name is
:class:`~participatie.errors.InvalidInput`, in commands and reports.

>>> register = MunicipalityRegister.of({"Haaren": "GM0788", "Urk": "GM0184"})
>>> register.canonical(" HAAREN ")
'haaren'
>>> register.code("haaren")
'GM0788'
>>> register.canonical("Haarne")
Traceback (most recent call last):
...
participatie.errors.InvalidInput: municipality 'Haarne' is not one this store serves \
(haaren, urk); open the store with municipalities={...} to serve it
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path

import attrs

from participatie.domain.inputs import municipality_name
from participatie.errors import ConfigurationError, InvalidInput

__all__ = [
    "MunicipalityRegister",
    "canonical_form",
    "canonical_municipality",
    "same_municipality",
]

_CBS_CODE = re.compile(r"GM\d{4}")


def canonical_municipality(name: object, *, field: str = "municipality") -> str:
    """A municipality's name as stored: checked, stripped and case-folded."""
    if type(name) is not str:
        # A str subclass could compare equal to every name and pass a scope check.
        raise InvalidInput(f"{field} must be text (str), not {type(name).__name__}")
    return canonical_form(municipality_name(name, field=field))


def canonical_form(name: str) -> str:
    """The one form of a name as stored, for a name already checked (or stored by an earlier
    release, which did not fold case)."""
    return name.strip().casefold()


def same_municipality(stored: str, other: str) -> bool:
    """Whether two names (one as stored, perhaps by an earlier release) name one municipality."""
    return canonical_form(stored) == canonical_form(other)


@attrs.frozen
class MunicipalityRegister:
    """Canonical names to CBS codes (``GM`` and four digits)."""

    codes: Mapping[str, str]

    @classmethod
    def of(cls, municipalities: object) -> MunicipalityRegister:
        """A register from a mapping of names to CBS codes; ConfigurationError when malformed."""
        if not isinstance(municipalities, Mapping) or not municipalities:
            raise ConfigurationError(
                "municipalities is a mapping of names to CBS codes, e.g. {'haaren': 'GM0788'}, "
                f"not {municipalities!r}"
            )
        codes: dict[str, str] = {}
        for name, code in municipalities.items():
            try:
                canonical = canonical_municipality(name)
            except InvalidInput as error:
                raise ConfigurationError(f"in municipalities: {error}") from None
            if not isinstance(code, str) or not _CBS_CODE.fullmatch(code):
                raise ConfigurationError(
                    f"the CBS code of {name!r} is GM and four digits (e.g. GM0788), not {code!r}"
                )
            if canonical in codes:
                raise ConfigurationError(f"municipality {name!r} is named twice")
            codes[canonical] = code
        return cls(codes=codes)

    @classmethod
    def load(cls, path: str | Path) -> MunicipalityRegister:
        """A register from a file: a JSON object of names to codes, or CSV lines name,code."""
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise ConfigurationError(
                f"cannot read the municipalities file {path}: {error}"
            ) from None
        if text.lstrip().startswith("{"):
            try:
                return cls.of(json.loads(text))
            except ValueError as error:
                raise ConfigurationError(f"{path} is not valid JSON: {error}") from None
        rows = [row for row in csv.reader(io.StringIO(text)) if row and any(row)]
        if rows and [cell.strip().casefold() for cell in rows[0]] == ["name", "code"]:
            rows = rows[1:]
        if any(len(row) != 2 for row in rows):
            raise ConfigurationError(f"{path}: each line is name,code (e.g. haaren,GM0788)")
        return cls.of({row[0]: row[1].strip() for row in rows})

    def canonical(self, name: object, *, field: str = "municipality") -> str:
        """The canonical name of a municipality this store serves, or InvalidInput."""
        canonical = canonical_municipality(name, field=field)
        if canonical not in self.codes:
            served = ", ".join(sorted(self.codes))
            raise InvalidInput(
                f"{field} {name!r} is not one this store serves ({served}); open the store "
                "with municipalities={...} to serve it"
            )
        return canonical

    def code(self, name: object) -> str:
        """The CBS code of a municipality this store serves."""
        return self.codes[self.canonical(name)]
