"""Staff screens: hot spots, alerts, classification models; the htmx reply check and the
"analyse now" button on an order."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.text import actions, queries, training
from gongzhi.text.engine.reply import ReplyWarning, check_reply
from gongzhi.text.errors import TextError
from gongzhi.text.forms import ReplyCheckForm, TrainFromCsvForm
from gongzhi.text.models import HotSpot, TextAlert, TextModel
from gongzhi.text.permissions import (
    HotSpotPolicy,
    OrderInsightPolicy,
    ReplyCheckPolicy,
    TextAlertPolicy,
    TextModelPolicy,
)
from gongzhi.work_orders.models import WorkOrder

WARNING_TEXT = {
    ReplyWarning.EMPTY: _("The reply is empty."),
    ReplyWarning.TOO_SHORT: _("The reply is very short."),
    ReplyWarning.OFF_TOPIC: _("The reply does not seem to address what the resident wrote."),
    ReplyWarning.NO_ACTION: _("Say what was done (investigated, repaired, ordered to rectify …)."),
    ReplyWarning.NO_UNIT: _("Say which unit did it or is responsible."),
    ReplyWarning.NO_TIME: _("Say when it was done or by when it will be done."),
    ReplyWarning.NO_BASIS: _("Name the rule, policy or finding the answer is based on."),
    ReplyWarning.LATE: _("The reply comes later than the usual time limit."),
    ReplyWarning.BOILERPLATE: _("The reply is only a formula (received / thank you)."),
}


def warning_texts(codes: list[ReplyWarning]) -> list[tuple[str, str]]:
    return [(code.value, str(WARNING_TEXT[code])) for code in codes]


def _visible_order(user: Any, pk: int) -> WorkOrder:
    order = WorkOrder.objects.restrict(user, "view").filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    if not HotSpotPolicy.has_permission(request.user, "view"):
        raise PermissionDenied
    qs = queries.list_current_hotspots(request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "text/hotspots.html", {"page": page, "rows": list(page.object_list)})


@login_required
def hotspot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    spot = HotSpotPolicy.access(request.user, pk)
    assert isinstance(spot, HotSpot)
    members = list(
        WorkOrder.objects.restrict(request.user, "view")
        .filter(pk__in=spot.members.values("pk"))
        .select_related("area")
        .order_by("submitted_at")
    )
    peak = max((p["count"] for p in spot.trend), default=1)
    return render(
        request,
        "text/hotspot_detail.html",
        {"spot": spot, "members": members, "trend": spot.trend, "peak": peak},
    )


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    if not TextAlertPolicy.has_permission(request.user, "view"):
        raise PermissionDenied
    qs = TextAlert.objects.restrict(request.user, "view").select_related("order", "hotspot")
    state = request.GET.get("state", "open")
    if state in ("open", "acknowledged"):
        qs = qs.filter(state=state)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "text/alerts.html", {"page": page, "rows": list(page.object_list), "state": state})


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = TextAlertPolicy.access(request.user, pk, "acknowledge")
    assert isinstance(alert, TextAlert)
    try:
        actions.acknowledge_alert(alert, actor=request.user)
    except TextError as err:
        messages.warning(request, str(err.detail))
    else:
        messages.success(request, gettext("Alert acknowledged."))
    return redirect("text:alerts")


@login_required
def models(request: HttpRequest) -> HttpResponse:
    if not TextModelPolicy.has_permission(request.user, "view"):
        raise PermissionDenied
    form = TrainFromCsvForm()
    status = 200
    if request.method == "POST":
        if not TextModelPolicy.has_permission(request.user, "add"):
            raise PermissionDenied
        form = TrainFromCsvForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                model = training.train_from_csv(form.cleaned_data["file"], actor=request.user)
            except TextError as err:
                form.add_error("file", str(err.detail))
                status = err.http_status
            else:
                messages.success(request, gettext("Model v%(v)s trained and activated.") % {"v": model.version})
                return redirect("text:models")
        else:
            status = 400
    rows = list(TextModel.objects.restrict(request.user, "view").defer("data").select_related("trained_by")[:50])
    can_add = TextModelPolicy.has_permission(request.user, "add")
    return render(request, "text/models.html", {"rows": rows, "form": form, "can_add": can_add}, status=status)


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    model = TextModelPolicy.access(request.user, pk, "change")
    assert isinstance(model, TextModel)
    actions.activate_text_model(model, actor=request.user)
    messages.success(request, gettext("Model v%(v)s is now active.") % {"v": model.version})
    return redirect("text:models")


@login_required
@require_POST
def analyse(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request.user, pk)
    if not OrderInsightPolicy.may_view_for(request.user, order):
        raise PermissionDenied
    actions.analyse_order(order, actor=request.user)
    return redirect("work_orders:detail", pk=order.pk)


@login_required
@require_POST
def reply_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: score the reply being written in the reply form."""
    order = _visible_order(request.user, pk)
    if not ReplyCheckPolicy.may_check(request.user, order):
        raise PermissionDenied
    data = request.POST.copy()
    if "text" not in data and "reply-text" in data:  # sent by the widget inside the reply step's form
        data.setlist("text", data.getlist("reply-text"))
    form = ReplyCheckForm(data)
    if not form.is_valid():
        return HttpResponse(status=400)
    check = check_reply(
        order.title,
        order.description,
        form.cleaned_data["text"],
        asked_at=order.dispatched_at or order.submitted_at,
        replied_at=timezone.now(),
    )
    return render(request, "text/_reply_check_result.html", {"check": check, "warnings": warning_texts(check.warnings)})
