"""The resident trajectory's events keep their stored topics, wherever their classes are defined.

Most of the trajectory's events are defined in mixins (domain/resident_intake.py and the
others), and name the aggregate's module and class in an explicit ``TOPIC``. The topics checked
here are read from the frozen corpora (tests/compat/<version>/store.db.gz) and the list of those
awaiting the next freeze, not from the code, so that a class that changed its topic fails.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from participatie.domain.resident import ResidentTrajectory
from participatie.domain.resident_base import ResidentCommands, ResidentEvent
from tests.compat.test_corpus import AWAITING_FREEZE, CORPORA, _stored, _unpack

_MODULE = "participatie.domain.resident:"
_EVENT = f"{_MODULE}ResidentTrajectory."


@pytest.fixture(scope="module")
def historical(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every topic of the resident's module the corpora hold (events, the aggregate of the
    snapshots, the values in snapshot states), and those awaiting the next freeze."""
    found: set[str] = set()
    for corpus in CORPORA:
        topics, _, values = _stored(_unpack(corpus, tmp_path_factory.mktemp(corpus.name)))
        found |= {t for t in topics | values if t.startswith(_MODULE)}
    for awaiting in AWAITING_FREEZE.values():
        found |= {t for t in awaiting if t.startswith(_MODULE)}
    return found


def _event_classes() -> dict[str, type]:
    """The event classes of the trajectory, by their attribute names; not the bases Event and
    Created (eventsourcing's, inherited by Registered), which are never stored."""
    return {
        name: value
        for name in dir(ResidentTrajectory)
        if name not in {"Event", "Created"}
        and isinstance(value := getattr(ResidentTrajectory, name), type)
        and issubclass(value, CanMutateAggregate)
    }


def _reachable_event_classes() -> set[type]:
    """The trajectory's event classes, the base event class and every subclass of any of them."""
    found: set[type] = set()
    todo: list[type] = [ResidentEvent, *_event_classes().values()]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def test_the_corpora_hold_the_topics_of_the_events(historical: set[str]) -> None:
    # The list is not empty by accident: registration and placement are in every corpus.
    assert f"{_EVENT}Registered" in historical
    assert f"{_EVENT}Placed" in historical
    assert f"{_MODULE}WageValue" in historical


def test_every_event_class_has_its_historical_topic_and_resolves_to_itself(
    historical: set[str],
) -> None:
    classes = _event_classes()
    assert {get_topic(cls) for cls in classes.values()} == {
        t for t in historical if t.startswith(_EVENT)
    }
    for name, cls in classes.items():
        topic = f"{_EVENT}{name}"
        assert get_topic(cls) == topic
        assert resolve_topic(topic) is cls


def test_the_other_topics_of_the_module_resolve_and_round_trip(historical: set[str]) -> None:
    for topic in historical:
        assert get_topic(resolve_topic(topic)) == topic


_FRESH = """
import json, sys
from eventsourcing.utils import get_topic, resolve_topic
topics = json.loads(sys.stdin.read())
resolve_first = sys.argv[1] == "resolve"
if resolve_first:
    resolved = {t: resolve_topic(t) for t in topics}
from participatie.domain.resident import ResidentTrajectory
classes = {t: getattr(ResidentTrajectory, t.rpartition(".")[2]) for t in topics}
got = {t: get_topic(cls) for t, cls in classes.items()}
if not resolve_first:
    resolved = {t: resolve_topic(t) for t in topics}
print(json.dumps({t: [got[t], resolved[t] is classes[t]] for t in topics}))
"""


@pytest.mark.parametrize("first", ["resolve", "get_topic"])
def test_in_a_fresh_process_topics_resolve_before_or_after_get_topic(
    historical: set[str], first: str
) -> None:
    # The topic caches are process-wide: in a new process, resolving a stored topic before any
    # get_topic was called (a store being read) must give the class get_topic names by it.
    topics = sorted(t for t in historical if t.startswith(_EVENT))
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", _FRESH, first],
        input=json.dumps(topics),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert json.loads(result.stdout) == {t: [t, True] for t in topics}


def test_no_event_class_inherits_a_topic() -> None:
    # A TOPIC is a class attribute, and so inherited: a subclass of an event with a TOPIC of its
    # own would be stored under its parent's topic, and read back as the parent.
    for cls in _reachable_event_classes():
        topic = getattr(cls, "TOPIC", None)
        if topic is not None:
            assert vars(cls).get("TOPIC") == topic, f"{cls.__qualname__} inherits TOPIC {topic!r}"
            assert f"{_EVENT}{cls.__name__}" == topic, cls.__qualname__
            assert "TOPIC" not in {f.name for f in dataclasses.fields(cls)}
    assert "TOPIC" not in vars(ResidentEvent)


def test_the_mixins_events_are_the_aggregates_as_they_are() -> None:
    # eventsourcing redefines (subclasses) an event class it finds only in a base class: the
    # aggregate names each mixin's event itself, and each already subclasses its base Event.
    assert ResidentTrajectory.Event is ResidentEvent
    mixins = [b for b in ResidentTrajectory.__mro__ if issubclass(b, ResidentCommands)][1:]
    assert len(mixins) == 6  # five concerns and their base
    moved = 0
    for mixin in mixins:
        for name, value in vars(mixin).items():
            if isinstance(value, type) and issubclass(value, CanMutateAggregate):
                assert getattr(ResidentTrajectory, name) is value, name
                assert vars(ResidentTrajectory)[name] is value, name
                assert issubclass(value, ResidentEvent), name
                moved += 1
    assert moved == 15
    assert ResidentTrajectory.Placed.__module__ == "participatie.domain.resident_placement"
