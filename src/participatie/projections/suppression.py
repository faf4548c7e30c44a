"""Small-cell suppression with secondary suppression (domain.md, "Statistics").

A published report hides every count from 1 to 4 (primary suppression) and whatever would let a
reader work a hidden count out from the counts shown and the identities the report states
(secondary suppression). The identities are sums: ``total = part + part + ...`` (outflow by
reason + still coached = reach, and so on; see :meth:`OutcomeReport.cells`).

Zeros: a zero is shown, except in an identity that has a hidden cell, where it is hidden as well.
A zero says nothing about anyone, but shown next to a hidden cell it tells the reader where the
rest of the total is not (Haaren: 50 reached - 23 work - 5 volunteer - 20 still coached - four
zeros = 2 moved away), and that the hidden cells are at least 1. Hidden among the zeros, a
hidden cell may be 0 as far as the reader can tell. Zeros are hidden first because hiding them
costs the reader nothing; when that is not enough, the smallest part still shown is hidden, and
the total when no part is left.

Whether a hidden cell can be worked out is decided exactly: with the shown cells filled in, the
identities are linear equations in the hidden ones, and a hidden cell is determined when its
column is not a combination of the other hidden cells' columns (rational Gaussian elimination).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

__all__ = ["SMALL", "Identity", "determined", "hidden_cells", "is_small_cell"]

#: Counts under this (and above 0) are hidden in published reports.
SMALL = 5

#: ``(total, parts)``: the cell named ``total`` is the sum of the cells named ``parts``.
Identity = tuple[str, Sequence[str]]


def is_small_cell(count: int) -> bool:
    """Whether a count is too small to publish (1 to 4; 0 says nothing about anyone)."""
    return 0 < count < SMALL


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [row[:] for row in rows if any(row)]
    rank = 0
    columns = len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column]:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def determined(identities: Iterable[Identity], hidden: Iterable[str]) -> set[str]:
    """The hidden cells whose value follows from the shown cells and the identities."""
    names = sorted(set(hidden))
    index = {name: i for i, name in enumerate(names)}
    rows = []
    for total, parts in identities:
        row = [Fraction(0)] * len(names)
        for name, sign in [(total, 1), *((part, -1) for part in parts)]:
            if name in index:
                row[index[name]] += sign
        if any(row):
            rows.append(row)
    if not rows:
        return set()
    full = _rank(rows)
    return {
        name for name, i in index.items() if _rank([row[:i] + row[i + 1 :] for row in rows]) < full
    }


def hidden_cells(values: Mapping[str, int], identities: Sequence[Identity]) -> frozenset[str]:
    """The cells to hide: counts 1 to 4, and enough others that none of them can be worked out
    (see the module's documentation)."""
    hidden = {name for name, value in values.items() if is_small_cell(value)}
    while True:
        for total, parts in identities:
            cells = [total, *parts]
            if any(cell in hidden for cell in cells):
                hidden.update(cell for cell in cells if values[cell] == 0)
        worked_out = determined(identities, hidden)
        if not worked_out:
            return frozenset(hidden)
        cell = min(worked_out)
        candidates = [
            i for i in identities if cell in (i[0], *i[1]) and _shows_some(i, hidden)
        ] or [i for i in identities if _shows_some(i, hidden) and not _shows_all(i, hidden)]
        if not candidates:  # pragma: no cover (every cell of every identity is hidden)
            return frozenset(hidden)
        total, parts = candidates[0]
        shown = [part for part in parts if part not in hidden]
        hidden.add(min(shown, key=lambda part: (values[part], part)) if shown else total)


def _shows_some(identity: Identity, hidden: set[str]) -> bool:
    return any(cell not in hidden for cell in (identity[0], *identity[1]))


def _shows_all(identity: Identity, hidden: set[str]) -> bool:
    return not any(cell in hidden for cell in (identity[0], *identity[1]))
