"""What every authenticated request needs about its user, cached across requests.

Each request needs the user row (session check, ``is_active``, preferences) and the user's
role grants (scope, policy, masking). Without this cache those are two queries per request;
with it they are one cache read (``get_many`` of three keys) on a hit.

Validity is decided by tokens, not by time:

- a per-user token (``gongzhi:authz:u:<id>``) that every change to the user row or to one of
  their grants deletes (``forget_user``), from ``User.save``/``delete`` and
  ``RoleGrant.save``/``delete`` — so actions, the admin and the shell all invalidate;
- a global token (``gongzhi:authz:g``) that bulk writes to either table and area moves (which
  rewrite grants' area paths in bulk) delete (``forget_everyone``).

An entry is used only if both tokens it was stored under are still the current ones. A token
is read *before* the database, and the tokens are deleted again after the writing transaction
commits, so an entry filled from data read before the commit can never be used after it: a
revoked grant or a deactivated account loses access on its next request. The timeout
(``GONGZHI_AUTHZ_CACHE_SECONDS``) is only a backstop. A missing or flushed cache is a miss; an
unreachable cache makes requests read the database, while a change whose token cannot be
deleted fails (its action rolls back) rather than leave a stale entry behind.

The cache is on only when it is shared by every process (``GONGZHI_AUTHZ_CACHE``, on by
default when ``REDIS_URL`` is set): with a per-process cache a revocation in one web
process would not reach the others.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from gongzhi.access.models import RoleGrant
from gongzhi.access.queries import remember_grants

logger = logging.getLogger(__name__)

GLOBAL_KEY = "gongzhi:authz:g"


def _user_key(user_id: Any) -> str:
    return f"gongzhi:authz:u:{user_id}"


def _data_key(user_id: Any) -> str:
    return f"gongzhi:authz:d:{user_id}"


def enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_AUTHZ_CACHE", False))


def _token(key: str) -> str:
    """The current token under ``key``, creating one if there is none."""
    fresh = secrets.token_hex(8)
    if cache.add(key, fresh, timeout=None):
        return fresh
    current = cache.get(key)
    return current if current is not None else fresh


def load_user(user_id: Any) -> Any:
    """The user with ``user_id`` with their active grants attached, or None if there is none."""
    if not enabled():
        return get_user_model()._default_manager.filter(pk=user_id).first()
    user_key, data_key = _user_key(user_id), _data_key(user_id)
    try:
        got = cache.get_many([GLOBAL_KEY, user_key, data_key])
    except Exception:  # the cache is down: read the database, store nothing
        logger.warning("authorisation cache unavailable; reading user %s from the database", user_id, exc_info=True)
        return _from_database(user_id)
    global_token, user_token, entry = got.get(GLOBAL_KEY), got.get(user_key), got.get(data_key)
    if (
        entry is not None
        and global_token is not None
        and user_token is not None
        and entry[0] == global_token
        and entry[1] == user_token
    ):
        user, grants = entry[2], entry[3]
        remember_grants(user, grants)
        return user
    # Tokens first, database second (see the module docstring).
    global_token = global_token or _token(GLOBAL_KEY)
    user_token = user_token or _token(user_key)
    user, grants = _read(user_id)
    if user is None:
        return None
    cache.set(data_key, (global_token, user_token, user, grants), timeout=settings.GONGZHI_AUTHZ_CACHE_SECONDS)
    remember_grants(user, grants)
    return user


def _read(user_id: Any) -> tuple[Any, list[RoleGrant]]:
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None:
        return None, []
    grants = list(
        RoleGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).select_related("organisation", "area")
    )
    return user, grants


def _from_database(user_id: Any) -> Any:
    user, grants = _read(user_id)
    if user is not None:
        remember_grants(user, grants)
    return user


def _forget(key: str) -> None:
    if not enabled():
        return
    cache.delete(key)
    # Again once the change is visible to other connections: an entry filled in between
    # (from the old rows) was stored under the token deleted now.
    transaction.on_commit(lambda: cache.delete(key))


def forget_user(user_id: Any) -> None:
    """The user row or one of the user's grants changed: their next request reads both again."""
    if user_id is not None:
        _forget(_user_key(user_id))


def forget_everyone() -> None:
    """Rows of many users changed at once (bulk writes, area moves)."""
    _forget(GLOBAL_KEY)
