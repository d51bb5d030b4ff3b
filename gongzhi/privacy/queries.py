"""Reads about consent and reveals."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gongzhi.privacy.models import Consent, PrivacyNotice, RevealLog


def subject_filter(subject: models.Model) -> dict[str, Any]:
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}


def get_active_consent(subject: models.Model, purpose: str) -> Consent | None:
    return Consent.objects.filter(**subject_filter(subject), purpose=purpose, withdrawn_at__isnull=True).first()


def has_consent(subject: models.Model, purpose: str) -> bool:
    return get_active_consent(subject, purpose) is not None


def list_consents(subject: models.Model) -> models.QuerySet[Consent]:
    return Consent.objects.filter(**subject_filter(subject)).select_related("notice")


def get_current_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-published_at", "-id").first()


def list_reveals(subject: models.Model) -> models.QuerySet[RevealLog]:
    return RevealLog.objects.filter(**subject_filter(subject))


def revealable_fields(model: type[models.Model]) -> dict[str, str]:
    """``{field: masker}`` a model declares as ``revealable_fields``."""
    return dict(getattr(model, "revealable_fields", {}))


def encrypted_models() -> list[type[models.Model]]:
    """Every installed model with at least one encrypted field (key rotation walks them)."""
    from django.apps import apps

    from gongzhi.privacy.fields import encrypted_fields

    return [m for m in apps.get_models() if encrypted_fields(m)]


def indexed_models() -> list[type[models.Model]]:
    """Every installed model with at least one blind index (index key rotation walks them)."""
    from django.apps import apps

    from gongzhi.privacy.fields import blind_index_fields

    return [m for m in apps.get_models() if blind_index_fields(m)]
