"""A fixture that empties the domain tables for a test: the demo loader only seeds an empty
database, while the shared test database holds the standard world (see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection

from gongzhi.core import calendar

#: Tables that migrations fill and a fresh installation therefore never has empty (the
#: holiday calendar is seeded by a data migration, and the demo's requests count deadlines on it).
KEEP = {"django_content_type", "auth_permission", "django_migrations", "workcal_calendarday"}


@pytest.fixture
def empty_database(db: Any) -> Iterator[None]:
    """Delete every row (but content types, permissions and the calendar) inside the test's transaction,
    which rolls back afterwards and brings the world back for the next test."""
    tables = [t for t in connection.introspection.django_table_names(include_views=False) if t not in KEEP]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    yield
    ContentType.objects.clear_cache()
    calendar.invalidate()  # nothing cached during the test outlives its rollback
