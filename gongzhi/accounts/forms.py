"""Sign-in and account forms. They validate; actions write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

_CODE_ATTRS = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "one-time-code", "maxlength": "6"}


class StaffLoginForm(AuthenticationForm):
    """User name and password; residents are refused by the backend (they sign in by phone)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The user name or password is not correct. Residents sign in with their mobile phone."),
        "inactive": _("This account is deactivated."),
    }


class OtpTokenForm(forms.Form):
    otp_token = forms.RegexField(
        regex=r"^\s*\d{6,8}\s*$",
        label=_("Code from your authenticator app"),
        error_messages={"invalid": _("Enter the 6-digit code.")},
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "maxlength": "8", "autofocus": True}),
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(PhoneForm):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=_("Verification code"),
        error_messages={"invalid": _("Enter the 6-digit code from the text message.")},
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "autofocus": True}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is not correct."), code="password_incorrect")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new1, new2 = data.get("new_password1"), data.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", _("The two new passwords differ."))
        elif new1:
            try:
                validate_password(new1, user=self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data
