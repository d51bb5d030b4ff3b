"""Ledger test fixtures: a fixed signing key, the append-only triggers present, helpers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from gongzhi.ledger import triggers
from gongzhi.ledger.note import Signer

LOG_SIGNER = Signer.from_seed("test.gongzhi/ledger", bytes(range(32)))
NEW_LOG_SIGNER = Signer.from_seed("test.gongzhi/ledger", bytes(range(1, 33)))
WITNESS = Signer.from_seed("witness.police.test/w1", bytes(range(2, 34)))


@pytest.fixture(autouse=True)
def ledger_keys(settings: Any) -> Signer:
    settings.GONGZHI_LEDGER_ORIGIN = LOG_SIGNER.name
    settings.GONGZHI_LEDGER_SIGNING_KEYS = LOG_SIGNER.signer_key()
    return LOG_SIGNER


@pytest.fixture
def append_only(db: Any) -> None:
    """The triggers as migrated (a transactional test elsewhere may have removed them)."""
    triggers.install(connection)


@pytest.fixture
def tamper(db: Any):
    """Lets a test act as an attacker with database-owner rights: drops the triggers."""
    triggers.remove(connection)

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])

    return run
