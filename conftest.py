"""Shared fixtures: the standard test world and clients signed in as any of its actors.

The world is created once per test database (in ``django_db_setup``, committed) and
every test gets fresh instances of it inside its own rolled-back transaction. Tests
with ``transaction=True`` flush the database afterwards; the next test that asks for
the world then builds it again inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from gongzhi.testing.world import World, build_world


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: its database changes are rolled back, cached
    entries (throttles, the request authorisation cache) would outlive them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the site's default language. A request through the test client
    leaves its language (an English browser's, a user's preference) active in the thread,
    and a later test that renders without the locale middleware would inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World) -> Callable[[str], APIClient]:
    """``client_for("community_worker_c1")`` → an APIClient signed in as that actor."""

    def make(actor: str) -> APIClient:
        client = APIClient()
        if actor != "anonymous":
            client.force_login(world.users[actor])
        return client

    return make
