"""The outcome facts a pass over the log recomputes, compared with the outcomes view's as both
come, in log order (see :mod:`participatie.audit.verifier`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from participatie.projections.facts import Fact
from participatie.projections.monthly import CounterCheck

__all__ = ["FactComparer", "StoredFacts"]


class StoredFacts(Protocol):
    """What the verifier needs of the outcomes view (:class:`~participatie.projections.views.
    FactsView`): its facts as stored, a page at a time, and the two conversions."""

    def stored_facts_after(self, position: int, limit: int) -> list[tuple[Any, ...]]: ...

    def as_stored(self, fact: Fact) -> tuple[Any, ...]: ...

    def from_stored(self, row: tuple[Any, ...]) -> Fact: ...

    def counter_rows(self) -> list[tuple[Any, ...]]: ...


#: The columns of a stored fact (in :class:`Fact`'s order) the comparer reads.
_STREAM, _VERSION, _KIND, _POSITION = 0, 1, 2, 9


class FactComparer:
    """The facts recomputed from the events, compared with the view's as both come, in log
    order, a page at a time (neither is held whole in memory; the monthly counters the view's
    facts make are, about one entry for every twenty facts). Facts are compared in the form the
    store holds them; a stored fact is made a Fact again only when it differs, to name what
    differs."""

    def __init__(
        self, view: StoredFacts, through: int, page: int, problems: list[str], limit: int
    ) -> None:
        """Compare with ``view``'s facts up to position ``through`` (those after it were
        recorded after the view caught up), reading ``page`` at a time; up to ``limit``
        problems are added to ``problems``."""
        self.view, self.through, self.page = view, through, page
        self.problems, self.limit = problems, limit
        #: The monthly counters the view's facts make, added up as they are read.
        self.counters = CounterCheck()
        self.as_stored = view.as_stored
        self.kept: Iterator[tuple[Any, ...]] = self._pages()
        self.next = next(self.kept, None)

    def _pages(self) -> Iterator[tuple[Any, ...]]:
        after = 0
        while rows := self.view.stored_facts_after(after, self.page):
            self.counters.add_all(rows)
            yield from rows
            after = rows[-1][_POSITION]

    def _problem(self, text: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(f"outcome facts: {text}")

    def _extra_before(self, position: int | None) -> None:
        while self.next is not None and (position is None or self.next[_POSITION] < position):
            row = self.next
            self._problem(
                f"the view holds a fact at position {row[_POSITION]} that no event makes "
                f"(stream {row[_STREAM]}, {row[_KIND]})"
            )
            self.next = next(self.kept, None)

    def compare(self, fact: Fact) -> None:
        if fact.position > self.through:
            return  # recorded after the view caught up: not in it yet
        kept = self.next
        if kept is not None and kept[_POSITION] < fact.position:
            self._extra_before(fact.position)
            kept = self.next
        if kept is None or kept[_POSITION] != fact.position:
            self._problem(
                f"the fact of position {fact.position} (stream {fact.stream_id} version "
                f"{fact.version}, {fact.kind}) is missing from the view"
            )
            return
        if self.as_stored(fact) != kept:
            self._changed(fact, kept)
        self.next = next(self.kept, None)

    def _changed(self, fact: Fact, row: tuple[Any, ...]) -> None:
        try:
            kept = self.view.from_stored(row)
        except Exception as error:  # a value written by hand that no longer reads
            self._problem(
                f"the fact of position {fact.position} (stream {fact.stream_id} version "
                f"{fact.version}) was changed so that it no longer reads ({error})"
            )
            return
        changed = [
            f"{name} {getattr(kept, name)!r} instead of {getattr(fact, name)!r}"
            for name in Fact._fields
            if getattr(kept, name) != getattr(fact, name)
        ]
        if changed:
            self._problem(
                f"the fact of position {fact.position} (stream {fact.stream_id} version "
                f"{fact.version}) was changed: {', '.join(changed)}"
            )

    def finish(self) -> None:
        self._extra_before(None)

    def counter_problems(self) -> list[str]:
        """What is wrong with the view's monthly counters, against those its facts make (all
        of them read by now: call after :meth:`finish`)."""
        return self.counters.problems(self.view.counter_rows())
