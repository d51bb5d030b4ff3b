"""``manage.py flush`` that works with append-only tables on SQLite.

Flush empties every table: it is a wholesale reset for development and for the test
runner (pytest-django's transactional tests flush after each test), not an edit of
guarded rows. PostgreSQL flushes with TRUNCATE, which fires no row triggers, so nothing
changes there. SQLite flushes with DELETE, which append-only triggers refuse (the audit
table's here, and those of domains above audit, such as the governance ledger's); on SQLite
this command lifts every trigger for the flush and recreates each from its stored
definition afterwards, even when the flush fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections


class Command(DjangoFlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL")
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for _, sql in triggers:
                    cursor.execute(sql)
