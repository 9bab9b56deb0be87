"""A signed discharge summary is locked in the database, like a signed clinical note.

Both SQLite and PostgreSQL refuse changing what a signed summary says and changing an addendum.
PostgreSQL also refuses DELETE on discharges, summaries and addenda. SQLite gets no DELETE triggers:
Django's test flush empties tables with DELETE (see clinical/migrations/0002_lock_triggers.py).
"""

from django.db import migrations

SUMMARY_CONTENT = (
    "discharge_id", "participant_id", "figures", "goals", "course", "condition", "aftercare",
    "recommendations", "author_id", "created_at", "signed_at", "signed_by_id", "signature",
)
NO_DELETE = ("aftercare_discharge", "aftercare_dischargesummary", "aftercare_summaryaddendum")


def _changed(distinct):
    return " OR ".join(f'NEW."{c}" {distinct} OLD."{c}"' for c in SUMMARY_CONTENT)


SQLITE = [
    "CREATE TRIGGER aftercare_summary_locked BEFORE UPDATE ON aftercare_dischargesummary FOR EACH ROW "
    f"WHEN OLD.signed_at IS NOT NULL AND ({_changed('IS NOT')}) "
    "BEGIN SELECT RAISE(ABORT, 'a signed discharge summary is locked: add an addendum'); END;",
    "CREATE TRIGGER aftercare_addendum_locked BEFORE UPDATE ON aftercare_summaryaddendum FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'an addendum is never changed'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS aftercare_summary_locked;",
    "DROP TRIGGER IF EXISTS aftercare_addendum_locked;",
]


def _pg_function(name, body):
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;"
    )


def _pg_raise(msg):
    return (
        f"RAISE EXCEPTION '{msg} (% on %)', TG_OP, TG_TABLE_NAME "
        "USING ERRCODE = 'integrity_constraint_violation';"
    )


PG = [
    _pg_function("bridge_aftercare_no_delete", _pg_raise("aftercare records are never deleted")),
    _pg_function(
        "bridge_aftercare_summary_locked",
        f"IF OLD.signed_at IS NOT NULL AND ({_changed('IS DISTINCT FROM')}) THEN "
        f"{_pg_raise('a signed discharge summary is locked: add an addendum')} END IF;",
    ),
    _pg_function("bridge_aftercare_addendum_locked", _pg_raise("an addendum is never changed")),
]
PG_TRIGGERS = [
    ("aftercare_dischargesummary", "UPDATE", "bridge_aftercare_summary_locked"),
    ("aftercare_summaryaddendum", "UPDATE", "bridge_aftercare_addendum_locked"),
] + [(t, "DELETE", "bridge_aftercare_no_delete") for t in NO_DELETE]
PG += [
    f"CREATE TRIGGER aftercare_lock_{i}_{table} BEFORE {events} ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION {function}();"
    for i, (table, events, function) in enumerate(PG_TRIGGERS)
]
PG_DROP = [f"DROP TRIGGER IF EXISTS aftercare_lock_{i}_{t} ON {t};" for i, (t, _, _) in enumerate(PG_TRIGGERS)]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else PG if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else PG_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("aftercare", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
