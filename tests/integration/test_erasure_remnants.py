"""Erasure is final: no copy of an erased vault row that the deployment's keys still open.

The bytes of the store are read as an attacker with a copy of the disk would: the SQLite file
and its write-ahead log, and PostgreSQL's table pages (through the ``pageinspect`` extension,
which reads the pages as they are, dead tuples and free space included).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID, uuid4

import pytest

from participatie import (
    ConcurrentUpdate,
    ConfigurationError,
    ErasureGround,
    Participation,
)
from participatie.privacy.vault import PersonalData, SealedRecord
from participatie.service import core_of
from tests.actors import ADMIN
from tests.support import COACH, TEST_SECRET, register

VAULT_TABLE = "participatie_vault"
KEY_EPOCHS_TABLE = "participatie_key_epochs"


def _postgres(store_url: str) -> tuple[str, str]:
    parts = urlsplit(store_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), parts.query.split("=")[1]


def stored_bytes(store_url: str, table: str) -> bytes:
    """What the store's files hold: the SQLite file and its log, or the table's pages."""
    if store_url.startswith("sqlite"):
        db = Path(urlsplit(store_url).path[1:])
        return b"".join(
            path.read_bytes() for path in (db, db.with_name(db.name + "-wal")) if path.exists()
        )
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    url, schema = _postgres(store_url)
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except psycopg.Error as error:  # pragma: no cover (the server lacks the extension)
            pytest.skip(f"pageinspect is not available to read PostgreSQL's pages: {error}")
        relation = sql.Identifier(schema, table).as_string(conn)
        pages = conn.execute(
            "SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int",
            (relation,),
        ).fetchone()
        assert pages is not None
        return b"".join(
            bytes(row[0])
            for block in range(pages[0])
            for row in [
                conn.execute("SELECT get_raw_page(%s, %s)", (relation, block)).fetchone() or ()
            ]
        )


def sealed(app: Participation, rid: UUID) -> SealedRecord:
    record = core_of(app).vault.vault_get(rid)
    assert record is not None
    return record


def salt_of(app: Participation, epoch: int) -> bytes:
    (known,) = [e for e in core_of(app).vault.vault_keys().epochs if e.epoch == epoch]
    assert known.salt is not None
    return known.salt


def test_an_erased_row_leaves_no_copy_in_the_sqlite_file_or_its_log(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path}/participatie.db"
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        kept = register(app, bsn="111222333", name="B. de Vries")
        rid = register(app, bsn="123456782", name="A. Jansen", notes="wil bakken")
        record = sealed(app, rid)
        assert record.ciphertext in stored_bytes(store_url, VAULT_TABLE)
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        on_disk = stored_bytes(store_url, VAULT_TABLE)
        assert record.ciphertext not in on_disk
        assert record.wrapped_key not in on_disk
        assert record.bsn_hash is not None
        assert record.bsn_hash not in on_disk
        assert sealed(app, kept).ciphertext in on_disk  # the rest stays, readable
        assert app.personal_data(kept, by=COACH).name == "B. de Vries"


@pytest.fixture
def own_database_schema_url(postgres_url: str) -> Iterator[str]:
    """A database of this test's own (schema public): VACUUM removes what no transaction of the
    same database may still see, and other tests of the run may leave one open in theirs."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parts = urlsplit(postgres_url)
    name = f"remnants_{uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "schema=public", ""))
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty SQLite file, or a PostgreSQL database of the test's own (see above)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/participatie.db"
    url: str = request.getfixturevalue("own_database_schema_url")
    return url


@pytest.mark.postgres
def test_postgresql_vacuums_the_erased_row_out_of_the_vault_table(
    own_database_schema_url: str,
) -> None:
    store_url = own_database_schema_url
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        kept = register(app, bsn="111222333", name="B. de Vries")
        rid = register(app, bsn="123456782", name="A. Jansen", notes="wil bakken")
        record = sealed(app, rid)
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        url, schema = _postgres(store_url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            relation = sql.Identifier(schema, VAULT_TABLE).as_string(conn)
            # No tuple, live or dead, holds the erased row: VACUUM freed its line pointer.
            tuples = conn.execute(
                "SELECT t_data FROM heap_page_items(get_raw_page(%s, 0))", (relation,)
            ).fetchall()
        assert not [t for (t,) in tuples if t is not None and record.wrapped_key in bytes(t)]
        assert [t for (t,) in tuples if t is not None and sealed(app, kept).wrapped_key in t]


def test_after_rotation_no_copy_of_an_erased_row_can_be_unwrapped(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        kept = register(app, bsn="111222333", name="B. de Vries")
        rid = register(app, bsn="123456782", name="A. Jansen")
        record = sealed(app, rid)
        epoch = core_of(app).keyring.epoch
        old_salt = salt_of(app, epoch)
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        (status,) = app.erasures(by=ADMIN)
        assert (status.resident_id, status.epoch, status.final) == (rid, epoch, False)
        assert "rotate-keys" in status.to_do
        # A copy of the row (a backup, a log, a dead tuple) still opens with what is held.
        assert core_of(app).keyring.open(record).name == "A. Jansen"
        assert app.rotation_due(by=ADMIN)

        assert app.rotate_keys(by=ADMIN) == 1
        (status,) = app.erasures(by=ADMIN)
        assert (status.final, status.to_do) == (True, "")
        assert not app.rotation_due(by=ADMIN)
        assert old_salt not in stored_bytes(store_url, KEY_EPOCHS_TABLE)
        assert app.personal_data(kept, by=COACH).name == "B. de Vries"
        assert app.find_resident(bsn="111222333", by=COACH) == kept
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        with pytest.raises(ConfigurationError, match=f"key epoch {epoch} has been destroyed"):
            core_of(app).keyring.open(record)
        assert app.find_resident(bsn="123456782", by=COACH) is None


def test_a_rotation_without_an_erasure_keeps_the_epoch(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        register(app, bsn="123456782", name="A. Jansen")
        epoch = core_of(app).keyring.epoch
        assert not app.rotation_due(by=ADMIN)
        assert app.rotate_keys(by=ADMIN) == 0
        assert core_of(app).keyring.epoch == epoch


def test_a_resident_without_personal_data_is_erased_at_once(store_url: str) -> None:
    with Participation.open(store_url, secret=TEST_SECRET) as app:
        rid = register(app)
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        (status,) = app.erasures(by=ADMIN)
        assert status.final


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_row_sealed_in_an_epoch_destroyed_meanwhile_is_not_written(
    kind: str, tmp_path: Path
) -> None:
    url = "memory://" if kind == "memory" else f"sqlite:///{tmp_path}/participatie.db"
    with Participation.open(url, secret=TEST_SECRET) as app:
        rid = register(app, name="A. Jansen")
        app.erase_personal_data(rid, by=ADMIN, reason=ErasureGround.RESIDENTS_REQUEST)
        # Sealed by a process that read the epochs just before a rotation destroyed them.
        late = core_of(app).keyring.seal(uuid4(), PersonalData(name="B. de Vries"))
        app.rotate_keys(by=ADMIN)
        vault = core_of(app).vault
        with pytest.raises(ConcurrentUpdate, match="destroyed by a key rotation"):
            core_of(app).store.recorder.insert_events([], vault_records=[late])
        assert vault.vault_get(late.resident_id) is None
