"""Commands that may be sent again: a command id saved with the events, and the store's lost
connections as :class:`~participatie.errors.StoreUnavailable`.

Every command of :class:`~participatie.Participation` takes a keyword-only ``command_id`` (a
UUID the caller makes, once per intended command). The id is saved in the same transaction as
the command's events (the ``participatie_commands`` table), so either both are stored or
neither. A command whose id was saved is not carried out again: it returns what it returned the
first time (the new resident's, coaching's or note's id; None for the others) and appends
nothing. So a caller that lost its connection halfway (:class:`StoreUnavailable`: the commit
may or may not have happened) sends the same command with the same id again, and it is
recorded exactly once. A command that was refused (a rule, a permission) saved nothing, its id
included: sent again, it is decided again.

The id is checked by the table's primary key when the events are saved: a second save of the id
fails, the command looks the id up and returns the first result (this also covers the store's
own retry of a transaction whose commit was not acknowledged). A command sent again that its
rules now refuse (a second intake, a BSN registered already) looks its id up before raising. So
on the normal path a command id costs one row written with the events, and no read.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import InterfaceError, OperationalError

from participatie.errors import InvalidInput, ParticipatieError, StoreUnavailable

if TYPE_CHECKING:
    from participatie.persistence.base import DoneCommand, ParticipationRecorder
    from participatie.service.core import Core

__all__ = [
    "AlreadyDone",
    "PendingCommand",
    "check_done",
    "describe",
    "idempotent",
    "pending_command",
    "promise_result",
    "store_errors",
    "with_command_id",
]

P = ParamSpec("P")
R = TypeVar("R")


@attrs.define
class PendingCommand:
    """The command under way that carries an id, what it is (see :func:`describe`), and the
    id it will return (if any)."""

    command_id: UUID
    command: str = ""
    result: UUID | None = None

    def save_with(self) -> dict[str, Any]:
        """What goes with the command's events to the recorder."""
        return {"commands_done": [(self.command_id, self.result, self.command)]}

    def first(self, done: DoneCommand) -> UUID | None:
        """The result of the command saved under this id, when it was this command; an id
        saved with another command (another name, actor or resident) is refused, so that a
        reused id never answers with another command's result or swallows this one."""
        if done.command != self.command:
            raise InvalidInput(
                f"command_id {self.command_id} was used for another command already; make a "
                "new id for each command (the same id only to send the same command again)"
            )
        return done.result


def describe(name: str, args: tuple[object, ...], kwargs: dict[str, object]) -> str:
    """What a command is, for telling the same command sent again from another with the same
    id: its name, its actor's id and the id it acts on (the resident's, the coaching's)."""
    by = kwargs.get("by")
    actor = getattr(by, "id", "")
    # The id acted on, given in its place or by its keyword.
    named = kwargs.get("resident_id", kwargs.get("coaching_id", ""))
    target = args[1] if len(args) > 1 else named
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        target = UUID(str(target))  # one spelling of an id, however the caller wrote it
    return f"{name} {actor} {target}".strip()


class AlreadyDone(Exception):
    """Raised inside a command when its id turns out to be saved already (by the store's own
    retry of a commit that was not acknowledged, or by a concurrent sender of the same id)."""

    def __init__(self, result: UUID | None) -> None:
        super().__init__("the command was saved already")
        self.result = result


_pending: ContextVar[PendingCommand | None] = ContextVar("participatie_command", default=None)


def pending_command() -> PendingCommand | None:
    """The command with an id under way in this context, if any."""
    return _pending.get()


def promise_result(result: UUID) -> None:
    """Say, before saving, the id the command under way returns: it is saved with the command
    id, so that the command sent again returns the same id."""
    pending = _pending.get()
    if pending is not None:
        pending.result = result


def with_command_id(save_with: dict[str, Any]) -> dict[str, Any]:
    """``save_with`` and, while a command with an id is under way, its id (saved with the
    command's own events, never with a security or access log's)."""
    pending = _pending.get()
    return save_with if pending is None else {**save_with, **pending.save_with()}


def check_done(recorder: ParticipationRecorder) -> None:
    """After a save was refused: raise :class:`AlreadyDone` when the refusal was the command's
    own id, saved already."""
    pending = _pending.get()
    if pending is not None:
        done = recorder.command_done(pending.command_id)
        if done is not None:
            raise AlreadyDone(pending.first(done))


@contextlib.contextmanager
def store_errors(core: Core) -> Iterator[None]:
    """Lost connections and stores that cannot be reached, as :class:`StoreUnavailable`; the
    pool's idle connections are checked, so that the next command connects afresh (on a
    failover cluster, to the new primary)."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        core.store.store_factory.reconnect()
        raise StoreUnavailable(
            f"the store {core.store_url} could not be reached or the connection was lost "
            f"({type(error.__cause__ or error).__name__}); whether the command was saved is "
            "not known: send it again with the same command_id"
        ) from error


def idempotent(command: Callable[P, R]) -> Callable[P, R]:
    """Run a room's command once per ``command_id`` (its keyword argument; None: no id), and
    raise :class:`StoreUnavailable` when the store's connection is lost."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        core: Core = args[0]._core  # type: ignore[attr-defined]  # every room has its core
        command_id = kwargs.get("command_id")
        with store_errors(core):
            if command_id is None:
                if _pending.get() is None:
                    return command(*args, **kwargs)
                token = _pending.set(None)  # a command inside another keeps no id of its own
                try:
                    return command(*args, **kwargs)
                finally:
                    _pending.reset(token)
            what = describe(command.__name__, args, kwargs)
            return _once(core, _as_command_id(command_id), what, command, *args, **kwargs)

    return run


def _once(
    core: Core,
    command_id: UUID,
    what: str,
    command: Callable[P, R],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> R:
    pending = PendingCommand(command_id, what)
    token = _pending.set(pending)
    try:
        return command(*args, **kwargs)
    except AlreadyDone as first:
        return cast("R", first.result)
    except ParticipatieError:
        # Refused: perhaps because it was done already (a second intake, a BSN registered).
        done = core.store.participation_recorder.command_done(command_id)
        if done is None:
            raise
        return cast("R", pending.first(done))
    finally:
        _pending.reset(token)


def _as_command_id(value: object) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return UUID(value)
    raise InvalidInput(f"a command_id is a UUID, not {value!r}")
