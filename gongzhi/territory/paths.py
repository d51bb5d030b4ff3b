"""Columns elsewhere that copy an area's materialised path, kept in step on moves.

Scoping reads denormalised ``*_path`` columns so that "everything under this street"
needs no join. When :func:`gongzhi.territory.actions.move_area` re-parents a subtree,
every registered column is rewritten with one bulk UPDATE per column. Domains above
territory register their columns in ``AppConfig.ready`` (territory cannot import them):

    register_path_field(DutyAssignment, "area_path")
"""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Substr

_registry: list[tuple[type[models.Model], str]] = []


def register_path_field(model: type[models.Model], field: str) -> None:
    """Keep ``model.field`` (a copy of an area path) in step when areas move."""
    model._meta.get_field(field)  # fail at start-up on a typo, not during a move
    if (model, field) not in _registry:
        _registry.append((model, field))


def registered_path_fields() -> tuple[tuple[type[models.Model], str], ...]:
    return tuple(_registry)


def rewrite_prefix(model: type[models.Model], field: str, old: str, new: str) -> int:
    """Replace the leading ``old`` with ``new`` in ``field`` of every row under ``old``."""
    rows = model._default_manager.filter(**{f"{field}__startswith": old})
    return rows.update(**{field: Concat(Value(new), Substr(field, len(old) + 1), output_field=models.CharField())})


def rewrite_registered(old: str, new: str) -> dict[str, int]:
    """Rewrite every registered path column; returns rows changed per ``label.field``."""
    return {f"{model._meta.label}.{field}": rewrite_prefix(model, field, old, new) for model, field in _registry}
