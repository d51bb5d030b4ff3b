"""Forms of the text screens (validate and shape only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_CSV_BYTES = 50 * 1024 * 1024


class TrainFromCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Labelled messages (CSV)"),
        help_text=_("UTF-8 CSV with the columns title, text and label."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."), code="too_large")
        return upload


class ReplyCheckForm(forms.Form):
    text = forms.CharField(label=_("Reply"), max_length=20_000, required=False, strip=True)
