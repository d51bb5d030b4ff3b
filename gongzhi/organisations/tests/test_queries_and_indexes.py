"""List endpoints have bounded query counts; organisation path lookups use an index."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from gongzhi.organisations import actions
from gongzhi.organisations.choices import OrganisationKind
from gongzhi.organisations.models import DutyAssignment, Organisation
from gongzhi.organisations.tests.duty_world import build_duties


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask whether an index *can* serve it
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("make_queryset", "column"),
    [
        (lambda w: Organisation.objects.filter(home_area_path__startswith=w.s1.path).only("id"), "home_area_path"),
        (lambda w: DutyAssignment.objects.filter(area_path__startswith=w.s1.path).only("id"), "area_path"),
    ],
    ids=["organisations-seated-under", "duties-under"],
)
def test_path_prefix_lookups_use_an_index(world, make_queryset, column):
    plan = explain(make_queryset(world))

    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan, plan
        assert re.search(r"Index (Only )?Scan using \S*" + column + r"|Bitmap Index Scan on \S*" + column, plan), plan
    else:
        assert re.search(
            r"USING (COVERING )?INDEX \w*" + column + r"\w* \(" + column + r">\? AND " + column + r"<\?\)", plan
        ), plan


def add_organisations(world, n):
    for i in range(n):
        org = actions.create_organisation(
            actor=world.system_admin, kind=OrganisationKind.ENTERPRISE, name=f"企业{i}", code=f"ENT-{i}", seat=world.c1
        )
        actions.set_served_areas(org, actor=world.system_admin, areas=[world.c1, world.g1])


@pytest.mark.parametrize("actor", ["system_admin", "community_worker_c1", "property_staff_c1"])
def test_organisation_list_query_count_is_bounded(world, client_for, django_assert_max_num_queries, actor):
    add_organisations(world, 25)
    client = client_for(actor)

    # session, user, grants, count, page, served areas (one prefetch) + the session save (3)
    with django_assert_max_num_queries(10):
        response = client.get("/api/organisations/organisations/")

    assert response.status_code == 200
    assert response.json()["count"] >= 25 if actor != "property_staff_c1" else response.json()["count"] >= 1


def test_duty_list_and_route_query_counts_are_bounded(world, client_for, django_assert_max_num_queries):
    duties = build_duties(world)
    add_organisations(world, 10)
    for org in Organisation.objects.filter(code__startswith="ENT-"):
        actions.add_duty(org, actor=world.system_admin, category=duties.waste, area=world.g1)
    client = client_for("street_official_s1")

    with django_assert_max_num_queries(9):
        duties_response = client.get("/api/organisations/duties/")
    with django_assert_max_num_queries(11):
        route_response = client.get(f"/api/organisations/route/?category={duties.full.pk}&area={world.g1.pk}")

    assert duties_response.json()["count"] == 13
    assert len(route_response.json()) == 10


def test_category_list_and_tree_query_counts_are_bounded(world, client_for, django_assert_max_num_queries):
    build_duties(world)
    client = client_for("community_worker_c1")

    with django_assert_max_num_queries(9):
        assert client.get("/api/organisations/categories/").status_code == 200
    with django_assert_max_num_queries(8):
        tree = client.get("/api/organisations/categories/tree/").json()

    assert {node["code"] for node in tree} == {"ENV", "HOUSE"}
