"""Personal data at rest: ciphertext columns, AAD binding, blind indexes, key rotation."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import crypto
from gongzhi.privacy.choices import RotationStatus
from gongzhi.privacy.fields import raw
from gongzhi.privacy.models import KeyRotationRun
from gongzhi.privacy.testing import TEST_KEY_1, TEST_KEY_2, use_keys
from gongzhi.residents.factories import HouseholdFactory, ResidentFactory, VisitFactory
from gongzhi.residents.models import Resident, Visit


def raw_row(table: str, pk: int, *columns: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (test-only, fixed names)
        return cursor.fetchone()


def test_raw_columns_never_hold_plaintext(world):
    resident = ResidentFactory(grid=world.g1, id_number="11010519491231002X", phone="13912345678")

    id_col, phone_col, id_ix, phone_ix = raw_row(
        "residents_resident", resident.pk, "id_number", "phone", "id_number_index", "phone_index"
    )

    for column in (id_col, phone_col, id_ix, phone_ix):
        assert "11010519491231002X" not in column
        assert "13912345678" not in column
        assert "1949" not in column
    assert b"13912345678" not in base64.b64decode(phone_col)
    assert crypto.token_header(id_col).kid == "t1"
    reloaded = Resident.objects.get(pk=resident.pk)
    assert (reloaded.id_number, reloaded.phone) == ("11010519491231002X", "13912345678")


def test_empty_values_stay_empty_and_unindexed(world):
    resident = ResidentFactory(grid=world.g1, id_number="", phone="")

    assert raw_row("residents_resident", resident.pk, "id_number", "id_number_index") == ("", "")


def test_tampered_column_is_rejected_on_read(world):
    resident = ResidentFactory(grid=world.g1)
    token = raw_row("residents_resident", resident.pk, "phone")[0]
    blob = bytearray(base64.b64decode(token))
    blob[-5] ^= 0x01
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE residents_resident SET phone = %s WHERE id = %s",
            [base64.b64encode(bytes(blob)).decode(), resident.pk],
        )

    with pytest.raises(crypto.DecryptionError):
        Resident.objects.get(pk=resident.pk)


def test_ciphertext_moved_to_another_field_is_rejected(world):
    resident = ResidentFactory(grid=world.g1)
    phone_token = raw_row("residents_resident", resident.pk, "phone")[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE residents_resident SET id_number = %s WHERE id = %s", [phone_token, resident.pk])

    with pytest.raises(crypto.DecryptionError, match="authentication failed"):
        Resident.objects.get(pk=resident.pk)


def test_ciphertext_moved_to_another_row_of_the_same_field_still_reads(world):
    # The AAD is row-independent by design (bulk import, rotation); swapping rows is
    # an integrity problem for the database's access control, not the cipher.
    first, second = ResidentFactory(grid=world.g1), ResidentFactory(grid=world.g1)
    token = raw_row("residents_resident", first.pk, "phone")[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE residents_resident SET phone = %s WHERE id = %s", [token, second.pk])

    assert Resident.objects.get(pk=second.pk).phone == first.phone


def test_blind_index_finds_exact_id_number_and_phone(world):
    target = ResidentFactory(grid=world.g1, id_number="11010519491231002X", phone="13912345678")
    ResidentFactory.create_batch(3, grid=world.g1)

    by_id = Resident.objects.filter(id_number_index=crypto.blind_index("11010519491231002x", kind="id_number"))
    by_phone = Resident.objects.filter(phone_index=crypto.blind_index("+86 139-1234-5678", kind="phone"))

    assert list(by_id) == [target]
    assert list(by_phone) == [target]


def test_rotation_keeps_every_value_readable_and_moves_them_to_the_new_key(world, settings):
    household = HouseholdFactory(grid=world.g1)
    residents = ResidentFactory.create_batch(7, grid=world.g1)
    ResidentFactory(grid=world.g1, id_number="", phone="")
    VisitFactory(household=household)
    expected = {r.pk: (r.id_number, r.phone) for r in residents}
    use_keys(settings, f"t2:{TEST_KEY_2},t1:{TEST_KEY_1}")
    newer = ResidentFactory(grid=world.g1)  # written during the rotation window, already under t2
    expected[newer.pk] = (newer.id_number, newer.phone)

    call_command("rotate_keys", batch_size=3, stdout=io.StringIO())

    tokens = Resident.objects.exclude(id_number="").values_list(raw("id_number"), raw("phone"))
    assert {crypto.token_header(t).kid for pair in tokens for t in pair} == {"t2"}
    use_keys(settings, f"t2:{TEST_KEY_2}")  # the old key can now be retired
    assert {r.pk: (r.id_number, r.phone) for r in Resident.objects.exclude(id_number="")} == expected
    assert Visit.objects.get().notes == "血压偏高; 需复查"
    run = KeyRotationRun.objects.get()
    assert run.status == RotationStatus.DONE
    assert run.rows_rewritten == 7 + 1  # residents under t1 plus the visit
    assert ChangeRecord.objects.filter(verb="rotate_keys_batch").exists()


def test_rotation_resumes_where_an_interrupted_run_stopped(world, settings):
    ResidentFactory.create_batch(5, grid=world.g1)
    use_keys(settings, f"t2:{TEST_KEY_2},t1:{TEST_KEY_1}")
    from gongzhi.privacy import actions

    run = actions.start_key_rotation()
    actions.rotate_batch(run, model=Resident, batch_size=2)  # then the process dies

    call_command("rotate_keys", batch_size=2, stdout=io.StringIO())

    assert KeyRotationRun.objects.count() == 1
    run.refresh_from_db()
    assert run.status == RotationStatus.DONE
    assert run.rows_rewritten == 5
    kids = {crypto.token_header(t).kid for t in Resident.objects.values_list(raw("id_number"), flat=True)}
    assert kids == {"t2"}


def test_rotate_keys_new_key_in_key_file_mode(world, settings, tmp_path):
    settings.GONGZHI_ENCRYPTION_KEYS = ""
    settings.GONGZHI_KEY_FILE = str(tmp_path / "keys.json")
    crypto.reset_keyring()
    resident = ResidentFactory(grid=world.g1)
    old_kid = crypto.keyring().active

    call_command("rotate_keys", new_key=True, stdout=io.StringIO())

    new_kid = crypto.keyring().active
    assert new_kid != old_kid
    assert crypto.token_header(Resident.objects.values_list(raw("phone"), flat=True).get()).kid == new_kid
    assert Resident.objects.get().phone == resident.phone
