"""Append-only guards: database triggers refusing UPDATE and DELETE on the log tables.

They stop the application (and anyone using its database account) from rewriting history by
accident or on purpose; an owner of the database can still drop them, which is why the
Merkle tree, the signed checkpoints and the witnesses exist. PostgreSQL: row triggers
(TRUNCATE, UPDATE and DELETE are also withheld from the application role by
``manage.py ledger_app_role``; see docs/operations/production.md).
"""

from __future__ import annotations

from typing import Any

APPEND_ONLY_TABLES = ("ledger_ledgerleaf", "ledger_ledgernode", "ledger_checkpoint", "ledger_cosignature")
MESSAGE = "ledger tables are append-only"


def create_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        sql = [
            "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        ]
        sql += [
            f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            for t in APPEND_ONLY_TABLES
        ]
        return sql
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for t in APPEND_ONLY_TABLES
            for op in ("UPDATE", "DELETE")
        ]
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY_TABLES]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_no_{op.lower()}" for t in APPEND_ONLY_TABLES for op in ("UPDATE", "DELETE")
        ]
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in create_sql(connection.vendor):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    """Only for test teardown (flushing a test database) and supervised maintenance."""
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor):
            cursor.execute(statement)
