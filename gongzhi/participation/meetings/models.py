"""Meetings (居民议事会, 居民代表大会, 业主大会) with agenda, invitations, QR sign-in,
attendance and quorum, minutes, attachments and resolutions; and the statutory owners'
votes of Civil Code art. 278, over an owner roll (owner ↔ rooms with floor area)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ScopedModel
from gongzhi.core.scoping import ScopeSpec
from gongzhi.participation.meetings.choices import (
    AttendanceMethod,
    MeetingKind,
    MeetingStatus,
    OwnersMatter,
    OwnersVoteStatus,
    ResolutionStatus,
    VoteChoice,
    VoteMethod,
)

USER = settings.AUTH_USER_MODEL


def _visible_above(grant: Any, verb: str) -> Q | None:
    """Holders of ``view`` (``attend``, ``vote``, ``cast``) for an area also see the meetings
    and votes of the areas above it: a community meeting is visible to its grid worker."""
    if not grant.area_path or verb not in {"view", "attend", "vote", "cast"}:
        return None
    codes = grant.area_path.rstrip("/").split("/")
    return Q(area_path__in=["/".join(codes[: i + 1]) + "/" for i in range(len(codes))])


class Meeting(ScopedModel):
    """A meeting of an area's residents, their representatives or its owners."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    area = models.ForeignKey("territory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("convened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    quorum = models.PositiveIntegerField(_("quorum (attendees)"), default=1)
    is_offline_record = models.BooleanField(
        _("recorded after the fact"),
        default=False,
        help_text=_("An offline meeting entered by staff from paper records."),
    )
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    attendance_count = models.PositiveIntegerField(_("attendees"), default=0)
    reminded_at = models.DateTimeField(_("invitees reminded"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path", extra=_visible_above)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [("attend_meeting", "Can sign in to a meeting")]
        constraints = [models.CheckConstraint(condition=Q(quorum__gte=1), name="meetings_meeting_quorum_positive")]

    def __str__(self) -> str:
        return self.title

    @property
    def quorum_reached(self) -> bool:
        return self.attendance_count >= self.quorum


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    #: Where the item came from (e.g. a residents' proposal), shown as a link on the meeting page.
    source_label = models.CharField(_("comes from"), max_length=200, blank=True)
    source_url = models.CharField(_("link to where it comes from"), max_length=255, blank=True)

    class Meta:
        ordering = ["meeting_id", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="meetings_agenda_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Invitation(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(USER, verbose_name=_("invitee"), on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meetings_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"


class Attendance(models.Model):
    """An invitee counted as present: in person (QR or staff) or through a proxy."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(USER, verbose_name=_("attendee"), on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("method"), max_length=8, choices=AttendanceMethod.choices)
    proxy_name = models.CharField(_("represented by (proxy)"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("signed in at"), auto_now_add=True)

    audit_redacted_fields = frozenset({"proxy_name"})

    class Meta:
        ordering = ["meeting_id", "checked_in_at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meetings_attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.user_id}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/")
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title


class Resolution(ScopedModel):
    """A motion voted at a meeting; it passes with quorum and more than half of the attendees for."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="resolutions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=8000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResolutionStatus.choices, default=ResolutionStatus.DRAFT
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0)
    present = models.PositiveIntegerField(_("present at the vote"), default=0)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    scope = ScopeSpec(area_path="area_path", extra=_visible_above)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        permissions = [("vote_resolution", "Can vote on a resolution")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation_meetings:detail", args=[self.meeting_id])


class ResolutionVote(models.Model):
    resolution = models.ForeignKey(
        Resolution, verbose_name=_("resolution"), on_delete=models.CASCADE, related_name="votes"
    )
    voter = models.ForeignKey(USER, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    method = models.CharField(_("method"), max_length=8, choices=VoteMethod.choices, default=VoteMethod.ONLINE)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        ordering = ["resolution_id", "id"]
        verbose_name = _("resolution vote")
        verbose_name_plural = _("resolution votes")
        constraints = [models.UniqueConstraint(fields=["resolution", "voter"], name="meetings_resolution_one_vote")]

    def __str__(self) -> str:
        return f"{self.resolution_id}/{self.voter_id}: {self.choice}"


# --- statutory owners' votes -------------------------------------------------------------------


class Owner(ScopedModel):
    """One owner head on an estate's roll (co-owners of a room are one owner; an owner of
    several rooms is one owner). ``evidence`` names the title deed or contract seen."""

    estate = models.ForeignKey(
        "territory.Area", verbose_name=_("estate area"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=64)
    user = models.ForeignKey(
        USER, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.CharField(_("evidence of ownership"), max_length=200)
    is_active = models.BooleanField(_("on the roll"), default=True)

    scope = ScopeSpec(area_path="area_path", owner="user_id")
    audit_redacted_fields = frozenset({"name", "evidence"})

    class Meta:
        ordering = ["area_path", "id"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "user"], condition=Q(user__isnull=False), name="meetings_owner_one_per_account"
            )
        ]

    def __str__(self) -> str:
        from gongzhi.privacy.masking import mask_name

        return mask_name(self.name)


class Ownership(models.Model):
    """Owner ↔ room. A room is on one owner's record at a time."""

    owner = models.ForeignKey(Owner, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="ownerships")
    room = models.ForeignKey("territory.Room", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["owner_id", "room_id"]
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [models.UniqueConstraint(fields=["room"], name="meetings_ownership_one_owner_per_room")]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.room_id}"


class OwnershipTransfer(models.Model):
    """History of the roll: a room passing from one owner's record to another's (sale,
    inheritance), with the evidence seen (the new title deed)."""

    room = models.ForeignKey("territory.Room", verbose_name=_("room"), on_delete=models.PROTECT, related_name="+")
    from_owner = models.ForeignKey(
        Owner, verbose_name=_("previous owner"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_owner = models.ForeignKey(
        Owner, verbose_name=_("new owner"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    evidence = models.CharField(_("evidence of ownership"), max_length=200)
    transferred_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    audit_redacted_fields = frozenset({"evidence"})

    class Meta:
        ordering = ["-transferred_at", "-id"]
        verbose_name = _("ownership transfer")
        verbose_name_plural = _("ownership transfers")

    def __str__(self) -> str:
        return f"{self.room_id}: {self.from_owner_id} → {self.to_owner_id}"


class OwnersVote(ScopedModel):
    """A statutory vote of an estate's owners on one art. 278 matter. The electorate (each
    owner with their exclusive area) is frozen when the vote opens."""

    estate = models.ForeignKey(
        "territory.Area", verbose_name=_("estate area"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(_("area path"), max_length=255, db_index=True, editable=False)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owners_votes",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=8000, blank=True)
    matter = models.CharField(_("matter (art. 278)"), max_length=12, choices=OwnersMatter.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=OwnersVoteStatus.choices, default=OwnersVoteStatus.DRAFT
    )
    total_area = models.DecimalField(
        _("total exclusive area (m²)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    total_owners = models.PositiveIntegerField(_("total owners"), default=0)
    participating_area = models.DecimalField(
        _("participating area"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    participating_owners = models.PositiveIntegerField(_("participating owners"), default=0)
    for_area = models.DecimalField(_("area for"), max_digits=14, decimal_places=2, default=Decimal("0"))
    for_owners = models.PositiveIntegerField(_("owners for"), default=0)
    against_area = models.DecimalField(_("area against"), max_digits=14, decimal_places=2, default=Decimal("0"))
    against_owners = models.PositiveIntegerField(_("owners against"), default=0)
    participation_met = models.BooleanField(_("participation reached"), default=False)
    majority_met = models.BooleanField(_("majority reached"), default=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(area_path="area_path", extra=_visible_above)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        permissions = [
            ("cast_ownersvote", "Can vote as an owner"),
            ("enter_ownersvote", "Can enter written or proxy votes"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("participation_meetings:vote", args=[self.pk])


class Elector(models.Model):
    """An owner on a vote's frozen electorate, with their exclusive area at opening."""

    vote = models.ForeignKey(OwnersVote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="electors")
    owner = models.ForeignKey(Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    floor_area = models.DecimalField(_("exclusive area (m²)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["vote_id", "owner_id"]
        verbose_name = _("elector")
        verbose_name_plural = _("electors")
        constraints = [models.UniqueConstraint(fields=["vote", "owner"], name="meetings_elector_unique")]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.owner_id}"


class OwnerBallot(models.Model):
    """One owner's vote (one per owner: a constraint). Staff-entered written and proxy votes
    carry the evidence seen (signed ballot, power of attorney)."""

    vote = models.ForeignKey(OwnersVote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="ballots")
    elector = models.ForeignKey(Elector, verbose_name=_("elector"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Owner, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    floor_area = models.DecimalField(_("weight (m²)"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=8, choices=VoteMethod.choices)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    proxy_name = models.CharField(_("proxy"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    audit_redacted_fields = frozenset({"proxy_name", "evidence"})

    class Meta:
        ordering = ["vote_id", "id"]
        verbose_name = _("owner's ballot")
        verbose_name_plural = _("owners' ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], name="meetings_ballot_one_per_owner"),
            models.CheckConstraint(
                condition=Q(method="online") | ~Q(evidence=""), name="meetings_ballot_staff_entry_has_evidence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}/{self.owner_id}: {self.choice}"
