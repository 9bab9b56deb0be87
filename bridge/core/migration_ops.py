"""Migration helpers.

Django rebuilds a SQLite table to add a CHECK constraint (and for many other changes), which drops
the table's triggers — the append-only and never-deleted guards (audit/0002, clinical/0002,
aftercare/0002 and their i15a siblings). `keeping_sqlite_triggers(ops)` wraps operations so every
trigger that existed before them exists after them. PostgreSQL alters tables in place: a no-op there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import migrations

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.operations.base import Operation
    from django.db.migrations.state import StateApps

_saved: dict[str, list[tuple[str, str]]] = {}


def _triggers(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
        return list(cursor.fetchall())


def _snapshot(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _saved[schema_editor.connection.alias] = _triggers(schema_editor.connection)


def _restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    present = {name for name, _ in _triggers(connection)}
    for name, sql in _saved.pop(connection.alias, []):
        if name not in present:
            schema_editor.execute(sql, params=None)


def keeping_sqlite_triggers(operations: list[Operation]) -> list[Operation]:
    """The operations, between a snapshot of SQLite's triggers and their re-creation."""
    return [
        migrations.RunPython(_snapshot, _restore, elidable=False),
        *operations,
        migrations.RunPython(_restore, _snapshot, elidable=False),
    ]


def refuse_dates_out_of_range(app_label: str) -> migrations.RunPython:
    """A migration step before adding the date-range CHECKs: stop, naming the rows, when the
    database already holds a date outside 1900-2099 (PostgreSQL would refuse the constraint with a
    bare error; the fix is a person's decision about the right date, never a silent rewrite)."""

    def check(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        from bridge.core.dates import model_date_fields, out_of_range_q

        found: list[str] = []
        for model in apps.get_app_config(app_label).get_models():
            for field in model_date_fields(model):
                pks = list(
                    model._base_manager.using(schema_editor.connection.alias)
                    .filter(out_of_range_q(field.name, field))
                    .values_list("pk", flat=True)[:5]
                )
                found += [f"{model._meta.db_table}.{field.column} id={pk}" for pk in pks]
        if found:
            raise RuntimeError(
                "Dates outside 1900-01-01..2099-12-31 are stored and must be corrected before this "
                "upgrade (run `bridge check-records` for the list and the fix): " + ", ".join(found)
            )

    return migrations.RunPython(check, migrations.RunPython.noop, elidable=False)
