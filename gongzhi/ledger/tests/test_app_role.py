"""The application role may read and append to the log tables, never change or empty them."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from gongzhi.ledger.management.commands.ledger_app_role import LOG_TABLES

pytestmark = pytest.mark.django_db
ROLE = "gongzhi_test_app_role"


def _privilege(table: str, privilege: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [ROLE, table, privilege])
        return bool(cursor.fetchone()[0])


def test_the_app_role_appends_to_the_logs_and_writes_everything_else():
    if connection.vendor != "postgresql":
        # SQLite has no roles: the command says so instead of pretending.
        with pytest.raises(CommandError, match="PostgreSQL only"):
            call_command("ledger_app_role", role=ROLE)
        return
    # given: a role the application would connect as (created inside the test's transaction)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {ROLE} NOLOGIN")

    # when
    call_command("ledger_app_role", role=ROLE)

    # then
    for table in LOG_TABLES:
        assert _privilege(table, "SELECT")
        assert _privilege(table, "INSERT")
        assert not _privilege(table, "UPDATE")
        assert not _privilege(table, "DELETE")
        assert not _privilege(table, "TRUNCATE")
    assert _privilege("work_orders_workorder", "UPDATE")
    assert _privilege("work_orders_workorder", "DELETE")
    # and acting as that role, emptying the ledger is refused by the grants (before any trigger)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            cursor.execute("TRUNCATE ledger_ledgerleaf")
        cursor.execute("RESET ROLE")


def test_an_unknown_role_is_refused():
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL only"):
            call_command("ledger_app_role", role="nobody_here")
        return
    with pytest.raises(CommandError, match="no such role"):
        call_command("ledger_app_role", role="nobody_here")
