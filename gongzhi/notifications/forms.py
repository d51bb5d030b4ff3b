"""The preferences form: one row per kind group (when; in the app, SMS, e-mail) and quiet hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications.choices import Mode
from gongzhi.notifications.dispatch import Choice
from gongzhi.notifications.registry import KindGroup


class PreferencesForm(forms.Form):
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(label=_("until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, rows: list[tuple[KindGroup, Choice]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for group, choice in rows:
            key = group.key
            self.fields[f"{key}__mode"] = forms.ChoiceField(
                label=group.label, choices=Mode.choices, initial=choice.mode, widget=forms.RadioSelect
            )
            self.fields[f"{key}__in_app"] = forms.BooleanField(
                label=_("In the app"), required=False, initial=choice.in_app
            )
            self.fields[f"{key}__sms"] = forms.BooleanField(label=_("SMS"), required=False, initial=choice.sms)
            self.fields[f"{key}__email"] = forms.BooleanField(label=_("E-mail"), required=False, initial=choice.email)

    def group_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "group": group,
                "mode": self[f"{group.key}__mode"],
                "channels": [self[f"{group.key}__{c}"] for c in ("in_app", "sms", "email")],
            }
            for group, _choice in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error("quiet_end", _("Give both the start and the end of quiet hours."))
        elif data.get("quiet_start") is not None and data.get("quiet_start") == data.get("quiet_end"):
            self.add_error("quiet_end", _("Quiet hours must not start and end at the same time."))
        return data

    def groups_value(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            group.key: {
                "mode": data[f"{group.key}__mode"],
                "in_app": data[f"{group.key}__in_app"],
                "sms": data[f"{group.key}__sms"],
                "email": data[f"{group.key}__email"],
            }
            for group, _choice in self.rows
        }
