"""``notify``: how every domain tells users something.

``notify`` is not an action: call it inside your own action (which writes the one change
record). It writes the in-app rows in the caller's transaction, applying each recipient's
preference for the kind group (immediately / daily digest / off; in the app, SMS, e-mail)
and quiet hours, and sends SMS / e-mail after the transaction commits, through the
backends named in ``settings.GONGZHI_NOTIFICATION_CHANNELS`` (``{"sms": [dotted paths],
"email": [...]}``; a backend is a class with ``send(notifications: list[Notification])``).
Urgent notices ignore the digest, "off" and quiet hours and always show in the app.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.notifications.choices import Channel, Delivery, Mode
from gongzhi.notifications.models import Notification, Preference, QuietHours
from gongzhi.notifications.registry import get_group, group_of

logger = logging.getLogger(__name__)

EXTERNAL = (Channel.SMS.value, Channel.EMAIL.value)


@dataclass(frozen=True)
class Choice:
    """The effective preference of one user for one group."""

    mode: str
    in_app: bool
    sms: bool
    email: bool

    @property
    def channels(self) -> list[str]:
        return [c for c in EXTERNAL if getattr(self, c)]


def default_choice() -> Choice:
    d = {"mode": Mode.IMMEDIATE.value, "in_app": True, "sms": False, "email": False}
    d.update(getattr(settings, "GONGZHI_NOTIFICATION_DEFAULTS", {}))
    return Choice(mode=str(d["mode"]), in_app=bool(d["in_app"]), sms=bool(d["sms"]), email=bool(d["email"]))


def choices_for(user_ids: Iterable[int], group_keys: Iterable[str]) -> dict[tuple[int, str], Choice]:
    """Effective choices for every (user, group); one query."""
    users, keys = set(user_ids), set(group_keys)
    default = default_choice()
    result = {(u, g): default for u in users for g in keys}
    fixed = {g for g in keys if (grp := get_group(g)) is not None and not grp.configurable}
    rows = Preference.objects.filter(user_id__in=users, group__in=keys - fixed).values_list(
        "user_id", "group", "mode", "in_app", "sms", "email"
    )
    for uid, grp_key, mode, in_app, sms, email in rows:
        result[(uid, grp_key)] = Choice(mode=mode, in_app=in_app, sms=sms, email=email)
    return result


def _user_id(recipient: Any) -> int:
    return int(recipient if isinstance(recipient, int) else recipient.pk)


@dataclass(frozen=True)
class Draft:
    """One notice to write (``notify_many`` takes a list of them)."""

    recipient_id: int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    source_type_id: int | None = None
    source_id: int | None = None
    urgent: bool = False


def notify(
    recipients: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    source: models.Model | None = None,
    urgent: bool = False,
) -> list[Notification]:
    """Notify ``recipients`` (users or user ids; duplicates are dropped). Returns the rows written
    (none for recipients who switched the group off, unless ``urgent``)."""
    source_type_id = ContentType.objects.get_for_model(source).pk if source is not None else None
    source_id = source.pk if source is not None else None
    drafts = [
        Draft(uid, kind, title, body, url, source_type_id, source_id, urgent)
        for uid in sorted({_user_id(r) for r in recipients})
    ]
    return notify_many(drafts)


def notify_many(drafts: list[Draft], *, now: Any = None) -> list[Notification]:
    """Bulk variant (e.g. for scheduled jobs): two queries for the preferences and quiet hours,
    one bulk insert, one after-commit send."""
    if not drafts:
        return []
    now = now or timezone.now()
    choices = choices_for({d.recipient_id for d in drafts}, {group_of(d.kind) for d in drafts})
    quiet = _quiet_hours_of(choices, {(d.recipient_id, group_of(d.kind), d.urgent) for d in drafts})
    rows = []
    for d in drafts:
        decided = _decide(
            choices[(d.recipient_id, group_of(d.kind))], urgent=d.urgent, quiet=quiet.get(d.recipient_id), now=now
        )
        if decided is None:
            continue
        in_app, channels, delivery = decided
        rows.append(
            Notification(
                recipient_id=d.recipient_id,
                kind=d.kind[:64],
                title=d.title[:200],
                body=d.body[:2000],
                url=d.url[:500],
                source_type_id=d.source_type_id,
                source_id=d.source_id,
                urgent=d.urgent,
                in_app=in_app,
                channels=channels,
                delivery=delivery,
                created_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    send_after_commit([n.pk for n in created if n.delivery == Delivery.IMMEDIATE])
    return created


def _quiet_hours_of(choices: dict[tuple[int, str], Choice], wanted: set[tuple[int, str, bool]]) -> dict[int, Any]:
    """Quiet hours of the users who may get a non-urgent SMS or e-mail (one query)."""
    users = {u for u, g, urgent in wanted if not urgent and (choices[(u, g)].sms or choices[(u, g)].email)}
    return {q.user_id: q for q in QuietHours.objects.filter(user_id__in=users)} if users else {}


def _decide(choice: Choice, *, urgent: bool, quiet: Any, now: Any) -> tuple[bool, list[str], str] | None:
    """(in_app, channels, delivery) of one notice, or None when the user switched it off."""
    if choice.mode == Mode.OFF and not urgent:
        return None
    channels = choice.channels
    if not channels:
        delivery = Delivery.NONE
    elif urgent:
        delivery = Delivery.IMMEDIATE
    elif choice.mode == Mode.DIGEST:
        delivery = Delivery.DIGEST
    elif quiet is not None and quiet.covers(now):
        delivery = Delivery.HELD
    else:
        delivery = Delivery.IMMEDIATE
    return choice.in_app or urgent, channels, str(delivery)


def notify_sql(
    source_sql: str,
    params: Sequence[Any],
    *,
    recipients: Iterable[int],
    kinds: Iterable[str],
    now: Any = None,
) -> int:
    """Bulk notices from a SELECT, written by one ``INSERT … SELECT`` (PostgreSQL only):
    for jobs that notify about hundreds of thousands of objects, where building a Python
    object per notice dominated (``notify_many``, measured by the deadline job).

    ``source_sql`` yields the columns ``recipient_id, kind, title, url, source_type_id,
    source_id, urgent``; every recipient must be in ``recipients`` and every kind in
    ``kinds``. The same choices as ``notify_many`` (preferences, "off", digest, quiet
    hours, urgent) are decided in Python once per (user, kind, urgency) and joined in SQL.
    Returns the number of notices written; SMS / e-mail go out after commit."""
    now = now or timezone.now()
    users, kinds = set(recipients), set(kinds)
    if not users or not kinds:
        return 0
    choices = choices_for(users, {group_of(k) for k in kinds})
    wanted = {(u, group_of(k), urgent) for u in users for k in kinds for urgent in (False, True)}
    quiet = _quiet_hours_of(choices, wanted)
    plan: list[tuple[int, str, bool, bool, str, str]] = []
    for user in users:
        for kind in kinds:
            for urgent in (False, True):
                decided = _decide(choices[(user, group_of(kind))], urgent=urgent, quiet=quiet.get(user), now=now)
                if decided is not None:
                    in_app, channels, delivery = decided
                    plan.append((user, kind, urgent, in_app, json.dumps(channels), delivery))
    if not plan:
        return 0
    columns = list(zip(*plan, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH src(recipient_id, kind, title, url, source_type_id, source_id, urgent) AS ({source_sql}),
                plan(user_id, kind, urgent, in_app, channels, delivery) AS (
                    SELECT * FROM unnest(%s::bigint[], %s::text[], %s::boolean[], %s::boolean[], %s::jsonb[],
                                         %s::text[])
                ),
                written AS (
                    INSERT INTO {Notification._meta.db_table}
                        (recipient_id, kind, title, body, url, source_type_id, source_id, urgent, in_app,
                         channels, delivery, created_at)
                    SELECT src.recipient_id, left(src.kind, 64), left(src.title, 200), '', left(src.url, 500),
                           src.source_type_id, src.source_id, src.urgent, plan.in_app, plan.channels,
                           plan.delivery, %s
                    FROM src JOIN plan
                      ON plan.user_id = src.recipient_id AND plan.kind = src.kind AND plan.urgent = src.urgent
                    RETURNING id, delivery
                )
            SELECT count(*), array_agg(id) FILTER (WHERE delivery = %s) FROM written""",  # noqa: S608 (the caller's SQL, values as parameters)
            [*params, *(list(c) for c in columns), now, Delivery.IMMEDIATE.value],
        )
        written, immediate = cursor.fetchone()
    send_after_commit(sorted(immediate or []))
    return int(written)


def send_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: send(ids))


def backends(channel: str) -> list[Any]:
    paths = getattr(settings, "GONGZHI_NOTIFICATION_CHANNELS", {}).get(channel, [])
    return [import_string(path)() for path in paths]


def send(ids: list[int]) -> None:
    """Hand committed notices to their channels' backends. A failing backend is logged and
    does not stop the others (the in-app row exists whatever happens)."""
    by_channel: dict[str, list[Notification]] = defaultdict(list)
    for notice in Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk"):
        for channel in notice.channels:
            by_channel[channel].append(notice)
    for channel, notices in by_channel.items():
        for backend in backends(channel):
            try:
                backend.send(notices)
            except Exception:  # one failing channel must not stop the others
                logger.exception("notification backend %s failed", type(backend).__name__)
