"""The notification pages: my notices, open / mark read, mark all read, preferences, and the
header bell's unread count (fetched by htmx so other pages keep their query budgets)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.notifications import actions, queries
from gongzhi.notifications.errors import NotificationError
from gongzhi.notifications.forms import PreferencesForm
from gongzhi.notifications.models import Notification
from gongzhi.notifications.registry import kind_label

PAGE_SIZE = 25


def _own(request: HttpRequest, pk: int) -> Notification:
    notice = Notification.objects.restrict(request.user, "change").filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(queries.list_notifications(request.user, unread=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for notice in page.object_list:
        notice.kind_label = kind_label(notice.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "unread": queries.count_unread(request.user), "active_tab": "me"},
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notice's link (local links only)."""
    notice = actions.mark_notification_read(_own(request, pk), actor=request.user)
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    actions.mark_notification_read(_own(request, pk), actor=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_notifications_read(request.user, actor=request.user)
    messages.success(request, gettext("%(count)d notices marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows, quiet = queries.get_preferences(request.user)
    initial = {"quiet_start": quiet.start if quiet else None, "quiet_end": quiet.end if quiet else None}
    form = PreferencesForm(request.POST or None, rows=rows, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_notification_preferences(
                    request.user,
                    actor=request.user,
                    groups=form.groups_value(),
                    quiet_start=form.cleaned_data.get("quiet_start"),
                    quiet_end=form.cleaned_data.get("quiet_end"),
                )
            except NotificationError as exc:
                form.add_error(None, exc.detail)
                status = 400
            else:
                messages.success(request, gettext("Your notification preferences were saved."))
                return redirect("notifications:preferences")
        else:
            status = 400
    return render(request, "notifications/preferences.html", {"form": form, "active_tab": "me"}, status=status)


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the header bell (an htmx fragment)."""
    return render(request, "notifications/_badge.html", {"unread": queries.count_unread(request.user)})
