"""Sign-in pages: staff by password (+ TOTP), residents by phone + one-time code.

A staff member with an authenticator device (or, with ``GONGZHI_REQUIRE_STAFF_2FA``,
without one yet) is not signed in after the password: the session only remembers a
*pending* user for a few minutes, and the sign-in completes (``auth.login`` and
``django_otp.login``, so ``user.is_verified()``) once the second factor is given.
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts import actions
from gongzhi.accounts.choices import AccountKind
from gongzhi.accounts.errors import AccountError, AccountThrottled
from gongzhi.accounts.forms import OtpTokenForm, PasswordChangeForm, PhoneCodeForm, PhoneForm, StaffLoginForm
from gongzhi.accounts.middleware import TIMED_OUT_FLAG
from gongzhi.accounts.models import User
from gongzhi.accounts.phone_codes import has_live_code, normalise_phone, request_code, verify_code

PHONE_BACKEND = "gongzhi.accounts.backends.PhoneCodeBackend"
_PENDING = "gongzhi_pending_user"
_PENDING_BACKEND = "gongzhi_pending_backend"
_PENDING_AT = "gongzhi_pending_at"
_PENDING_NEXT = "gongzhi_pending_next"
PENDING_SECONDS = 300


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None, *args: Any
) -> HttpResponse:
    """django-axes calls this when a user name is locked: the sign-in page with a clear message."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    if minutes:
        message = _(
            "This account is locked after too many failed sign-in attempts. Try again in %(minutes)d minutes, "
            "or ask the security administrator to unlock it."
        ) % {"minutes": minutes}
    else:
        message = _(
            "This account is locked after too many failed sign-in attempts. "
            "Ask the security administrator to unlock it."
        )
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"code": "account_locked", "detail": message}, status=429)
    form = StaffLoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(request, "accounts/login.html", {"form": form, "locked_message": message}, status=429)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(_PENDING)
    started = request.session.get(_PENDING_AT)
    if pk is None or started is None or time.time() - float(started) > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True, kind=AccountKind.STAFF).first()


def _complete_login(request: HttpRequest, user: User, device: TOTPDevice | None) -> HttpResponse:
    backend = request.session.get(_PENDING_BACKEND) or PHONE_BACKEND
    next_url = request.session.get(_PENDING_NEXT)
    for key in (_PENDING, _PENDING_BACKEND, _PENDING_AT, _PENDING_NEXT):
        request.session.pop(key, None)
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    return HttpResponseRedirect(_safe_next(request, next_url))


class StaffLoginView(auth_views.LoginView):
    """Staff sign-in. Lockout per user name is django-axes' (see ``lockout_response``)."""

    form_class = StaffLoginForm
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.session.pop(TIMED_OUT_FLAG, False):
            context["timed_out_message"] = _(
                "You were signed out after %(minutes)d minutes without activity. Please sign in again."
            ) % {"minutes": settings.GONGZHI_STAFF_IDLE_TIMEOUT // 60}
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:  # a StaffLoginForm (form_class)
        user = form.get_user()
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if not has_device and not settings.GONGZHI_REQUIRE_STAFF_2FA:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[_PENDING] = user.pk
        self.request.session[_PENDING_BACKEND] = user.backend
        self.request.session[_PENDING_AT] = time.time()
        self.request.session[_PENDING_NEXT] = self.get_redirect_url()
        return redirect("accounts:login_otp" if has_device else "accounts:two_factor_setup")


@never_cache
@sensitive_post_parameters("otp_token")
def login_otp(request: HttpRequest) -> HttpResponse:
    """Second step for staff with an authenticator: field ``otp_token``."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"].strip()
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(token):
                return _complete_login(request, user, device)
        form.add_error("otp_token", _("The code is not correct or has expired. Enter the current code."))
    return render(request, "accounts/login_otp.html", {"form": form}, status=400 if form.errors else 200)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@never_cache
@sensitive_post_parameters("otp_token")
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (inline SVG), then confirm with a code."""
    pending = _pending_user(request)
    user: Any = pending or request.user
    if not getattr(user, "is_authenticated", False):
        return redirect("accounts:login")
    if user.kind != AccountKind.STAFF:
        raise PermissionDenied
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = actions.start_totp_enrolment(user, actor=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_token(form.cleaned_data["otp_token"].strip()):
            form.add_error("otp_token", _("The code is not correct or has expired. Enter the current code."))
        else:
            device = actions.confirm_totp_device(device, actor=user)
            if pending is not None:
                return _complete_login(request, user, device)
            otp_login(request, device)
            messages.success(request, _("Two-step verification is on."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # built by qrcode from our own data
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "required": pending is not None,
    }
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request: HttpRequest) -> HttpResponse:
    """Staff change their own password; AUTH_PASSWORD_VALIDATORS apply."""
    user: Any = request.user
    if user.kind != AccountKind.STAFF:
        raise PermissionDenied
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(user, new_password=form.cleaned_data["new_password1"], actor=user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def phone_start(request: HttpRequest) -> HttpResponse:
    """Residents: enter a mobile number (field ``phone``) to receive a code."""
    form = PhoneForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        phone = ""
        try:
            phone = normalise_phone(form.cleaned_data["phone"])
            request_code(phone)
        except AccountThrottled as exc:
            if not has_live_code(phone):
                form.add_error(exc.field or "phone", str(exc.detail))
            else:  # back from the code page, or pressed twice: the code sent a moment ago still works
                messages.info(request, _("A code was sent to this number a moment ago. Enter it below."))
                return redirect(f"{reverse('accounts:phone_verify')}?{urlencode({'phone': phone})}")
        except AccountError as exc:
            form.add_error(exc.field or "phone", str(exc.detail))
        else:
            messages.info(request, _("We sent a 6-digit code by text message."))
            return redirect(f"{reverse('accounts:phone_verify')}?{urlencode({'phone': phone})}")
    return render(request, "accounts/phone_start.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@sensitive_post_parameters("code")
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Residents: fields ``phone`` and ``code``; signs in and goes home."""
    form = PhoneCodeForm(request.POST or None, initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = verify_code(form.cleaned_data["phone"], form.cleaned_data["code"].strip())
        except AccountError as exc:
            form.add_error(exc.field if exc.field in form.fields else "code", str(exc.detail))
        else:
            auth_login(request, user, backend=PHONE_BACKEND)
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/phone_verify.html", {"form": form}, status=400 if form.errors else 200)
