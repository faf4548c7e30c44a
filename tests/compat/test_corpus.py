"""Every frozen corpus opens with the current code and gives what its release gave.

A corpus (tests/compat/<version>/, written by ``python -m tests.compat.corpus VERSION``) is a
store written by that release and what it must give. Each is opened as a copy, on SQLite as it
was written and on PostgreSQL after its rows are copied there byte for byte, and observed with
:func:`tests.compat.corpus.observe`. A persisted topic of the current code without a sample in
the newest corpus, or a stored topic that no longer resolves, fails the build.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import construct_topic, get_topic, resolve_topic

import participatie
from participatie import Participation
from tests.compat.corpus import HERE, observe

CORPORA = sorted(
    (p for p in HERE.iterdir() if (p / "expected.json").is_file()),
    key=lambda p: tuple(int(n) for n in p.name.split(".")),
)

#: The reports of the 0.1.0 corpus (tests.compat.corpus._report_queries), by name.
_REPORTS_0_1_0 = (
    "oss 2019",
    "oss 2020",
    "haaren 2019 target 30",
    "haaren first half 2019",
    "haaren 2019 as of 2019-06-30",
    "haaren 2019 known at the scenario's middle",
    "noordoostpolder 2019",
    "noordoostpolder 2020",
    "noordoostpolder 2021",
    "noordoostpolder 2022",
    "all 2019-2022",
)
_REACH = (
    "0.2.0: reach is the residents coached in the period (open at any moment of it, also those "
    "carried over open from before), no longer only those registered in it (domain.md, "
    "decisions of 2026-11-29); outflow is over that reach, so its denominators change with it"
)
_OUTFLOW = (
    "0.2.0: outflow counts reached residents closed at the end of the period by a closure "
    "inside it; a resident who flowed out and was reopened and is open at the end is still "
    "coached, no longer outflow (outflow + still coached = reach)"
)

#: Changes of meaning made on purpose in a later release, per corpus and observation key:
#: (the path into the observations, the reason). Each is documented in CHANGELOG.md. The path
#: names dictionary keys and list positions; the observation it names is left out on both sides.
INTENDED_CHANGES: dict[str, dict[tuple[str | int, ...], str]] = {
    "0.1.0": {
        **{
            ("reports", name, "inflow"): "0.2.0: inflow (registered in the period) is a new figure"
            for name in _REPORTS_0_1_0
        },
        **{
            ("reports", name, key): _REACH
            for name in ("oss 2020", *(f"noordoostpolder {y}" for y in (2020, 2021, 2022)))
            for key in ("reach", "outflow")
        },
        ("reports", "all 2019-2022", "outflow"): _OUTFLOW,
        **{
            ("reports", name, "job_coaching", key): (
                "0.2.0: new figures of job coaching: cap use per coaching year, coaching years "
                "near the cap, coaching running at the end and the evaluation signal"
            )
            for name in _REPORTS_0_1_0
            for key in ("cap_use", "near_cap", "running", "evaluation_overdue")
        },
        # Resident a's history, entry 21 (TrajectoryExtended), its data's pair 1: the reason.
        ("history", "a", 21, "data", 1, 1): (
            "0.2.0: extension reasons are an ExtensionReason; the free text 0.1.0 stored "
            "(\"employer needs more time to take over\") reads as 'other' "
            "(tests/compat/test_upcasting.py checks the new value)"
        ),
    }
}

#: Persisted names (topics, transcodings) of the current code that no frozen corpus holds a
#: sample of yet, by the release whose corpus will: freezing that corpus stores them. A final
#: release (a version without ".dev") has a corpus of its own, so nothing waits for it.
AWAITING_FREEZE: dict[str, set[str]] = {
    "0.3.0": {
        # The security log (issue 20): refused attempts, one stream per day.
        "participatie.audit.security:SecurityLog.Opened",
        "participatie.audit.security:SecurityLog.AttemptRefused",
        # 0.3.0: a resident's rights (service/rights.py): the receipt of a correction of
        # personal data (AVG art. 16) with its CorrectionReason, and the receipt of a note.
        "participatie.domain.resident:ResidentTrajectory.PersonalDataCorrected",
        "participatie.domain.resident:ResidentTrajectory.NoteAdded",
        "participatie.CorrectionReason",
    },
}

#: Topics the current code still reads but no release writes: events of development builds that
#: never reached a release, kept readable so that a store such a build wrote still opens and
#: reads. No frozen corpus can hold a sample of them.
WRITTEN_BY_DEVELOPMENT_BUILDS_ONLY = {
    # The processing log as a stream per resident (0.3.0.dev); since then its records are rows
    # of their own table (participatie_processing_records), bound to the ledger.
    "participatie.audit.processing:ProcessingLog.Opened",
    "participatie.audit.processing:ProcessingLog.Processed",
    "participatie.audit.processing:ProcessingLog.ProcessedTogether",
}


def _expected(corpus: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    return expected


def _unpack(corpus: Path, folder: Path) -> Path:
    db = folder / "store.db"
    with gzip.open(corpus / "store.db.gz", "rb") as packed, db.open("wb") as raw:
        shutil.copyfileobj(packed, raw)
    return db


def _compare(corpus: Path, observed: dict[str, Any]) -> None:
    expected = json.loads(json.dumps(_expected(corpus)["observations"]))
    observed = json.loads(json.dumps(observed))
    for path in INTENDED_CHANGES.get(corpus.name, {}):
        for side in (expected, observed):
            parent: Any = side
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            if isinstance(parent, list) and isinstance(last, int):
                parent[last] = "(changed on purpose)"
            else:
                parent.pop(last, None)
    for key in expected:
        assert observed.get(key) == expected[key], f"{corpus.name}: {key} differs"
    assert observed.keys() == expected.keys()


def test_there_is_a_corpus_of_every_release_since_0_1_0() -> None:
    assert [c.name for c in CORPORA][:1] == ["0.1.0"]
    newest = tuple(int(n) for n in CORPORA[-1].name.split("."))
    current = tuple(int(n) for n in participatie.__version__.split(".")[:3] if n.isdigit())
    assert newest <= current


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_a_sqlite_store_of_every_release_gives_what_it_gave(corpus: Path, tmp_path: Path) -> None:
    db = _unpack(corpus, tmp_path)
    expected = _expected(corpus)
    with Participation.open(f"sqlite:///{db}", secret=expected["secret"]) as app:
        observed = observe(app, expected["spec"], corpus)
    _compare(corpus, observed)


# PostgreSQL: the corpus's rows, copied byte for byte into a new store's tables.

#: SQLite tables that are eventsourcing's own, by their PostgreSQL names; the outcomes view and
#: its tracking are derived (the PostgreSQL store builds them from the events).
_RENAMED = {"stored_events": "participation_events", "stored_snapshots": "participation_snapshots"}
_DERIVED = ("tracking", "participatie_outcome_facts")


def _as_postgres(value: object, data_type: str) -> object:
    """A value as SQLite keeps it, in the type of the PostgreSQL column."""
    if value is None:
        return None
    if data_type == "boolean":
        return bool(value)
    if data_type.startswith("timestamp") and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _copy_to_postgres(db: Path, url: str, secret: str) -> None:
    """Create a store at ``url``, then copy every table of the SQLite store into it, events in
    log order (so that positions stay the same), column by column."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    Participation.open(url, secret=secret).close()  # creates the tables
    schema = url.rsplit("schema=", 1)[1]
    source = sqlite3.connect(db)
    try:
        with psycopg.connect(url.split("?", maxsplit=1)[0]) as target:
            columns_of: dict[str, dict[str, str]] = {}
            for table, column, data_type in target.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s",
                (schema,),
            ):
                columns_of.setdefault(table, {})[column] = data_type
            tables = [
                name
                for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if not name.startswith(_DERIVED)
            ]
            for sqlite_table in tables:
                postgres_table = _RENAMED.get(sqlite_table, sqlite_table)
                types = columns_of[postgres_table]
                names = [
                    row[1]
                    for row in source.execute(f"PRAGMA table_info({sqlite_table})")
                    if row[1] in types
                ]
                # Events keep their log order (SQLite's rowid); some tables have no rowid.
                order = " ORDER BY rowid" if sqlite_table == "stored_events" else ""
                rows = source.execute(
                    f"SELECT {', '.join(names)} FROM {sqlite_table}{order}"
                ).fetchall()
                statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(schema, postgres_table),
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join(sql.Placeholder() * len(names)),
                )
                with target.cursor() as cursor:
                    cursor.executemany(
                        statement,
                        [
                            tuple(
                                _as_postgres(v, types[n]) for v, n in zip(row, names, strict=True)
                            )
                            for row in rows
                        ],
                    )
    finally:
        source.close()


@pytest.mark.postgres
@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_a_postgres_store_of_every_release_gives_what_it_gave(
    corpus: Path, tmp_path: Path, postgres_schema_url: str
) -> None:
    db = _unpack(corpus, tmp_path)
    expected = _expected(corpus)
    _copy_to_postgres(db, postgres_schema_url, expected["secret"])
    with Participation.open(postgres_schema_url, secret=expected["secret"]) as app:
        observed = observe(app, expected["spec"], corpus)
    _compare(corpus, observed)


# Every persisted topic has a sample, and every sample resolves.


def _persisted_topics() -> set[str]:
    """The topic of every event and snapshot class the current code can store."""
    import participatie.application  # noqa: F401, PLC0415 (imports every persisted class)
    from participatie.audit.snapshots import Snapshot  # noqa: PLC0415

    found = {get_topic(Snapshot)}
    todo: list[type] = [CanMutateAggregate]
    while todo:
        cls = todo.pop()
        sub: type
        for sub in cls.__subclasses__():
            todo.append(sub)
            name = sub.__qualname__
            # Events are nested in their aggregate (or in a mixin of it); the aggregates' own
            # bases are not stored. The topic is the one eventsourcing gives: a class's TOPIC, if
            # it has one (the resident's events defined in mixins name the aggregate), else
            # module:qualname. construct_topic, not get_topic, which would also register it, for
            # the original of a class the aggregate redefined too (same topic, another class).
            if (
                sub.__module__.startswith("participatie.")
                and "<locals>" not in name
                and "." in name
                and not name.endswith((".Event", ".Created"))
            ):
                found.add(construct_topic(sub))
    return found


def _stored(db: Path) -> tuple[set[str], set[str], set[str]]:
    """The topics of the stored events and snapshots, the transcoding names in their states,
    and the topics of values packed into snapshot states."""
    connection = sqlite3.connect(db)
    topics: set[str] = set()
    transcodings: set[str] = set()
    values: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "_type_" in node:
                transcodings.add(node["_type_"])
            for key, value in node.items():
                if key == "__attrs__" and isinstance(value, str):
                    values.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    try:
        for table in ("stored_events", "stored_snapshots"):
            for topic, state in connection.execute(f"SELECT topic, state FROM {table}"):
                topics.add(topic)
                walk(json.loads(bytes(state)[32:] if table == "stored_events" else bytes(state)))
    finally:
        connection.close()
    return topics, transcodings, values


def _transcoding_names() -> set[str]:
    """The names of the transcodings the current code registers (eventsourcing's and ours)."""
    from eventsourcing.persistence import (  # noqa: PLC0415
        DatetimeAsISO,
        DecimalAsStr,
        JSONTranscoder,
        UUIDAsHex,
    )

    from participatie.transcodings import register_transcodings  # noqa: PLC0415

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_transcodings(transcoder)
    return set(transcoder.names)


def test_every_persisted_topic_of_the_current_code_has_a_sample_in_the_newest_corpus(
    tmp_path: Path,
) -> None:
    topics, transcodings, _ = _stored(_unpack(CORPORA[-1], tmp_path))
    awaiting = AWAITING_FREEZE.get(_release(participatie.__version__), set())
    missing = sorted(_persisted_topics() - topics - awaiting - WRITTEN_BY_DEVELOPMENT_BUILDS_ONLY)
    assert not missing, f"no stored sample of {missing}: freeze a new corpus"
    missing = sorted(_transcoding_names() - transcodings - awaiting)
    assert not missing, f"no stored sample of the transcodings {missing}"


def _release(version: str) -> str:
    """The release a version is or leads to: "0.2.0" of "0.2.0.dev0" and of "0.2.0"."""
    return ".".join(version.split(".")[:3])


def test_a_final_release_has_frozen_its_corpus() -> None:
    version = participatie.__version__
    release = _release(version)
    if "dev" in version:
        # Under development: what the release's corpus will hold may wait for its freeze.
        assert set(AWAITING_FREEZE) <= {release}, "only the coming release may await a freeze"
        return
    assert release in {c.name for c in CORPORA}, f"freeze the corpus of {release}"
    assert release not in AWAITING_FREEZE, "the frozen corpus holds every sample: empty it"


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda c: c.name)
def test_every_stored_topic_of_every_corpus_still_resolves(corpus: Path, tmp_path: Path) -> None:
    topics, transcodings, values = _stored(_unpack(corpus, tmp_path))
    for topic in sorted(topics | values):
        resolved = resolve_topic(topic)
        assert isinstance(resolved, type), topic
    for value_topic in values:
        assert attrs.has(resolve_topic(value_topic)), value_topic
    assert transcodings <= _transcoding_names()
