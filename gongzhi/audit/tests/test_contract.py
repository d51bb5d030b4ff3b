"""The action contract: every public function in an actions.py is an @action, and an
action writes exactly one change record, atomically."""

from __future__ import annotations

import importlib
import inspect
from enum import StrEnum

import pytest
from django.apps import apps
from django.test import override_settings

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import ActionContractError, action
from gongzhi.audit.models import ChangeRecord
from gongzhi.audit.tests.factories import any_user
from gongzhi.core.errors import DomainError


def _gongzhi_actions_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.actions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.actions":
                raise


def _public_functions(module):
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value):
            continue
        if value.__module__ != module.__name__:
            continue  # imported from elsewhere (record_change, snapshot, helpers)
        yield name, value


def test_actions_modules_are_discovered():
    names = {m.__name__ for m in _gongzhi_actions_modules()}

    assert {"gongzhi.accounts.actions", "gongzhi.audit.actions"} <= names


def test_every_public_function_in_an_actions_module_is_an_action():
    undecorated = [
        f"{module.__name__}.{name}"
        for module in _gongzhi_actions_modules()
        for name, func in _public_functions(module)
        if not getattr(func, "is_gongzhi_action", False) and not getattr(func, "runs_gongzhi_actions", False)
    ]

    assert undecorated == [], f"not decorated with @action: {undecorated}"


def test_record_change_is_importable_from_actions_but_is_not_itself_an_action():
    module = importlib.import_module("gongzhi.audit.actions")

    assert "record_change" not in dict(_public_functions(module))
    assert module.record_change is record_change


# --- the decorator --------------------------------------------------------------------


class ProbeErrorCode(StrEnum):
    REFUSED = "refused"


class ProbeError(DomainError):
    http_status = 409


@action
def _write_records(user, *, actor, count):
    for i in range(count):
        record_change(user, verb=f"probe_{i}", actor=actor, before=None, after={"n": i})
    return user


@action
def _write_then_fail(user, *, actor):
    record_change(user, verb="probe", actor=actor, before=None, after={"n": 1})
    user.display_name = "changed before failing"
    user.save(update_fields=["display_name", "updated_at"])
    raise ProbeError(ProbeErrorCode.REFUSED)


@action
def _outer_calls_inner(user, *, actor):
    _write_records(user, actor=actor, count=1)
    record_change(user, verb="outer", actor=actor, before=None, after={"outer": True})
    return user


@pytest.mark.django_db
@override_settings(GONGZHI_ENFORCE_ONE_CHANGE_RECORD=True)
@pytest.mark.parametrize("count", [0, 2])
def test_an_action_writing_other_than_one_record_raises_and_is_rolled_back(count):
    user = any_user()

    with pytest.raises(ActionContractError, match=f"wrote {count} change records"):
        _write_records(user, actor=None, count=count)

    assert ChangeRecord.objects.count() == 0


@pytest.mark.django_db
@override_settings(GONGZHI_ENFORCE_ONE_CHANGE_RECORD=True)
def test_an_action_writing_one_record_passes():
    user = any_user()

    _write_records(user, actor=None, count=1)

    assert list(ChangeRecord.objects.values_list("verb", flat=True)) == ["probe_0"]


@pytest.mark.django_db
@override_settings(GONGZHI_ENFORCE_ONE_CHANGE_RECORD=False)
def test_without_enforcement_the_count_is_not_checked():
    user = any_user()

    _write_records(user, actor=None, count=2)

    assert ChangeRecord.objects.count() == 2


@pytest.mark.django_db
@override_settings(GONGZHI_ENFORCE_ONE_CHANGE_RECORD=True)
def test_a_failing_action_writes_nothing():
    # given a user, when an action records its change and then raises a domain error
    user = any_user()
    with pytest.raises(ProbeError) as excinfo:
        _write_then_fail(user, actor=None)

    # then neither the record nor the change survives
    assert excinfo.value.code == ProbeErrorCode.REFUSED
    assert ChangeRecord.objects.count() == 0
    user.refresh_from_db()
    assert user.display_name == "audit-target"


@pytest.mark.django_db
@override_settings(GONGZHI_ENFORCE_ONE_CHANGE_RECORD=True)
def test_an_action_calling_an_action_counts_only_its_own_record():
    user = any_user()

    _outer_calls_inner(user, actor=None)

    assert sorted(ChangeRecord.objects.values_list("verb", flat=True)) == ["outer", "probe_0"]


def test_the_decorator_marks_and_keeps_the_name():
    assert _write_records.is_gongzhi_action is True
    assert _write_records.__name__ == "_write_records"
    assert _write_records.__module__ == __name__
