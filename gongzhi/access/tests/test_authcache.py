"""The request authorisation cache (``gongzhi.access.authcache``): a change to a user or their
grants takes effect on the user's next request, whichever way it was written."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from gongzhi.access import authcache
from gongzhi.access.actions import grant_role, revoke_role
from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.access.queries import active_grants
from gongzhi.accounts.actions import change_password, deactivate_user
from gongzhi.privacy.testing import test_keys  # noqa: F401  (autouse fixture)
from gongzhi.residents.factories import ResidentFactory
from gongzhi.testing.sessions import session_reads

PHONE = "13912345678"
LOOKUP = f"/api/residents/people/lookup/?phone={PHONE}"


@pytest.fixture
def person(world):
    return ResidentFactory(grid=world.g1, phone=PHONE)


def _signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _grant_queries(client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def test_the_second_request_reads_neither_the_user_nor_the_grants_from_the_database(world, person):
    client = _signed_in(world.grid_worker_g1)
    first_status, first = _grant_queries(client, LOOKUP)
    second_status, second = _grant_queries(client, LOOKUP)
    assert first_status == second_status == 200
    assert any("access_rolegrant" in sql for sql in first)
    assert any('FROM "accounts_user"' in sql for sql in first)
    assert not any("access_rolegrant" in sql or 'FROM "accounts_user"' in sql for sql in second)
    assert len(second) == 1 + session_reads()  # the lookup (and the session with database sessions)


def test_a_revoked_grant_loses_access_on_the_next_request(world, person, django_capture_on_commit_callbacks):
    client = _signed_in(world.grid_worker_g1)
    assert len(client.get(LOOKUP).json()["results"]) == 1
    assert len(client.get(LOOKUP).json()["results"]) == 1  # now served from the cache
    grant = RoleGrant.objects.get(user=world.grid_worker_g1, revoked_at__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_role(grant, actor=world.security_admin)
    assert client.get(LOOKUP).json()["results"] == []  # residents may look themselves up: 200, nobody found


def test_a_new_grant_takes_effect_on_the_next_request(world, person):
    client = _signed_in(world.no_grant)
    assert client.get(LOOKUP).json()["results"] == []
    grant_role(
        world.no_grant,
        role=Role.GRID_WORKER,
        organisation=world.orgs["committee_c1"],
        area=world.g1,
        actor=world.security_admin,
    )
    assert len(client.get(LOOKUP).json()["results"]) == 1


def test_a_deactivated_user_is_signed_out_on_the_next_request(world, person):
    client = _signed_in(world.grid_worker_g1)
    assert client.get(LOOKUP).status_code == 200
    assert client.get(LOOKUP).status_code == 200
    deactivate_user(world.grid_worker_g1, actor=world.system_admin)
    response = client.get(LOOKUP)
    assert response.status_code == 403
    assert not response.wsgi_request.user.is_authenticated


def test_a_password_change_ends_the_other_sessions_despite_the_cache(world, person):
    user = world.grid_worker_g1
    other_device = _signed_in(user)
    assert other_device.get(LOOKUP).status_code == 200
    change_password(user, new_password="Another-Secret-2026!x", actor=user)
    response = other_device.get(LOOKUP)
    assert response.status_code == 403
    assert not response.wsgi_request.user.is_authenticated


def test_bulk_writes_to_grants_and_users_drop_the_cache(world, person):
    client = _signed_in(world.grid_worker_g1)
    assert client.get(LOOKUP).status_code == 200
    RoleGrant.objects.filter(user=world.grid_worker_g1).update(revoked_at=timezone.now())
    assert client.get(LOOKUP).json()["results"] == []

    other = _signed_in(world.community_worker_c1)
    assert other.get(LOOKUP).status_code == 200
    get_user_model().objects.filter(pk=world.community_worker_c1.pk).update(is_active=False)
    assert not other.get(LOOKUP).wsgi_request.user.is_authenticated


def test_a_grant_past_its_valid_until_stops_working_while_cached(world, monkeypatch):
    user = world.no_grant
    grant_role(
        user,
        role=Role.GRID_WORKER,
        organisation=world.orgs["committee_c1"],
        area=world.g1,
        actor=world.security_admin,
        valid_until=timezone.now() + timedelta(hours=1),
    )
    assert [g.role for g in active_grants(authcache.load_user(user.pk))] == [Role.GRID_WORKER]
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("gongzhi.access.queries.timezone", SimpleNamespace(now=lambda: later))
    with CaptureQueriesContext(connection) as ctx:
        cached = authcache.load_user(user.pk)
    assert len(ctx.captured_queries) == 0  # a cache hit...
    assert active_grants(cached) == []  # ...that still drops the expired grant


def test_an_entry_filled_from_rows_read_before_a_change_is_never_used(world):
    """A request that read its token, then the old rows, and stored them after the change
    committed (and dropped the token) stores an entry nobody will use."""
    user = world.grid_worker_g1
    authcache.load_user(user.pk)
    stale_token = cache.get(authcache._user_key(user.pk))
    old_rows = cache.get(authcache._data_key(user.pk))
    authcache.forget_user(user.pk)  # the change commits
    cache.set(authcache._data_key(user.pk), (old_rows[0], stale_token, *old_rows[2:]))  # the late store
    with CaptureQueriesContext(connection) as ctx:
        authcache.load_user(user.pk)
    assert len(ctx.captured_queries) == 2  # user and grants read again


def test_a_cache_flush_is_a_miss_and_signs_nobody_out(world, person, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = _signed_in(world.grid_worker_g1)
    assert client.get(LOOKUP).status_code == 200
    cache.clear()
    response = client.get(LOOKUP)
    assert response.status_code == 200
    assert response.wsgi_request.user == world.grid_worker_g1


def test_without_the_cache_every_request_reads_user_and_grants(world, person, settings):
    settings.GONGZHI_AUTHZ_CACHE = False
    client = _signed_in(world.grid_worker_g1)
    client.get(LOOKUP)
    status, queries = _grant_queries(client, LOOKUP)
    assert status == 200
    assert any("access_rolegrant" in sql for sql in queries)
    assert any('FROM "accounts_user"' in sql for sql in queries)
    assert cache.get(authcache._data_key(world.grid_worker_g1.pk)) is None


# Pinned statement counts of two API requests once the session's user is cached, plus the
# session read with database sessions (``session_reads``: none with Redis's cached_db
# sessions). Before the authorisation cache each was two more: the user row and the role
# grants, on every request.
LOOKUP_QUERIES = 1  # the blind-index lookup
WORK_ORDER_LIST_QUERIES = 2  # the page count, the page


def test_the_lookup_api_runs_two_statements(world, person, django_assert_num_queries):
    client = _signed_in(world.grid_worker_g1)
    client.get(LOOKUP)  # signs the session's activity time and fills the cache
    with django_assert_num_queries(LOOKUP_QUERIES + session_reads()):
        response = client.get(f"/api/residents/people/lookup/?id_number={person.id_number}")
    assert [row["id"] for row in response.json()["results"]] == [person.pk]


def test_the_work_order_list_api_runs_three_statements(world, django_assert_num_queries):
    from gongzhi.work_orders.tests import factories

    orders = [factories.dispatched(world) for _ in range(3)]
    client = _signed_in(world.community_worker_c1)
    client.get("/api/work-orders/")
    with django_assert_num_queries(WORK_ORDER_LIST_QUERIES + session_reads()):
        response = client.get("/api/work-orders/")
    assert {o.pk for o in orders} <= {row["id"] for row in response.json()["results"]}


def test_an_unreachable_cache_falls_back_to_the_database(world, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    with CaptureQueriesContext(connection) as ctx:
        user = authcache.load_user(world.grid_worker_g1.pk)
    assert user == world.grid_worker_g1
    assert [g.role for g in active_grants(user)] == [Role.GRID_WORKER]
    assert len(ctx.captured_queries) == 2
