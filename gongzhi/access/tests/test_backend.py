"""``user.has_perm`` (RoleGrantBackend) and ``restrict()`` give one answer."""

from __future__ import annotations

import pytest

from gongzhi.access.models import RoleGrant
from gongzhi.accounts.models import User
from gongzhi.audit.models import ChangeRecord
from gongzhi.organisations.models import Organisation
from gongzhi.territory.models import Area, Building
from gongzhi.testing.world import ACTORS

MODELS = [Area, Building, Organisation, User, RoleGrant]
VERBS = ["view", "change", "add", "deactivate", "revoke"]


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
def test_has_perm_and_restrict_agree(world, actor):
    user = world.users[actor]
    for model in MODELS:
        meta = model._meta
        for verb in VERBS:
            perm = f"{meta.app_label}.{verb}_{meta.model_name}"
            visible = set(model._default_manager.restrict(user, verb).values_list("pk", flat=True))
            if not user.has_perm(perm):
                # only what the user owns may still be visible without the permission
                owner = model.scope.owner
                owned = (
                    set(model._default_manager.filter(**{owner: user.pk}).values_list("pk", flat=True))
                    if owner
                    else set()
                )
                assert visible <= owned, f"{actor} {perm}: restrict shows rows without the permission"
            for obj in model._default_manager.all():
                assert user.has_perm(perm, obj) is (obj.pk in visible), f"{actor} {perm} {obj}"


def test_change_records_follow_the_same_rule(world):
    from gongzhi.access.actions import grant_role
    from gongzhi.access.choices import Role

    grant_role(
        world.no_grant,
        role=Role.GRID_WORKER,
        organisation=world.orgs["committee_c1"],
        area=world.g2,
        actor=world.security_admin,
    )
    record = ChangeRecord.objects.get()
    for actor in ("audit_admin", "system_admin", "security_admin", "street_official_s1"):
        user = world.users[actor]
        in_scope = ChangeRecord.objects.restrict(user, "view").filter(pk=record.pk).exists()
        assert user.has_perm("audit.view_changerecord", record) is in_scope
        assert in_scope is (actor == "audit_admin")
