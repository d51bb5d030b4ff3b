"""The admin is scoped and writes through actions (one change record per save)."""

from __future__ import annotations

from django.test import Client

from gongzhi.audit.models import ChangeRecord
from gongzhi.territory.models import Area


def admin_client(user) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_area_changelist_shows_only_the_users_subtree(world):
    client = admin_client(world.community_worker_c1)

    response = client.get("/admin/territory/area/")

    assert response.status_code == 200
    body = response.content.decode()
    assert world.g1.code in body
    assert world.g4.code not in body


def test_out_of_scope_area_is_not_found_in_the_admin(world):
    client = admin_client(world.community_worker_c1)

    response = client.get(f"/admin/territory/area/{world.g4.pk}/change/")

    assert response.status_code in (302, 404)  # Django redirects a missing object to the index
    assert world.g4.name not in response.content.decode()


def test_admin_add_goes_through_the_action(world):
    client = admin_client(world.community_worker_c1)

    response = client.post(
        "/admin/territory/area/add/",
        {"code": "C1G77", "name": "第七网格", "level": 5, "parent": world.c1.pk, "community_type": "", "address": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    area = Area.objects.get(code="C1G77")
    assert area.path == world.c1.path + "C1G77/"
    assert ChangeRecord.objects.filter(verb="create_area", target_id=str(area.pk)).count() == 1


def test_admin_change_of_parent_moves_the_area(world):
    client = admin_client(world.street_official_s1)

    response = client.post(
        f"/admin/territory/area/{world.g2.pk}/change/",
        {"name": world.g2.name, "parent": world.c2.pk, "community_type": "", "address": "", "is_active": "on"},
    )

    assert response.status_code == 302
    world.g2.refresh_from_db()
    assert world.g2.path == world.c2.path + world.g2.code + "/"
    assert ChangeRecord.objects.filter(verb="move_area").count() == 1


def test_admin_domain_error_is_a_message_not_a_500(world):
    client = admin_client(world.community_worker_c1)

    response = client.post(
        "/admin/territory/area/add/",
        {"code": "C1X", "name": "错误层级", "level": 4, "parent": world.c1.pk, "community_type": "", "address": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert "level_mismatch" in response.content.decode()
    assert not Area.objects.filter(code="C1X").exists()
