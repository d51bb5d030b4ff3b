"""Indexes that make ``<path column> LIKE 'prefix%'`` a range scan on both databases.

PostgreSQL: a plain B-tree on a varchar serves LIKE only under the C collation, so the
column needs a ``varchar_pattern_ops`` index (Django already adds one, ``*_like``, for
indexed CharFields; we add ours only where none exists). SQLite: Django's LIKE is
case-insensitive, so the planner uses an index only if it is ``COLLATE NOCASE``.
Used by migrations (territory and organisations); names are stable for reversal.
"""

from __future__ import annotations

from typing import Any


def _name(table: str, column: str, suffix: str) -> str:
    return f"{table}_{column}_{suffix}"[:63]


def create_prefix_indexes(schema_editor: Any, columns: list[tuple[str, str]]) -> None:
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    for table, column in columns:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                    [table, f"%({column} varchar_pattern_ops)%"],
                )
                present = cursor.fetchone() is not None
            if not present:
                name = quote(_name(table, column, "pattern"))
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
                )
        elif connection.vendor == "sqlite":
            name = quote(_name(table, column, "nocase"))
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {quote(table)} ({quote(column)} COLLATE NOCASE)"
            )


def drop_prefix_indexes(schema_editor: Any, columns: list[tuple[str, str]]) -> None:
    connection = schema_editor.connection
    suffix = {"postgresql": "pattern", "sqlite": "nocase"}.get(connection.vendor)
    if suffix is None:
        return
    for table, column in columns:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(_name(table, column, suffix))}")
