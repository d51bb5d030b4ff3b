"""Resident sign-in by phone + one-time code: the domain functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from gongzhi.accounts.choices import AccountKind
from gongzhi.accounts.errors import AccountError, AccountErrorCode
from gongzhi.accounts.models import PhoneCode, User
from gongzhi.accounts.phone_codes import hash_code, request_code, verify_code
from gongzhi.accounts.tests.conftest import last_code
from gongzhi.audit.models import ChangeRecord
from gongzhi.testing.concurrency import run_at_once

PHONE = "13912345678"


def _age(phone: str, seconds: int) -> None:
    """Move a phone's codes into the past, as if ``seconds`` had gone by."""
    for code in PhoneCode.objects.filter(phone=phone):
        PhoneCode.objects.filter(pk=code.pk).update(
            created_at=code.created_at - timedelta(seconds=seconds),
            expires_at=code.expires_at - timedelta(seconds=seconds),
        )


def test_unknown_phone_gets_a_code_and_a_resident_account_on_first_sign_in(
    db, outbox, django_capture_on_commit_callbacks
):
    # given a phone nobody has used
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    # when the right code is given
    user = verify_code(PHONE, code)
    # then a resident account exists, without a usable password
    assert user.kind == AccountKind.RESIDENT
    assert user.phone == PHONE
    assert not user.has_usable_password()
    assert ChangeRecord.objects.filter(verb="register_resident", target_id=str(user.pk)).count() == 1


def test_the_plain_code_is_never_stored(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        phone_code = request_code(PHONE)
    code = last_code(outbox, PHONE)
    stored = PhoneCode.objects.get(pk=phone_code.pk)
    assert code not in stored.code_hash
    assert stored.code_hash == hash_code(PHONE, code)
    assert PHONE not in str(
        ChangeRecord.objects.filter(verb="request_phone_code").values("before", "after", "target_repr").get()
    )


def test_known_resident_signs_in_to_their_own_account(world, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code("138 0000 0001")
    user = verify_code("+8613800000001", last_code(outbox, "13800000001"))
    assert user == world.resident_c1


@pytest.mark.parametrize("phone", ["12800000000", "1380000000", "138000000012", "abc", "", "02312345678"])
def test_only_mainland_mobile_numbers_are_accepted(db, phone):
    with pytest.raises(AccountError) as err:
        request_code(phone)
    assert err.value.code == AccountErrorCode.PHONE_INVALID


def test_wrong_code_is_refused_and_counted(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(AccountError) as err:
        verify_code(PHONE, wrong)
    assert err.value.code == AccountErrorCode.CODE_INVALID
    assert PhoneCode.objects.get(phone=PHONE).attempts == 1
    assert not User.objects.filter(phone=PHONE).exists()


def test_expired_code_is_refused(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    _age(PHONE, 301)
    with pytest.raises(AccountError) as err:
        verify_code(PHONE, code)
    assert err.value.code == AccountErrorCode.CODE_EXPIRED


@override_settings(GONGZHI_PHONE_CODE_MAX_ATTEMPTS=3)
def test_code_is_burnt_after_the_maximum_attempts(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    codes = []
    for _i in range(3):
        with pytest.raises(AccountError) as err:
            verify_code(PHONE, wrong)
        codes.append(err.value.code)
    assert codes == [AccountErrorCode.CODE_INVALID, AccountErrorCode.CODE_INVALID, AccountErrorCode.TOO_MANY_ATTEMPTS]
    # even the right code no longer works
    with pytest.raises(AccountError) as err:
        verify_code(PHONE, code)
    assert err.value.code == AccountErrorCode.CODE_EXPIRED


def test_a_code_signs_in_once(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    verify_code(PHONE, code)
    with pytest.raises(AccountError) as err:
        verify_code(PHONE, code)
    assert err.value.code == AccountErrorCode.CODE_EXPIRED


def test_a_new_code_replaces_the_previous_one(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    first = last_code(outbox, PHONE)
    _age(PHONE, 61)
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    second = last_code(outbox, PHONE)
    if first != second:
        with pytest.raises(AccountError):
            verify_code(PHONE, first)
    assert verify_code(PHONE, second).phone == PHONE


def test_resend_is_throttled_to_one_a_minute(db, outbox):
    request_code(PHONE)
    with pytest.raises(AccountError) as err:
        request_code(PHONE)
    assert err.value.code == AccountErrorCode.CODE_THROTTLED
    assert err.value.http_status == 429
    _age(PHONE, 61)
    request_code(PHONE)
    assert PhoneCode.objects.filter(phone=PHONE).count() == 2


@override_settings(GONGZHI_PHONE_CODE_MAX_PER_HOUR=3)
def test_codes_per_phone_are_limited_per_hour(db, outbox):
    for _i in range(3):
        request_code(PHONE)
        _age(PHONE, 61)
    with pytest.raises(AccountError) as err:
        request_code(PHONE)
    assert err.value.code == AccountErrorCode.CODE_THROTTLED
    _age(PHONE, 3600)
    request_code(PHONE)
    # another phone is not affected
    request_code("13712345678")


def test_staff_may_not_sign_in_with_a_phone_code(world, outbox):
    world.community_worker_c1.phone = "13600000009"
    world.community_worker_c1.save(update_fields=["phone"])
    with pytest.raises(AccountError) as err:
        request_code("13600000009")
    assert err.value.code == AccountErrorCode.PHONE_LOGIN_NOT_ALLOWED
    with pytest.raises(AccountError) as err:
        verify_code("13600000009", "123456")
    assert err.value.code == AccountErrorCode.PHONE_LOGIN_NOT_ALLOWED


def test_every_request_and_check_writes_one_change_record(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_code(PHONE)
    code = last_code(outbox, PHONE)
    assert ChangeRecord.objects.filter(verb="request_phone_code").count() == 1
    with pytest.raises(AccountError):
        verify_code(PHONE, f"{(int(code) + 1) % 1_000_000:06d}")
    verify_code(PHONE, code)
    assert ChangeRecord.objects.filter(verb="verify_phone_code").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checks_of_one_code_sign_in_once(outbox):
    # given one valid code
    request_code(PHONE)
    code = last_code(outbox, PHONE)  # without a test transaction, on_commit has run already

    def attempt() -> object:
        try:
            return verify_code(PHONE, code).pk
        except AccountError as exc:
            return exc.code

    # when two requests verify it at the same time (PostgreSQL queues the second on the row lock)
    results = run_at_once([attempt, attempt])
    # then exactly one signs in and one account exists
    assert len(results) == 2
    assert results.count(AccountErrorCode.CODE_EXPIRED) == 1
    assert results.count(User.objects.get(phone=PHONE).pk) == 1
    assert User.objects.filter(phone=PHONE).count() == 1
    assert PhoneCode.objects.get(phone=PHONE).consumed_at is not None
