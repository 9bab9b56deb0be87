"""On SQLite too, clinical records are never deleted: the database refuses, as on PostgreSQL.

0002 gave SQLite only the UPDATE/INSERT locks, because Django's test flush empties tables with
DELETE; the tests' flush now keeps the triggers (bridge/testing/database.py), so the embedded
default gets PostgreSQL's guarantees:
  * no DELETE on the clinical records (notes, group-note parts, addenda, plans and their versions
    and reviews, drug screens and results, medication orders, dose changes, administrations, OTP
    enrollments and coordination notes);
  * no DELETE of a signed note's linked goals or of a signed plan version's parts.
Django rebuilds a SQLite table for some schema changes, which drops its triggers: a migration that
alters one of these tables must create them again (bridge/clinical/tests/test_never_deleted.py
checks they exist).
"""

from django.db import migrations

NO_DELETE = (
    "clinical_note", "clinical_groupnoteentry", "clinical_addendum", "clinical_treatmentplan",
    "clinical_planversion", "clinical_planreview", "clinical_drugscreen", "clinical_drugscreenresult",
    "clinical_medicationorder", "clinical_dosechange", "clinical_administration", "clinical_otpenrollment",
    "clinical_otpcoordinationnote",
)
NOTE_SIGNED = "(SELECT signed_at FROM clinical_note WHERE id = {ref}) IS NOT NULL"
VERSION_SIGNED = "(SELECT signed_at FROM clinical_planversion WHERE id = {ref}) IS NOT NULL"
# (table, condition on OLD under which a DELETE is refused, message)
LOCKED_PARTS = [
    ("clinical_notegoal", NOTE_SIGNED.format(ref="OLD.note_id"), "the note is signed"),
    (
        "clinical_entrygoal",
        NOTE_SIGNED.format(ref="(SELECT note_id FROM clinical_groupnoteentry WHERE id = OLD.entry_id)"),
        "the group note is signed",
    ),
] + [
    (table, VERSION_SIGNED.format(ref="OLD.version_id"), "the plan version is signed")
    for table in ("clinical_problem", "clinical_goal", "clinical_objective", "clinical_intervention")
]


def _raise(msg):
    return f"BEGIN SELECT RAISE(ABORT, '{msg}'); END;"


SQLITE = [
    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
    + _raise(f"clinical records are never deleted (DELETE on {table})")
    for table in NO_DELETE
] + [
    f"CREATE TRIGGER {table}_locked_delete BEFORE DELETE ON {table} FOR EACH ROW WHEN {when} " + _raise(msg)
    for table, when, msg in LOCKED_PARTS
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in NO_DELETE] + [
    f"DROP TRIGGER IF EXISTS {table}_locked_delete;" for table, _, _ in LOCKED_PARTS
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
    dependencies = [("clinical", "0003_i14_medication_rails")]
    operations = [migrations.RunPython(create, drop)]
