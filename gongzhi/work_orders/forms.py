"""Forms of the work-order pages. They validate and shape input; views call the actions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.organisations.queries import category_tree
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building, Unit
from gongzhi.work_orders.attachments import max_attachments
from gongzhi.work_orders.choices import Channel, OrderType, Satisfaction, SupervisionLevel

STAFF_ENTRY_CHANNELS = [
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.WALK_IN.value, Channel.WALK_IN.label),
    (Channel.GRID_PATROL.value, Channel.GRID_PATROL.label),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to ``max_attachments()`` files; their type and size are checked by the attachment code."""

    def __init__(self, **kwargs: Any) -> None:
        # Drawn as the "take or choose photos" button of the report form (its label): the
        # browser's own control says "no file chosen" in the browser's language, not the page's.
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True, "class": "photo-picker__input"}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > max_attachments():
            raise forms.ValidationError(
                _("At most %(count)d photos.") % {"count": max_attachments()}, code="too_many_attachments"
            )
        return files


def category_choices() -> list[tuple[str, Any]]:
    """Active categories grouped under their top level, each labelled with its path (one query)."""
    groups: list[tuple[str, Any]] = [("", _("Choose a category"))]
    for root in category_tree(MatterCategory.objects.filter(is_active=True)):
        options = [(str(root["id"]), root["name"])]
        for child in root["children"]:
            options.append((str(child["id"]), f"{root['name']} \u203a {child['name']}"))
            for leaf in child["children"]:
                options.append((str(leaf["id"]), f"{root['name']} \u203a {child['name']} \u203a {leaf['name']}"))
        groups.append((root["name"], options))
    return groups


def new_form_token() -> str:
    return uuid.uuid4().hex


class RequestForm(forms.Form):
    """The resident's request (also the base of staff entry)."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    order_type = forms.ChoiceField(
        label=_("What is it?"), choices=OrderType.choices, initial=OrderType.REPORT, widget=forms.RadioSelect
    )
    category_search = forms.CharField(
        label=_("Search categories"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "data-category-search": ""}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    title = forms.CharField(
        label=_("Short title"),
        max_length=120,
        required=False,
        help_text=_("Optional: the start of the description is used when empty."),
    )
    urgent = forms.BooleanField(label=_("Urgent (danger to people or property)"), required=False)
    photos = MultipleImageField(label=_("Photos"), help_text=_("Up to 9 photos; JPEG, PNG, WebP or GIF."))
    keep_location = forms.BooleanField(label=_("Keep the location stored in the photos"), required=False)
    area = forms.ChoiceField(label=_("Area"))
    building = forms.ChoiceField(label=_("Building"), required=False)
    unit = forms.ChoiceField(label=_("Unit (entrance)"), required=False)
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    lat = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    lng = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    is_public = forms.BooleanField(
        label=_("It may appear on the public board (without my personal data)"), required=False
    )
    anonymous = forms.BooleanField(label=_("Do not show my name to the handling units"), required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    def __init__(self, *args: Any, areas: list[Area], buildings: list[Building], units: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self.buildings = {str(b.pk): b for b in buildings}
        self.units = {str(u.pk): u for u in units}
        self.fields["category"].choices = category_choices()  # type: ignore[attr-defined]
        self.fields["area"].choices = [(k, a.name) for k, a in self.areas.items()]  # type: ignore[attr-defined]
        self.fields["building"].choices = [("", _("Not in a building / not sure"))] + [  # type: ignore[attr-defined]
            (k, b.name) for k, b in self.buildings.items()
        ]
        self.fields["unit"].choices = [("", _("Any unit"))] + [  # type: ignore[attr-defined]
            (k, _("%(building)s, unit %(unit)s") % {"building": u.building.name, "unit": u.number})
            for k, u in self.units.items()
        ]
        self.fields["unit"].widget.attrs["data-units"] = ""
        self.fields["contact_phone"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})
        self.fields["category"].widget.attrs["data-category-select"] = ""

    def unit_building_map(self) -> dict[str, str]:
        return {k: str(u.building_id) for k, u in self.units.items()}

    def clean_category(self) -> MatterCategory | None:
        value = self.cleaned_data.get("category")
        if not value:
            return None
        category = MatterCategory.objects.filter(pk=value).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."), code="invalid_choice")
        return category

    def clean_area(self) -> Area:
        return self.areas[self.cleaned_data["area"]]

    def clean_building(self) -> Building | None:
        value = self.cleaned_data.get("building")
        return self.buildings.get(value) if value else None

    def clean_unit(self) -> Unit | None:
        value = self.cleaned_data.get("unit")
        return self.units.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        building, unit, area = data.get("building"), data.get("unit"), data.get("area")
        if unit is not None and (building is None or unit.building_id != building.pk):
            if building is None:
                data["building"] = building = unit.building
            else:
                self.add_error("unit", _("This unit is not in the chosen building."))
        if building is not None and area is not None and not building.area_path.startswith(area.path):
            self.add_error("building", _("This building is not in the chosen area."))
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error(None, _("The map point is incomplete."))
        if data.get("anonymous") and not (data.get("contact_phone") or "").strip():
            self.add_error("contact_phone", _("Leave a phone number so that we can follow up."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``submit_work_order``."""
        d = self.cleaned_data
        description = d["description"].strip()
        title = (d.get("title") or "").strip() or description.splitlines()[0][:30]
        lat, lng = d.get("lat"), d.get("lng")
        return {
            "order_type": d["order_type"],
            "category": d.get("category"),
            "urgency": "urgent" if d.get("urgent") else "normal",
            "title": title,
            "description": description,
            "area": d["area"],
            "building": d.get("building"),
            "unit": d.get("unit"),
            "address": d.get("address", "").strip(),
            "lat": Decimal(lat) if lat is not None else None,
            "lng": Decimal(lng) if lng is not None else None,
            "is_public": bool(d.get("is_public")),
            "contact_name": "" if d.get("anonymous") else d.get("contact_name", "").strip(),
            "contact_phone": d.get("contact_phone", "").strip(),
            "is_anonymous": bool(d.get("anonymous")),
        }


class StaffEntryForm(RequestForm):
    """A request entered by staff for a resident (phone call, walk-in) or from a grid patrol."""

    channel = forms.ChoiceField(label=_("Channel"), choices=STAFF_ENTRY_CHANNELS, widget=forms.RadioSelect)
    resident_phone = forms.CharField(
        label=_("Registered resident's phone"),
        max_length=32,
        required=False,
        help_text=_("If the resident has an account, the request is filed for them and they can follow it."),
    )

    field_order = ["form_token", "channel", "resident_phone", "contact_name", "contact_phone", "order_type"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["anonymous"]
        self.fields["is_public"].label = _("The resident agrees to the public board (without personal data)")
        self.fields["description"].label = _("What did the resident report?")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        phone = (data.get("resident_phone") or "").strip()
        data["on_behalf_of"] = None
        if phone:
            from django.contrib.auth import get_user_model

            resident = get_user_model().objects.filter(phone=phone, kind="resident").first()
            if resident is None:
                self.add_error("resident_phone", _("No resident account has this phone number."))
            data["on_behalf_of"] = resident
        return data

    def action_kwargs(self) -> dict[str, Any]:
        kwargs = super().action_kwargs()
        kwargs["channel"] = self.cleaned_data["channel"]
        kwargs["on_behalf_of"] = self.cleaned_data.get("on_behalf_of")
        kwargs["contact_name"] = self.cleaned_data.get("contact_name", "").strip()
        return kwargs


def community_areas(area: Area | None) -> list[Area]:
    """The community containing ``area`` and its grids (a resident's choices), one query."""
    if area is None:
        return []
    paths = area.ancestor_paths()
    rows = list(Area.objects.filter(path__in=paths, level=AreaLevel.COMMUNITY, is_active=True).defer("boundary"))
    if not rows:
        return [area] if area.level >= AreaLevel.COMMUNITY else []
    community = rows[0]
    grids = (
        Area.objects.filter(path__startswith=community.path, level=AreaLevel.GRID, is_active=True)
        .defer("boundary")
        .order_by("path")
    )
    return [area, *[a for a in [community, *grids] if a.pk != area.pk]]


# --- step forms -------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(NoteForm):
    pass


class DispatchForm(forms.Form):
    to = forms.ChoiceField(label=_("Lead unit"))
    assist = forms.MultipleChoiceField(label=_("Assisting units"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, proposed: list[tuple[Organisation, str]], others: list[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.units = {str(o.pk): o for o, _role in proposed}
        self.units.update({str(o.pk): o for o in others})
        proposed_choices = [(str(o.pk), f"{o.name} ★") for o, _role in proposed]
        other_choices = [(str(o.pk), o.name) for o in others if str(o.pk) not in {c[0] for c in proposed_choices}]
        choices: list[tuple[Any, Any]] = []
        if proposed_choices:
            choices.append((_("Proposed by the duty lists"), proposed_choices))
        if other_choices:
            choices.append((_("Other units serving the area"), other_choices))
        self.fields["to"].choices = choices  # type: ignore[attr-defined]
        self.fields["assist"].choices = [(k, o.name) for k, o in self.units.items()]  # type: ignore[attr-defined]
        if proposed_choices:
            self.fields["to"].initial = proposed_choices[0][0]

    def clean_to(self) -> Organisation:
        return self.units[self.cleaned_data["to"]]

    def clean_assist(self) -> list[Organisation]:
        return [self.units[k] for k in self.cleaned_data.get("assist", [])]


class TransferForm(forms.Form):
    to = forms.ChoiceField(label=_("New lead unit"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(o.pk): o for o in units}
        self.fields["to"].choices = [(k, o.name) for k, o in self.units.items()]  # type: ignore[attr-defined]

    def clean_to(self) -> Organisation:
        return self.units[self.cleaned_data["to"]]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply to the resident"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class FollowUpForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("Is it resolved, according to the resident?"),
        choices=[("1", _("Yes, resolved")), ("0", _("No, not resolved"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Deny"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SuperviseForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[(str(v), label) for v, label in SupervisionLevel.choices if v],
        coerce=int,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class HoldForm(forms.Form):
    on_hold = forms.TypedChoiceField(
        label=_("Hold"),
        choices=[("1", _("Put on hold")), ("0", _("Resume"))],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class MergeForm(forms.Form):
    master = forms.CharField(
        label=_("Number of the master order"), max_length=40, help_text=_("For example GZ20261128-000123")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_master(self) -> int:
        value = self.cleaned_data["master"].strip()
        from gongzhi.work_orders.models import WorkOrder

        pk = int(value) if value.isdigit() else WorkOrder.pk_from_number(value)
        if pk is None:
            raise forms.ValidationError(_("Enter an order number such as GZ20261128-000123."), code="invalid")
        return pk


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    resolved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    uphold = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold: handle it again")), ("0", _("Do not uphold: close"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Required when upholding."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), required=False, max_length=60)
    order_type = forms.ChoiceField(label=_("Type"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gongzhi.work_orders.choices import Urgency

        self.fields["order_type"].choices = [("", _("All types")), *OrderType.choices]  # type: ignore[attr-defined]
        self.fields["urgency"].choices = [("", _("Any urgency")), *Urgency.choices]  # type: ignore[attr-defined]


class BulkDispatchForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    to = forms.ChoiceField(label=_("Dispatch the selected orders to"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, units: list[Organisation], ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {str(o.pk): o for o in units}
        self.fields["to"].choices = [("", _("Choose a unit"))] + [(k, o.name) for k, o in self.units.items()]  # type: ignore[attr-defined]
        self.fields["ids"].choices = [(i, i) for i in (ids or [])]  # type: ignore[attr-defined]

    def clean_to(self) -> Organisation:
        value = self.cleaned_data["to"]
        if value not in self.units:
            raise forms.ValidationError(_("Choose a unit."), code="required")
        return self.units[value]


class BoardFilterForm(forms.Form):
    """Filters of the public board: community, category (with its subcategories), status."""

    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Area.objects.none(), required=False, to_field_name="code"
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=MatterCategory.objects.none(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gongzhi.work_orders.board import HIDDEN_STATUSES, communities
        from gongzhi.work_orders.choices import Status

        community: Any = self.fields["community"]
        community.queryset = communities()
        community.empty_label = _("All communities")
        category: Any = self.fields["category"]
        category.queryset = MatterCategory.objects.filter(is_active=True, parent__isnull=True).order_by("code")
        category.empty_label = _("All categories")
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Any status")),
            *[(value, label) for value, label in Status.choices if value not in HIDDEN_STATUSES],
        ]


class KpiFilterForm(forms.Form):
    """The KPI dashboard's filters: an area of the viewer's KPI scope and a period."""

    area = forms.ChoiceField(label=_("Area"))
    period = forms.CharField(
        label=_("Period"),
        max_length=30,
        required=False,
        help_text=_("2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-15"),
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {str(a.pk): a for a in areas}
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            (str(a.pk), ("— " * max(0, a.level - min(x.level for x in areas))) + a.name) for a in areas
        ]

    def clean_period(self) -> Any:
        from gongzhi.work_orders import kpis

        try:
            return kpis.parse_period(self.cleaned_data.get("period") or None)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Use YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (at most 366 days)."), code="invalid"
            ) from exc

    def clean_area(self) -> Area:
        return self.areas[self.cleaned_data["area"]]
