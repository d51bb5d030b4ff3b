"""Insert many rows of one model fast: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

Used by the demo loader for its three big tables (residents, their grants, rooms).
Rows are tuples of the varying columns; every other column gets its model default
(or ``auto_now`` time) once, so nothing is computed per row that need not be.
``COPY`` bypasses the ORM's per-value preparation and is several times faster than
multi-row ``INSERT`` for 10⁵ rows (figures in docs/performance.md); SQLite, which has
no ``COPY``, gets the ORM's ``bulk_create``. Both paths are exercised by the test
suite (CI runs it on PostgreSQL and SQLite).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from gongzhi.privacy.fields import EncryptedField


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


class BulkInserter:
    """``BulkInserter(User, ["username", "phone"], fixed={"kind": "resident"}).insert(rows)``."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, fixed: Mapping[str, Any] | None = None):
        self.model = model
        self.columns = list(columns)
        fixed = dict(fixed or {})
        now = timezone.now()
        self.constants: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            name = field.attname
            if name in self.columns or field.primary_key:
                continue
            if name in fixed:
                value = fixed.pop(name)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                if field.has_default() and callable(field.default) and field.unique:
                    raise ValueError(f"{model.__name__}.{name}: a unique field with a callable default needs a column")
                value = field.get_default()  # "" for text fields without a default, else None
                if value is None and not field.null:
                    raise ValueError(f"{model.__name__}.{name} has no default: pass it as a column or in fixed")
            self.constants[name] = _plain(value)
        if fixed:
            raise ValueError(f"unknown fields for {model.__name__}: {sorted(fixed)}")
        # COPY skips the ORM's value preparation: encrypted columns are encrypted here.
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.encrypted = [(i, fields[c]) for i, c in enumerate(self.columns) if isinstance(fields[c], EncryptedField)]

    @property
    def uses_copy(self) -> bool:
        return connection.vendor == "postgresql"

    def insert(self, rows: Sequence[tuple[Any, ...]], *, return_ids: bool = False) -> list[int]:
        """Insert ``rows``; with ``return_ids`` the new primary keys, in row order."""
        if not rows:
            return []
        if self.uses_copy:
            return self._copy(rows, return_ids=return_ids)
        objs = [self.model(**self.constants, **dict(zip(self.columns, row, strict=True))) for row in rows]
        created = self.model._default_manager.bulk_create(objs)
        return [obj.pk for obj in created] if return_ids else []

    def _copy(self, rows: Sequence[tuple[Any, ...]], *, return_ids: bool) -> list[int]:
        meta = self.model._meta
        pk_column = str(meta.pk.column if meta.pk else "id")
        ids: list[int] = []
        with connection.cursor() as cursor:
            if return_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk_column, len(rows)],
                )
                ids = [row[0] for row in cursor.fetchall()]
            fields = {f.attname: f for f in meta.concrete_fields}
            constant_values = [
                fields[name].get_db_prep_save(value, connection) for name, value in self.constants.items()
            ]
            names = ([pk_column] if return_ids else []) + [str(fields[c].column) for c in self.columns]
            names += [str(fields[c].column) for c in self.constants]
            quoted = ", ".join(connection.ops.quote_name(n) for n in names)
            sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({quoted}) FROM STDIN"
            if self.encrypted:
                rows = [self._encrypt(row) for row in rows]
            with cursor.cursor.copy(sql) as copy:
                if return_ids:
                    for pk, row in zip(ids, rows, strict=True):
                        copy.write_row((pk, *row, *constant_values))
                else:
                    for row in rows:
                        copy.write_row((*row, *constant_values))
        return ids

    def _encrypt(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i, field in self.encrypted:
            values[i] = field.get_db_prep_save(values[i], connection)
        return tuple(values)
