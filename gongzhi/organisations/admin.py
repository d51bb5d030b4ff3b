"""Admin screens for organisations, categories and duty lists; saves go through actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.organisations import actions
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.territory.admin import ScopedActionAdmin
from gongzhi.territory.models import Area


class OrganisationForm(forms.ModelForm):
    served = forms.ModelMultipleChoiceField(
        label=_("areas served"), queryset=Area.objects.none(), required=False, widget=forms.SelectMultiple
    )

    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "code",
            "parent",
            "home_area",
            "contact_name",
            "contact_phone",
            "address",
            "is_active",
        ]


@admin.register(Organisation)
class OrganisationAdmin(ScopedActionAdmin):
    form = OrganisationForm
    list_display = ["name", "code", "kind", "home_area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["home_area"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["served"].queryset = Area  # type: ignore[attr-defined]  # a ModelMultipleChoiceField.objects.restrict(request.user, "view")
        if obj is not None:
            form.base_fields["served"].initial = list(obj.served_areas.values_list("area_id", flat=True))
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "home_area_path"] if obj is not None else ["home_area_path"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Organisation:
        served = data.pop("served", None)
        data.pop("is_active", None)
        org = actions.create_organisation(actor=request.user, seat=data.pop("home_area"), **data)
        if served:
            actions.set_served_areas(org, actor=request.user, areas=list(served))
        return org

    def update(self, request: HttpRequest, original: Organisation, changes: dict[str, Any]) -> Organisation:
        served = changes.pop("served", None)
        if "home_area" in changes:
            changes["seat"] = changes.pop("home_area")
        org = original
        if changes:
            org = actions.update_organisation(org, actor=request.user, **changes)
        if served is not None:
            actions.set_served_areas(org, actor=request.user, areas=list(served))
        return org


@admin.register(MatterCategory)
class MatterCategoryAdmin(ScopedActionAdmin):
    list_display = ["code", "name", "name_en", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    fields = ["code", "name", "name_en", "parent", "level", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "parent", "level"] if obj is not None else ["level", "is_active"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> MatterCategory:
        data.pop("is_active", None)
        return actions.create_category(actor=request.user, **data)

    def update(self, request: HttpRequest, original: MatterCategory, changes: dict[str, Any]) -> MatterCategory:
        return actions.update_category(original, actor=request.user, **changes)


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(ScopedActionAdmin):
    list_display = ["organisation", "category", "area", "duty_role"]
    list_filter = ["duty_role"]
    search_fields = ["organisation__name", "category__name", "area__name"]
    list_select_related = ["organisation", "category", "area"]
    fields = ["organisation", "category", "area", "area_path", "duty_role", "basis", "note"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation", "category", "area", "area_path"] if obj is not None else ["area_path"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("organisations.delete_dutyassignment", obj))

    def create(self, request: HttpRequest, data: dict[str, Any]) -> DutyAssignment:
        return actions.add_duty(data.pop("organisation"), actor=request.user, **data)

    def update(self, request: HttpRequest, original: DutyAssignment, changes: dict[str, Any]) -> DutyAssignment:
        return actions.update_duty(original, actor=request.user, **changes)

    def delete_model(self, request: HttpRequest, obj: DutyAssignment) -> None:
        actions.remove_duty(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for duty in queryset:
            actions.remove_duty(duty, actor=request.user)
