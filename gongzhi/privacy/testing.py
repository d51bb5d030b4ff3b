"""Test helpers: fixed keys for tests (never the embedded key file) and key-ring swaps."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from gongzhi.privacy import crypto

TEST_KEY_1 = base64.b64encode(bytes(range(32))).decode()
TEST_KEY_2 = base64.b64encode(bytes(range(100, 132))).decode()
TEST_INDEX_KEY = base64.b64encode(bytes(range(200, 232))).decode()


def use_keys(settings: Any, keys: str, *, cipher: str = "aes-256-gcm") -> None:
    settings.GONGZHI_ENCRYPTION_KEYS = keys
    settings.GONGZHI_BLIND_INDEX_KEY = TEST_INDEX_KEY
    settings.GONGZHI_FIELD_CIPHER = cipher
    crypto.reset_keyring()


@pytest.fixture(autouse=True)
def test_keys(settings: Any) -> Iterator[None]:
    """Every privacy/residents test runs with known keys (not var/keys.json)."""
    use_keys(settings, f"t1:{TEST_KEY_1}")
    yield
    crypto.reset_keyring()
