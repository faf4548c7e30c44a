"""The values request and response bodies share, and the strict base of every request body.

Request bodies are strict: an unknown field is refused (so no client can slip in a ``role`` or an
``actor``), numbers must be JSON numbers, flags JSON booleans and dates ``YYYY-MM-DD`` strings,
so that whatever the OpenAPI document forbids is refused with 400 before the library is asked.
The library's enums are used as they are, so their values are the API's. The bodies themselves
are in resident_models.py, coaching_models.py and worklist_models.py.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

__all__ = ["Created", "Day", "Number", "StrictBody", "Text", "day", "hours"]

# Years 1900 to 2099: a date outside them is a typing error, and near the ends of the calendar
# date arithmetic overflows.
_DAY_PATTERN = r"^(19|20)\d{2}-\d{2}-\d{2}$"
_DAY = re.compile(_DAY_PATTERN)


def day(value: object) -> date:
    """A business date from its ISO text only (pydantic alone would take numbers as times)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD, from 1900 to 2099")
    return date.fromisoformat(value)


#: A business date (``YYYY-MM-DD``, 1900 to 2099): the day something happened, not when it was
#: recorded.
Day = Annotated[
    date,
    BeforeValidator(day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DAY_PATTERN}),
]
Text = Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Number = StrictInt | StrictFloat


def hours(value: float) -> Decimal:
    """A JSON number as the Decimal the library counts in (through its shortest text)."""
    return Decimal(str(value))


class StrictBody(BaseModel):
    """A request body: an unknown field is refused."""

    model_config = ConfigDict(extra="forbid")


class Created(BaseModel):
    """The id of what was made; the ``Location`` header names its resource."""

    id: UUID
