"""On SQLite too, discharges, discharge summaries and their addenda are never deleted.

0002 gave SQLite only the UPDATE locks, because Django's test flush empties tables with DELETE; the
tests' flush now keeps the triggers (bridge/testing/database.py), so the embedded default refuses
DELETE as PostgreSQL does. Django rebuilds a SQLite table for some schema changes, which drops its
triggers: a migration that alters one of these tables must create them again
(bridge/aftercare/tests/test_discharge.py checks they exist).
"""

from django.db import migrations

NO_DELETE = ("aftercare_discharge", "aftercare_dischargesummary", "aftercare_summaryaddendum")
SQLITE = [
    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
    f"BEGIN SELECT RAISE(ABORT, 'aftercare records are never deleted (DELETE on {table})'); END;"
    for table in NO_DELETE
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in NO_DELETE]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0005_i14_edition")]
    operations = [migrations.RunPython(create, drop)]
