"""The work-order pages: residents submit, follow and rate their requests; staff work
their inboxes, act on an order and dispatch in bulk. Reads go through
``restrict(user, verb)`` (out of scope → 404); every write calls an action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.access.queries import grants_with_permission
from gongzhi.access.roles import permission_name
from gongzhi.core import calendar
from gongzhi.core.models import IdempotencyRecord
from gongzhi.core.pagination import CappedPaginator
from gongzhi.organisations.models import Organisation
from gongzhi.organisations.queries import list_serving, propose_units
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area, Building, Unit
from gongzhi.work_orders import actions, export, extensions, forms, queries
from gongzhi.work_orders import board as public_board
from gongzhi.work_orders.attachments import download_response
from gongzhi.work_orders.choices import ExtensionStatus, Status, Urgency
from gongzhi.work_orders.errors import WorkOrderError
from gongzhi.work_orders.models import Attachment, Rating, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import WorkOrderPolicy

PAGE_SIZE = 25
SUBMIT_SCOPE = "ui:work_orders:submit"

#: Inbox → the permission (verb) that makes it relevant to a user, and its label.
INBOX_TABS: list[tuple[str, str, Any]] = [
    ("to_accept", "accept", _("To accept")),
    ("to_dispatch", "dispatch", _("To dispatch")),
    ("to_sign", "sign", _("To sign for")),
    ("in_progress", "view", _("In progress")),
    ("due_soon", "view", _("Due soon")),
    ("overdue", "view", _("Overdue")),
    ("awaiting_follow_up", "follow_up", _("Awaiting follow-up")),
    ("to_review", "review", _("Dissatisfaction to review")),
]


def _has(user: Any, verb: str) -> bool:
    return bool(grants_with_permission(user, permission_name(WorkOrder, verb)))


def is_staff_viewer(user: Any) -> bool:
    return _has(user, "view")


def _visible(user: Any) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.restrict(user, "view")


def _get_visible(user: Any, pk: int) -> WorkOrder:
    order = (
        _visible(user)
        .select_related("area", "category", "lead_organisation", "building", "unit", "master")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


# --- deadlines ---------------------------------------------------------------------------------------


@dataclass
class DeadlineView:
    label: Any
    due: dt.datetime
    state: str  # done / ok / soon / overdue
    remaining: str


def _format_working(delta: dt.timedelta) -> str:
    day = calendar.working_day_length()
    negative = delta < dt.timedelta(0)
    delta = abs(delta)
    days, rest = divmod(delta, day) if day else (0, delta)
    hours = int(rest.total_seconds() // 3600)
    if days and not hours:
        text = gettext("%(days)d working days") % {"days": days}
    elif days:
        text = gettext("%(days)d working days %(hours)d h") % {"days": days, "hours": hours}
    else:
        text = (
            gettext("%(hours)d working hours") % {"hours": max(hours, 0)}
            if hours
            else gettext("less than 1 working hour")
        )
    return gettext("%(time)s overdue") % {"time": text} if negative else gettext("%(time)s left") % {"time": text}


def _deadline(label: Any, due: dt.datetime | None, remind: dt.datetime | None, done: Any, now: dt.datetime):
    if due is None:
        return None
    if done:
        return DeadlineView(label, due, "done", "")
    try:
        remaining = _format_working(calendar.working_time_between(now, due))
    except calendar.CalendarError:  # a calendar without the year: show the date only
        remaining = ""
    if now >= due:
        state = "overdue"
    elif remind is not None and now >= remind:
        state = "soon"
    else:
        state = "ok"
    return DeadlineView(label, due, state, remaining)


def deadlines_of(order: WorkOrder, now: dt.datetime | None = None) -> list[DeadlineView]:
    now = now or timezone.now()
    s = order.status
    rows = [
        _deadline(_("Sign for"), order.sign_due, order.sign_remind_at, s != Status.DISPATCHED, now),
        _deadline(_("First contact"), order.contact_due, None, order.first_contact_at or s not in _WITH_UNIT, now),
        _deadline(_("Reply"), order.reply_due, order.reply_remind_at, s not in _WITH_UNIT, now),
        _deadline(_("Follow-up"), order.follow_up_due, None, order.followed_up_at or s != Status.REPLIED, now),
    ]
    return [r for r in rows if r is not None]


_WITH_UNIT = {Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS}


def current_deadline(order: WorkOrder, now: dt.datetime) -> DeadlineView | None:
    """The one deadline that matters now (for list rows)."""
    if order.status == Status.DISPATCHED:
        return _deadline(_("Sign for"), order.sign_due, order.sign_remind_at, False, now)
    if order.status in (Status.SIGNED, Status.IN_PROGRESS):
        return _deadline(_("Reply"), order.reply_due, order.reply_remind_at, False, now)
    if order.status == Status.REPLIED and order.followed_up_at is None:
        return _deadline(_("Follow-up"), order.follow_up_due, None, False, now)
    return None


# --- resident: submit --------------------------------------------------------------------------------


def _first_boundary(areas: list[Area]) -> dict[str, Any] | None:
    """The boundary of the first of ``areas`` that has one, for the map: the choices are read
    without their boundaries (up to 300 GeoJSON polygons a page would otherwise parse)."""
    with_boundary = set(
        Area.objects.filter(pk__in=[a.pk for a in areas], boundary__isnull=False).values_list("pk", flat=True)
    )
    first = next((a.pk for a in areas if a.pk in with_boundary), None)
    if first is None:
        return None
    return Area.objects.filter(pk=first).values_list("boundary", flat=True).first()


def _location_choices(user: Any, staff: bool) -> tuple[list[Area], list[Building], list[Unit]]:
    if staff:
        areas = list(
            Area.objects.restrict(user, "view")
            .filter(level__gte=AreaLevel.COMMUNITY, is_active=True)
            .defer("boundary")
            .order_by("path")[:300]
        )
        if not areas:  # organisation-scoped staff see the areas of their grants
            paths = [g.area_path for g in grants_with_permission(user, permission_name(WorkOrder, "add_on_behalf"))]
            q = Q(pk__in=[])
            for path in {p for p in paths if p}:
                q |= Q(path__startswith=path)
            areas = list(
                Area.objects.filter(q, level__gte=AreaLevel.COMMUNITY, is_active=True)
                .defer("boundary")
                .order_by("path")[:300]
            )
    else:
        areas = forms.community_areas(getattr(user, "home_area", None))
    if not areas:
        return [], [], []
    root = min((a.path for a in areas), key=len) if not staff else None
    bq = Q(area_path__startswith=root) if root else Q(pk__in=[])
    if staff:
        for path in {a.path for a in areas if a.level == AreaLevel.COMMUNITY}:
            bq |= Q(area_path__startswith=path)
    buildings = list(Building.objects.filter(bq).order_by("name")[:500])
    units = list(
        Unit.objects.filter(building__in=buildings).select_related("building").order_by("building__name", "number")
    )
    return areas, buildings, units


def _claim_token(user: Any, token: str) -> tuple[IdempotencyRecord | None, WorkOrder | None]:
    """Reserve the form's one-time token; on a replay return the order it created."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user_key=str(user.pk), key=token, scope=SUBMIT_SCOPE, request_hash=""
            ), None
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(user_key=str(user.pk), key=token, scope=SUBMIT_SCOPE).first()
        body = existing.response_body if existing else None
        pk = body.get("order") if isinstance(body, dict) else None
        return None, WorkOrder.objects.filter(pk=pk).first() if pk else None


def _submit(request: HttpRequest, form: forms.RequestForm) -> WorkOrder | None:
    """Run the submission once per form token; attachments go with it, all or nothing."""
    user = request.user
    with transaction.atomic():
        record, replayed = _claim_token(user, form.cleaned_data["form_token"])
        if record is None:
            if replayed is None:
                form.add_error(None, _("This form was already sent. Please wait a moment and check your requests."))
            return replayed
        order = actions.submit_work_order(actor=user, **form.action_kwargs())
        for upload in form.cleaned_data.get("photos") or []:
            actions.add_attachment(
                order, actor=user, upload=upload, keep_location=bool(form.cleaned_data.get("keep_location"))
            )
        record.status_code, record.response_body = 302, {"order": order.pk}
        record.save(update_fields=["status_code", "response_body"])
        return order


def _request_page(request: HttpRequest, *, staff: bool) -> HttpResponse:
    user: Any = request.user
    areas, buildings, units = _location_choices(user, staff)
    form_class = forms.StaffEntryForm if staff else forms.RequestForm
    kwargs: dict[str, Any] = {"areas": areas, "buildings": buildings, "units": units}
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            try:
                order = _submit(request, form)
            except WorkOrderError as err:
                form.add_error(err.field if err.field in form.fields else None, f"{err.detail} ({err.code})")
                order = None
            if order is not None:
                messages.success(request, gettext("Request %(number)s was received.") % {"number": order.number})
                return redirect("work_orders:detail", pk=order.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"form_token": forms.new_form_token()}
        home = getattr(user, "home_area", None)
        if home is not None and any(a.pk == home.pk for a in areas):
            initial["area"] = str(home.pk)
        if not staff:
            initial["contact_name"] = getattr(user, "display_name", "")
            initial["contact_phone"] = getattr(user, "phone", "") or ""
        form = form_class(initial=initial, **kwargs)
    centre = next((a for a in areas if a.centre_lat is not None and a.centre_lng is not None), None)
    context = {
        "form": form,
        "staff": staff,
        "map_centre": (centre.centre_lat, centre.centre_lng) if centre else ("", ""),
        "boundary": _first_boundary(areas),
        "no_area": not areas,
        "unit_buildings": form.unit_building_map(),
        "active_tab": "services",
    }
    return render(request, "work_orders/request_form.html", context, status=status)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """A resident files a request (mobile first, elder mode friendly)."""
    user: Any = request.user
    if getattr(user, "kind", "") != "resident" or not WorkOrderPolicy.has_permission(user, "add"):
        raise PermissionDenied  # staff enter requests through the staff form, with a channel
    return _request_page(request, staff=False)


@login_required
def staff_new(request: HttpRequest) -> HttpResponse:
    """Staff enter a phone call, a walk-in or a patrol report."""
    if not (_has(request.user, "add_on_behalf") or _has(request.user, "patrol")):
        raise PermissionDenied
    return _request_page(request, staff=True)


# --- resident: my requests -----------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    qs = _visible(request.user).filter(submitter_id=request.user.pk).select_related("category", "area").order_by("-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    following = [public_board.public_order(o) for o in public_board.followed_by(request.user)[:FOLLOWING_SHOWN]]
    return render(request, "work_orders/mine.html", {"page": page, "following": following, "active_tab": "me"})


# --- resident: "me too" — follow a request already on the board ---------------------------------------

FOLLOWING_SHOWN = 50


def _float(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if -180.0 <= number <= 180.0 else None


@login_required
def similar(request: HttpRequest) -> HttpResponse:
    """HTML fragment for the report form: open requests on the board about the same problem
    nearby, each with a "follow instead" button. Empty when nothing is similar."""
    area_id = request.GET.get("area") or ""
    area = Area.objects.filter(pk=int(area_id), is_active=True).first() if area_id.isdigit() else None
    rows: list[public_board.SimilarOrder] = []
    if area is not None:
        rows = public_board.similar_public(
            request.user,
            area=area,
            title=request.GET.get("title") or "",
            text=request.GET.get("description") or "",
            lat=_float(request.GET.get("lat")),
            lng=_float(request.GET.get("lng")),
            address=request.GET.get("address") or "",
        )
    return render(request, "work_orders/_similar.html", {"rows": rows, "next": reverse("work_orders:mine")})


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("work_orders:board_detail", pk=pk)


def _follow_step(request: HttpRequest, pk: int, *, on: bool) -> HttpResponse:
    """Follow (``on``) or stop following a request; answers JSON to the report form's script
    (``Accept: application/json``), otherwise redirects back with a message."""
    order = WorkOrder.objects.filter(pk=pk).first()
    if order is None:
        raise Http404
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        if on:
            actions.follow_work_order(order, actor=request.user)
            text = gettext("You follow %(number)s: you will be told of each step, as its reporter is.")
        else:
            actions.unfollow_work_order(order, actor=request.user)
            text = gettext("You no longer follow %(number)s.")
    except WorkOrderError as err:
        if wants_json:
            return JsonResponse({"code": str(err.code), "detail": str(err.detail)}, status=err.http_status)
        messages.error(request, str(err.detail))
        return _back(request, pk)
    text = text % {"number": order.number}
    if wants_json:
        return JsonResponse({"following": on, "detail": text, "mine": reverse("work_orders:mine")})
    messages.success(request, text)
    return _back(request, pk)


@login_required
@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow_step(request, pk, on=True)


@login_required
@require_POST
def unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow_step(request, pk, on=False)


# --- detail and steps ---------------------------------------------------------------------------------


@dataclass
class Step:
    label: Any
    form: Callable[..., Any]
    call: Callable[[WorkOrder, Any, dict[str, Any], HttpRequest], Any]
    danger: bool = False
    primary: bool = False


def _merge(order: WorkOrder, actor: Any, data: dict[str, Any], request: HttpRequest) -> Any:
    master = _visible(actor).filter(pk=data["master"]).first()
    if master is None:
        raise WorkOrderError(actions.E.MASTER_NOT_OPEN, field="master")
    return actions.merge_work_order(order, master=master, actor=actor, note=data.get("note", ""))


STEPS: dict[str, Step] = {
    "accept": Step(
        _("Accept"), forms.AcceptForm, lambda o, a, d, r: actions.accept_work_order(o, actor=a, **d), primary=True
    ),
    "dispatch": Step(
        _("Dispatch"), forms.DispatchForm, lambda o, a, d, r: actions.dispatch_work_order(o, actor=a, **d), primary=True
    ),
    "reject": Step(
        _("Reject"), forms.ReasonForm, lambda o, a, d, r: actions.reject_work_order(o, actor=a, **d), danger=True
    ),
    "sign": Step(
        _("Sign for"), forms.NoteForm, lambda o, a, d, r: actions.sign_work_order(o, actor=a, **d), primary=True
    ),
    "return": Step(
        _("Return"), forms.ReasonForm, lambda o, a, d, r: actions.return_work_order(o, actor=a, **d), danger=True
    ),
    "contact": Step(
        _("Record first contact"), forms.NoteForm, lambda o, a, d, r: actions.record_first_contact(o, actor=a, **d)
    ),
    "start": Step(_("Start handling"), forms.NoteForm, lambda o, a, d, r: actions.start_work_order(o, actor=a, **d)),
    "reply": Step(
        _("Reply"), forms.ReplyForm, lambda o, a, d, r: actions.reply_work_order(o, actor=a, **d), primary=True
    ),
    "request_extension": Step(
        _("Request an extension"),
        forms.ExtensionRequestForm,
        lambda o, a, d, r: actions.request_extension(o, actor=a, **d),
    ),
    "follow_up": Step(
        _("Follow up"),
        forms.FollowUpForm,
        lambda o, a, d, r: actions.follow_up_work_order(o, actor=a, **d),
        primary=True,
    ),
    "close": Step(_("Close"), forms.NoteForm, lambda o, a, d, r: actions.close_work_order(o, actor=a, **d)),
    "reopen": Step(
        _("Reopen"), forms.ReasonForm, lambda o, a, d, r: actions.reopen_work_order(o, actor=a, **d), danger=True
    ),
    "review": Step(
        _("Review the dissatisfaction"),
        forms.ReviewForm,
        lambda o, a, d, r: actions.review_dissatisfaction(o, actor=a, **d),
        primary=True,
    ),
    "decide_extension": Step(
        _("Decide on the extension"),
        forms.DecisionForm,
        lambda o, a, d, r: actions.decide_extension(o, actor=a, **d),
        primary=True,
    ),
    "transfer": Step(
        _("Transfer"), forms.TransferForm, lambda o, a, d, r: actions.transfer_work_order(o, actor=a, **d)
    ),
    "supervise": Step(
        _("Supervise"), forms.SuperviseForm, lambda o, a, d, r: actions.supervise_work_order(o, actor=a, **d)
    ),
    "hold": Step(_("Hold / resume"), forms.HoldForm, lambda o, a, d, r: actions.set_on_hold(o, actor=a, **d)),
    "merge": Step(_("Merge into another order"), forms.MergeForm, _merge),
    "rate": Step(
        _("Rate the reply"), forms.RateForm, lambda o, a, d, r: actions.rate_work_order(o, actor=a, **d), primary=True
    ),
}


def _units_for(order: WorkOrder) -> tuple[list[tuple[Organisation, str]], list[Organisation]]:
    proposed = propose_units(order.category, order.area) if order.category is not None else []
    others = list(list_serving(order.area, queryset=Organisation.objects.filter(is_active=True)).order_by("name"))
    return proposed, others


def _make_form(verb: str, order: WorkOrder, data: Any = None, cache: dict[str, Any] | None = None) -> Any:
    step = STEPS[verb]
    prefix = verb
    if verb in ("dispatch", "transfer"):
        if cache is None or "units" not in cache:
            units = _units_for(order)
            if cache is not None:
                cache["units"] = units
        else:
            units = cache["units"]
        proposed, others = units
        if verb == "dispatch":
            return step.form(data, prefix=prefix, proposed=proposed, others=others)
        return step.form(data, prefix=prefix, units=[o for o in others if o.pk != order.lead_organisation_id])
    if verb == "hold":
        return step.form(data, prefix=prefix, initial={"on_hold": "0" if order.on_hold else "1"})
    return step.form(data, prefix=prefix)


def _visible_steps(user: Any, order: WorkOrder, rated: bool) -> list[str]:
    verbs = [v for v in WorkOrderPolicy.allowed_verbs(user, order) if v in STEPS]
    keep = []
    for verb in verbs:
        if verb == "decide_extension" and order.extension_status != ExtensionStatus.REQUESTED:
            continue
        if verb == "request_extension" and order.extension_status == ExtensionStatus.REQUESTED:
            continue
        if verb == "review" and not order.review_pending:
            continue
        if verb == "rate" and rated:
            continue
        if verb == "contact" and order.first_contact_at is not None:
            continue
        if verb in ("dispatch", "merge", "supervise", "hold") and order.on_hold and verb != "hold":
            continue
        keep.append(verb)
    order_of = list(STEPS)
    return sorted(keep, key=order_of.index)


def _detail_context(
    request: HttpRequest, order: WorkOrder, *, bound: dict[str, Any] | None = None, error: Any = None
) -> dict[str, Any]:
    user: Any = request.user
    staff = is_staff_viewer(user)
    events_qs = WorkOrderEvent.objects.filter(order=order).select_related("organisation").order_by("created_at", "id")
    if not staff:
        events_qs = events_qs.filter(is_public=True)
    events = list(events_qs.prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id"))))
    anonymous = order.hides_submitter_from(user) or (order.submitter_id is not None and not order.contact_name)
    for event in events:  # an anonymous resident's name is not shown to the units
        event.hide_actor = anonymous and event.actor_id == order.submitter_id
    ratings = list(Rating.objects.filter(order=order).order_by("round"))
    rated = any(r.round == order.reopen_count for r in ratings)
    verbs = _visible_steps(user, order, rated)
    for verb in bound or {}:
        if verb not in verbs:  # a refused step stays on the page, with its error
            verbs.insert(0, verb)
    cache: dict[str, Any] = {}
    step_forms = []
    for verb in verbs:
        form = (bound or {}).get(verb) or _make_form(verb, order, cache=cache)
        step_forms.append(
            {
                "verb": verb,
                "step": STEPS[verb],
                "form": form,
                "error": error if error is not None and error.verb == verb else None,
                "open": bool(bound and verb in bound),
            }
        )
    assignments = list(order.assignments.filter(ended_at__isnull=True).select_related("organisation"))
    return {
        "order": order,
        "staff": staff,
        "contact": order.contact_for(user),
        "events": events,
        "attachments": list(Attachment.objects.filter(order=order).order_by("id")),
        "can_publish": order.is_public and staff and WorkOrderPolicy.may(user, "publish", order),
        "ratings": ratings,
        "deadlines": deadlines_of(order) if staff else [],
        "steps": step_forms,
        "assignments": assignments,
        "proposed": cache.get("units", ([], []))[0],
        "progress": _progress(order),
        "active_tab": "me",
        "panels": extensions.render_panels(request, order) if staff else {},
    }


#: The resident's view of where the order is (the states a request normally goes through).
PROGRESS = [
    (Status.SUBMITTED, _("Request received")),
    (Status.ACCEPTED, _("Accepted")),
    (Status.DISPATCHED, _("With a unit")),
    (Status.REPLIED, _("Replied")),
    (Status.CLOSED, _("Closed")),
]
_PROGRESS_INDEX = {
    Status.SUBMITTED: 0,
    Status.ACCEPTED: 1,
    Status.RETURNED: 1,
    Status.REOPENED: 1,
    Status.DISPATCHED: 2,
    Status.SIGNED: 2,
    Status.IN_PROGRESS: 2,
    Status.REPLIED: 3,
    Status.CLOSED: 4,
}


def _progress(order: WorkOrder) -> list[dict[str, Any]]:
    current = _PROGRESS_INDEX.get(Status(order.status), -1)
    return [
        {"label": label, "state": "done" if i < current else "current" if i == current else "todo"}
        for i, (_status, label) in enumerate(PROGRESS)
    ]


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _get_visible(request.user, pk)
    return render(request, "work_orders/detail.html", _detail_context(request, order))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """One step on one order. Refusals re-render the page with the code next to the form."""
    order = _get_visible(request.user, pk)
    step = STEPS.get(verb)
    if step is None:
        raise Http404
    if not WorkOrderPolicy.may(request.user, verb, order):
        raise PermissionDenied
    form = _make_form(verb, order, request.POST)
    status = 400
    error = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            step.call(order, request.user, data, request)
        except WorkOrderError as err:
            err.verb = verb  # type: ignore[attr-defined]
            error = err
            status = err.http_status
            if err.field and err.field in form.fields:
                form.add_error(err.field, str(err.detail))
        else:
            messages.success(request, gettext("Done: %(step)s.") % {"step": step.label})
            return redirect("work_orders:detail", pk=order.pk)
    order = _get_visible(request.user, pk)
    context = _detail_context(request, order, bound={verb: form}, error=error)
    return render(request, "work_orders/detail.html", context, status=status)


@login_required
@require_POST
def publish_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Show a photo on the public board (``is_public=1``) or take it off (``0``)."""
    order = _get_visible(request.user, pk)
    item = Attachment.objects.filter(order=order, pk=attachment_pk).first()
    if item is None:
        raise Http404
    if not WorkOrderPolicy.may(request.user, "publish", order):
        raise PermissionDenied
    try:
        actions.set_attachment_public(item, actor=request.user, is_public=request.POST.get("is_public") == "1")
    except WorkOrderError as err:
        messages.error(request, str(err.detail))
    else:
        messages.success(request, gettext("Saved."))
    return redirect("work_orders:detail", pk=order.pk)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Who may view the order may open its attachments (residents: their own orders)."""
    order = _get_visible(request.user, pk)
    item = Attachment.objects.filter(order=order, pk=attachment_pk).first()
    if item is None:
        raise Http404
    return download_response(item)


# --- public board (no sign-in) ----------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    """Consented, de-identified requests and replies, by community, category and status."""
    filters = forms.BoardFilterForm(request.GET or None)
    qs = public_board.board_queryset()
    if filters.is_valid():
        d = filters.cleaned_data
        qs = public_board.filtered(
            qs, community=d.get("community"), category=d.get("category"), status=d.get("status") or ""
        )
    elif filters.is_bound:
        qs = qs.none()
    page = Paginator(public_board.list_rows(qs).order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "work_orders/board.html",
        {
            "filters": filters,
            "page": page,
            "rows": [public_board.public_order(o) for o in page.object_list],
            "query": query.urlencode(),
        },
    )


def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = public_board.detail_row(pk)
    if order is None:
        raise Http404
    user: Any = request.user
    uid = user.pk if user.is_authenticated else None
    context = {
        "row": public_board.public_order(order, detail=True),
        "followers": public_board.follower_counts([order.pk]).get(order.pk, 0),
        "own": uid is not None and order.submitter_id == uid,
        "following": uid is not None and order.subscriptions.filter(user_id=uid).exists(),
        "followable": order.status != Status.CLOSED,
    }
    return render(request, "work_orders/board_detail.html", context)


def board_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Only attachments staff marked public, of an order on the board."""
    item = public_board.public_attachment(pk, attachment_pk)
    if item is None:
        raise Http404
    return download_response(item, public=True)


# --- staff inboxes ------------------------------------------------------------------------------------


#: The tab badges count at most this many orders ("1000+"): counting to 10,000 for each of the
#: nine tabs was ~230 ms of index scans per page at 1,000,000 orders (bench_work_orders_inbox);
#: the list itself still pages through up to 10,000 (CappedPaginator).
TAB_COUNT_CAP = 1_000


def inbox_tabs(user: Any) -> list[tuple[str, Any]]:
    return [(name, label) for name, verb, label in INBOX_TABS if _has(user, verb)]


def _dispatch_units(user: Any) -> list[Organisation]:
    """Units serving any area the user dispatches in (for bulk dispatch)."""
    paths = {g.area_path for g in grants_with_permission(user, permission_name(WorkOrder, "dispatch"))}
    ancestors: set[str] = set()
    for path in paths:
        ancestors.update(Area(path=path).ancestor_paths())
    if not ancestors:
        return []
    return list(
        Organisation.objects.filter(is_active=True, served_areas__area__path__in=ancestors).distinct().order_by("name")
    )


def _has_filters(filters: Any) -> bool:
    """Whether the filter form narrows the tab (an invalid form is ignored by ``_filtered``)."""
    return bool(filters.is_valid() and any(filters.cleaned_data.get(k) for k in ("q", "order_type", "urgency", "lead")))


def _filtered(
    base: QuerySet[WorkOrder], current: str, filters: Any, now: dt.datetime, status: str | None = None
) -> QuerySet[WorkOrder]:
    """An inbox tab and the filter form's choices (the inbox page and its export share them);
    with ``status``, only that status's part of the tab (see ``queries.inbox_branches``)."""
    qs = base if current == "all" else base.filter(queries.inbox_q(current, now, status=status))
    if filters.is_valid():
        d = filters.cleaned_data
        if d.get("q"):
            pk = WorkOrder.pk_from_number(d["q"])
            qs = qs.filter(pk=pk) if pk else qs.filter(title__icontains=d["q"])
        if d.get("order_type"):
            qs = qs.filter(order_type=d["order_type"])
        if d.get("urgency"):
            qs = qs.filter(urgency=d["urgency"])
        if d.get("lead"):
            qs = qs.filter(lead_organisation_id=d["lead"])
    return qs


def _export_query(query: Any, current: str) -> str:
    params = query.copy()
    params["inbox"] = current
    return str(params.urlencode())


@login_required
def export_list(request: HttpRequest) -> StreamingHttpResponse:
    """The inbox tab with its current filters as CSV or XLSX (``?export_format=``): orders
    the user may both view and export; the export is audited."""
    user: Any = request.user
    if not _has(user, "export"):
        raise PermissionDenied
    export_format = request.GET.get("export_format") or "xlsx"
    names = [name for name, _label in inbox_tabs(user)]
    current = request.GET.get("inbox") or "all"
    if export_format not in export.FORMATS or (current != "all" and current not in names):
        raise Http404
    base = _visible(user).filter(pk__in=WorkOrder.objects.restrict(user, "export").values("pk"))
    qs = _filtered(base, current, forms.InboxFilterForm(request.GET), timezone.now())
    params = {k: v for k, v in request.GET.items() if k != "export_format"}
    actions.record_export(user, actor=user, filters=params, export_format=export_format)
    return export.response(qs, export_format)


#: What an inbox row reads (``_inbox_row``, ``current_deadline``): a whole order row is 69 columns.
INBOX_ROW_COLUMNS = (
    "id",
    "status",
    "urgency",
    "on_hold",
    "title",
    "submitted_at",
    "sign_due",
    "sign_remind_at",
    "reply_due",
    "reply_remind_at",
    "follow_up_due",
    "followed_up_at",
    "area__name",
    "category__name",
    "lead_organisation__name",
)


def _inbox_row(order: WorkOrder, now: dt.datetime) -> dict[str, Any]:
    """What one inbox row shows, as plain strings: the row template then only looks up dict
    keys (no model attribute walks, display methods, includes or date filters per row;
    rendering 25 rows that way was most of the page's template time)."""
    deadline = current_deadline(order, now)
    due = timezone.localtime(deadline.due) if deadline else None
    meta = [order.area.name]
    if order.category:
        meta.append(order.category.name)
    if order.lead_organisation:
        meta.append(order.lead_organisation.name)
    return {
        "pk": order.pk,
        "url": reverse("work_orders:detail", args=[order.pk]),
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),  # type: ignore[attr-defined]
        "urgent_label": order.get_urgency_display() if order.urgency == Urgency.URGENT else "",  # type: ignore[attr-defined]
        "on_hold": order.on_hold,
        "title": order.title,
        "meta": " · ".join(meta),
        "deadline": deadline,
        "due_iso": due.isoformat() if due else "",
        "due_short": due.strftime("%m-%d %H:%M") if due else "",
    }


def _page_number(request: HttpRequest) -> int:
    """The requested page as ``Paginator.get_page`` reads it (anything else is page 1)."""
    try:
        return max(1, int(float(request.GET.get("page") or 1)))
    except (ValueError, OverflowError):
        return 1


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not is_staff_viewer(user):
        raise PermissionDenied
    tabs = inbox_tabs(user)
    names = [name for name, _label in tabs]
    current = request.GET.get("inbox") or (names[0] if names else "all")
    if current != "all" and current not in names:
        raise Http404
    now = timezone.now()
    base = _visible(user)
    filters = forms.InboxFilterForm(request.GET or None)
    # One query for every tab's count, each stopping at TAB_COUNT_CAP rows (shown "1000+"). The
    # list is counted only as far as the requested page needs (at least TAB_COUNT_CAP, at most
    # the list's cap of 10,000): without a filter the current tab IS the list, so on the first
    # 39 pages its badge count serves the pager too and nothing is counted twice.
    tab_querysets = {"all": base} | {name: base.filter(queries.inbox_q(name, now)) for name in names}
    window = min(CappedPaginator.default_cap, max(TAB_COUNT_CAP, (_page_number(request) + 1) * PAGE_SIZE))
    list_counted = not _has_filters(filters)
    caps = {current: window} if list_counted else {}
    counts = queries.capped_counts(tab_querysets, cap=TAB_COUNT_CAP, caps=caps)
    qs = _filtered(base, current, filters, now)
    order = ("-urgency", "id" if current != "all" else "-id")
    qs = qs.select_related("area", "category", "lead_organisation").only(*INBOX_ROW_COLUMNS).order_by(*order)
    # An inbox of several statuses: the page's ids are the merge of one ordered index range
    # per status (wo_inbox_urgency_order) instead of a sort of the whole inbox.
    branches = [
        _filtered(base, current, filters, now, status=s)
        for s in (queries.inbox_branches(current) if current != "all" else ())
    ]
    list_count = counts[current] if list_counted else None
    paginator = CappedPaginator(
        qs,
        PAGE_SIZE,
        cap=window,
        deferred=True,
        branches=branches,
        count=list_count,
        capped=bool(list_count is not None and list_count.capped),
    )
    page = paginator.get_page(request.GET.get("page"))
    counts = {name: n.capped_at(TAB_COUNT_CAP) for name, n in counts.items()}
    rows = [_inbox_row(o, now) for o in page.object_list]
    can_bulk = current in ("to_dispatch", "to_accept") and _has(user, "dispatch")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "tabs": [{"name": n, "label": label, "count": counts.get(n, 0)} for n, label in tabs],
        "all_count": counts["all"],
        "current": current,
        "filters": filters,
        "page": page,
        "rows": rows,
        "can_bulk": can_bulk,
        "bulk_units": _dispatch_units(user) if can_bulk else [],
        "query": query.urlencode(),
        "can_enter": _has(user, "add_on_behalf") or _has(user, "patrol"),
        "can_export": _has(user, "export"),
        "export_query": _export_query(query, current),
    }
    return render(request, "work_orders/inbox.html", context)


MAP_LIMIT = 1000
MAP_BOUNDARIES = 60


@login_required
def order_map(request: HttpRequest) -> HttpResponse:
    """地图: the orders of an inbox tab (with its filters) that carry a map point, coloured by
    their current deadline, on the local Leaflet over the boundaries of the user's areas (no
    remote tiles). At most ``MAP_LIMIT`` points, most urgent first; the list view has the rest."""
    user: Any = request.user
    if not is_staff_viewer(user):
        raise PermissionDenied
    tabs = inbox_tabs(user)
    names = [name for name, _label in tabs]
    current = request.GET.get("inbox") or "all"
    if current != "all" and current not in names:
        raise Http404
    now = timezone.now()
    filters = forms.InboxFilterForm(request.GET or None)
    qs = _filtered(_visible(user), current, filters, now)
    if current == "all":
        qs = qs.exclude(status__in=[Status.REJECTED, Status.MERGED, Status.CLOSED])  # open orders only
    located = qs.filter(lat__isnull=False, lng__isnull=False)
    orders = list(
        located.order_by("-urgency", "reply_due", "id").only(
            "id",
            "title",
            "status",
            "urgency",
            "lat",
            "lng",
            "submitted_at",
            "sign_due",
            "sign_remind_at",
            "signed_at",
            "reply_due",
            "reply_remind_at",
            "replied_at",
            "followed_up_at",
            "follow_up_due",
            "on_hold",
            "contact_due",
            "first_contact_at",
        )[:MAP_LIMIT]
    )
    points = []
    for order in orders:
        deadline = current_deadline(order, now)
        points.append(
            {
                "id": order.pk,
                "number": order.number,
                "title": order.title[:60],
                "status": order.get_status_display(),
                "state": deadline.state if deadline else "none",
                "urgent": order.urgency == "urgent",
                "lat": float(order.lat),  # type: ignore[arg-type]
                "lng": float(order.lng),  # type: ignore[arg-type]
                "url": reverse("work_orders:detail", args=[order.pk]),
            }
        )
    paths = {g.area_path for g in grants_with_permission(user, permission_name(WorkOrder, "view")) if g.area_path}
    boundaries = [
        a.boundary
        for a in Area.objects.filter(path__in=paths, boundary__isnull=False).only("boundary")[:MAP_BOUNDARIES]
    ]
    query = request.GET.copy()
    context = {
        "tabs": tabs,
        "current": current,
        "filters": filters,
        "points": points,
        "shown": len(points),
        "without_point": qs.filter(Q(lat__isnull=True) | Q(lng__isnull=True)).count()
        if len(points) < MAP_LIMIT
        else None,
        "capped": len(points) >= MAP_LIMIT,
        "boundaries": boundaries,
        "list_query": query.urlencode(),
    }
    return render(request, "work_orders/map.html", context)


@login_required
def inbox_late(request: HttpRequest) -> HttpResponse:
    """The inbox's "which units are late" panel, loaded by the page after it is shown (htmx).
    It groups every overdue order in the user's scope by lead unit, so its cost grows with
    the overdue orders (~150-260 ms for 55,000 at 1,000,000 orders, bench_work_orders_inbox):
    the inbox page no longer waits for it."""
    user: Any = request.user
    if not is_staff_viewer(user):
        raise PermissionDenied
    late = list(
        _visible(user)
        .filter(queries.inbox_q("overdue", timezone.now()), lead_organisation__isnull=False)
        .values("lead_organisation_id", "lead_organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_organisation__name")[:10]
    )
    return render(request, "work_orders/_late_units.html", {"late": late})


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _has(user, "dispatch"):
        raise PermissionDenied
    posted = [v for v in request.POST.getlist("ids") if v.isdigit()]
    form = forms.BulkDispatchForm(request.POST, units=_dispatch_units(user), ids=[int(v) for v in posted])
    back = reverse("work_orders:inbox") + "?inbox=to_dispatch"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        if not posted:
            messages.error(request, gettext("Select at least one order."))
        return redirect(back)
    ids = set(form.cleaned_data["ids"])
    orders = list(WorkOrder.objects.restrict(user, "dispatch").filter(pk__in=ids))
    if len(orders) != len(ids):
        raise Http404
    try:
        done = actions.bulk_dispatch_work_orders(
            orders, to=form.cleaned_data["to"], actor=user, note=form.cleaned_data["note"]
        )
    except WorkOrderError as err:
        messages.error(request, f"{err.detail} ({err.code})")
    else:
        messages.success(
            request,
            gettext("%(count)d orders dispatched to %(unit)s.")
            % {"count": len(done), "unit": form.cleaned_data["to"].name},
        )
    return redirect(back)


# --- KPI dashboard (绩效看板) ---------------------------------------------------------------------

KPI_AREA_LIMIT = 300
#: The summary cards, in the order a street office reads them.
KPI_CARDS = (
    ("sign_on_time_rate", _("Signed on time")),
    ("response_rate", _("Response rate")),
    ("on_time_reply_rate", _("Replied on time")),
    ("closure_rate", _("Closure rate")),
    ("resolution_rate", _("Resolution rate")),
    ("satisfaction_rate", _("Satisfaction (broad)")),
    ("strict_satisfaction_rate", _("Satisfaction (strict)")),
    ("repeat_rate", _("Repeat complaint rate")),
    ("reopen_rate", _("Reopen rate")),
    ("return_rate", _("Return rate")),
    ("extension_rate", _("Extension rate")),
    ("follow_up_rate", _("Follow-up rate")),
)
KPI_HOURS = (
    ("response_mean_hours", _("Response, mean")),
    ("response_median_hours", _("Response, median")),
    ("response_p90_hours", _("Response, P90")),
    ("handling_mean_hours", _("Handling, mean")),
    ("handling_median_hours", _("Handling, median")),
    ("handling_p90_hours", _("Handling, P90")),
)


def _kpi_areas(user: Any) -> list[Area]:
    """Areas whose KPIs the user may read: their KPI grants' areas and what lies under them,
    down to communities (grids are too small to rank), widest first."""
    grants = grants_with_permission(user, permission_name(WorkOrder, "kpi"))
    if not grants:
        return []
    q = Q(pk__in=[])
    for path in {g.area_path or "" for g in grants}:
        q |= Q(path__startswith=path)
    return list(
        Area.objects.filter(q, level__lte=AreaLevel.COMMUNITY, is_active=True).order_by("path")[:KPI_AREA_LIMIT]
    )


@login_required
def kpi_dashboard(request: HttpRequest) -> HttpResponse:
    """绩效看板: every KPI of an area and period, the trend, the unit ranking and the overdue
    list — the same numbers as ``/api/work-orders/kpis/dashboard/``, drawn with the local ECharts
    (tables carry the figures without JavaScript)."""
    from gongzhi.work_orders import kpis
    from gongzhi.work_orders.api.kpi_views import KPI_VERB, access_kpi_unit

    user: Any = request.user
    areas = _kpi_areas(user)
    if not areas:
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("area", str(areas[0].pk))
    form = forms.KpiFilterForm(data, areas=areas)
    if not form.is_valid():
        return render(request, "work_orders/kpi_dashboard.html", {"form": form, "active_tab": "console"}, status=400)
    area, period = form.cleaned_data["area"], form.cleaned_data["period"]
    unit_param = request.GET.get("unit") or ""
    unit = access_kpi_unit(user, unit_param) if unit_param.isdigit() else None
    board = kpis.dashboard(area, period.start, period.end, user=user, unit=unit, verb=KPI_VERB)
    summary = board["summary"]
    query = request.GET.copy()
    query.pop("unit", None)
    context = {
        "form": form,
        "area": area,
        "period": period,
        "unit": unit,
        "summary": summary,
        "cards": [(key, label, summary.get(key)) for key, label in KPI_CARDS],
        "hours": [(key, label, summary.get(key)) for key, label in KPI_HOURS],
        "trend": board["trend"],
        "ranking": board["ranking"],
        "overdue": [
            {**o, "reply_due_at": dt.datetime.fromisoformat(o["reply_due"]) if o["reply_due"] else None}
            for o in board["overdue"]
        ],
        "charts": {
            **kpis.as_echarts(board),
            "labels": {
                "cases": gettext("Requests"),
                "response_rate": gettext("Response rate"),
                "resolution_rate": gettext("Resolution rate"),
                "satisfaction_rate": gettext("Satisfaction (broad)"),
                "on_time_reply_rate": gettext("Replied on time"),
                "score": gettext("Score"),
            },
        },
        "weights": kpis.weights(),
        "query": query.urlencode(),
        "api_url": reverse("api:work-order-kpi-dashboard") + f"?area={area.pk}&period={period.label}",
        "active_tab": "console",
    }
    return render(request, "work_orders/kpi_dashboard.html", context)
