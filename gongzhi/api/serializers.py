"""Serializer helpers shared by the domains' APIs."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from rest_framework import serializers

_built_fields: dict[type, dict[str, serializers.Field]] = {}  # type: ignore[type-arg]


class BuiltFieldsCacheMixin:
    """Build a ModelSerializer's fields once per class, not once per instance.

    ``ModelSerializer.get_fields`` introspects the model for every serializer it creates
    (``build_field`` for each of its fields); for the 60-field work-order detail that was
    ~15 % of a create request under gunicorn (bench/bench_work_orders_intake.py). The fields
    depend only on the class here (no serializer using this mixin varies them by instance,
    context or request), so the first build is kept as a template and every instance gets
    fresh unbound fields from it: plain fields as a copy of the template's attributes (no
    constructor run), nested serializers and containers (``ListField``, ``many=True``
    relations) deep-copied as DRF does. Plain ``Serializer`` classes gain too: DRF
    deep-copies their declared fields for every instance.
    """

    _cache_fields: ClassVar[bool] = True

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = _built_fields.get(cls)
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            _built_fields[cls] = built
        return {name: _fresh(field) for name, field in built.items()}


def _fresh(field: serializers.Field) -> serializers.Field:  # type: ignore[type-arg]
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation"):
        # Nested serializers and containers (which bind their child to themselves when they
        # are constructed) are copied as DRF copies them.
        return copy.deepcopy(field)
    # A plain field's state after its constructor is attributes only; binding (``bind``) and
    # DRF's lazily computed ones (validators) assign, never mutate. So a fresh field is the
    # template's attributes in a new instance: a dict copy, not a constructor run.
    fresh = object.__new__(field.__class__)
    fresh.__dict__.update(field.__dict__)
    return fresh
