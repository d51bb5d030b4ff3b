"""The navigation registry: entries, predicates, elder mode, registration from AppConfig.ready."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import RequestFactory

from gongzhi.web.navigation import NavigationRegistry, Section, keys, registry

pytestmark = pytest.mark.django_db


def request_for(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_permission_predicate_shows_entry_only_to_holders(world):
    # given
    reg = NavigationRegistry()
    reg.register(section="console", key="areas", label="Areas", url_name="web:home", permission="territory.change_area")
    # then
    assert keys(reg.items_for(request_for(world.community_worker_c1), "console")) == ["areas"]
    assert keys(reg.items_for(request_for(world.evaluator), "console")) == []
    assert keys(reg.items_for(request_for(world.no_grant), "console")) == []


def test_custom_predicate_and_order(world):
    # given
    reg = NavigationRegistry()
    reg.register(section="console", key="b", label="B", url_name="web:me", order=20)
    reg.register(section="console", key="a", label="A", url_name="web:services", order=10)
    reg.register(section="console", key="never", label="N", url_name="web:home", visible=lambda user: False)
    # then
    assert keys(reg.items_for(request_for(world.street_official_s1), "console")) == ["a", "b"]


def test_entries_are_hidden_from_anonymous_by_default():
    # given
    from django.contrib.auth.models import AnonymousUser

    reg = NavigationRegistry()
    reg.register(section="resident_services", key="x", label="X", url_name="web:services")
    # then
    assert reg.items_for(request_for(AnonymousUser()), "resident_services") == []


def test_elder_mode_hides_entries_marked_not_for_elders(world):
    # given
    reg = NavigationRegistry()
    reg.register(section="console", key="simple", label="S", url_name="web:home", order=1)
    reg.register(section="console", key="expert", label="E", url_name="web:me", order=2, elder=False)
    request = request_for(world.street_official_s1)
    # then
    assert keys(reg.items_for(request, "console")) == ["simple", "expert"]
    assert keys(reg.items_for(request, "console", elder_mode=True)) == ["simple"]


def test_entry_whose_url_does_not_resolve_is_skipped(world):
    # given a domain registered before its URLs exist
    reg = NavigationRegistry()
    reg.register(section="console", key="later", label="L", url_name="nowhere:list")
    # then
    assert reg.items_for(request_for(world.street_official_s1), "console") == []


def test_active_item_follows_the_path(world):
    # given
    reg = NavigationRegistry()
    reg.register(section="console", key="home", label="H", url_name="web:home")
    reg.register(section="console", key="me", label="M", url_name="web:me")
    # when
    items = reg.items_for(request_for(world.street_official_s1, "/me/"), "console")
    # then
    assert [(i.key, i.active) for i in items] == [("home", False), ("me", True)]


def test_permission_and_visible_together_are_refused():
    with pytest.raises(ValueError, match="either"):
        NavigationRegistry().register(
            section="console", key="x", label="X", url_name="web:home", permission="a.b", visible=bool
        )


def test_unknown_section_is_refused():
    with pytest.raises(ValueError, match="nowhere"):
        NavigationRegistry().register(section="nowhere", key="x", label="X", url_name="web:home")


def test_domain_registers_through_the_app_config_and_console_shows_it(world, page_client):
    # given a domain's ready() registering an entry (without importing gongzhi.web)
    apps.get_app_config("web").register_nav(
        section="console",
        key="test_areas",
        label="Areas admin",
        url_name="web:services",
        permission="territory.import_area",
        order=50,
    )
    try:
        # then a street official (who may import areas) sees it, a grid worker does not
        assert 'href="/services/"' in page_client("street_official_s1").get("/").content.decode()
        assert 'href="/services/"' not in page_client("grid_worker_g1").get("/").content.decode()
    finally:
        registry.unregister("console", "test_areas")


def test_registered_resident_service_replaces_the_placeholders(world, page_client):
    # given
    apps.get_app_config("web").register_nav(
        section=Section.RESIDENT_SERVICES, key="test_report", label="Report it", url_name="web:me", icon="wrench"
    )
    try:
        # when
        html = page_client("resident_c1").get("/services/").content.decode()
        # then
        assert "Report it" in html
        assert 'href="/me/"' in html
        assert "即将开放" not in html
    finally:
        registry.unregister("resident_services", "test_report")


def test_default_console_entries(world):
    # then everyone on the console has the overview; Django admin only for is_staff users
    grid_worker_keys = keys(registry.items_for(request_for(world.grid_worker_g1), "console"))
    assert grid_worker_keys[0] == "overview"
    assert "admin" not in grid_worker_keys
    admin = world.system_admin
    admin.is_staff = True
    assert "admin" in keys(registry.items_for(request_for(admin), "console"))


def test_every_registered_entry_has_a_drawn_icon_and_the_console_icons_differ():
    from django.template.loader import render_to_string

    def draw(name: str) -> str:
        return render_to_string("web/partials/icon.html", {"name": name})

    fallback = draw("no-such-icon")
    entries = list(registry._entries.values())
    assert entries
    undrawn = sorted({(e.section.value, e.key, e.icon) for e in entries if draw(e.icon) == fallback})
    assert undrawn == []
    # the staff menu is scanned by its icons: two discussion pages may share one, but these
    # neighbours in the menu must not look alike
    icons = {e.key: e.icon for e in entries if e.section == Section.CONSOLE}
    assert len({icons["work_orders_kpis"], icons["text_hotspots"], icons["text_alerts"], icons["audit"]}) == 4
