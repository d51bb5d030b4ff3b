"""Role administration and 三员分立: one test per rule, asserting its error code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.access.actions import grant_role, revoke_role
from gongzhi.access.choices import Role
from gongzhi.access.errors import AccessError, AccessErrorCode
from gongzhi.access.models import RoleGrant
from gongzhi.access.queries import roles_of
from gongzhi.accounts.actions import create_staff_user, deactivate_user, reset_two_factor, unlock_user
from gongzhi.accounts.errors import AccountError, AccountErrorCode
from gongzhi.audit.models import ChangeRecord
from gongzhi.territory.models import Area
from gongzhi.testing.world import make_user


def _grant(world, user, role=Role.COMMUNITY_WORKER, *, org="committee_c1", area="c1", actor=None, **extra):
    return grant_role(
        user,
        role=role,
        organisation=world.orgs[org] if org else None,
        area=getattr(world, area) if area else None,
        actor=actor or world.security_admin,
        **extra,
    )


def test_security_admin_grants_a_role_with_area_path_and_one_change_record(world):
    before = ChangeRecord.objects.count()
    grant = _grant(world, world.no_grant)
    assert grant.area_path == world.c1.path
    assert grant.granted_by == world.security_admin
    assert ChangeRecord.objects.count() == before + 1
    assert Area.objects.restrict(world.no_grant, "view").filter(pk=world.g1.pk).exists()


@pytest.mark.parametrize("actor", ["system_admin", "audit_admin", "street_official_s1", "community_worker_c1"])
def test_only_the_security_admin_grants_roles(world, actor):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, actor=world.users[actor])
    assert err.value.code == AccessErrorCode.NOT_SECURITY_ADMIN


@pytest.mark.parametrize("actor", ["system_admin", "audit_admin"])
def test_only_the_security_admin_revokes_roles(world, actor):
    grant = world.community_worker_c1.role_grants.get()
    with pytest.raises(AccessError) as err:
        revoke_role(grant, actor=world.users[actor])
    assert err.value.code == AccessErrorCode.NOT_SECURITY_ADMIN


def test_nobody_grants_a_role_to_themselves(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.security_admin, Role.AUDIT_ADMIN, org=None, area=None)
    assert err.value.code == AccessErrorCode.SELF_GRANT


def test_nobody_revokes_their_own_role(world):
    with pytest.raises(AccessError) as err:
        revoke_role(world.security_admin.role_grants.get(), actor=world.security_admin)
    assert err.value.code == AccessErrorCode.SELF_GRANT


@pytest.mark.parametrize("admin", ["system_admin", "audit_admin"])
def test_an_admin_role_holder_may_hold_no_other_role(world, admin):
    with pytest.raises(AccessError) as err:
        _grant(world, world.users[admin])
    assert err.value.code == AccessErrorCode.ADMIN_ROLE_EXCLUSIVE


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN, Role.SECURITY_ADMIN])
def test_an_admin_role_is_refused_to_a_holder_of_another_role(world, role):
    with pytest.raises(AccessError) as err:
        _grant(world, world.community_worker_c1, role, org=None, area=None)
    assert err.value.code == AccessErrorCode.ADMIN_ROLE_EXCLUSIVE


def test_two_admin_roles_are_exclusive_too(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.system_admin, Role.AUDIT_ADMIN, org=None, area=None)
    assert err.value.code == AccessErrorCode.ADMIN_ROLE_EXCLUSIVE


def test_admin_role_to_a_fresh_staff_account_is_system_wide(world):
    user = make_user("new_auditor")
    grant = _grant(world, user, Role.AUDIT_ADMIN, org=None, area=None)
    assert grant.area_path == ""
    assert roles_of(user) == {Role.AUDIT_ADMIN}


@pytest.mark.parametrize(("org", "area"), [("committee_c1", None), (None, "c1"), ("committee_c1", "c1")])
def test_admin_roles_have_neither_organisation_nor_area(world, org, area):
    with pytest.raises(AccessError) as err:
        _grant(world, make_user("x"), Role.SYSTEM_ADMIN, org=org, area=area)
    assert err.value.code == AccessErrorCode.ADMIN_ROLE_SCOPED


def test_area_scoped_roles_need_an_area(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, Role.GRID_WORKER, area=None)
    assert err.value.code == AccessErrorCode.AREA_REQUIRED


def test_staff_roles_need_an_organisation(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, Role.GRID_WORKER, org=None, area="g1")
    assert err.value.code == AccessErrorCode.ORGANISATION_REQUIRED


def test_residents_need_no_organisation(world):
    resident = make_user("new_resident", kind="resident")
    grant = _grant(world, resident, Role.RESIDENT, org=None, area="c3")
    assert grant.organisation is None


def test_the_organisation_must_serve_the_area(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, Role.GRID_WORKER, org="committee_c1", area="g4")
    assert err.value.code == AccessErrorCode.ORGANISATION_NOT_SERVING_AREA


def test_an_organisation_serving_an_ancestor_covers_the_area(world):
    grant = _grant(world, world.no_grant, Role.DEPARTMENT_HANDLER, org="housing_bureau", area="g4")
    assert grant.area == world.g4


def test_an_area_above_the_served_area_is_refused(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, Role.COMMUNITY_WORKER, org="committee_c1", area="s1")
    assert err.value.code == AccessErrorCode.ORGANISATION_NOT_SERVING_AREA


def test_resident_accounts_hold_only_the_resident_role(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.resident_c1, Role.GRID_WORKER, area="g1")
    assert err.value.code == AccessErrorCode.ROLE_KIND_MISMATCH
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, Role.RESIDENT, org=None, area="c1")
    assert err.value.code == AccessErrorCode.ROLE_KIND_MISMATCH


def test_a_duplicate_grant_is_refused(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.users["community_worker_c1"])
    assert err.value.code == AccessErrorCode.ALREADY_GRANTED


def test_validity_must_end_in_the_future(world):
    with pytest.raises(AccessError) as err:
        _grant(world, world.no_grant, valid_until=timezone.now() - timedelta(minutes=1))
    assert err.value.code == AccessErrorCode.VALID_UNTIL_PAST


def test_an_expired_grant_opens_nothing(world):
    grant = _grant(world, world.no_grant, valid_until=timezone.now() + timedelta(days=1))
    RoleGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    assert not Area.objects.restrict(world.no_grant, "view").exists()


def test_inactive_accounts_get_no_roles(world):
    user = make_user("leaver")
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(AccessError) as err:
        _grant(world, user)
    assert err.value.code == AccessErrorCode.USER_INACTIVE


def test_revoke_keeps_the_row_and_closes_access(world):
    user = world.community_worker_c1
    grant = user.role_grants.get()
    revoke_role(grant, actor=world.security_admin)
    grant.refresh_from_db()
    assert grant.revoked_by == world.security_admin
    user.refresh_from_db()
    assert not Area.objects.restrict(user, "view").exists()
    with pytest.raises(AccessError) as err:
        revoke_role(grant, actor=world.security_admin)
    assert err.value.code == AccessErrorCode.ALREADY_REVOKED


def test_after_revoking_the_only_role_an_admin_role_may_be_granted(world):
    user = world.community_worker_c3
    revoke_role(user.role_grants.get(), actor=world.security_admin)
    grant = _grant(world, user, Role.AUDIT_ADMIN, org=None, area=None)
    assert grant.role == Role.AUDIT_ADMIN


# --- the three administrators' separated duties --------------------------------------------


def test_system_admin_creates_and_deactivates_accounts(world):
    user = create_staff_user(
        username="zhang.wei", password="Gongzhi-Neu-2026", display_name="张伟", actor=world.system_admin
    )
    assert user.check_password("Gongzhi-Neu-2026")
    assert not roles_of(user)
    deactivate_user(user, actor=world.system_admin)
    user.refresh_from_db()
    assert not user.is_active
    with pytest.raises(AccountError) as err:
        deactivate_user(user, actor=world.system_admin)
    assert err.value.code == AccountErrorCode.ALREADY_INACTIVE


def test_new_staff_passwords_are_validated(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        create_staff_user(username="li.na", password="password", actor=world.system_admin)
    assert "password" in err.value.message_dict


def test_user_names_are_unique(world):
    with pytest.raises(AccountError) as err:
        create_staff_user(username="Community_Worker_C1", password="Gongzhi-Neu-2026", actor=world.system_admin)
    assert err.value.code == AccountErrorCode.USERNAME_TAKEN


@pytest.mark.parametrize("actor", ["security_admin", "audit_admin", "street_official_s1"])
def test_only_the_system_admin_creates_accounts(world, actor):
    with pytest.raises(AccountError) as err:
        create_staff_user(username="li.na", password="Gongzhi-Neu-2026", actor=world.users[actor])
    assert err.value.code == AccountErrorCode.NOT_SYSTEM_ADMIN


@pytest.mark.parametrize("actor", ["security_admin", "audit_admin"])
def test_only_the_system_admin_deactivates_accounts(world, actor):
    with pytest.raises(AccountError) as err:
        deactivate_user(world.no_grant, actor=world.users[actor])
    assert err.value.code == AccountErrorCode.NOT_SYSTEM_ADMIN


def test_the_system_admin_may_not_deactivate_themselves(world):
    with pytest.raises(AccountError) as err:
        deactivate_user(world.system_admin, actor=world.system_admin)
    assert err.value.code == AccountErrorCode.SELF_ADMINISTRATION


@pytest.mark.parametrize("action", [unlock_user, reset_two_factor])
@pytest.mark.parametrize("actor", ["system_admin", "audit_admin", "street_official_s1"])
def test_only_the_security_admin_unlocks_and_resets_2fa(world, action, actor):
    with pytest.raises(AccountError) as err:
        action(world.community_worker_c1, actor=world.users[actor])
    assert err.value.code == AccountErrorCode.NOT_SECURITY_ADMIN


@pytest.mark.parametrize("action", [unlock_user, reset_two_factor])
def test_the_security_admin_may_not_unlock_or_reset_themselves(world, action):
    with pytest.raises(AccountError) as err:
        action(world.security_admin, actor=world.security_admin)
    assert err.value.code == AccountErrorCode.SELF_ADMINISTRATION


def test_unlock_clears_the_lockout(world):
    from axes.models import AccessAttempt
    from django.test import Client

    client = Client()
    for _i in range(5):
        client.post("/accounts/login/", {"username": "community_worker_c1", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="community_worker_c1").exists()
    unlock_user(world.community_worker_c1, actor=world.security_admin)
    assert not AccessAttempt.objects.filter(username="community_worker_c1").exists()
    assert ChangeRecord.objects.filter(verb="unlock_user").count() == 1


def test_reset_2fa_removes_devices(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.community_worker_c1, name="default", confirmed=True)
    reset_two_factor(world.community_worker_c1, actor=world.security_admin)
    assert not TOTPDevice.objects.filter(user=world.community_worker_c1).exists()


@pytest.mark.parametrize(
    ("actor", "perm", "held"),
    [
        ("audit_admin", "audit.view_changerecord", True),
        ("system_admin", "audit.view_changerecord", False),
        ("security_admin", "audit.view_changerecord", False),
        ("system_admin", "access.add_rolegrant", False),
        ("security_admin", "access.add_rolegrant", True),
        ("security_admin", "accounts.add_user", False),
        ("security_admin", "territory.change_area", False),
        ("system_admin", "accounts.add_user", True),
        ("audit_admin", "accounts.view_user", False),
        ("audit_admin", "access.view_rolegrant", False),
    ],
)
def test_admin_permissions_are_separated(world, actor, perm, held):
    assert world.users[actor].has_perm(perm) is held


@pytest.mark.parametrize(
    ("actor", "visible"), [("audit_admin", True), ("system_admin", False), ("security_admin", False)]
)
def test_only_the_audit_admin_reads_the_audit_log(world, actor, visible):
    # given one change record (the world itself is built without actions)
    _grant(world, world.no_grant)
    assert ChangeRecord.objects.restrict(world.users[actor], "view").exists() is visible
