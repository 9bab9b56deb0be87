"""Messages with the care team are Part 2 records: the database refuses deleting a message or a
conversation, and changing what a message says, who wrote it or when (only `read_at` may be set).
On SQLite and PostgreSQL alike, as aftercare's records (aftercare/migrations/0006); the tests' flush
keeps the triggers (bridge/testing/database.py).
"""

from django.db import migrations

NO_DELETE = ("portal_message", "portal_messagethread")
WORDS = ("thread_id", "author", "staff_id", "body", "sent_at")


def _changed(distinct):
    return " OR ".join(f'NEW."{c}" {distinct} OLD."{c}"' for c in WORDS)


SQLITE = [
    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
    f"BEGIN SELECT RAISE(ABORT, 'messages are never deleted (DELETE on {table})'); END;"
    for table in NO_DELETE
] + [
    "CREATE TRIGGER portal_message_words_kept BEFORE UPDATE ON portal_message FOR EACH ROW "
    f"WHEN {_changed('IS NOT')} "
    "BEGIN SELECT RAISE(ABORT, 'a message is never changed'); END;"
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {t}_no_delete;" for t in NO_DELETE] + [
    "DROP TRIGGER IF EXISTS portal_message_words_kept;"
]


def _pg_function(name, body):
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;"
    )


def _pg_raise(msg):
    return f"RAISE EXCEPTION '{msg} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';"


PG = [
    _pg_function("bridge_portal_message_no_delete", _pg_raise("messages are never deleted")),
    _pg_function(
        "bridge_portal_message_words_kept",
        f"IF {_changed('IS DISTINCT FROM')} THEN {_pg_raise('a message is never changed')} END IF;",
    ),
] + [
    f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} FOR EACH ROW "
    "EXECUTE FUNCTION bridge_portal_message_no_delete();"
    for t in NO_DELETE
] + [
    "CREATE TRIGGER portal_message_words_kept BEFORE UPDATE ON portal_message FOR EACH ROW "
    "EXECUTE FUNCTION bridge_portal_message_words_kept();"
]
PG_DROP = [f"DROP TRIGGER IF EXISTS {t}_no_delete ON {t};" for t in NO_DELETE] + [
    "DROP TRIGGER IF EXISTS portal_message_words_kept ON portal_message;"
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else PG if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else PG_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_i19m_messages")]
    operations = [migrations.RunPython(create, drop)]
