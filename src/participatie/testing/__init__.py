"""Property-testing support for applications that import participatie.

- :mod:`participatie.testing.strategies`: hypothesis strategies (``bsns()``, ``actors()``,
  ``policies()``, ``command_sequences()``, ``trajectories()``, ...).
- :mod:`participatie.testing.commands`: commands as plain values and ``run_commands()``.
- :class:`TrajectoryMachine`: a hypothesis state machine to subclass with your own rules;
  ``READER`` is the actor it reads trajectories as (an auditor of every municipality).
"""

from participatie.testing import commands, strategies
from participatie.testing.machine import READER, TrajectoryMachine

__all__ = ["READER", "TrajectoryMachine", "commands", "strategies"]
