"""Privacy actions: reveal a masked value, publish notices, give and withdraw consent, rotate keys."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from gongzhi.audit.actions import record_change, snapshot
from gongzhi.audit.decorators import action
from gongzhi.core import context
from gongzhi.ledger import events as ledger_events
from gongzhi.privacy import crypto
from gongzhi.privacy.choices import ConsentGiver, RotationStatus
from gongzhi.privacy.errors import PrivacyError, PrivacyErrorCode, PrivacyForbidden
from gongzhi.privacy.fields import encrypted_fields, raw
from gongzhi.privacy.models import Consent, KeyRotationRun, PrivacyNotice, RevealLog
from gongzhi.privacy.queries import get_current_notice, has_consent, revealable_fields, subject_filter

MIN_PURPOSE_LENGTH = 4


@action
def reveal(obj: models.Model, field: str, *, actor: Any, purpose: str) -> str:
    """Return the full value of ``obj.field`` and log who read it and why.

    Needs ``<app>.reveal_<model>`` on the object (a separate permission from view) and a
    stated purpose. The log holds field and purpose only, never the value.
    """
    model = type(obj)
    if field not in revealable_fields(model):
        raise PrivacyError(PrivacyErrorCode.FIELD_NOT_REVEALABLE, field="field")
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise PrivacyError(PrivacyErrorCode.PURPOSE_REQUIRED, field="purpose")
    meta = model._meta
    if not actor.has_perm(f"{meta.app_label}.reveal_{meta.model_name}", obj):
        raise PrivacyForbidden(PrivacyErrorCode.REVEAL_NOT_PERMITTED)
    label = getattr(obj, "masked_label", None)
    log = RevealLog.objects.create(
        actor=actor,
        actor_label=str(actor)[:150],
        subject_type=ContentType.objects.get_for_model(obj),
        subject_id=str(obj.pk),
        subject_label=(label() if callable(label) else f"{meta.model_name}#{obj.pk}")[:200],
        field=field,
        purpose=purpose[:300],
        area_path=getattr(obj, "area_path", "") or "",
        request_id=context.current().request_id,
    )
    ledger_events.personal_data_reveal(
        reveal_id=log.pk,
        subject_type=meta.label_lower,
        subject_id=obj.pk,
        field=field,
        actor_id=actor.pk,
        purpose=purpose,
    )
    record_change(log, verb="reveal", actor=actor, related=obj)
    return getattr(obj, field) or ""


@action
def publish_notice(*, version: str, title: str, body: str, actor: Any) -> PrivacyNotice:
    if PrivacyNotice.objects.filter(version=version).exists():
        raise PrivacyError(PrivacyErrorCode.NOTICE_VERSION_EXISTS, field="version")
    notice = PrivacyNotice.objects.create(
        version=version, title=title, body=body, published_at=timezone.now(), published_by=actor
    )
    record_change(notice, verb="publish", actor=actor)
    return notice


@action
def give_consent(
    subject: models.Model,
    *,
    purpose: str,
    actor: Any,
    given_by: str = ConsentGiver.SELF,
    guardian_name: str = "",
    guardian_relation: str = "",
    notice: PrivacyNotice | None = None,
) -> Consent:
    """Record consent for one purpose. A subject whose ``needs_guardian_consent`` is true
    (a child under 14, PIPL art. 31) can only get it from a named guardian."""
    notice = notice or get_current_notice()
    if notice is None:
        raise PrivacyError(PrivacyErrorCode.NO_CURRENT_NOTICE)
    if getattr(subject, "needs_guardian_consent", False) and given_by != ConsentGiver.GUARDIAN:
        raise PrivacyError(PrivacyErrorCode.GUARDIAN_REQUIRED, field="given_by")
    if given_by == ConsentGiver.GUARDIAN and not guardian_name.strip():
        raise PrivacyError(PrivacyErrorCode.GUARDIAN_REQUIRED, field="guardian_name")
    # Lock the subject so two clerks cannot both record the same consent.
    type(subject)._base_manager.select_for_update().filter(pk=subject.pk).first()
    if has_consent(subject, purpose):
        raise PrivacyError(PrivacyErrorCode.CONSENT_ALREADY_GIVEN, field="purpose")
    consent = Consent.objects.create(
        **subject_filter(subject),
        area_path=getattr(subject, "area_path", "") or "",
        purpose=purpose,
        notice=notice,
        given_by=given_by,
        guardian_name=guardian_name.strip() if given_by == ConsentGiver.GUARDIAN else "",
        guardian_relation=guardian_relation.strip() if given_by == ConsentGiver.GUARDIAN else "",
        granted_at=timezone.now(),
        recorded_by=actor,
    )
    record_change(consent, verb="give_consent", actor=actor)
    return consent


@action
def withdraw_consent(consent: Consent, *, actor: Any) -> Consent:
    """One step: from now on the purpose's processing is refused (see residents.actions)."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise PrivacyError(PrivacyErrorCode.CONSENT_ALREADY_WITHDRAWN)
    before = snapshot(consent)
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    record_change(consent, verb="withdraw_consent", actor=actor, before=before)
    return consent


# --- key rotation ----------------------------------------------------------------------------


@action
def start_key_rotation(*, actor: Any = None) -> KeyRotationRun:
    """Open (or resume) the run that moves every ciphertext to the active key."""
    ring = crypto.keyring()
    run = (
        KeyRotationRun.objects.select_for_update().filter(target_kid=ring.active, status=RotationStatus.RUNNING).first()
    )
    if run is None:
        run = KeyRotationRun.objects.create(target_kid=ring.active)
        ledger_events.key_rotation(scope="privacy.encryption", stage="start", key_id=str(ring.active))
        record_change(run, verb="start_key_rotation", actor=actor)
    else:
        record_change(run, verb="resume_key_rotation", actor=actor, after={"progress": run.progress})
    return run


@action
def rotate_batch(run: KeyRotationRun, *, model: type[models.Model], batch_size: int = 500, actor: Any = None) -> int:
    """Re-encrypt the next batch of ``model`` rows; returns how many rows were read (0 = done).

    The batch's rows are locked (``select_for_update``) so a concurrent edit waits and
    then writes with the new key; rows already under the active key are left alone,
    so re-running after a crash only repeats harmless work.
    """
    ring = crypto.keyring()
    run = KeyRotationRun.objects.select_for_update().get(pk=run.pk)
    label = model._meta.label_lower
    last = run.progress.get(label, 0)
    fields = encrypted_fields(model)
    manager = model._base_manager
    pks = list(manager.select_for_update().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
    rewritten = 0
    if pks:
        rows = manager.filter(pk__in=pks).values_list("pk", *[raw(f.attname) for f in fields])
        for pk, *tokens in rows:
            changes: dict[str, str] = {}
            for field, token in zip(fields, tokens, strict=True):
                if not token:
                    continue
                header = crypto.token_header(token)
                if header.kid != ring.active or header.algorithm != ring.algorithm:
                    changes[field.attname] = crypto.decrypt_text(token, field.aad)
            if changes:
                manager.filter(pk=pk).update(**changes)  # update() encrypts with the active key
                rewritten += 1
        run.progress[label] = pks[-1]
    run.rows_rewritten += rewritten
    run.save(update_fields=["progress", "rows_rewritten", "updated_at"])
    record_change(
        run, verb="rotate_keys_batch", actor=actor, after={"model": label, "rows": len(pks), "rewritten": rewritten}
    )
    return len(pks)


@action
def finish_key_rotation(run: KeyRotationRun, *, actor: Any = None) -> KeyRotationRun:
    before = snapshot(run)
    run.status = RotationStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    ledger_events.key_rotation(
        scope="privacy.encryption", stage="finish", key_id=str(run.target_kid), rows_rewritten=run.rows_rewritten
    )
    record_change(run, verb="finish_key_rotation", actor=actor, before=before)
    return run
