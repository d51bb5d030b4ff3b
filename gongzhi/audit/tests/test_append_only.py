"""The change-record table refuses UPDATE and DELETE at the database (PostgreSQL and SQLite)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from gongzhi.audit.append_only import MESSAGE
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.tests.factories import any_user, write_record

pytestmark = pytest.mark.django_db


def _refused(callable_, *args):
    with pytest.raises(IntegrityError, match=MESSAGE), transaction.atomic():
        callable_(*args)


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_is_refused():
    record = write_record(any_user(), verb="probe")

    _refused(_raw, "UPDATE audit_changerecord SET verb = %s WHERE id = %s", ["forged", record.pk])

    assert ChangeRecord.objects.get(pk=record.pk).verb == "probe"


def test_raw_delete_is_refused():
    record = write_record(any_user())

    _refused(_raw, "DELETE FROM audit_changerecord WHERE id = %s", [record.pk])

    assert ChangeRecord.objects.filter(pk=record.pk).exists()


def test_orm_save_of_an_existing_record_is_refused():
    record = write_record(any_user(), verb="probe")
    record.verb = "forged"

    _refused(record.save)

    assert ChangeRecord.objects.get(pk=record.pk).verb == "probe"


def test_orm_queryset_update_is_refused():
    write_record(any_user(), verb="probe")

    _refused(lambda: ChangeRecord.objects.update(verb="forged"))

    assert set(ChangeRecord.objects.values_list("verb", flat=True)) == {"probe"}


def test_orm_instance_and_queryset_delete_are_refused():
    record = write_record(any_user())

    _refused(record.delete)
    _refused(lambda: ChangeRecord.objects.all().delete())

    assert ChangeRecord.objects.filter(pk=record.pk).exists()


def test_inserting_records_still_works():
    target = any_user()

    write_record(target, verb="first")
    write_record(target, verb="second")

    assert list(ChangeRecord.objects.order_by("id").values_list("verb", flat=True)) == ["first", "second"]


def test_a_user_who_acted_cannot_be_hard_deleted():
    # given a user who is the actor of a record (SET_NULL would UPDATE the audit row)
    actor = any_user("actor")
    record = write_record(any_user(), actor=actor)

    # when deleting them, then it is refused and the record keeps its actor
    with pytest.raises(ProtectedError):
        actor.delete()
    assert ChangeRecord.objects.get(pk=record.pk).actor_id == actor.pk


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_table_and_keeps_it_append_only():
    # given a record in a database that transactional tests flush after each test
    write_record(any_user())

    # when the database is flushed (TRUNCATE on PostgreSQL, guarded DELETE on SQLite)
    call_command("flush", interactive=False, verbosity=0)

    # then the table is empty and the guard is back in place
    assert ChangeRecord.objects.count() == 0
    record = write_record(any_user("after-flush"))
    _refused(_raw, "DELETE FROM audit_changerecord WHERE id = %s", [record.pk])
    _refused(_raw, "UPDATE audit_changerecord SET verb = %s WHERE id = %s", ["forged", record.pk])
