"""Shared fixtures: the standard test world and clients signed in as any of its actors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from gongzhi.testing.world import World, build_world


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def client_for(world: World) -> Callable[[str], APIClient]:
    """``client_for("community_worker_c1")`` → an APIClient signed in as that actor."""

    def make(actor: str) -> APIClient:
        client = APIClient()
        if actor != "anonymous":
            client.force_authenticate(user=None)
            client.force_login(world.users[actor])
        return client

    return make
