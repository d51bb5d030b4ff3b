"""``track_result``: turn a decision into a tracked result, from inside another action.

Deliberation (accepted proposals), meetings (resolutions) and budgeting (funded projects)
call it in their own ``@action``: it creates the result and its first public update and
writes no change record of its own — the caller's action records the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gongzhi.ledger.choices import EventKind
from gongzhi.ledger.sequencer import enqueue_event
from gongzhi.organisations.models import Organisation
from gongzhi.participation.accountability.choices import ResultStatus
from gongzhi.participation.accountability.models import Result, ResultUpdate
from gongzhi.territory.models import Area


def unit_label(actor: Any, unit: Organisation | None) -> str:
    """How an update's author is shown in public: the unit, never the person."""
    if unit is not None:
        return unit.name[:200]
    from gongzhi.access.queries import active_grants

    for grant in active_grants(actor) if getattr(actor, "is_authenticated", False) else []:
        if grant.organisation_id:
            return str(grant.organisation)[:200]
    return ""


def _source_url(source: models.Model) -> str:
    getter = getattr(source, "get_absolute_url", None)
    return str(getter())[:255] if callable(getter) else ""


def track_result(
    source: models.Model | None,
    *,
    title: str,
    area: Area,
    responsible_unit: Organisation | None,
    deadline: dt.date | None,
    actor: Any,
    description: str = "",
) -> Result:
    """Create the tracked result of ``source`` (None for a result entered directly) and its
    first public update; enqueue a ledger event (ids only). Not an action: call it inside one."""
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    result = Result.objects.create(
        title=title.strip()[:200],
        description=description.strip()[:4000],
        area=area,
        area_path=area.path,
        responsible_unit=responsible_unit,
        deadline=deadline,
        status=ResultStatus.PLANNED,
        source_type=source_type,
        source_id=source.pk if source is not None else None,
        source_label=(f"{source._meta.verbose_name} #{source.pk}" if source is not None else "")[:200],
        source_url=_source_url(source) if source is not None else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ResultUpdate.objects.create(
        result=result,
        text=str(title).strip()[:4000],
        progress=0,
        status=ResultStatus.PLANNED,
        author=result.created_by,
        author_unit=unit_label(actor, responsible_unit),
    )
    enqueue_event(
        EventKind.DECISION,
        {
            "type": "participation.result.tracked",
            "result": result.pk,
            "source_type": source_type.model if source_type else "",
            "source": source.pk if source is not None else 0,
            "area": area.path,
        },
    )
    return result
