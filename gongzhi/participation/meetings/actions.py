"""Every write to meetings, resolutions, the owner roll and owners' votes. Tallies and
decisions each enqueue a ledger event (counts and ids only) inside their action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.access.queries import grants_with_permission
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.actions import enqueue_event
from gongzhi.ledger.choices import EventKind
from gongzhi.organisations.models import Organisation
from gongzhi.participation.accountability.tracking import track_result
from gongzhi.participation.meetings import signin, statutory, tally
from gongzhi.participation.meetings.choices import (
    STAFF_METHODS,
    AttendanceMethod,
    MeetingKind,
    MeetingStatus,
    OwnersMatter,
    OwnersVoteStatus,
    ResolutionStatus,
    VoteChoice,
    VoteMethod,
)
from gongzhi.participation.meetings.errors import MeetingError, MeetingErrorCode
from gongzhi.participation.meetings.models import (
    AgendaItem,
    Attendance,
    Elector,
    Invitation,
    Meeting,
    MeetingAttachment,
    Owner,
    OwnerBallot,
    Ownership,
    OwnershipTransfer,
    OwnersVote,
    Resolution,
    ResolutionVote,
)
from gongzhi.territory.models import Area, Room

E = MeetingErrorCode
MAX_ATTACHMENT = 10 * 1024 * 1024


def _covers(actor: Any, perm: str, area_path: str) -> bool:
    return any(
        area_path.startswith(g.area_path or "") for g in grants_with_permission(actor, f"participation_meetings.{perm}")
    )


def _need(actor: Any, perm: str, area_path: str) -> None:
    if not _covers(actor, perm, area_path):
        raise MeetingError(E.AREA_NOT_ALLOWED)


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _state(obj: Any, *allowed: str) -> None:
    if obj.status not in allowed:
        raise MeetingError(E.ILLEGAL_TRANSITION)


# --- meetings -----------------------------------------------------------------------------------


@action
def create_meeting(
    *,
    actor: Any,
    kind: MeetingKind | str,
    area: Area,
    title: str,
    starts_at: dt.datetime,
    location: str = "",
    quorum: int = 1,
    description: str = "",
    is_offline_record: bool = False,
    organisation: Organisation | None = None,
) -> Meeting:
    """Convene a meeting (or record one held offline, from its paper records)."""
    _need(actor, "add_meeting", area.path)
    if quorum < 1:
        raise MeetingError(E.ILLEGAL_TRANSITION, field="quorum")
    meeting = Meeting.objects.create(
        kind=MeetingKind(kind),
        title=title.strip()[:120],
        description=description.strip()[:4000],
        area=area,
        area_path=area.path,
        organisation=organisation,
        starts_at=starts_at,
        location=location.strip()[:200],
        quorum=quorum,
        is_offline_record=is_offline_record,
        created_by=actor,
    )
    record_change(meeting, verb="create", actor=actor, before=None)
    return meeting


@action
def add_agenda_item(
    meeting: Meeting,
    *,
    actor: Any,
    title: str,
    description: str = "",
    source_label: str = "",
    source_url: str = "",
) -> AgendaItem:
    """Append an item to a planned or running meeting's agenda; ``source_*`` link it back to
    where it came from (a residents' proposal)."""
    meeting = _lock_meeting(meeting)
    _need(actor, "change_meeting", meeting.area_path)
    _state(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=meeting.agenda.count() + 1,
        title=title.strip()[:200],
        description=description.strip()[:4000],
        source_label=source_label[:200],
        source_url=source_url[:255],
    )
    record_change(item, verb="add_agenda_item", actor=actor, before=None, related=meeting)
    return item


@action
def invite(meeting: Meeting, *, actor: Any, users: Sequence[Any]) -> int:
    """Invite accounts (idempotent per person); returns how many new invitations."""
    meeting = _lock_meeting(meeting)
    _state(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
    already = set(Invitation.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    new = [Invitation(meeting=meeting, user=u) for u in {u.pk: u for u in users}.values() if u.pk not in already]
    Invitation.objects.bulk_create(new)
    if new:
        from django.urls import reverse

        from gongzhi.notifications.dispatch import notify

        notify(
            [i.user for i in new],
            kind="participation_meetings.invitation",
            title=gettext("Invitation: %(title)s") % {"title": meeting.title},
            body=gettext("%(when)s, %(where)s")
            % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"), "where": meeting.location},
            url=reverse("participation_meetings:detail", args=[meeting.pk]),
            source=meeting,
        )
    record_change(meeting, verb="invite", actor=actor, after={"invited": len(new)})
    return len(new)


@action
def remind_invitees(meeting: Meeting, *, now: dt.datetime | None = None) -> int:
    """Send the one reminder of a planned meeting to its invitees (run by the scheduler, no
    actor). Returns how many people were reminded. A meeting already reminded (or no longer
    planned) raises ``already_reminded``: the conditional update lets exactly one of two
    concurrent runs win."""
    now = now or timezone.now()
    claimed = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED, reminded_at__isnull=True).update(
        reminded_at=now
    )
    if not claimed:
        raise MeetingError(E.ALREADY_REMINDED)
    meeting = Meeting.objects.get(pk=meeting.pk)
    users = [i.user for i in Invitation.objects.filter(meeting=meeting).select_related("user")]
    if users:
        from django.urls import reverse

        from gongzhi.notifications.dispatch import notify

        notify(
            users,
            kind="participation_meetings.reminder",
            title=gettext("Reminder: %(title)s") % {"title": meeting.title},
            body=gettext("%(when)s, %(where)s")
            % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"), "where": meeting.location},
            url=reverse("participation_meetings:detail", args=[meeting.pk]),
            source=meeting,
        )
    record_change(meeting, verb="remind", actor=None, after={"reminded": len(users)})
    return len(users)


@action
def start_meeting(meeting: Meeting, *, actor: Any) -> Meeting:
    meeting = _lock_meeting(meeting)
    _state(meeting, MeetingStatus.PLANNED)
    before = snapshot(meeting)
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = timezone.now()
    meeting.save(update_fields=["status", "started_at", "updated_at"])
    record_change(meeting, verb="start", actor=actor, before=before)
    return meeting


def _add_attendance(
    meeting: Meeting, user: Any, method: str, *, entered_by: Any = None, proxy_name: str = ""
) -> Attendance:
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, user=user, method=method, entered_by=entered_by, proxy_name=proxy_name.strip()[:64]
            )
    except IntegrityError:
        raise MeetingError(E.ALREADY_SIGNED_IN) from None
    Meeting.objects.filter(pk=meeting.pk).update(attendance_count=F("attendance_count") + 1)
    meeting.refresh_from_db(fields=["attendance_count"])
    return attendance


def _invited(meeting: Meeting, user: Any) -> bool:
    if not Invitation.objects.filter(meeting=meeting).exists():
        # An open meeting: every resident of the area may attend.
        return getattr(user, "kind", "") == "resident" and _covers(user, "attend_meeting", meeting.area_path)
    return Invitation.objects.filter(meeting=meeting, user=user).exists()


@action
def check_in(meeting: Meeting, *, actor: Any, token: str) -> Attendance:
    """Sign in by scanning the meeting's QR code (a signed token naming the meeting)."""
    if signin.meeting_of(token) != meeting.pk:
        raise MeetingError(E.BAD_TOKEN, field="token")
    _state(meeting, MeetingStatus.IN_PROGRESS)
    if not _invited(meeting, actor):
        raise MeetingError(E.NOT_INVITED)
    attendance = _add_attendance(meeting, actor, AttendanceMethod.QR)
    record_change(attendance, verb="check_in", actor=actor, before=None, related=meeting)
    return attendance


@action
def record_attendance(
    meeting: Meeting,
    *,
    actor: Any,
    user: Any,
    method: AttendanceMethod | str = AttendanceMethod.STAFF,
    proxy_name: str = "",
) -> Attendance:
    """Staff sign someone in (at the door, from a paper sheet, or as represented by a proxy)."""
    _need(actor, "change_meeting", meeting.area_path)
    method = AttendanceMethod(method)
    if method == AttendanceMethod.QR:
        raise MeetingError(E.BAD_METHOD, field="method")
    allowed = (
        (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED) if meeting.is_offline_record else (MeetingStatus.IN_PROGRESS,)
    )
    _state(meeting, *allowed)
    if Invitation.objects.filter(meeting=meeting).exists() and not _invited(meeting, user):
        raise MeetingError(E.NOT_INVITED, field="user")  # an open meeting: staff vouch for who was there
    attendance = _add_attendance(meeting, user, method, entered_by=actor, proxy_name=proxy_name)
    record_change(attendance, verb="record_attendance", actor=actor, before=None, related=meeting)
    return attendance


@action
def add_attachment(meeting: Meeting, *, actor: Any, title: str, file: Any) -> MeetingAttachment:
    _need(actor, "change_meeting", meeting.area_path)
    if getattr(file, "size", 0) > MAX_ATTACHMENT:
        raise MeetingError(E.FILE_TOO_LARGE, field="file")
    attachment = MeetingAttachment(
        meeting=meeting, title=title.strip()[:120] or str(file.name)[:120], uploaded_by=actor
    )
    attachment.file.save(str(file.name)[-80:], file, save=False)
    attachment.save()
    record_change(attachment, verb="attach", actor=actor, before=None, related=meeting)
    return attachment


@action
def close_meeting(meeting: Meeting, *, actor: Any, minutes: str = "") -> Meeting:
    """End the meeting and publish its minutes (undecided resolutions stay as they are)."""
    meeting = _lock_meeting(meeting)
    _state(meeting, MeetingStatus.IN_PROGRESS)
    before = snapshot(meeting)
    now = timezone.now()
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now
    meeting.minutes = minutes.strip()[:20000]
    meeting.minutes_published_at = now if meeting.minutes else None
    meeting.save(update_fields=["status", "closed_at", "minutes", "minutes_published_at", "updated_at"])
    record_change(meeting, verb="close", actor=actor, before=before)
    return meeting


# --- resolutions --------------------------------------------------------------------------------


@action
def propose_resolution(
    meeting: Meeting, *, actor: Any, title: str, text: str = "", agenda_item: AgendaItem | None = None
) -> Resolution:
    _need(actor, "add_resolution", meeting.area_path)
    _state(meeting, MeetingStatus.PLANNED, MeetingStatus.IN_PROGRESS)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(E.ILLEGAL_TRANSITION, field="agenda_item")
    resolution = Resolution.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        area_path=meeting.area_path,
        title=title.strip()[:200],
        text=text.strip()[:8000],
    )
    record_change(resolution, verb="propose", actor=actor, before=None, related=meeting)
    return resolution


def _lock_resolution(resolution: Resolution) -> Resolution:
    return Resolution.objects.select_for_update().select_related("meeting").get(pk=resolution.pk)


@action
def open_resolution_vote(resolution: Resolution, *, actor: Any) -> Resolution:
    """Put a resolution to the vote: the meeting must be under way and quorate."""
    resolution = _lock_resolution(resolution)
    _need(actor, "change_resolution", resolution.area_path)
    _state(resolution, ResolutionStatus.DRAFT)
    _state(resolution.meeting, MeetingStatus.IN_PROGRESS)
    if not resolution.meeting.quorum_reached:
        raise MeetingError(E.QUORUM_NOT_REACHED)
    before = snapshot(resolution)
    resolution.status = ResolutionStatus.VOTING
    resolution.save(update_fields=["status", "updated_at"])
    record_change(resolution, verb="open_vote", actor=actor, before=before)
    return resolution


def _add_vote(resolution: Resolution, voter: Any, choice: str, method: str, entered_by: Any = None) -> ResolutionVote:
    if not Attendance.objects.filter(meeting_id=resolution.meeting_id, user=voter).exists():
        raise MeetingError(E.NOT_PRESENT)
    try:
        with transaction.atomic():
            return ResolutionVote.objects.create(
                resolution=resolution, voter=voter, choice=VoteChoice(choice), method=method, entered_by=entered_by
            )
    except IntegrityError:
        raise MeetingError(E.ALREADY_VOTED) from None


@action
def cast_resolution_vote(resolution: Resolution, *, actor: Any, choice: VoteChoice | str) -> ResolutionVote:
    """An attendee votes online (one vote each: a constraint)."""
    _state(resolution, ResolutionStatus.VOTING)
    vote = _add_vote(resolution, actor, str(choice), VoteMethod.ONLINE)
    record_change(resolution, verb="vote", actor=actor, after={"votes": resolution.votes.count()})
    return vote


@action
def enter_resolution_vote(
    resolution: Resolution,
    *,
    actor: Any,
    voter: Any,
    choice: VoteChoice | str,
    method: VoteMethod | str = VoteMethod.PAPER,
) -> ResolutionVote:
    """Staff enter a vote cast on paper or by show of hands (recorded as such)."""
    _need(actor, "change_resolution", resolution.area_path)
    method = VoteMethod(method)
    if method not in STAFF_METHODS:
        raise MeetingError(E.BAD_METHOD, field="method")
    _state(resolution, ResolutionStatus.VOTING)
    vote = _add_vote(resolution, voter, str(choice), method, entered_by=actor)
    record_change(
        resolution, verb="enter_vote", actor=actor, after={"votes": resolution.votes.count(), "method": method.value}
    )
    return vote


@action
def decide_resolution(resolution: Resolution, *, actor: Any) -> Resolution:
    """Count the votes (SQL aggregate), decide, and put the tally on the ledger."""
    resolution = _lock_resolution(resolution)
    _need(actor, "change_resolution", resolution.area_path)
    _state(resolution, ResolutionStatus.VOTING)
    before = snapshot(resolution)
    counts = resolution.votes.aggregate(
        f=Count("id", filter=Q(choice=VoteChoice.FOR)),
        a=Count("id", filter=Q(choice=VoteChoice.AGAINST)),
        n=Count("id", filter=Q(choice=VoteChoice.ABSTAIN)),
    )
    resolution.votes_for, resolution.votes_against, resolution.votes_abstain = counts["f"], counts["a"], counts["n"]
    resolution.present = Meeting.objects.get(pk=resolution.meeting_id).attendance_count
    passed = statutory.resolution_passes(resolution.votes_for, resolution.present)
    resolution.status = ResolutionStatus.PASSED if passed else ResolutionStatus.REJECTED
    resolution.decided_at = timezone.now()
    resolution.save(
        update_fields=["votes_for", "votes_against", "votes_abstain", "present", "status", "decided_at", "updated_at"]
    )
    enqueue_event(
        EventKind.DECISION,
        {
            "kind": "resolution",
            "resolution": resolution.pk,
            "meeting": resolution.meeting_id,
            "for": resolution.votes_for,
            "against": resolution.votes_against,
            "abstain": resolution.votes_abstain,
            "present": resolution.present,
            "passed": passed,
        },
    )
    if passed:
        meeting = Meeting.objects.select_related("area", "organisation").get(pk=resolution.meeting_id)
        track_result(
            resolution,
            title=resolution.title,
            description=resolution.text,
            area=meeting.area,
            responsible_unit=meeting.organisation,
            deadline=None,
            actor=actor,
        )
    record_change(resolution, verb="decide", actor=actor, before=before)
    return resolution


# --- owner roll and statutory owners' votes -----------------------------------------------------


@action
def register_owner(
    *, actor: Any, estate: Area, name: str, rooms: Sequence[Room], evidence: str, user: Any = None
) -> Owner:
    """Put an owner on an estate's roll with their rooms (each room on one record only)."""
    _need(actor, "add_owner", estate.path)
    if not evidence.strip():
        raise MeetingError(E.EVIDENCE_REQUIRED, field="evidence")
    if not rooms:
        raise MeetingError(E.ROOM_NOT_IN_ESTATE, field="rooms")
    for room in rooms:
        building_path = (
            Room.objects.filter(pk=room.pk).values_list("unit__building__area_path", flat=True).first() or ""
        )
        if not building_path.startswith(estate.path):
            raise MeetingError(E.ROOM_NOT_IN_ESTATE, field="rooms")
        if room.floor_area is None:
            raise MeetingError(E.MISSING_FLOOR_AREA, field="rooms")
    owner = Owner.objects.create(
        estate=estate, area_path=estate.path, name=name.strip()[:64], user=user, evidence=evidence.strip()[:200]
    )
    try:
        with transaction.atomic():
            Ownership.objects.bulk_create([Ownership(owner=owner, room=room) for room in rooms])
    except IntegrityError:
        raise MeetingError(E.ROOM_ALREADY_OWNED, field="rooms") from None
    record_change(owner, verb="register_owner", actor=actor, before=None)
    return owner


@action
def transfer_rooms(
    owner: Owner,
    *,
    actor: Any,
    rooms: Sequence[Room],
    evidence: str,
    to_owner: Owner | None = None,
    name: str = "",
    user: Any = None,
) -> Owner:
    """Record a sale or inheritance: ``rooms`` leave ``owner``'s record for ``to_owner`` (already
    on the same roll) or for a new owner ``name`` (with an optional account). An owner left
    without rooms leaves the roll. Votes are not rewritten: each vote's electorate was frozen
    when it opened (its record date), so closed votes keep their ballots and an open vote keeps
    its electors — the buyer takes part in votes opened after the transfer (or, in an open one,
    as the seller's proxy with evidence). Returns the receiving owner."""
    owner = Owner.objects.select_for_update().get(pk=owner.pk)
    _need(actor, "change_owner", owner.area_path)
    if not evidence.strip():
        raise MeetingError(E.EVIDENCE_REQUIRED, field="evidence")
    room_ids = {room.pk for room in rooms}
    held = set(Ownership.objects.filter(owner=owner, room_id__in=room_ids).values_list("room_id", flat=True))
    if not room_ids or held != room_ids:
        raise MeetingError(E.NOT_OWNED_BY, field="rooms")
    if to_owner is None:
        if not name.strip():
            raise MeetingError(E.EVIDENCE_REQUIRED, field="name")
        to_owner = Owner.objects.create(
            estate_id=owner.estate_id,
            area_path=owner.area_path,
            name=name.strip()[:64],
            user=user,
            evidence=evidence.strip()[:200],
        )
    else:
        to_owner = Owner.objects.select_for_update().get(pk=to_owner.pk)
        if to_owner.estate_id != owner.estate_id or to_owner.pk == owner.pk:
            raise MeetingError(E.NOT_AN_OWNER, field="to_owner")
        if not to_owner.is_active:
            to_owner.is_active = True
            to_owner.save(update_fields=["is_active", "updated_at"])
    before = snapshot(owner)
    Ownership.objects.filter(owner=owner, room_id__in=room_ids).update(owner=to_owner)
    OwnershipTransfer.objects.bulk_create(
        [
            OwnershipTransfer(
                room_id=room_id, from_owner=owner, to_owner=to_owner, evidence=evidence.strip()[:200], recorded_by=actor
            )
            for room_id in sorted(room_ids)
        ]
    )
    if not Ownership.objects.filter(owner=owner).exists():
        owner.is_active = False
        owner.save(update_fields=["is_active", "updated_at"])
    record_change(
        owner,
        verb="transfer_rooms",
        actor=actor,
        before=before,
        after={"rooms": sorted(room_ids), "to_owner": to_owner.pk, "on_roll": owner.is_active},
        related=to_owner,
    )
    return to_owner


@action
def create_owners_vote(
    *, actor: Any, estate: Area, title: str, matter: OwnersMatter | str, text: str = "", meeting: Meeting | None = None
) -> OwnersVote:
    _need(actor, "add_ownersvote", estate.path)
    vote = OwnersVote.objects.create(
        estate=estate,
        area_path=estate.path,
        meeting=meeting,
        title=title.strip()[:200],
        text=text.strip()[:8000],
        matter=OwnersMatter(matter),
        created_by=actor,
    )
    record_change(vote, verb="create", actor=actor, before=None)
    return vote


def _lock_vote(vote: OwnersVote) -> OwnersVote:
    return OwnersVote.objects.select_for_update().get(pk=vote.pk)


@action
def open_owners_vote(vote: OwnersVote, *, actor: Any) -> OwnersVote:
    """Open the vote and freeze its electorate: every owner on the roll with the sum of the
    floor areas (territory.Room.floor_area) of their rooms."""
    vote = _lock_vote(vote)
    _need(actor, "change_ownersvote", vote.area_path)
    _state(vote, OwnersVoteStatus.DRAFT)
    rows = list(
        Ownership.objects.filter(owner__estate_id=vote.estate_id, owner__is_active=True)
        .values("owner_id")
        .annotate(area=Sum("room__floor_area"), rooms=Count("id"), with_area=Count("room__floor_area"))
        .order_by("owner_id")
    )
    if not rows:
        raise MeetingError(E.EMPTY_ROLL)
    if any(r["rooms"] != r["with_area"] for r in rows):
        raise MeetingError(E.MISSING_FLOOR_AREA)
    Elector.objects.bulk_create([Elector(vote=vote, owner_id=r["owner_id"], floor_area=r["area"]) for r in rows])
    before = snapshot(vote)
    vote.total_owners = len(rows)
    vote.total_area = sum((Decimal(r["area"]) for r in rows), Decimal("0"))
    vote.status = OwnersVoteStatus.OPEN
    vote.opened_at = timezone.now()
    vote.save(update_fields=["total_owners", "total_area", "status", "opened_at", "updated_at"])
    record_change(vote, verb="open", actor=actor, before=before)
    return vote


def _ballot(vote: OwnersVote, owner: Owner, choice: str, method: str, **extra: Any) -> OwnerBallot:
    elector = Elector.objects.filter(vote=vote, owner=owner).first()
    if elector is None:
        raise MeetingError(E.NOT_AN_OWNER)
    try:
        with transaction.atomic():
            return OwnerBallot.objects.create(
                vote=vote,
                elector=elector,
                owner=owner,
                choice=VoteChoice(choice),
                floor_area=elector.floor_area,
                method=method,
                **extra,
            )
    except IntegrityError:
        raise MeetingError(E.ALREADY_VOTED) from None


@action
def cast_owner_ballot(vote: OwnersVote, *, actor: Any, choice: VoteChoice | str) -> OwnerBallot:
    """An owner votes online with their own account (one vote per owner: a constraint)."""
    _state(vote, OwnersVoteStatus.OPEN)
    owner = Owner.objects.filter(estate_id=vote.estate_id, user=actor, is_active=True).first() if actor else None
    if owner is None:
        raise MeetingError(E.NOT_AN_OWNER)
    ballot = _ballot(vote, owner, str(choice), VoteMethod.ONLINE)
    record_change(vote, verb="cast", actor=actor, after={"ballots": vote.ballots.count()})
    return ballot


@action
def enter_owner_ballot(
    vote: OwnersVote,
    *,
    actor: Any,
    owner: Owner,
    choice: VoteChoice | str,
    method: VoteMethod | str,
    evidence: str,
    proxy_name: str = "",
) -> OwnerBallot:
    """Staff enter a written, paper or proxy vote with the evidence seen."""
    _need(actor, "enter_ownersvote", vote.area_path)
    method = VoteMethod(method)
    if method not in STAFF_METHODS:
        raise MeetingError(E.BAD_METHOD, field="method")
    if not evidence.strip():
        raise MeetingError(E.EVIDENCE_REQUIRED, field="evidence")
    if method == VoteMethod.PROXY and not proxy_name.strip():
        raise MeetingError(E.EVIDENCE_REQUIRED, field="proxy_name")
    _state(vote, OwnersVoteStatus.OPEN)
    ballot = _ballot(
        vote,
        owner,
        str(choice),
        method,
        evidence=evidence.strip()[:200],
        proxy_name=proxy_name.strip()[:64],
        entered_by=actor,
    )
    record_change(
        vote, verb="enter_ballot", actor=actor, after={"ballots": vote.ballots.count(), "method": method.value}
    )
    return ballot


@action
def close_owners_vote(vote: OwnersVote, *, actor: Any) -> OwnersVote:
    """Count by area and by head and apply art. 278; the tally goes on the ledger."""
    vote = _lock_vote(vote)
    _need(actor, "change_ownersvote", vote.area_path)
    _state(vote, OwnersVoteStatus.OPEN)
    before = snapshot(vote)
    count = tally.count_owners_vote(vote)
    outcome = statutory.decide(count, vote.matter)
    against = vote.ballots.filter(choice=VoteChoice.AGAINST).aggregate(a=Sum("floor_area"), n=Count("id"))
    vote.participating_area = count.participating_area
    vote.participating_owners = count.participating_owners
    vote.for_area = count.for_area
    vote.for_owners = count.for_owners
    vote.against_area = Decimal(against["a"] or 0)
    vote.against_owners = against["n"]
    vote.participation_met = outcome.participation_met
    vote.majority_met = outcome.majority_met
    vote.status = OwnersVoteStatus.PASSED if outcome.passed else OwnersVoteStatus.FAILED
    vote.closed_at = timezone.now()
    vote.save()
    enqueue_event(
        EventKind.VOTE_TALLY,
        {
            "kind": "owners_vote",
            "vote": vote.pk,
            "matter": vote.matter,
            "special_majority": outcome.special,
            "total_area": str(vote.total_area),
            "total_owners": vote.total_owners,
            "participating_area": str(count.participating_area),
            "participating_owners": count.participating_owners,
            "for_area": str(count.for_area),
            "for_owners": count.for_owners,
            "against_area": str(vote.against_area),
            "against_owners": vote.against_owners,
            "passed": outcome.passed,
        },
    )
    if outcome.passed:
        track_result(
            vote,
            title=vote.title,
            description=vote.text,
            area=Area.objects.get(pk=vote.estate_id),
            responsible_unit=None,
            deadline=None,
            actor=actor,
        )
    record_change(vote, verb="close", actor=actor, before=before)
    return vote
