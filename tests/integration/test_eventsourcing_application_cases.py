"""eventsourcing's own application test cases, run with participatie's ChainMapper plugged in.

The mapper adds a hash chain to every stored event; these cases prove that eventsourcing's
applications (saving, loading, snapshots, caches, the notification log) still work with it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import ClassVar

from eventsourcing.tests import application as cases
from eventsourcing.utils import get_topic

from participatie.audit.chain import ChainMapper


class _WithChainMapper:
    settings: ClassVar[dict[str, str]] = {}

    def setUp(self) -> None:
        self._saved = {key: os.environ.get(key) for key in ["MAPPER_TOPIC", *self.settings]}
        os.environ["MAPPER_TOPIC"] = get_topic(ChainMapper)
        os.environ.update(self.settings)
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        super().tearDown()  # type: ignore[misc]
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class TestChainMapperInExampleApplicationInMemory(
    _WithChainMapper, cases.ExampleApplicationTestCase
):
    expected_factory_topic = "eventsourcing.popo:POPOFactory"


class TestChainMapperInExampleApplicationOnSQLite(
    _WithChainMapper, cases.ExampleApplicationTestCase
):
    expected_factory_topic = "eventsourcing.sqlite:SQLiteFactory"

    def setUp(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.settings = {  # type: ignore[misc]
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(self._dir.name) / "bank.db"),
        }
        super().setUp()

    def tearDown(self) -> None:
        super().tearDown()
        self._dir.cleanup()


class TestChainMapperInApplication(_WithChainMapper, cases.ApplicationTestCase):
    pass
