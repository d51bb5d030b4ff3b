"""Notices to users, their channel preferences, quiet hours and daily digests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import RestrictedManager, ScopeSpec
from gongzhi.notifications.choices import Delivery, Mode

_OWN = frozenset({"view", "change"})


class Digest(models.Model):
    """One daily digest sent to a user: at most one per user and local day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("notices"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    objects = RestrictedManager()
    scope = ScopeSpec(owner="recipient_id")

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="notif_digest_one_per_day")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"


class Notification(models.Model):
    """A notice to one user. ``in_app`` rows appear in the user's list and unread count;
    ``delivery`` says what happens on the SMS / e-mail ``channels`` chosen when it was created."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # covered by notif_recipient_recent (recipient first)
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=2000, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    source_type = models.ForeignKey(
        ContentType,
        verbose_name=_("about (type)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by notif_source (source_type first)
    )
    source_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    in_app = models.BooleanField(_("shown in the app"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices, default=Delivery.NONE)
    digest = models.ForeignKey(
        Digest, verbose_name=_("digest"), null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedManager()
    scope = ScopeSpec(owner="recipient_id", owner_verbs=_OWN)
    audit_redacted_fields = frozenset({"title", "body"})

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The list and the unread badge: the user's in-app rows, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(fields=["recipient"], name="notif_unread", condition=Q(read_at__isnull=True, in_app=True)),
            # The digest and quiet-hours jobs look only at rows still waiting.
            models.Index(
                fields=["delivery", "recipient"],
                name="notif_waiting",
                condition=Q(delivery__in=[Delivery.DIGEST, Delivery.HELD]),
            ),
            models.Index(fields=["source_type", "source_id"], name="notif_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="notif_source_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def text(self) -> str:
        """Title and body as one line, for SMS."""
        return f"{self.title} {self.body}".strip()


class Preference(models.Model):
    """A user's choice for one kind group. Without a row the defaults apply
    (``settings.GONGZHI_NOTIFICATION_DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.CharField(_("group"), max_length=64)
    mode = models.CharField(_("when"), max_length=16, choices=Mode.choices, default=Mode.IMMEDIATE)
    in_app = models.BooleanField(_("in the app"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    email = models.BooleanField(_("e-mail"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedManager()
    scope = ScopeSpec(owner="user_id", owner_verbs=_OWN)

    class Meta:
        ordering = ["user_id", "group"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="notif_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.group}: {self.mode}"


class QuietHours(models.Model):
    """A user's quiet hours (local time, may span midnight): non-urgent SMS and e-mail wait."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    objects = RestrictedManager()
    scope = ScopeSpec(owner="user_id", owner_verbs=_OWN)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [models.CheckConstraint(condition=~Q(start=models.F("end")), name="notif_quiet_not_empty")]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, moment: Any) -> bool:
        """Whether the local time of ``moment`` falls inside the quiet hours."""
        local = timezone.localtime(moment).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end
