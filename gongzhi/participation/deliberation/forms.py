"""Forms of the deliberation pages: they validate input; views call the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.choices import AccountKind
from gongzhi.organisations.models import Organisation
from gongzhi.participation.deliberation.choices import AnswerOutcome, Position, Template
from gongzhi.participation.deliberation.models import Proposal
from gongzhi.participation.meetings.choices import MeetingStatus
from gongzhi.participation.meetings.models import Meeting
from gongzhi.territory.models import Area


class ResidentPhoneField(forms.CharField):
    """Staff entering for a resident without a phone app find them by their mobile number."""

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value:
            return None
        user = get_user_model().objects.filter(phone=value.strip(), kind=AccountKind.RESIDENT, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No resident account has this phone number."))
        return user


class ProcessForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none())
    template = forms.ChoiceField(label=_("Template"), choices=Template.choices, initial=Template.FOUR_TWO)
    support_threshold = forms.IntegerField(label=_("Support threshold"), min_value=1, max_value=100000, initial=20)
    requires_verified = forms.BooleanField(label=_("Verified (real-name) accounts only"), required=False)

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()  # type: ignore[attr-defined]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Your proposal"), max_length=6000, widget=forms.Textarea(attrs={"rows": 5}))


class ProxyProposalForm(ProposalForm):
    resident_phone = ResidentPhoneField(label=_("Resident's mobile number"), max_length=20)


class ProxyForm(forms.Form):
    resident_phone = ResidentPhoneField(label=_("Resident's mobile number"), max_length=20)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DebateCommentForm(CommentForm):
    position = forms.ChoiceField(
        label=_("Your position"), choices=Position.choices, required=False, widget=forms.RadioSelect
    )


class AmendmentForm(forms.Form):
    body = forms.CharField(label=_("Proposed change"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


class DecideAmendmentForm(forms.Form):
    amendment = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(choices=[("1", _("Accept")), ("0", _("Decline"))], coerce=lambda v: v == "1")
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Answer"), choices=AnswerOutcome.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Answer text (public)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    merge_into = forms.ModelChoiceField(label=_("Merge into"), queryset=Proposal.objects.none(), required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Organisation.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    meeting = forms.ModelChoiceField(
        label=_("Meeting (for an agenda item)"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, proposal: Proposal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if proposal is not None:
            self.fields["merge_into"].queryset = (  # type: ignore[attr-defined]
                Proposal.objects.filter(process_id=proposal.process_id, status__in=["published", "consideration"])
                .exclude(pk=proposal.pk)
                .order_by("-id")
            )
            self.fields["responsible_unit"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                is_active=True, served_areas__area__path__in=proposal.process.area.ancestor_paths()
            ).distinct()
            self.fields["meeting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
                status=MeetingStatus.PLANNED, area_path__in=proposal.process.area.ancestor_paths()
            ).order_by("starts_at")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DebateForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Background"), max_length=6000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class WordForm(forms.Form):
    word = forms.CharField(label=_("Sensitive word"), max_length=50)
