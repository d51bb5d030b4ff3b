"""Admin screens for the territory. Rows are scoped to the user (``restrict``) and every
save goes through an action, so the admin writes change records like the API does."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect

from gongzhi.core.errors import DomainError
from gongzhi.territory import actions
from gongzhi.territory.models import Area, Building, Room, Unit


class ScopedActionAdmin(admin.ModelAdmin):
    """Base admin: scoped rows and choices, no bulk delete, saves through ``create``/``update``.

    Subclasses implement ``create(request, data)`` and ``update(request, original, changes)``
    returning the saved object; ``data``/``changes`` come from the form's cleaned data.
    """

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset: Any = super().get_queryset(request)
        return queryset.restrict(request.user, "view")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        manager = db_field.related_model._default_manager
        if hasattr(manager, "restrict"):
            kwargs["queryset"] = manager.restrict(request.user, "view")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # A broken domain rule surfaces as a message, never a 500 (the save was rolled back).
        try:
            return super().changeform_view(request, *args, **kwargs)
        except DomainError as exc:
            messages.error(request, f"{exc.detail} ({exc.code.value})")
            return HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # bulk delete would bypass the actions
        return found

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.cleaned_data if name in form.fields}
        if change:
            original = type(obj)._default_manager.get(pk=obj.pk)
            changes = {name: data[name] for name in form.changed_data if name in data}
            saved = self.update(request, original, changes) if changes else original
        else:
            saved = self.create(request, data)
        obj.pk = saved.pk
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def create(self, request: HttpRequest, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, original: Any, changes: dict[str, Any]) -> models.Model:
        raise NotImplementedError


@admin.register(Area)
class AreaAdmin(ScopedActionAdmin):
    list_display = ["code", "name", "level", "parent", "community_type", "is_active"]
    list_filter = ["level", "community_type", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    fields = [
        "code",
        "name",
        "level",
        "parent",
        "path",
        "community_type",
        "centre_lat",
        "centre_lng",
        "boundary",
        "population",
        "address",
        "is_active",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["path", "code", "level"] if obj is not None else ["path", "is_active"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Area:
        data.pop("is_active", None)
        return actions.create_area(actor=request.user, **data)

    def update(self, request: HttpRequest, original: Area, changes: dict[str, Any]) -> Area:
        new_parent = changes.pop("parent", None)
        area = original
        if new_parent is not None and new_parent.pk != original.parent_id:
            area = actions.move_area(area, actor=request.user, new_parent=new_parent)
        if changes:
            area = actions.update_area(area, actor=request.user, **changes)
        return area


@admin.register(Building)
class BuildingAdmin(ScopedActionAdmin):
    list_display = ["name", "grid", "address", "use", "floors", "has_lift"]
    list_filter = ["use", "has_lift"]
    search_fields = ["name", "address"]
    list_select_related = ["grid"]
    fields = ["grid", "area_path", "name", "address", "use", "floors", "built_year", "has_lift", "lat", "lng"]
    readonly_fields = ["area_path"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Building:
        return actions.create_building(data.pop("grid"), actor=request.user, **data)

    def update(self, request: HttpRequest, original: Building, changes: dict[str, Any]) -> Building:
        return actions.update_building(original, actor=request.user, **changes)


@admin.register(Unit)
class UnitAdmin(ScopedActionAdmin):
    list_display = ["__str__", "building", "number"]
    search_fields = ["building__name", "number"]
    list_select_related = ["building"]
    fields = ["building", "number"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["building"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Unit:
        return actions.create_unit(data.pop("building"), actor=request.user, **data)

    def update(self, request: HttpRequest, original: Unit, changes: dict[str, Any]) -> Unit:
        return actions.update_unit(original, actor=request.user, number=changes.get("number", original.number))


@admin.register(Room)
class RoomAdmin(ScopedActionAdmin):
    list_display = ["__str__", "unit", "number", "floor", "floor_area"]
    search_fields = ["unit__building__name", "number"]
    list_select_related = ["unit__building"]
    fields = ["unit", "number", "floor", "floor_area"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["unit"] if obj is not None else []

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Room:
        return actions.create_room(data.pop("unit"), actor=request.user, **data)

    def update(self, request: HttpRequest, original: Room, changes: dict[str, Any]) -> Room:
        return actions.update_room(original, actor=request.user, **changes)
