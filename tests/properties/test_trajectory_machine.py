"""The trajectory state machine, on memory:// always and on a SQLite file under CI."""

from __future__ import annotations

import os
import tempfile

import attrs
import pytest
from hypothesis import settings

from participatie import DEFAULT_POLICY
from participatie.testing import TrajectoryMachine

TestTrajectoryMachineInMemory = TrajectoryMachine.TestCase
TestTrajectoryMachineInMemory.settings = settings(stateful_step_count=40)


class _OneYearMachine(TrajectoryMachine):
    """One year of coaching and one of extension: the once-only extension rule shows."""

    policy = attrs.evolve(DEFAULT_POLICY, version="one-plus-one", coaching_years=1)


class _LongExtensionMachine(TrajectoryMachine):
    """An extension of two years would pass the three-year maximum: that rule shows."""

    policy = attrs.evolve(DEFAULT_POLICY, version="two-plus-two", extension_years=2)


TestTrajectoryMachineUnderAOneYearPolicy = _OneYearMachine.TestCase
TestTrajectoryMachineUnderAOneYearPolicy.settings = settings(
    max_examples=40, stateful_step_count=40
)
TestTrajectoryMachineUnderALongExtensionPolicy = _LongExtensionMachine.TestCase
TestTrajectoryMachineUnderALongExtensionPolicy.settings = settings(
    max_examples=40, stateful_step_count=40
)


class _SQLiteMachine(TrajectoryMachine):
    """Each run on a fresh SQLite file."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        type(self).store_url = f"sqlite:///{self._dir.name}/machine.db"
        super().__init__()

    def teardown(self) -> None:
        super().teardown()
        self._dir.cleanup()


TestTrajectoryMachineOnSQLite = pytest.mark.skipif(
    not os.environ.get("CI"), reason="the SQLite run is part of CI's profile"
)(_SQLiteMachine.TestCase)
TestTrajectoryMachineOnSQLite.settings = settings(max_examples=20, stateful_step_count=25)
