"""Subtree lookups (``path LIKE 'prefix%'``) are index range scans on both databases."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from gongzhi.territory.models import Area, Building
from gongzhi.territory.queries import list_subtree


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are tiny, so a sequential scan would win on cost; forbid
            # it to ask "could an index serve this LIKE at all?" (without one, PG still seq-scans).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("make_queryset", "column"),
    [
        (lambda w: list_subtree(w.s1), "path"),
        (lambda w: Building.objects.filter(area_path__startswith=w.c1.path), "area_path"),
    ],
    ids=["area-subtree", "buildings-under"],
)
def test_subtree_query_is_an_index_range_scan(world, make_queryset, column):
    plan = explain(make_queryset(world))

    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index (Only )?Scan using \S*" + column, plan) or re.search(
            r"Bitmap Index Scan on \S*" + column, plan
        ), plan
        assert "~>=~" in plan or ">=" in plan, plan  # a range condition, not a filter over every row
    else:
        assert re.search(
            r"SEARCH \w+ USING (COVERING )?INDEX \w*" + column + r"\w* \(" + column + r">\? AND " + column + r"<\?\)",
            plan,
        ), plan


def test_subtree_query_returns_exactly_the_subtree(world):
    assert set(list_subtree(world.s1).values_list("code", flat=True)) == {
        a.code for a in (world.s1, world.c1, world.c2, world.g1, world.g2, world.g3)
    }
    assert not list_subtree(world.s1, queryset=Area.objects.filter(level=1)).exists()
