"""The migrated SQLite test database copied into each session (bridge.testing.template_db)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from bridge.testing import template_db


def _schema(conn) -> list[tuple]:
    cursor = conn.cursor()
    cursor.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    return list(cursor.fetchall())


def test_the_key_covers_every_migration_and_what_migrations_run():
    inputs = set(template_db.inputs())
    for app in apps.get_app_configs():
        folder = Path(app.path) / "migrations"
        if folder.is_dir():
            assert set(folder.glob("*.py")) <= inputs, app.label
    names = {(p.parent.name, p.name) for p in inputs}
    assert ("core", "migration_ops.py") in names
    assert ("core", "dates.py") in names


def test_the_key_changes_with_a_migration(monkeypatch, tmp_path):
    migration = tmp_path / "0001_initial.py"
    migration.write_text("operations = []\n")
    monkeypatch.setattr(template_db, "inputs", lambda: [migration])
    before = template_db.key()
    assert template_db.key() == before
    migration.write_text("operations = ['a CHECK']\n")
    assert template_db.key() != before


@pytest.mark.django_db
def test_the_session_database_has_the_saved_schema_with_its_triggers_and_checks():
    if connection.vendor != "sqlite":
        pytest.skip("the copy is for SQLite's in-memory test database")
    if not template_db.enabled():
        pytest.skip("BRIDGE_TEST_DB_TEMPLATE=0")
    path = template_db.template_path()
    assert path.exists(), "the first session that migrates saves the copy"
    saved = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = _schema(saved)
    finally:
        saved.close()
    assert schema == _schema(connection.connection)
    assert any(kind == "trigger" for kind, *_ in schema)
    assert any("CHECK" in (sql or "") for kind, _, _, sql in schema if kind == "table")


@pytest.mark.postgres_only
def test_postgresql_keeps_the_migrated_database_as_a_template_stamped_with_the_key():
    if not template_db.enabled():
        pytest.skip("BRIDGE_TEST_DB_TEMPLATE=0")
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [f"{name[:59]}_tpl"],
        )
        row = cursor.fetchone()
    assert row == (f"bridge test database template {template_db.key()}",)
