"""Small-cell suppression of a two-way table with its totals (a breakdown), fast and exact.

A breakdown (:mod:`participatie.projections.breakdowns`) is a table whose rows are groups plus a
totals row, and whose columns are counts plus a total column: every row's total column is the sum
of the row's other cells, and every column's totals-row cell the sum of the groups' cells. The
rules are those of :mod:`participatie.projections.suppression` (domain.md, "Statistics"): every
count from 1 to 4 is hidden (primary), zeros next to a hidden cell in a row or column are hidden
too, and then whatever would let a reader work a hidden cell out from the cells shown and the
sums (secondary).

Whether a hidden cell can be worked out is decided here without linear algebra, which for a
table of fifty coaches took seconds per step: negate the totals row and the total column, and
every row and every column of the table sums to zero, so the hidden cells' possible values are a
fixed solution plus any circulation on the bipartite graph whose nodes are the rows and columns
and whose edges are the hidden cells. A hidden cell is therefore determined exactly when its edge
lies on no cycle of that graph: when it is a bridge. (The tests check this against
:func:`participatie.projections.suppression.determined`.)

The totals row may be published elsewhere (the outcome report shows reach, outflow and still
coached): ``fixed_hidden`` are the totals the report hides and ``fixed_shown`` those it shows,
so that the table never shows what the report hides, nor hides what the report shows (a hidden
total the report shows would be a hidden cell in name only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

from participatie.projections.suppression import is_small_cell

__all__ = ["Cell", "bridges", "hidden_table_cells"]

#: A cell of the table: (row, column).
Cell = tuple[Hashable, Hashable]


def bridges(cells: Iterable[Cell]) -> set[Cell]:
    """The cells among ``cells`` (the hidden ones) whose value the others cannot hide: the
    bridges of the bipartite graph of rows and columns with the cells as edges."""
    adjacent: dict[tuple[str, Hashable], list[tuple[tuple[str, Hashable], Cell]]] = defaultdict(
        list
    )
    for cell in cells:
        row, column = ("row", cell[0]), ("column", cell[1])
        adjacent[row].append((column, cell))
        adjacent[column].append((row, cell))
    found: set[Cell] = set()
    order: dict[tuple[str, Hashable], int] = {}
    low: dict[tuple[str, Hashable], int] = {}
    for root in adjacent:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        # Iterative depth-first search (a table of many groups would pass the recursion limit):
        # each frame is a node, the edge it was reached by, and its next neighbour to visit.
        stack: list[tuple[tuple[str, Hashable], Cell | None, int]] = [(root, None, 0)]
        while stack:
            node, via, index = stack[-1]
            if index < len(adjacent[node]):
                stack[-1] = (node, via, index + 1)
                neighbour, edge = adjacent[node][index]
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, edge, 0))
                continue
            stack.pop()
            if stack and via is not None:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.add(via)
    return found


def _reachable(cells: Iterable[Cell], start: tuple[str, Hashable]) -> set[tuple[str, Hashable]]:
    adjacent: dict[tuple[str, Hashable], list[tuple[str, Hashable]]] = defaultdict(list)
    for row, column in cells:
        adjacent[("row", row)].append(("column", column))
        adjacent[("column", column)].append(("row", row))
    seen = {start}
    todo = [start]
    while todo:
        for neighbour in adjacent[todo.pop()]:
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def hidden_table_cells(
    values: Mapping[Cell, int],
    *,
    fixed_hidden: Iterable[Cell] = (),
    fixed_shown: Iterable[Cell] = (),
) -> frozenset[Cell]:
    """The cells of a table with its totals (every (row, column) of it in ``values``) to hide:
    counts 1 to 4, the zeros next to them, and enough others that none can be worked out.

    Of the cells that could hide a cell that can be worked out, the one that does so at once
    (it closes a cycle through it) and is smallest is hidden first. A zero that cannot be
    protected (its row and column show nothing else that may be hidden) is shown: zeros are
    hidden only as a courtesy (see :mod:`participatie.projections.suppression`).
    """
    shown_always = set(fixed_shown)
    hidden = {cell for cell, value in values.items() if is_small_cell(value)} - shown_always
    hidden |= set(fixed_hidden)
    rows: dict[Hashable, list[Cell]] = defaultdict(list)
    columns: dict[Hashable, list[Cell]] = defaultdict(list)
    for cell in values:
        rows[cell[0]].append(cell)
        columns[cell[1]].append(cell)
    lines = [*rows.values(), *columns.values()]
    while True:
        for line in lines:
            if any(cell in hidden for cell in line):
                hidden.update(
                    cell for cell in line if values[cell] == 0 and cell not in shown_always
                )
        exposed = bridges(hidden)
        if not exposed:
            return frozenset(hidden)
        cell = min(exposed, key=repr)
        row, column = cell
        candidates = [
            other
            for other in (*rows[row], *columns[column])
            if other not in hidden and other not in shown_always
        ]
        if not candidates:
            if values[cell] == 0:
                # Nothing left to hide it with: show the zero, and keep showing it.
                hidden.discard(cell)
                shown_always.add(cell)
                continue
            # Not met by a breakdown: the totals' own suppression leaves another group's cell.
            return frozenset(hidden)
        rest = hidden - {cell}
        from_row = _reachable(rest, ("row", row))
        from_column = _reachable(rest, ("column", column))
        closing = [
            other
            for other in candidates
            if (other[0] == row and ("column", other[1]) in from_column)
            or (other[1] == column and ("row", other[0]) in from_row)
        ]
        hidden.add(min(closing or candidates, key=lambda c: (values[c], repr(c))))
