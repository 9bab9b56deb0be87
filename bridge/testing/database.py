"""The test database between tests: a flush that keeps the database's own guards, and is fast.

Audit events are append-only and clinical records are never deleted, refused by triggers on both
SQLite and PostgreSQL (the migrations `audit/0002`, `audit/0003`, `clinical/0002`, `clinical/0003`,
`aftercare/0002`, `aftercare/0005`). Two things in tests must get past them:

  * The flush that empties the database after each `transaction=True` test (browser tests, the
    worker's tests). Django's PostgreSQL flush is one TRUNCATE of every table, which row triggers
    do not see but which costs seconds per test (new files for ~100 tables and their indexes).
    Here, on PostgreSQL (as a superuser, the test setup everywhere here) it deletes the rows of the
    few tables that have any, with triggers off for that transaction (`session_replication_role`),
    and falls back to Django's TRUNCATE otherwise. SQLite has no TRUNCATE and empties every table
    with DELETE: its flush drops the triggers, empties the tables and creates the same triggers
    again, in one transaction. Both are session fixtures (autouse) below.
  * A test that tampers the way someone with database access would (to prove the audit chain still
    tells): `triggers_off(table)` switches the triggers off for the block, as a database owner can
    (PostgreSQL: `session_replication_role = replica`; SQLite: drop and re-create them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections


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


def _sqlite_keeping_triggers(sql_flush):
    def sqlite_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = sql_flush(
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

    return sqlite_sql_flush


def _postgresql_deleting_what_is_there(sql_flush):
    def postgresql_sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = sql_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements or reset_sequences or allow_cascade:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cursor.fetchone()[0]:
                return statements  # only a superuser may switch triggers off: TRUNCATE as Django does
            # Table names come from Django's introspection, quoted: nothing from outside.
            probe = " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.quote_name(table)})"  # noqa: S608
                for table in tables
            )
            cursor.execute(probe, list(tables))
            filled = [row[0] for row in cursor.fetchall()]
        # Foreign keys are checks run by triggers on PostgreSQL, so with triggers off the order of
        # the DELETEs does not matter; SET LOCAL ends with execute_sql_flush's transaction.
        return ["SET LOCAL session_replication_role = replica;"] + [
            f"DELETE FROM {self.quote_name(table)};"  # noqa: S608
            for table in filled
        ]

    return postgresql_sql_flush


def pytest_configure(config: pytest.Config) -> None:
    # The in-memory SQLite test database is copied from the migrated one saved by an earlier session
    # (bridge.testing.template_db): installed before any session fixture creates the database.
    from bridge.testing.template_db import install

    install()


@pytest.fixture(scope="session", autouse=True)
def _flush_that_keeps_the_guards() -> Iterator[None]:
    # Imported here: each backend's modules import each other (base first when it is in use).
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    patched = [
        (SQLite.ops_class, _sqlite_keeping_triggers),
        (PostgreSQL.ops_class, _postgresql_deleting_what_is_there),
    ]
    with pytest.MonkeyPatch.context() as patch:
        for ops, wrap in patched:
            patch.setattr(ops, "sql_flush", wrap(ops.sql_flush))
        yield
