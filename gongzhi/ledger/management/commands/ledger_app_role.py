"""Give the application's database role write access everywhere except the log tables.

On PostgreSQL the audit and ledger tables are append-only twice over: row triggers refuse
UPDATE and DELETE (:mod:`gongzhi.ledger.triggers`), and the role the web and worker processes
connect as holds only SELECT and INSERT on them, never UPDATE, DELETE or TRUNCATE. Migrations
run as the owner of the tables; the application runs as this role (docs/operations/production.md):

    manage.py ledger_app_role --role gongzhi_app
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from gongzhi.ledger.triggers import APPEND_ONLY_TABLES

#: The append-only tables: the ledger's and the audit log's.
LOG_TABLES = (*APPEND_ONLY_TABLES, "audit_changerecord")


def grant_sql(role: str) -> list[str]:
    quoted = connection.ops.quote_name(role)
    logs = ", ".join(LOG_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {logs} FROM {quoted}",
        f"GRANT SELECT, INSERT ON {logs} TO {quoted}",
    ]


class Command(BaseCommand):
    help = "Grant the application role DML everywhere but only SELECT/INSERT on the audit and ledger tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="the PostgreSQL role the application connects as")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("database roles and grants exist on PostgreSQL only")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"no such role: {role}")
            with transaction.atomic():
                for sql in grant_sql(role):
                    cursor.execute(sql)
        self.stdout.write(f"{role}: SELECT/INSERT only on {', '.join(LOG_TABLES)}; full DML elsewhere.")
