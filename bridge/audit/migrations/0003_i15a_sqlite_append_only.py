"""On SQLite too, refuse UPDATE and DELETE on audit events at the database itself.

PostgreSQL has had its trigger since 0002. SQLite (the embedded default) now gets the same guarantee;
the tests' flush keeps the triggers (bridge/testing/database.py). Django rebuilds a SQLite table
for some schema changes, which drops its triggers: a migration that alters this table must create
them again (bridge/audit/tests/test_chain.py checks they exist).
"""

from django.db import migrations

SQLITE = [
    f"CREATE TRIGGER audit_auditevent_append_only_{event.lower()} BEFORE {event} ON audit_auditevent "
    f"FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'audit events are append-only: {event} refused on "
    "audit_auditevent'); END;"
    for event in ("UPDATE", "DELETE")
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_append_only_{event};" for event in ("update", "delete")
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(create, drop)]
