"""Database triggers that make the change-record table append-only.

PostgreSQL: a trigger function raising an exception, fired BEFORE UPDATE OR DELETE for
each row, and UPDATE/DELETE revoked from PUBLIC. SQLite: BEFORE UPDATE and BEFORE
DELETE triggers that ``RAISE(ABORT, ...)``. Both refuse with SQLSTATE class 23
(integrity), which Django raises as ``django.db.IntegrityError``.

TRUNCATE is not guarded: PostgreSQL's TRUNCATE fires no row triggers, which keeps
``manage.py flush`` (and so pytest-django's transactional tests) working. SQLite's flush
deletes row by row, so this app's ``flush`` command lifts the SQLite triggers for the
flush and puts them back (see management/commands/flush.py).

SQLite drops a table's triggers when a migration rebuilds the table; a migration that
alters ChangeRecord must call :func:`install` again. The append-only tests fail if the
triggers are missing.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_changerecord"
MESSAGE = "audit_changerecord is append-only"
_PG_FUNCTION = "audit_changerecord_append_only"
_PG_TRIGGER = "audit_changerecord_append_only"
SQLITE_TRIGGERS = ("audit_changerecord_no_update", "audit_changerecord_no_delete")


def _sqlite_create_statements(table: str) -> list[str]:
    update_trigger, delete_trigger = SQLITE_TRIGGERS
    return [
        f"CREATE TRIGGER IF NOT EXISTS {update_trigger} BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {delete_trigger} BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
    ]


def _pg_create_statements(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$""",
        f"DROP TRIGGER IF EXISTS {_PG_TRIGGER} ON {table}",
        f"CREATE TRIGGER {_PG_TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
        f"REVOKE UPDATE, DELETE ON {table} FROM PUBLIC",
    ]


def create_statements(vendor: str, table: str = TABLE) -> list[str]:
    if vendor == "postgresql":
        return _pg_create_statements(table)
    if vendor == "sqlite":
        return _sqlite_create_statements(table)
    return []  # other databases are not supported by Gongzhi


def drop_statements(vendor: str, table: str = TABLE) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_PG_TRIGGER} ON {table}", f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in create_statements(connection.vendor):
            cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)


def installed_sqlite_triggers(connection: Any) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()}
