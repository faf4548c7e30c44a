"""The citizen service number (burgerservicenummer, BSN) and its eleven-test.

A BSN is personal data: it is validated here and then kept only in the personal-data vault, never in
an event.
"""

from __future__ import annotations

from participatie.errors import InvalidInput

__all__ = ["is_valid_bsn", "validate_bsn"]

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """Whether ``value`` is nine digits that pass the eleven-test.

    The weighted sum (weights 9..2 and -1 on the last digit) must be divisible by 11 and not 0.

    >>> is_valid_bsn("123456782"), is_valid_bsn("123456789")
    (True, False)
    """
    if not isinstance(value, str) or len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


def validate_bsn(value: object) -> str:
    """Return ``value`` if it is a valid BSN, else raise :class:`InvalidInput` saying why.

    Numbers are not accepted: a BSN may start with 0, which an int would lose.
    """
    if not isinstance(value, str):
        raise InvalidInput(
            f"a BSN must be given as text of nine digits, not {type(value).__name__}"
        )
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        raise InvalidInput("a BSN is exactly nine digits (leading zeros included)")
    if not is_valid_bsn(value):
        raise InvalidInput("this BSN fails the eleven-test; check it for a typing error")
    return value
