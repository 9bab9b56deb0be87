"""The migrated SQLite test database, built once and copied into each test session.

Creating the test database means running every migration, and nearly all of that time is Django
rendering the models' historical states (one `reload_model` per operation, each re-rendering the
models related to it — here nearly all of them): about two CPU-minutes, in every pytest-xdist
worker, on every run. The database it leaves is the same each time as long as the migrations are.

So the first session that migrates an in-memory SQLite test database saves a copy of it (the
SQLite backup API: every table, index, CHECK and trigger, and the rows post_migrate wrote — content
types, permissions) to `var/test-db/sqlite-<key>.sqlite3`, and later sessions copy that file into
their in-memory database instead of migrating. The key is a hash of everything the migrated
database depends on: the Django, SQLite and Python versions, the installed apps, the text of every
migration file of every installed app, and of each `bridge` module a migration imports (the
operations in `bridge.core.migration_ops`, the validators in `bridge.core.dates`). Any change to
those builds a new copy; the old one is removed.

`make test` builds the copy while mypy runs (`python -m bridge.testing.template_db`), so the
pytest-xdist workers all start from it even on a fresh clone.

On PostgreSQL (.ci/run's second leg) the same key marks a database `<test database>_tpl` kept on the
server between runs (one per xdist worker, made by this code; see `_postgresql`): each later test
database is created `WITH TEMPLATE` it instead of migrated. `--reuse-db` sessions are left as
pytest-django makes them. `BRIDGE_TEST_DB_TEMPLATE=0` turns both copies off (every session
migrates, as Django does).
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.util
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

PREFIX = "sqlite-"


def enabled() -> bool:
    return os.environ.get("BRIDGE_TEST_DB_TEMPLATE", "1").lower() not in ("0", "false", "no", "off")


def _bridge_modules_imported_by(path: Path) -> set[Path]:
    """The files of the `bridge` modules a migration file imports (one level: what it runs)."""
    found: set[Path] = set()
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    for name in names:
        if name == "bridge" or not name.startswith("bridge."):
            continue
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            found.add(Path(spec.origin))
    return found


def inputs() -> list[Path]:
    """Every file the migrated database depends on: migrations, and the bridge modules they import."""
    from django.apps import apps

    files: set[Path] = set()
    for app in apps.get_app_configs():
        folder = Path(app.path) / "migrations"
        if folder.is_dir():
            for path in folder.glob("*.py"):
                files.add(path)
                files |= _bridge_modules_imported_by(path)
    return sorted(files)


def key() -> str:
    import django
    from django.apps import apps
    from django.conf import settings

    digest = hashlib.sha256()
    digest.update(
        repr(
            (
                django.__version__,
                sqlite3.sqlite_version,
                sys.version_info[:2],
                [app.name for app in apps.get_app_configs()],
                getattr(settings, "MIGRATION_MODULES", {}),
            )
        ).encode()
    )
    for path in inputs():
        digest.update(b"\0" + path.as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def template_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "test-db" / f"{PREFIX}{key()}.sqlite3"


def _save(connection, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, path)  # atomic: another worker reads a whole copy or none
    for old in path.parent.glob(f"{PREFIX}*.sqlite3"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def _ready_database(creation, name: str, serialize: bool, load) -> str:
    """Django's create_test_db from the point after `migrate`, with `load()` in place of it."""
    from django.conf import settings
    from django.core.management import call_command

    connection = creation.connection
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    load()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    return name


def _sqlite(create_test_db, creation, verbosity, autoclobber, serialize, keepdb) -> str:
    name = creation._get_test_db_name()
    if not creation.is_in_memory_db(name):
        return create_test_db(creation, verbosity, autoclobber, serialize, keepdb)
    path = template_path()
    if not path.exists():
        name = create_test_db(creation, verbosity, autoclobber, serialize, keepdb)
        _save(creation.connection, path)
        return name

    def load() -> None:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(creation.connection.connection)
        finally:
            source.close()

    if verbosity >= 1:
        creation.log(f"Creating test database for alias {creation.connection.alias!r} from {path}...")
    creation._create_test_db(verbosity, autoclobber, keepdb)
    return _ready_database(creation, name, serialize, load)


def _postgresql(create_test_db, creation, verbosity, autoclobber, serialize, keepdb) -> str:
    """PostgreSQL: `<test database>_tpl`, made by this code next to the test database (one per
    pytest-xdist worker), is kept between sessions with the key as its comment; the test database is
    then created `WITH TEMPLATE` it (a file copy on the server) instead of migrated."""
    if keepdb:
        return create_test_db(creation, verbosity, autoclobber, serialize, keepdb)
    connection = creation.connection
    qn = connection.ops.quote_name
    name = creation._get_test_db_name()
    template = f"{name[:59]}_tpl"
    stamp = f"bridge test database template {key()}"
    with creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [template]
        )
        row = cursor.fetchone()
    if row is None or row[0] != stamp:
        name = create_test_db(creation, verbosity, autoclobber, serialize, keepdb)
        if row is not None and not (row[0] or "").startswith("bridge test database template "):
            return name  # a database of that name that is not ours: left alone, nothing saved
        connection.close()  # a template source may have no other session
        with creation._nodb_cursor() as cursor:
            if row is not None:  # ours, from other migrations
                cursor.execute(f"DROP DATABASE {qn(template)}")
            cursor.execute(f"CREATE DATABASE {qn(template)} WITH TEMPLATE {qn(name)}")
            cursor.execute(f"COMMENT ON DATABASE {qn(template)} IS %s", [stamp])
        connection.ensure_connection()
        return name
    if verbosity >= 1:
        creation.log(f"Creating test database for alias {connection.alias!r} from {template}...")
    test_settings = connection.settings_dict["TEST"]
    before = test_settings.get("TEMPLATE")
    test_settings["TEMPLATE"] = template
    try:
        creation._create_test_db(verbosity, autoclobber, keepdb)
    finally:
        test_settings["TEMPLATE"] = before
    return _ready_database(creation, name, serialize, lambda: None)


def _wrap(create_test_db, vendor_copy):
    def create_test_db_from_template(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if not enabled() or self.connection.settings_dict["TEST"]["MIGRATE"] is False:
            return create_test_db(self, verbosity, autoclobber, serialize, keepdb)
        return vendor_copy(create_test_db, self, verbosity, autoclobber, serialize, keepdb)

    create_test_db_from_template.wrapped = create_test_db  # type: ignore[attr-defined]
    return create_test_db_from_template


def install() -> None:
    """Make the test database creation use (and save) the migrated copy."""
    from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation

    backends: list[tuple[Any, Any]] = [(SQLiteCreation, _sqlite)]
    try:
        from django.db.backends.postgresql.creation import DatabaseCreation as PostgreSQLCreation
    except ImportError:  # no psycopg: no PostgreSQL leg
        pass
    else:
        backends.append((PostgreSQLCreation, _postgresql))
    for creation, vendor_copy in backends:
        if not hasattr(creation.create_test_db, "wrapped"):
            creation.create_test_db = _wrap(creation.create_test_db, vendor_copy)


def main() -> int:
    """Build the copy now (`make test` runs this beside mypy) unless it is there or not wanted."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if not enabled() or connection.vendor != "sqlite":
        return 0
    if template_path().exists():
        print(f"Test database copy up to date: {template_path()}")
        return 0
    install()
    config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    teardown_databases(config, verbosity=0)
    print(f"Test database copy built: {template_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
