"""Fixtures for the web shell's tests: plain Django clients signed in as world actors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from gongzhi.testing.world import World

#: The backend that loads users for a session (force_login must name it: the first
#: backend with a get_user method is the grant backend, which loads nobody).
SESSION_BACKEND = "gongzhi.accounts.backends.PhoneCodeBackend"


@pytest.fixture
def page_client(world: World) -> Callable[..., Client]:
    """``page_client("grid_worker_g1")`` → a Client signed in as that actor (or anonymous)."""

    def make(actor: str = "anonymous", **kwargs: Any) -> Client:
        client = Client(**kwargs)
        if actor != "anonymous":
            client.force_login(world.users[actor], backend=SESSION_BACKEND)
        return client

    return make
