"""Signed notes and signed plan versions are locked in the database, not only in the services.

Both SQLite and PostgreSQL refuse:
  * changing what a signed note says (co-signature and entered-in-error may still be added);
  * adding or changing an individualized part, or the goals linked to a note, once it is signed;
  * changing an addendum;
  * changing a signed plan version, or adding or changing its problems, goals, objectives and
    interventions (the participant's signature may be added once).
PostgreSQL also refuses DELETE on clinical records (and on a signed note's or plan's parts). SQLite
gets no DELETE triggers: Django's test flush empties tables with DELETE (PostgreSQL uses TRUNCATE,
which row triggers do not see), so there the services alone never delete.
"""

from django.db import migrations

NOTE_CONTENT = (
    "kind", "template", "participant_id", "session_id", "author_id", "subjective", "objective", "data",
    "assessment", "plan", "topic", "curriculum_id", "interventions", "shared_text", "participant_count",
    "signed_at", "author_licensed", "cosign_required", "created_at", "program_id",
)
VERSION_CONTENT = ("plan_id", "number", "based_on_id", "change_summary", "signed_at", "signed_by_id",
                   "clinician_signature", "created_by_id", "created_at")
PLAN_PARTS = ("clinical_problem", "clinical_goal", "clinical_objective", "clinical_intervention")
NO_DELETE = (
    "clinical_note", "clinical_groupnoteentry", "clinical_addendum", "clinical_treatmentplan",
    "clinical_planversion", "clinical_planreview", "clinical_drugscreen", "clinical_drugscreenresult",
    "clinical_medicationorder", "clinical_dosechange", "clinical_administration", "clinical_otpenrollment",
    "clinical_otpcoordinationnote",
)


def _changed(columns, distinct):
    return " OR ".join(f'NEW."{c}" {distinct} OLD."{c}"' for c in columns)


def sqlite_statements():
    raise_ = "BEGIN SELECT RAISE(ABORT, '{msg}'); END;"
    note_signed = "(SELECT signed_at FROM clinical_note WHERE id = {ref}) IS NOT NULL"
    version_signed = "(SELECT signed_at FROM clinical_planversion WHERE id = {ref}) IS NOT NULL"
    out = [
        f"CREATE TRIGGER clinical_note_locked BEFORE UPDATE ON clinical_note FOR EACH ROW "
        f"WHEN OLD.signed_at IS NOT NULL AND ({_changed(NOTE_CONTENT, 'IS NOT')}) "
        + raise_.format(msg="a signed note is locked: add an addendum"),
        "CREATE TRIGGER clinical_addendum_locked BEFORE UPDATE ON clinical_addendum FOR EACH ROW "
        + raise_.format(msg="an addendum is never changed"),
        f"CREATE TRIGGER clinical_planversion_locked BEFORE UPDATE ON clinical_planversion FOR EACH ROW "
        f"WHEN OLD.signed_at IS NOT NULL AND ({_changed(VERSION_CONTENT, 'IS NOT')} OR "
        f"(OLD.participant_signed_at IS NOT NULL AND ({_changed(('participant_signature', 'participant_signed_at'), 'IS NOT')}))) "
        + raise_.format(msg="a signed plan version is locked: revise the plan"),
    ]
    for event in ("INSERT", "UPDATE"):
        ev = event.lower()
        out.append(
            f"CREATE TRIGGER clinical_entry_locked_{ev} BEFORE {event} ON clinical_groupnoteentry FOR EACH ROW "
            f"WHEN {note_signed.format(ref='NEW.note_id')} " + raise_.format(msg="the group note is signed")
        )
        out.append(
            f"CREATE TRIGGER clinical_notegoal_locked_{ev} BEFORE {event} ON clinical_notegoal FOR EACH ROW "
            f"WHEN {note_signed.format(ref='NEW.note_id')} " + raise_.format(msg="the note is signed")
        )
        out.append(
            f"CREATE TRIGGER clinical_entrygoal_locked_{ev} BEFORE {event} ON clinical_entrygoal FOR EACH ROW "
            f"WHEN {note_signed.format(ref='(SELECT note_id FROM clinical_groupnoteentry WHERE id = NEW.entry_id)')} "
            + raise_.format(msg="the group note is signed")
        )
        for table in PLAN_PARTS:
            out.append(
                f"CREATE TRIGGER {table}_locked_{ev} BEFORE {event} ON {table} FOR EACH ROW "
                f"WHEN {version_signed.format(ref='NEW.version_id')} "
                + raise_.format(msg="the plan version is signed")
            )
    return out


def sqlite_drops():
    names = ["clinical_note_locked", "clinical_addendum_locked", "clinical_planversion_locked"]
    for ev in ("insert", "update"):
        names += [f"clinical_entry_locked_{ev}", f"clinical_notegoal_locked_{ev}", f"clinical_entrygoal_locked_{ev}"]
        names += [f"{t}_locked_{ev}" for t in PLAN_PARTS]
    return [f"DROP TRIGGER IF EXISTS {n};" for n in names]


def _pg_function(name, body):
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;"
    )


def _pg_raise(msg):
    return f"RAISE EXCEPTION '{msg} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';"


def pg_statements():
    note_signed = "(SELECT signed_at FROM clinical_note WHERE id = {ref}) IS NOT NULL"
    version_signed = "(SELECT signed_at FROM clinical_planversion WHERE id = {ref}) IS NOT NULL"
    out = [
        _pg_function("bridge_clinical_no_delete", _pg_raise("clinical records are never deleted")),
        _pg_function(
            "bridge_clinical_note_locked",
            f"IF OLD.signed_at IS NOT NULL AND ({_changed(NOTE_CONTENT, 'IS DISTINCT FROM')}) THEN "
            f"{_pg_raise('a signed note is locked: add an addendum')} END IF;",
        ),
        _pg_function("bridge_clinical_addendum_locked", _pg_raise("an addendum is never changed")),
        _pg_function(
            "bridge_clinical_planversion_locked",
            f"IF OLD.signed_at IS NOT NULL AND ({_changed(VERSION_CONTENT, 'IS DISTINCT FROM')} OR "
            f"(OLD.participant_signed_at IS NOT NULL AND "
            f"({_changed(('participant_signature', 'participant_signed_at'), 'IS DISTINCT FROM')}))) THEN "
            f"{_pg_raise('a signed plan version is locked: revise the plan')} END IF;",
        ),
    ]

    def by_parent(name, signed_expr_new, signed_expr_old, msg):
        return _pg_function(
            name,
            f"IF TG_OP <> 'DELETE' AND {signed_expr_new} THEN {_pg_raise(msg)} END IF; "
            f"IF TG_OP <> 'INSERT' AND {signed_expr_old} THEN {_pg_raise(msg)} END IF;",
        )

    out.append(by_parent("bridge_clinical_entry_locked", note_signed.format(ref="NEW.note_id"),
                         note_signed.format(ref="OLD.note_id"), "the group note is signed"))
    out.append(by_parent("bridge_clinical_notegoal_locked", note_signed.format(ref="NEW.note_id"),
                         note_signed.format(ref="OLD.note_id"), "the note is signed"))
    entry_note = "(SELECT note_id FROM clinical_groupnoteentry WHERE id = {ref})"
    out.append(by_parent("bridge_clinical_entrygoal_locked",
                         note_signed.format(ref=entry_note.format(ref="NEW.entry_id")),
                         note_signed.format(ref=entry_note.format(ref="OLD.entry_id")), "the group note is signed"))
    out.append(by_parent("bridge_clinical_planpart_locked", version_signed.format(ref="NEW.version_id"),
                         version_signed.format(ref="OLD.version_id"), "the plan version is signed"))
    triggers = [
        ("clinical_note", "UPDATE", "bridge_clinical_note_locked"),
        ("clinical_addendum", "UPDATE", "bridge_clinical_addendum_locked"),
        ("clinical_planversion", "UPDATE", "bridge_clinical_planversion_locked"),
        ("clinical_groupnoteentry", "INSERT OR UPDATE", "bridge_clinical_entry_locked"),
        ("clinical_notegoal", "INSERT OR UPDATE OR DELETE", "bridge_clinical_notegoal_locked"),
        ("clinical_entrygoal", "INSERT OR UPDATE OR DELETE", "bridge_clinical_entrygoal_locked"),
    ] + [(t, "INSERT OR UPDATE OR DELETE", "bridge_clinical_planpart_locked") for t in PLAN_PARTS]
    triggers += [(t, "DELETE", "bridge_clinical_no_delete") for t in NO_DELETE]
    for i, (table, events, function) in enumerate(triggers):
        out.append(
            f"CREATE TRIGGER clinical_lock_{i}_{table} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}();"
        )
    return out, [f"DROP TRIGGER IF EXISTS clinical_lock_{i}_{t} ON {t};" for i, (t, _, _) in enumerate(triggers)]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = sqlite_statements() if vendor == "sqlite" else pg_statements()[0] if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = sqlite_drops() if vendor == "sqlite" else pg_statements()[1] if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("clinical", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
