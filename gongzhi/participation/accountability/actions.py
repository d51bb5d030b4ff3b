"""Every write to a tracked result. Each locks the result row, writes one change record and
tells the result's followers (inside the transaction; the notification service defers its
own delivery). ``track_result`` (tracking.py) is the helper other actions call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.access.queries import grants_with_permission
from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.sequencer import enqueue_event
from gongzhi.organisations.models import Organisation
from gongzhi.participation.accountability import notices
from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.errors import AccountabilityError, AccountabilityErrorCode
from gongzhi.participation.accountability.models import Evidence, Milestone, Result, ResultFollow, ResultUpdate
from gongzhi.participation.accountability.tracking import track_result, unit_label
from gongzhi.territory.models import Area
from gongzhi.work_orders.attachments import process_upload
from gongzhi.work_orders.errors import WorkOrderError, WorkOrderErrorCode

E = AccountabilityErrorCode
MAX_EVIDENCE = 30


def _lock(result: Result) -> Result:
    return Result.objects.select_for_update().get(pk=result.pk)


def _open(result: Result) -> None:
    if result.is_closed:
        raise AccountabilityError(E.RESULT_CLOSED)


def _url(result: Result) -> str:
    return reverse("participation_accountability:detail", args=[result.pk])


def _tell_followers(result: Result, title: str, body: str = "") -> None:
    users = [f.user for f in ResultFollow.objects.filter(result=result).select_related("user")]
    notices.send(users, kind="participation_results.update", title=title, body=body, url=_url(result), source=result)


@action
def create_result(
    *,
    actor: Any,
    title: str,
    area: Area,
    responsible_unit: Organisation | None = None,
    deadline: dt.date | None = None,
    description: str = "",
) -> Result:
    """Enter a result directly (e.g. a commitment made at an offline meeting)."""
    if not title.strip():
        raise AccountabilityError(E.TEXT_REQUIRED, field="title")
    grants = grants_with_permission(actor, "participation_accountability.add_result")
    if not any(area.path.startswith(g.area_path or "") for g in grants):
        raise AccountabilityError(E.AREA_NOT_ALLOWED, field="area")
    result = track_result(
        None,
        title=title,
        area=area,
        responsible_unit=responsible_unit,
        deadline=deadline,
        actor=actor,
        description=description,
    )
    record_change(result, verb="create", actor=actor)
    return result


@action
def report_progress(
    result: Result,
    *,
    actor: Any,
    progress: int,
    text: str,
    reason_for_decrease: str = "",
) -> ResultUpdate:
    """Publish a progress update. 100 % completes the result (all milestones must be done)."""
    result = _lock(result)
    _open(result)
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        raise AccountabilityError(E.PROGRESS_OUT_OF_RANGE, field="progress")
    text = (text or "").strip()
    if not text:
        raise AccountabilityError(E.TEXT_REQUIRED, field="text")
    if progress < result.progress and not reason_for_decrease.strip():
        raise AccountabilityError(E.PROGRESS_BACKWARDS, field="reason_for_decrease")
    if progress == 100 and result.milestones.filter(done_at__isnull=True).exists():
        raise AccountabilityError(E.MILESTONES_OPEN, field="progress")
    before = snapshot(result)
    result.progress = progress
    fields = ["progress", "status", "updated_at"]
    if progress == 100:
        result.status = ResultStatus.COMPLETED
        result.completed_at = timezone.now()
        fields.append("completed_at")
    else:
        result.status = ResultStatus.IN_PROGRESS
    result.save(update_fields=fields)
    if reason_for_decrease.strip():
        text = f"{text}\n{gettext('Reason for lower progress:')} {reason_for_decrease.strip()}"
    update = ResultUpdate.objects.create(
        result=result,
        text=text[:4000],
        progress=progress,
        status=result.status,
        author=actor,
        author_unit=unit_label(actor, result.responsible_unit),
    )
    if result.status == ResultStatus.COMPLETED:
        enqueue_event(
            EventKind.DECISION,
            {"type": "participation.result.completed", "result": result.pk, "updates": result.updates.count()},
        )
    record_change(result, verb="report_progress", actor=actor, before=before, related=update)
    _tell_followers(
        result,
        gettext("%(title)s: %(progress)s%% done") % {"title": result.title, "progress": progress},
        text,
    )
    return update


@action
def cancel_result(result: Result, *, actor: Any, reason: str) -> Result:
    """Stop a result that will not be carried out, saying why in public."""
    result = _lock(result)
    _open(result)
    reason = (reason or "").strip()
    if not reason:
        raise AccountabilityError(E.REASON_REQUIRED, field="reason")
    before = snapshot(result)
    result.status, result.cancel_reason = ResultStatus.CANCELLED, reason[:500]
    result.save(update_fields=["status", "cancel_reason", "updated_at"])
    ResultUpdate.objects.create(
        result=result,
        text=reason[:4000],
        progress=result.progress,
        status=result.status,
        author=actor,
        author_unit=unit_label(actor, result.responsible_unit),
    )
    enqueue_event(EventKind.DECISION, {"type": "participation.result.cancelled", "result": result.pk})
    record_change(result, verb="cancel", actor=actor, before=before)
    _tell_followers(result, gettext("%(title)s was cancelled") % {"title": result.title}, reason)
    return result


@action
def add_milestone(result: Result, *, actor: Any, title: str, due_on: dt.date | None = None) -> Milestone:
    result = _lock(result)
    _open(result)
    if not (title or "").strip():
        raise AccountabilityError(E.TEXT_REQUIRED, field="title")
    position = result.milestones.count()
    milestone = Milestone.objects.create(result=result, title=title.strip()[:200], due_on=due_on, position=position)
    record_change(milestone, verb="add_milestone", actor=actor, related=result)
    return milestone


@action
def complete_milestone(milestone: Milestone, *, actor: Any) -> Milestone:
    result = _lock(milestone.result)
    _open(result)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_at is not None:
        raise AccountabilityError(E.MILESTONE_DONE)
    before = snapshot(milestone)
    milestone.done_at = timezone.now()
    milestone.save(update_fields=["done_at"])
    record_change(milestone, verb="complete_milestone", actor=actor, before=before, related=result)
    _tell_followers(
        result, gettext("%(title)s: milestone “%(step)s” done") % {"title": result.title, "step": milestone.title}
    )
    return milestone


@action
def attach_evidence(result: Result, *, actor: Any, upload: Any, caption: str = "") -> Evidence:
    """Add a photo or document, with the same checks as work-order attachments."""

    result = _lock(result)
    _open(result)
    if result.evidence.count() >= MAX_EVIDENCE:
        raise AccountabilityError(E.TOO_MANY_EVIDENCE, field="file")
    try:
        processed = process_upload(upload)
    except WorkOrderError as exc:
        code = (
            E.EVIDENCE_TOO_LARGE if exc.code == WorkOrderErrorCode.ATTACHMENT_TOO_LARGE else E.EVIDENCE_TYPE_NOT_ALLOWED
        )
        raise AccountabilityError(code, field="file") from None
    evidence = Evidence(
        result=result,
        caption=(caption or "").strip()[:200],
        original_name=str(getattr(upload, "name", "") or processed.name)[:200],
        content_type=processed.content_type,
        size=processed.size,
        width=processed.width,
        height=processed.height,
        uploaded_by=actor,
    )
    evidence.file.save(processed.name, processed.content, save=False)
    evidence.save()
    record_change(evidence, verb="attach_evidence", actor=actor, related=result)
    return evidence


@action
def follow_result(result: Result, *, actor: Any) -> ResultFollow:
    """A resident follows a result (one follow per person; concurrent repeats are refused)."""
    try:
        with transaction.atomic():
            follow = ResultFollow.objects.create(result=result, user=actor)
    except IntegrityError:
        raise AccountabilityError(E.ALREADY_FOLLOWING) from None
    Result.objects.filter(pk=result.pk).update(follower_count=F("follower_count") + 1)
    record_change(follow, verb="follow", actor=actor, related=result)
    return follow


@action
def unfollow_result(result: Result, *, actor: Any) -> Result:
    follow = ResultFollow.objects.filter(result=result, user=actor).first()
    if follow is None:
        raise AccountabilityError(E.NOT_FOLLOWING)
    follow.delete()
    Result.objects.filter(pk=result.pk, follower_count__gt=0).update(follower_count=F("follower_count") - 1)
    record_change(result, verb="unfollow", actor=actor, before={"following": True}, after={"following": False})
    return result
