"""The database's own guards in tests: triggers that refuse changing or deleting what must stay.

Audit events are append-only and clinical records are never deleted, refused by triggers on both
SQLite and PostgreSQL (the migrations `audit/0002`, `audit/0003`, `clinical/0002`, `clinical/0003`,
`aftercare/0002`, `aftercare/0005`). Two things in tests must get past them:

  * The test database's flush after a `transaction=True` test (and browser tests): PostgreSQL
    empties tables with TRUNCATE, which row triggers do not see; SQLite has no TRUNCATE and
    empties them with DELETE. `keep_sqlite_triggers_through_flush` (a session fixture, autouse)
    makes SQLite's flush drop the triggers, empty the tables and create the same triggers again,
    in one transaction.
  * A test that tampers the way someone with database access would (to prove the audit chain still
    tells): `triggers_off(table)` switches the triggers off for the block, as a database owner can
    (PostgreSQL: `session_replication_role = replica`; SQLite: drop and re-create them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.operations import DatabaseOperations as SqliteOperations


def sqlite_triggers(connection, table: str | None = None) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of the SQLite database's triggers, of one table or all."""
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
    params: list[str] = []
    if table is not None:
        sql += " AND tbl_name = %s"
        params.append(table)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY name", params)
        return [(name, create) for name, create in cursor.fetchall()]


def trigger_names(connection, table: str) -> set[str]:
    """The names of the triggers on one table, on SQLite or PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
            return {row[0] for row in cursor.fetchall()}
    return {name for name, _ in sqlite_triggers(connection, table)}


@contextmanager
def triggers_off(table: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block with the table's triggers off, as someone who owns the database could."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                cursor.execute("SET session_replication_role = origin")
            return
        triggers = sqlite_triggers(connection, table)
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _, create in triggers:
                cursor.execute(create)


_sqlite_sql_flush = SqliteOperations.sql_flush


def _sql_flush_keeping_triggers(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    statements = _sqlite_sql_flush(
        self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
    )
    if not statements:
        return statements
    # execute_sql_flush runs these in one transaction; SQLite's DDL is transactional too.
    triggers = sqlite_triggers(self.connection)
    return (
        [f'DROP TRIGGER "{name}";' for name, _ in triggers]
        + statements
        + [create + ";" for _, create in triggers]
    )


@pytest.fixture(scope="session", autouse=True)
def keep_sqlite_triggers_through_flush() -> Iterator[None]:
    SqliteOperations.sql_flush = _sql_flush_keeping_triggers
    yield
    SqliteOperations.sql_flush = _sqlite_sql_flush
