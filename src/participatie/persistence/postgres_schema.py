"""The PostgreSQL statements of participatie's tables beside eventsourcing's (see
:mod:`participatie.persistence.tables`): their CREATE statements and every query the recorder
runs on them, composed once for a schema and events table (needs the ``postgres`` extra)."""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Identifier, Literal

from participatie.audit.ledger import LEDGER_TABLE
from participatie.persistence.tables import (
    CHAIN_HEADS_TABLE,
    COMMANDS_TABLE,
    ERASURES_TABLE,
    IMPORTS_TABLE,
    KEY_EPOCHS_TABLE,
    KEY_IDS_TABLE,
    VAULT_TABLE,
)

__all__ = ["PostgresStatements"]


class PostgresStatements:
    """The statements of one recorder: ``create`` (run after eventsourcing's own, in order), and
    one attribute a query."""

    def __init__(self, schema_name: str, events_table_name: str, originator_id_type: str) -> None:
        self.create: list[Composed] = []
        schema = Identifier(schema_name)
        table = Identifier(VAULT_TABLE)
        self.create.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "resident_id uuid PRIMARY KEY, "
                "bsn_hash bytea UNIQUE, "
                "key_id text NOT NULL, "
                "wrapped_key bytea NOT NULL, "
                "ciphertext bytea NOT NULL)"
            ).format(schema=schema, table=table)
        )
        imports = Identifier(IMPORTS_TABLE)
        self.create.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{imports} ("
                "source_id text PRIMARY KEY, "
                "resident_key text NOT NULL, "
                "resident_id uuid NOT NULL, "
                "stream_id uuid NOT NULL)"
            ).format(schema=schema, imports=imports)
        )
        self.create.append(
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{imports} (resident_key)").format(
                schema=schema, imports=imports, index=Identifier(f"{IMPORTS_TABLE}_resident_key")
            )
        )
        self.imports_insert = SQL(
            "INSERT INTO {schema}.{imports} (source_id, resident_key, resident_id, stream_id) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::uuid[], %s::uuid[])"
        ).format(schema=schema, imports=imports)
        self.imports_select = SQL(
            "SELECT * FROM {schema}.{imports} WHERE source_id = ANY(%s)"
        ).format(schema=schema, imports=imports)
        self.imports_resident = SQL(
            "SELECT resident_id FROM {schema}.{imports} WHERE resident_key = %s LIMIT 1"
        ).format(schema=schema, imports=imports)
        self.imports_residents = SQL(
            "SELECT DISTINCT ON (resident_key) resident_key, resident_id FROM {schema}.{imports} "
            "WHERE resident_key = ANY(%s)"
        ).format(schema=schema, imports=imports)
        heads = Identifier(CHAIN_HEADS_TABLE)
        self.create.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{heads} ("
                "originator_id {id_type} PRIMARY KEY, "
                "version bigint NOT NULL, "
                "head bytea NOT NULL)"
            ).format(schema=schema, heads=heads, id_type=Identifier(originator_id_type))
        )
        ledger = Identifier(LEDGER_TABLE)
        self.create.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{ledger} ("
                "position bigint PRIMARY KEY, "
                "originator_id uuid NOT NULL, "
                "version bigint NOT NULL, "
                "event_hash bytea NOT NULL, "
                "running_hash bytea NOT NULL, "
                "backfilled boolean NOT NULL DEFAULT false, "
                "records bytea)"
            ).format(schema=schema, ledger=ledger)
        )
        # A store written before processing records were kept in the ledger: their column,
        # added once (the catalogue is asked first, so that an open does not
        # lock the ledger when the column is there).
        self.create.append(
            SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns "
                "WHERE table_schema = {schema_text} AND table_name = {ledger_text} "
                "AND column_name = 'records') THEN "
                "ALTER TABLE {schema}.{ledger} ADD COLUMN records bytea; END IF; END $$"
            ).format(
                schema=schema,
                ledger=ledger,
                schema_text=Literal(schema_name),
                ledger_text=Literal(LEDGER_TABLE),
            )
        )
        self.ledger_records = SQL(
            "SELECT position, replace(originator_id::text, '-', ''), records "
            "FROM {schema}.{ledger} WHERE position > %s AND records IS NOT NULL "
            "ORDER BY position LIMIT %s"
        ).format(schema=schema, ledger=ledger)
        self.running_before = SQL(
            "SELECT l.position, (SELECT p.running_hash FROM {schema}.{ledger} p "
            "WHERE p.position < l.position ORDER BY p.position DESC LIMIT 1) "
            "FROM {schema}.{ledger} l WHERE l.position = ANY(%s)"
        ).format(schema=schema, ledger=ledger)
        self.ledger_tail = SQL(
            "SELECT running_hash FROM {schema}.{ledger} ORDER BY position DESC LIMIT 1"
        ).format(schema=schema, ledger=ledger)
        self.ledger_insert = SQL(
            "INSERT INTO {schema}.{ledger} "
            "(position, originator_id, version, event_hash, running_hash, backfilled, "
            "records) SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::bigint[], "
            "%s::bytea[], %s::bytea[], %s::boolean[], %s::bytea[])"
        ).format(schema=schema, ledger=ledger)
        self.ledger_select = SQL(
            "SELECT * FROM {schema}.{ledger} WHERE position > %s ORDER BY position LIMIT %s"
        ).format(schema=schema, ledger=ledger)
        # The stream ids as 32 hex digits (text), as SQLite stores them: the verifier compares
        # and hashes text and makes a UUID once per stream, not once per row.
        self.log_rows = SQL(
            "SELECT notification_id, replace(originator_id::text, '-', ''), "
            "originator_version, topic, state FROM {schema}.{events} "
            "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, events=Identifier(events_table_name))
        self.ledger_plain = SQL(
            "SELECT position, replace(originator_id::text, '-', ''), version, event_hash, "
            "running_hash, backfilled, sha256(records) FROM {schema}.{ledger} WHERE position > %s "
            "ORDER BY position LIMIT %s"
        ).format(schema=schema, ledger=ledger)
        self.ledger_of = SQL(
            "SELECT * FROM {schema}.{ledger} WHERE originator_id = ANY(%s) ORDER BY position"
        ).format(schema=schema, ledger=ledger)
        self.ledger_state = SQL(
            "SELECT (SELECT max(position) FROM {schema}.{ledger}) AS last, "
            "EXISTS (SELECT 1 FROM {schema}.{ledger} WHERE NOT backfilled) AS written"
        ).format(schema=schema, ledger=ledger)
        self.ledger_lock = SQL("LOCK TABLE {schema}.{events} IN EXCLUSIVE MODE").format(
            schema=schema, events=Identifier(events_table_name)
        )
        self.ledger_events = SQL(
            "SELECT * FROM {schema}.{events} WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema=schema, events=Identifier(events_table_name))
        self.vault_rows = SQL(
            "SELECT * FROM {schema}.{table} WHERE resident_id > %s ORDER BY resident_id LIMIT %s"
        ).format(schema=schema, table=table)
        self.vault_insert = SQL(
            "INSERT INTO {schema}.{table} "
            "(resident_id, bsn_hash, key_id, wrapped_key, ciphertext) VALUES (%s, %s, %s, %s, %s)"
        ).format(schema=schema, table=table)
        self.vault_select = SQL("SELECT * FROM {schema}.{table} WHERE resident_id = %s").format(
            schema=schema, table=table
        )
        self.vault_stale = SQL(
            "SELECT * FROM {schema}.{table} WHERE key_id <> %s AND resident_id > %s "
            "ORDER BY resident_id LIMIT %s"
        ).format(schema=schema, table=table)
        self.vault_rewrap = SQL(
            "UPDATE {schema}.{table} SET bsn_hash = %s, key_id = %s, wrapped_key = %s "
            "WHERE resident_id = %s AND key_id = %s AND wrapped_key = %s"
        ).format(schema=schema, table=table)
        self.vault_find = SQL(
            "SELECT resident_id FROM {schema}.{table} WHERE bsn_hash = %s"
        ).format(schema=schema, table=table)
        self._vault_key_statements(schema, table)
        self._command_statements(schema)

    def _command_statements(self, schema: Identifier) -> None:
        """The ids of the commands done (see :mod:`participatie.service.idempotency`)."""
        commands = Identifier(COMMANDS_TABLE)
        self.create.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{commands} ("
                "command_id uuid PRIMARY KEY, "
                "result uuid, "
                "command text NOT NULL, "
                "recorded_at timestamptz NOT NULL DEFAULT now())"
            ).format(schema=schema, commands=commands)
        )
        self.commands_insert = SQL(
            "INSERT INTO {schema}.{commands} (command_id, result, command) "
            "SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::text[])"
        ).format(schema=schema, commands=commands)
        self.commands_select = SQL(
            "SELECT result, command FROM {schema}.{commands} WHERE command_id = %s"
        ).format(schema=schema, commands=commands)

    def _vault_key_statements(self, schema: Identifier, table: Identifier) -> None:
        """The tables of key epochs, key ids in use and erasures, and their statements."""
        names = {
            "schema": schema,
            "table": table,
            "epochs": Identifier(KEY_EPOCHS_TABLE),
            "key_ids": Identifier(KEY_IDS_TABLE),
            "erasures": Identifier(ERASURES_TABLE),
        }
        self.create.extend(
            SQL(statement).format(**names)
            for statement in (
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{epochs} (epoch integer PRIMARY KEY, "
                    "salt bytea, created_at timestamptz, destroyed_at timestamptz, "
                    "legacy_key_ids text)"
                ),
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{key_ids} (key_id text PRIMARY KEY, "
                    "epoch integer NOT NULL)"
                ),
                (
                    "CREATE TABLE IF NOT EXISTS {schema}.{erasures} (resident_id uuid PRIMARY KEY, "
                    "key_id text, epoch integer NOT NULL, erased_at timestamptz NOT NULL)"
                ),
                # A store of release 0.1 opened for the first time: its records are epoch 0.
                (
                    "INSERT INTO {schema}.{key_ids} (key_id, epoch) "
                    "SELECT DISTINCT key_id, 0 FROM {schema}.{table} "
                    "WHERE position('.' in key_id) = 0 "
                    "AND NOT EXISTS (SELECT 1 FROM {schema}.{epochs}) ON CONFLICT DO NOTHING"
                ),
                (
                    "INSERT INTO {schema}.{epochs} (epoch, legacy_key_ids) "
                    "SELECT 0, ids FROM (SELECT string_agg(DISTINCT key_id, ',') AS ids "
                    "FROM {schema}.{table} WHERE position('.' in key_id) = 0) legacy "
                    "WHERE ids IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {schema}.{epochs}) "
                    "ON CONFLICT DO NOTHING"
                ),
            )
        )
        self.vault_erase = SQL(
            "WITH erased AS (DELETE FROM {schema}.{table} WHERE resident_id = %s "
            "RETURNING key_id) "
            "INSERT INTO {schema}.{erasures} (resident_id, key_id, epoch, erased_at) "
            "SELECT %s, (SELECT key_id FROM erased), "
            "(SELECT COALESCE(MAX(epoch), 0) FROM {schema}.{epochs} WHERE destroyed_at IS NULL), "
            "now() ON CONFLICT (resident_id) DO UPDATE SET key_id = excluded.key_id, "
            "epoch = excluded.epoch, erased_at = excluded.erased_at"
        ).format(**names)
        self.epoch_share = SQL(
            "SELECT 1 FROM {schema}.{epochs} WHERE epoch = %s AND destroyed_at IS NULL FOR SHARE"
        ).format(**names)
        self.key_id_insert = SQL(
            "INSERT INTO {schema}.{key_ids} (key_id, epoch) VALUES (%s, %s) ON CONFLICT DO NOTHING"
        ).format(**names)
        self.epochs_select = SQL("SELECT * FROM {schema}.{epochs} ORDER BY epoch").format(**names)
        self.key_ids_select = SQL("SELECT key_id, epoch FROM {schema}.{key_ids}").format(**names)
        self.epoch_insert = SQL(
            "INSERT INTO {schema}.{epochs} (epoch, salt, created_at) "
            "SELECT COALESCE((SELECT MAX(epoch) FROM {schema}.{epochs}), 0) + 1, %s, now() "
            "WHERE NOT %s OR NOT EXISTS (SELECT 1 FROM {schema}.{epochs} "
            "WHERE epoch > 0 AND destroyed_at IS NULL)"
        ).format(**names)
        self.epochs_to_destroy = SQL(
            "SELECT * FROM {schema}.{epochs} WHERE destroyed_at IS NULL AND epoch < %s "
            "ORDER BY epoch FOR UPDATE"
        ).format(**names)
        self.legacy_in_use = SQL(
            "SELECT 1 FROM {schema}.{table} WHERE position('.' in key_id) = 0 LIMIT 1"
        ).format(**names)
        self.epoch_in_use = SQL(
            "SELECT 1 FROM {schema}.{table} WHERE key_id LIKE %s LIMIT 1"
        ).format(**names)
        self.epoch_destroy = SQL(
            "UPDATE {schema}.{epochs} SET salt = NULL, destroyed_at = now() WHERE epoch = %s"
        ).format(**names)
        self.key_ids_prune = SQL(
            "DELETE FROM {schema}.{key_ids} k WHERE NOT EXISTS "
            "(SELECT 1 FROM {schema}.{table} v WHERE v.key_id = k.key_id)"
        ).format(**names)
        self.erasures_select = SQL("SELECT * FROM {schema}.{erasures} ORDER BY erased_at").format(
            **names
        )
        self.vacuum_vault = SQL("VACUUM {schema}.{table}").format(**names)
        self.vacuum_epochs = SQL("VACUUM FULL {schema}.{epochs}").format(**names)
