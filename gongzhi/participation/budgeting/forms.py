"""Forms of participatory budgeting: they validate input; views call actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.participation.budgeting.choices import BallotKind, CountingRule
from gongzhi.territory.models import Area


class ProcessForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=forms.Textarea)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    budget = forms.IntegerField(label=_("Budget (yuan)"), min_value=0, max_value=10**12)
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=BallotKind.choices)
    max_choices = forms.IntegerField(label=_("Projects a voter may approve"), min_value=1, max_value=50, initial=3)
    points_per_voter = forms.IntegerField(label=_("Points per voter"), min_value=1, max_value=1000, initial=10)
    counting_rule = forms.ChoiceField(label=_("Counting rule"), choices=CountingRule.choices)
    requires_verified = forms.BooleanField(label=_("Verified (real-name) voters only"), required=False)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Project"), max_length=200)
    description = forms.CharField(label=_("What and why"), max_length=5000, required=False, widget=forms.Textarea)


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Feasible"), choices=[("1", _("Feasible")), ("0", _("Not feasible"))], coerce=lambda v: v == "1"
    )
    estimated_cost = forms.IntegerField(label=_("Estimated cost (yuan)"), min_value=0, max_value=10**12, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


def parse_ballot(data: Any, project_ids: list[int], *, cumulative: bool) -> dict[int, int] | None:
    """Read ``project_<id>`` fields: a tick (approval) or points (cumulative). None if malformed."""
    choices: dict[int, int] = {}
    for pk in project_ids:
        raw = str(data.get(f"project_{pk}", "")).strip()
        if not raw:
            continue
        if not cumulative:
            choices[pk] = 1
            continue
        if not raw.isdigit() or len(raw) > 6:
            return None
        if int(raw) > 0:
            choices[pk] = int(raw)
    return choices
