from __future__ import annotations

import base64
import binascii
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.ledger import merkle
from gongzhi.ledger.jcs import CanonicalJSONError, canonicalize


class VerifyForm(forms.Form):
    """A resident pastes a ledger record (JSON) or its hash."""

    record = forms.CharField(
        label=_("Record or hash"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text=_("Paste the record exactly as published (JSON), or its leaf hash (64 hex digits)."),
    )

    def clean_record(self) -> bytes:
        text = self.cleaned_data["record"].strip()
        if len(text) == 64:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
        if len(text) == 44:
            try:
                raw = base64.b64decode(text, validate=True)
                if len(raw) == 32:
                    return raw
            except (binascii.Error, ValueError):
                pass
        try:
            value = json.loads(text)
            return merkle.leaf_hash(canonicalize(value))
        except (ValueError, CanonicalJSONError) as exc:
            raise forms.ValidationError(_("This is neither a JSON record nor a hash.")) from exc
