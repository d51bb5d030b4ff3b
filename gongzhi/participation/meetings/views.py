"""Meeting and owners' vote pages: residents see meetings, sign in by QR, vote on
resolutions and, as owners, in statutory votes; staff convene, sign people in, enter
paper/written/proxy votes and decide. Reads are scoped (404 outside); writes call actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from gongzhi.access.queries import grants_with_permission
from gongzhi.participation.meetings import actions, roll, signin, tally
from gongzhi.participation.meetings.choices import SPECIAL_MATTERS, MeetingKind, OwnersMatter, VoteChoice, VoteMethod
from gongzhi.participation.meetings.errors import MeetingError
from gongzhi.participation.meetings.models import (
    Attendance,
    Meeting,
    Owner,
    OwnerBallot,
    OwnersVote,
    ResolutionVote,
)
from gongzhi.participation.meetings.permissions import MeetingPolicy, OwnerPolicy, OwnersVotePolicy, ResolutionPolicy
from gongzhi.territory.models import Area, Room
from gongzhi.territory.tabular import RowsInvalid, TabularError, read_upload


def _meeting(user: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.restrict(user, "view").select_related("area").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def _vote(user: Any, pk: int) -> OwnersVote:
    vote = OwnersVote.objects.restrict(user, "view").select_related("estate").filter(pk=pk).first()
    if vote is None:
        raise Http404
    return vote


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/list.html",
        {
            "meetings": list(Meeting.objects.restrict(request.user, "view").select_related("area")[:100]),
            "votes": list(OwnersVote.objects.restrict(request.user, "view").select_related("estate")[:100]),
            "can_add": MeetingPolicy.has_permission(request.user, "add"),
            "can_add_vote": OwnersVotePolicy.has_permission(request.user, "add"),
            "can_roll": _keeps_roll(request.user),
            "active_tab": "services",
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    meeting = _meeting(user, pk)
    staff = MeetingPolicy.can(request.user, "change", meeting)
    attended = Attendance.objects.filter(meeting=meeting, user=user).exists()
    my_votes = dict(
        ResolutionVote.objects.filter(resolution__meeting=meeting, voter=user).values_list("resolution_id", "choice")
    )
    resolutions = list(meeting.resolutions.all())
    for r in resolutions:
        r.my_vote = my_votes.get(r.pk)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda": list(meeting.agenda.all()),
        "resolutions": resolutions,
        "attachments": list(meeting.attachments.all()),
        "attended": attended,
        "staff": staff,
        "can_vote": ResolutionPolicy.has_permission(request.user, "vote") and attended,
        "choices": VoteChoice.choices,
        "active_tab": "services",
    }
    if staff:
        context["attendances"] = list(Attendance.objects.filter(meeting=meeting).select_related("user"))
        context["people"] = list(
            get_user_model()
            .objects.filter(is_active=True, home_area__path__startswith=meeting.area_path)
            .exclude(pk__in=[a.user_id for a in context["attendances"]])
            .order_by("username")[:300]
        )
        if meeting.status == "in_progress":
            url = request.build_absolute_uri(
                reverse("participation_meetings:check_in", args=[meeting.pk, signin.make_token(meeting.pk)])
            )
            context["qr_svg"] = signin.qr_svg(url)
            context["check_in_url"] = url
    return render(request, "meetings/detail.html", context)


@login_required
def check_in(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Where the QR code points: confirm, then sign in."""
    meeting = _meeting(request.user, pk)
    if request.method == "POST":
        try:
            actions.check_in(meeting, actor=request.user, token=token)
        except MeetingError as err:
            messages.error(request, str(err.detail))
        else:
            messages.success(request, gettext("You are signed in. Welcome!"))
        return redirect("participation_meetings:detail", pk=pk)
    return render(
        request,
        "meetings/check_in.html",
        {"meeting": meeting, "token": token, "valid": signin.meeting_of(token) == meeting.pk},
    )


def _user(pk: str) -> Any:
    user = get_user_model().objects.filter(pk=pk or 0, is_active=True).first()
    if user is None:
        raise Http404
    return user


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    meeting = _meeting(request.user, pk)
    post = request.POST
    try:
        if verb == "vote":
            resolution = meeting.resolutions.filter(pk=post.get("resolution") or 0).first()
            if resolution is None:
                raise Http404
            actions.cast_resolution_vote(resolution, actor=request.user, choice=post.get("choice", ""))
            return redirect("participation_meetings:detail", pk=pk)
        if not MeetingPolicy.can(request.user, "change", meeting):
            raise PermissionDenied
        if verb == "start":
            actions.start_meeting(meeting, actor=request.user)
        elif verb == "agenda":
            actions.add_agenda_item(
                meeting, actor=request.user, title=post.get("title", ""), description=post.get("description", "")
            )
        elif verb == "attendance":
            actions.record_attendance(
                meeting,
                actor=request.user,
                user=_user(post.get("user", "")),
                method=post.get("method", "") if post.get("method") in ("staff", "paper") else "staff",
                proxy_name=post.get("proxy_name", ""),
            )
        elif verb == "resolution":
            actions.propose_resolution(
                meeting, actor=request.user, title=post.get("title", ""), text=post.get("text", "")
            )
        elif verb in ("open_vote", "decide", "enter_vote"):
            resolution = meeting.resolutions.filter(pk=post.get("resolution") or 0).first()
            if resolution is None:
                raise Http404
            if verb == "open_vote":
                actions.open_resolution_vote(resolution, actor=request.user)
            elif verb == "decide":
                actions.decide_resolution(resolution, actor=request.user)
            else:
                actions.enter_resolution_vote(
                    resolution,
                    actor=request.user,
                    voter=_user(post.get("voter", "")),
                    choice=post.get("choice", ""),
                    method=VoteMethod.PAPER,
                )
        elif verb == "attach" and "file" in request.FILES:
            actions.add_attachment(meeting, actor=request.user, title=post.get("title", ""), file=request.FILES["file"])
        elif verb == "close":
            actions.close_meeting(meeting, actor=request.user, minutes=post.get("minutes", ""))
        else:
            raise Http404
    except MeetingError as err:
        messages.error(request, str(err.detail))
    except ValueError:
        messages.error(request, gettext("Please check the form."))
    return redirect("participation_meetings:detail", pk=pk)


@login_required
def new_meeting(request: HttpRequest) -> HttpResponse:
    if not MeetingPolicy.has_permission(request.user, "add"):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        area = Area.objects.restrict(request.user, "view").filter(pk=request.POST.get("area") or 0).first()
        starts = parse_datetime(request.POST.get("starts_at", ""))
        try:
            if area is None or starts is None:
                raise MeetingError(actions.E.AREA_NOT_ALLOWED, field="area")
            meeting = actions.create_meeting(
                actor=request.user,
                kind=request.POST.get("kind", "")
                if request.POST.get("kind") in MeetingKind.values
                else MeetingKind.RESIDENTS_COUNCIL,
                area=area,
                title=request.POST.get("title", "") or gettext("Meeting"),
                starts_at=timezone.make_aware(starts) if timezone.is_naive(starts) else starts,
                location=request.POST.get("location", ""),
                quorum=int(request.POST.get("quorum") or 1) if (request.POST.get("quorum") or "1").isdigit() else 1,
                is_offline_record=request.POST.get("is_offline_record") == "on",
            )
        except MeetingError as err:
            error = err
        else:
            return redirect("participation_meetings:detail", pk=meeting.pk)
    areas = list(Area.objects.restrict(request.user, "view").filter(level__gte=3).order_by("path")[:200])
    return render(request, "meetings/new.html", {"areas": areas, "kinds": MeetingKind.choices, "error": error})


# --- owners' votes --------------------------------------------------------------------------------


def _fraction(part: Decimal | int, whole: Decimal | int) -> str:
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.01'))}%" if whole else "—"


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote(request.user, pk)
    owner = Owner.objects.filter(estate_id=vote.estate_id, user=request.user, is_active=True).first()
    my_ballot = OwnerBallot.objects.filter(vote=vote, owner=owner).first() if owner else None
    count = tally.count_owners_vote(vote) if vote.status != "draft" else None
    staff_enter = OwnersVotePolicy.can(request.user, "enter", vote)
    context: dict[str, Any] = {
        "vote": vote,
        "owner": owner,
        "my_ballot": my_ballot,
        "count": count,
        "special": vote.matter in SPECIAL_MATTERS,
        "can_change": OwnersVotePolicy.in_scope(request.user, "change", vote),
        "staff_enter": staff_enter,
        "choices": VoteChoice.choices,
        "methods": [(m.value, m.label) for m in (VoteMethod.WRITTEN, VoteMethod.PROXY, VoteMethod.PAPER)],
        "active_tab": "services",
    }
    if count is not None:
        context["shares"] = {
            "p_area": _fraction(count.participating_area, count.total_area),
            "p_owners": _fraction(count.participating_owners, count.total_owners),
            "f_area": _fraction(count.for_area, count.participating_area),
            "f_owners": _fraction(count.for_owners, count.participating_owners),
        }
    if staff_enter:
        voted = set(OwnerBallot.objects.filter(vote=vote).values_list("owner_id", flat=True))
        context["pending_owners"] = [
            o
            for o in Owner.objects.filter(estate_id=vote.estate_id, is_active=True).order_by("id")[:1000]
            if o.pk not in voted
        ]
    return render(request, "meetings/vote_detail.html", context)


@login_required
@require_POST
def vote_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    vote = _vote(request.user, pk)
    post = request.POST
    try:
        if verb == "cast":
            actions.cast_owner_ballot(vote, actor=request.user, choice=post.get("choice", ""))
        elif verb == "enter":
            if not OwnersVotePolicy.can(request.user, "enter", vote):
                raise PermissionDenied
            owner = Owner.objects.filter(estate_id=vote.estate_id, pk=post.get("owner") or 0).first()
            if owner is None:
                raise Http404
            actions.enter_owner_ballot(
                vote,
                actor=request.user,
                owner=owner,
                choice=post.get("choice", ""),
                method=post.get("method", ""),
                evidence=post.get("evidence", ""),
                proxy_name=post.get("proxy_name", ""),
            )
        elif verb in ("open", "close"):
            if not OwnersVotePolicy.in_scope(request.user, "change", vote):
                raise PermissionDenied
            (actions.open_owners_vote if verb == "open" else actions.close_owners_vote)(vote, actor=request.user)
        else:
            raise Http404
    except MeetingError as err:
        messages.error(request, str(err.detail))
    except ValueError:
        messages.error(request, gettext("Please check the form."))
    return redirect("participation_meetings:vote", pk=pk)


@login_required
def new_vote(request: HttpRequest) -> HttpResponse:
    if not OwnersVotePolicy.has_permission(request.user, "add"):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        estate = Area.objects.restrict(request.user, "view").filter(pk=request.POST.get("estate") or 0).first()
        try:
            if estate is None:
                raise MeetingError(actions.E.AREA_NOT_ALLOWED, field="estate")
            vote = actions.create_owners_vote(
                actor=request.user,
                estate=estate,
                title=request.POST.get("title", "") or gettext("Owners' vote"),
                matter=request.POST.get("matter", "")
                if request.POST.get("matter") in OwnersMatter.values
                else OwnersMatter.OTHER_MAJOR,
                text=request.POST.get("text", ""),
            )
        except MeetingError as err:
            error = err
        else:
            return redirect("participation_meetings:vote", pk=vote.pk)
    areas = list(Area.objects.restrict(request.user, "view").filter(level__gte=4).order_by("path")[:200])
    return render(request, "meetings/vote_new.html", {"areas": areas, "matters": OwnersMatter.choices, "error": error})


# --- owners' roll ----------------------------------------------------------------------------------


def _keeps_roll(user: Any) -> bool:
    """Staff holding ``view_owner`` through a grant (not residents seeing their own entry)."""
    return bool(grants_with_permission(user, "participation_meetings.view_owner"))


@login_required
def owner_roll(request: HttpRequest) -> HttpResponse:
    """An estate's owners' roll for its conveners: masked names, rooms and floor areas, import
    from CSV/XLSX (with a dry run) and the transfer of rooms to a new owner. Residents see their
    own entry on their vote pages, not here."""
    if not _keeps_roll(request.user):
        raise PermissionDenied
    estates = list(Area.objects.restrict(request.user, "view").filter(level__gte=4).order_by("path")[:200])
    estate = next((a for a in estates if str(a.pk) == request.GET.get("estate", "")), estates[0] if estates else None)
    report = None
    errors: list[Any] = []
    if request.method == "POST" and estate is not None:
        if not OwnerPolicy.has_permission(request.user, "add"):
            raise PermissionDenied
        dry_run = request.POST.get("dry_run") == "on"
        try:
            upload = request.FILES.get("file")
            data = read_upload(upload)
            report = roll.import_owner_roll(
                data, str(getattr(upload, "name", "")), actor=request.user, estate=estate, dry_run=dry_run
            )
        except RowsInvalid as exc:
            errors = exc.errors
        except (TabularError, MeetingError) as exc:
            messages.error(request, str(exc.detail))
        else:
            if not dry_run:
                messages.success(request, gettext("%(n)s owners added to the roll.") % {"n": report.created})
                return redirect(f"{reverse('participation_meetings:roll')}?estate={estate.pk}")
    owners = (
        list(
            Owner.objects.restrict(request.user, "view")
            .filter(estate=estate)
            .prefetch_related("ownerships__room__unit__building")
            .order_by("-is_active", "id")[:500]
        )
        if estate is not None
        else []
    )
    return render(
        request,
        "meetings/roll.html",
        {
            "estates": estates,
            "estate": estate,
            "owners": owners,
            "report": report,
            "errors": errors[:200],
            "can_add": OwnerPolicy.has_permission(request.user, "add"),
            "can_change": OwnerPolicy.has_permission(request.user, "change"),
            "active_tab": "services",
        },
    )


@login_required
@require_POST
def owner_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    owner = Owner.objects.restrict(request.user, "view").filter(pk=pk).first()
    if owner is None:
        raise Http404
    if not OwnerPolicy.can(request.user, "change", owner):
        raise PermissionDenied
    room_ids = [int(r) for r in request.POST.getlist("rooms") if r.isdigit()]
    try:
        actions.transfer_rooms(
            owner,
            actor=request.user,
            rooms=list(Room.objects.filter(pk__in=room_ids)),
            evidence=request.POST.get("evidence", "")[:200],
            name=request.POST.get("name", "")[:64],
        )
    except MeetingError as err:
        messages.error(request, str(err.detail))
    else:
        messages.success(request, gettext("The transfer is recorded."))
    return redirect(f"{reverse('participation_meetings:roll')}?estate={owner.estate_id}")
