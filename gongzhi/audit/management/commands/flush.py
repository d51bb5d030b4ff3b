"""``manage.py flush`` that works with the append-only audit table on SQLite.

Flush empties every table: it is a wholesale reset for development and for the test
runner (pytest-django's transactional tests flush after each test), not an edit of
audit rows. PostgreSQL flushes with TRUNCATE, which fires no row triggers, so nothing
changes there. SQLite flushes with DELETE, which the append-only triggers refuse; on
SQLite this command lifts the triggers for the flush and reinstalls them afterwards,
even when the flush fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections

from gongzhi.audit import append_only


class Command(DjangoFlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or not append_only.installed_sqlite_triggers(connection):
            super().handle(**options)
            return
        append_only.uninstall(connection)
        try:
            super().handle(**options)
        finally:
            append_only.install(connection)
