"""Blind-index key rotation: a new HMAC key id, batches while the site runs, lookups during the run."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gongzhi.audit.models import ChangeRecord
from gongzhi.privacy import actions, crypto
from gongzhi.privacy.choices import RotationStatus
from gongzhi.privacy.models import KeyRotationRun
from gongzhi.privacy.testing import TEST_INDEX_KEY, TEST_KEY_1, TEST_KEY_2
from gongzhi.residents import queries
from gongzhi.residents.factories import ResidentFactory
from gongzhi.residents.models import Resident

NEW_INDEX_KEY = TEST_KEY_2


def use_index_keys(settings, value: str) -> None:
    settings.GONGZHI_BLIND_INDEX_KEY = value
    crypto.reset_keyring()


def stored_indexes() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number_index, phone_index FROM residents_resident")
        return {pk: (a, b) for pk, a, b in cursor.fetchall()}


def test_a_bare_index_key_has_the_legacy_id_and_a_list_names_the_active_key(settings):
    assert crypto.keyring().index_active == crypto.LEGACY_INDEX_KID
    plain = crypto.blind_index("13800138000", kind="phone")

    use_index_keys(settings, f"i2:{NEW_INDEX_KEY},i0:{TEST_INDEX_KEY}")

    ring = crypto.keyring()
    assert ring.index_active == "i2"
    assert list(ring.all_index_keys()) == ["i2", "i0"]
    both = crypto.blind_indexes("+86 138 0013 8000", kind="phone")
    assert both[1] == plain  # the old key's index is still computed
    assert both[0] == crypto.blind_index("13800138000", kind="phone") != plain


@pytest.mark.parametrize("value", ["i1:short", "i1:" + TEST_KEY_1 + ",i1:" + TEST_KEY_2, "bad id!:" + TEST_KEY_1])
def test_bad_index_key_lists_are_refused(settings, value):
    from django.core.exceptions import ImproperlyConfigured

    use_index_keys(settings, value)
    with pytest.raises(ImproperlyConfigured, match="GONGZHI_BLIND_INDEX_KEY"):
        crypto.keyring()


def test_lookups_find_everyone_during_the_rotation_and_after_the_old_key_is_retired(world, settings):
    people = [ResidentFactory(grid=world.g1) for _ in range(7)]
    ResidentFactory(grid=world.g1, id_number="", phone="")
    before = stored_indexes()
    use_index_keys(settings, f"i2:{NEW_INDEX_KEY},i0:{TEST_INDEX_KEY}")
    newer = ResidentFactory(grid=world.g1)  # saved by a restarted process: indexed with i2 already
    people.append(newer)
    run = actions.start_index_rotation()
    actions.rotate_index_batch(run, model=Resident, batch_size=3)  # part-way: old and new indexes mixed

    mixed = stored_indexes()
    assert {pk for pk in before if mixed[pk] != before[pk]}, "the first batch changed nothing"
    assert {pk for pk in before if before[pk][0] and mixed[pk] == before[pk]}, "the batch did everything"
    everyone = Resident.objects.all()
    for person in people:
        assert list(queries.find_by_id_number(everyone, person.id_number)) == [person]
        assert list(queries.find_by_phone(everyone, person.phone)) == [person]

    call_command("rotate_index_key", batch_size=3, stdout=io.StringIO())
    use_index_keys(settings, f"i2:{NEW_INDEX_KEY}")  # old key retired

    for person in people:
        assert list(queries.find_by_id_number(everyone, person.id_number)) == [person]
        assert list(queries.find_by_phone(everyone, person.phone)) == [person]
    after = stored_indexes()
    assert all(after[pk] != before[pk] for pk in before if before[pk][0])
    assert [v for v in after.values() if v == ("", "")] == [("", "")]  # the empty person stays unindexed
    run.refresh_from_db()
    assert run.status == RotationStatus.DONE
    assert run.target_kid == "index:i2"
    assert run.rows_rewritten == 7  # the seven old-key people; the newer one and the empty one were current
    assert ChangeRecord.objects.filter(verb="rotate_index_batch").exists()


def test_without_the_old_key_unrotated_rows_are_not_found(world, settings):
    # The reason lookups query both keys: retiring the old key before the run loses people.
    person = ResidentFactory(grid=world.g1)
    use_index_keys(settings, f"i2:{NEW_INDEX_KEY}")

    assert not queries.find_by_id_number(Resident.objects.all(), person.id_number).exists()


def test_a_duplicate_id_number_is_refused_while_the_old_index_is_still_stored(world, settings):
    from gongzhi.residents.actions import register_resident
    from gongzhi.residents.errors import ResidentError

    person = ResidentFactory(grid=world.g1)
    use_index_keys(settings, f"i2:{NEW_INDEX_KEY},i0:{TEST_INDEX_KEY}")

    with pytest.raises(ResidentError) as err:
        register_resident(grid=world.g1, actor=world.grid_worker_g1, name="重复", id_number=person.id_number)
    assert err.value.code == "duplicate_id_number"


def test_an_interrupted_index_rotation_resumes(world, settings):
    ResidentFactory.create_batch(5, grid=world.g1)
    use_index_keys(settings, f"i2:{NEW_INDEX_KEY},i0:{TEST_INDEX_KEY}")
    run = actions.start_index_rotation()
    actions.rotate_index_batch(run, model=Resident, batch_size=2)  # then the process dies

    call_command("rotate_index_key", batch_size=2, stdout=io.StringIO())

    assert KeyRotationRun.objects.filter(target_kid="index:i2").count() == 1
    run.refresh_from_db()
    assert run.status == RotationStatus.DONE
    assert run.rows_rewritten == 5


def test_rotate_index_key_in_key_file_mode_adds_then_retires_keys(world, settings, tmp_path):
    path = tmp_path / "keys.json"
    settings.GONGZHI_ENCRYPTION_KEYS = ""
    settings.GONGZHI_KEY_FILE = str(path)
    crypto.reset_keyring()
    person = ResidentFactory(grid=world.g1)
    assert crypto.keyring().index_active == crypto.LEGACY_INDEX_KID
    out = io.StringIO()

    call_command("rotate_index_key", new_key=True, retire_old=True, stdout=out)

    data = json.loads(path.read_text())
    active = data["index_active"]
    assert active != crypto.LEGACY_INDEX_KID
    assert list(data["index_keys"]) == [active]
    assert "index_key" not in data
    assert crypto.keyring().index_active == active
    found = queries.find_by_phone(Resident.objects.all(), person.phone)
    assert list(found) == [person]
    assert "Retired index keys i0" in out.getvalue()


def test_rotate_index_key_refuses_to_edit_environment_keys(world):
    with pytest.raises(CommandError, match="GONGZHI_BLIND_INDEX_KEY"):
        call_command("rotate_index_key", new_key=True, stdout=io.StringIO())


def test_retiring_needs_a_finished_run(world, settings, tmp_path):
    settings.GONGZHI_ENCRYPTION_KEYS = ""
    settings.GONGZHI_KEY_FILE = str(tmp_path / "keys.json")
    crypto.reset_keyring()
    command = __import__("gongzhi.privacy.management.commands.rotate_index_key", fromlist=["Command"]).Command(
        stdout=io.StringIO()
    )
    command._add_key_to_file()

    with pytest.raises(CommandError, match="still needed"):
        command._retire_old_keys(crypto.keyring().index_active)
