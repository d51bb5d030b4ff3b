"""Insert many rows of one model fast: ``COPY`` on PostgreSQL, ``bulk_create`` on SQLite.

Used by the importer for its large tables (residents, households, memberships, import
changes, lineage). Rows are dicts of attnames → Python values, all with the same keys;
every other column gets its default (or the ``auto_now`` time) once per call.
On PostgreSQL the values are prepared here, not by the ORM: encrypted fields are
encrypted (:func:`gongzhi.privacy.crypto.encrypt_text`, the same format the field
writes), JSON fields dumped; blind indexes must be given (computed by the caller in a
batch). Primary keys come from the table's sequence in one query, so callers can link
rows (memberships → residents) before writing them. SQLite has no ``COPY`` and gets
``bulk_create`` (which prepares values through the fields).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from gongzhi.privacy import crypto
from gongzhi.privacy.fields import BlindIndexField, EncryptedField


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence (PostgreSQL only)."""
    if count == 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],  # type: ignore[union-attr]
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, ids: Sequence[int] | None = None
) -> list[int]:
    """Insert ``rows``; returns their primary keys (``ids`` if given, PostgreSQL needs them
    given or reserved for linking; pass ``ids=None`` when nobody needs them)."""
    if not rows:
        return []
    if not uses_copy():
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=1000)
        return [obj.pk for obj in objs]
    return _copy(model, rows, ids)


def defaults(model: type[models.Model], given: Sequence[str], now: Any = None) -> dict[str, Any]:
    """``{attname: database value}`` for every concrete column of ``model`` not in ``given``
    (and not the primary key): its default, ``now`` for ``auto_now``/``auto_now_add``, ``""``
    for a blind index."""
    now = now or timezone.now()
    constants: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        name = field.attname
        if name in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = now
        elif isinstance(field, BlindIndexField):
            value = ""
        else:
            value = field.get_default()
            if value is None and not field.null:
                raise ValueError(f"{model.__name__}.{name} has no default: give it in the rows")
        constants[name] = field.get_db_prep_save(_plain(value), connection)
    return constants


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]], ids: Sequence[int] | None) -> list[int]:
    meta = model._meta
    columns = list(rows[0])
    fields = {f.attname: f for f in meta.concrete_fields}
    constants = defaults(model, columns)
    converters: list[Any] = []
    for name in columns:
        field = fields[name]
        if isinstance(field, EncryptedField):
            aad = field.aad
            converters.append(lambda v, aad=aad: crypto.encrypt_text(str(v), aad) if v not in (None, "") else v)
        elif isinstance(field, models.JSONField):
            converters.append(lambda v: json.dumps(v, ensure_ascii=False))
        else:
            converters.append(None)
    # Choice values are str subclasses and dump as text; other enums (rare) are unwrapped.
    first = list(rows[0].values())
    for i, conv in enumerate(converters):
        if conv is None and isinstance(first[i], enum.Enum) and not isinstance(first[i], str | int):
            converters[i] = _plain
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    pk_column = str(meta.pk.column)  # type: ignore[union-attr]
    names = ([pk_column] if ids is not None else []) + [str(fields[c].column) for c in columns]
    names += [str(fields[c].column) for c in constants]
    tail = tuple(constants.values())
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for position, row in enumerate(rows):
            values = list(row.values())
            for i, conv in convert:
                values[i] = conv(values[i])
            head = (ids[position],) if ids is not None else ()
            copy.write_row((*head, *values, *tail))
    return list(ids) if ids is not None else []
