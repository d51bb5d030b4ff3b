"""BuiltFieldsCacheMixin: fields built once per class give every instance the same output and
the same errors as DRF's own per-instance build, and instances never share field state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers

from gongzhi.api.serializers import BuiltFieldsCacheMixin


class Inner(serializers.Serializer):
    code = serializers.CharField(max_length=4)


class Plain(serializers.Serializer):
    name = serializers.CharField(max_length=8)
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")], default="a")
    amount = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, required=False)
    at = serializers.DateTimeField(required=False)
    tags = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    inner = Inner(required=False)
    phone = serializers.RegexField(r"^[0-9]{5,11}$", required=False, allow_blank=True, default="")
    shout = serializers.SerializerMethodField()

    def get_shout(self, obj: Any) -> str:
        return f"{obj['name']}!{self.context.get('mark', '')}"


class Cached(BuiltFieldsCacheMixin, Plain):
    pass


INPUTS = [
    {"name": "张三", "kind": "b", "amount": "12.50", "at": "2026-11-28T10:00:00+08:00", "tags": [1, 2]},
    {"name": "太长的名字超过八个字符了", "kind": "c", "amount": "-1", "tags": [0, "x"], "phone": "12"},
    {"name": "", "inner": {"code": "TOOLONG"}},
    {"kind": "a"},
    {"name": "李四", "inner": {"code": "AB"}, "phone": ""},
]


@pytest.mark.parametrize("data", INPUTS)
def test_validation_gives_the_same_values_and_errors_as_drf_builds(data: dict[str, Any]) -> None:
    plain, cached = Plain(data=data), Cached(data=data)
    assert plain.is_valid() == cached.is_valid()
    assert plain.errors == cached.errors
    if not plain.errors:
        assert plain.validated_data == cached.validated_data


def test_output_is_the_same_as_drf_builds_context_included() -> None:
    row = {
        "name": "王五",
        "kind": "b",
        "amount": Decimal("3.10"),
        "at": dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC),
        "tags": [3],
        "inner": {"code": "X1"},
        "phone": "",
    }
    for mark in ("?", "#"):  # each instance reads its own context, not the first one's
        assert Plain(row, context={"mark": mark}).data == Cached(row, context={"mark": mark}).data
    assert Cached(row, context={"mark": "#"}).data["shout"] == "王五!#"


def test_instances_never_share_field_objects_or_binding() -> None:
    first, second = Cached(), Cached()
    for name in Plain._declared_fields:
        a, b = first.fields[name], second.fields[name]
        assert a is not b
        assert a.parent is first
        assert b.parent is second
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    # a change made to one instance's field (as views do with querysets or choices) stays there
    first.fields["name"].max_length = 2
    assert second.fields["name"].max_length == 8
    assert Cached().fields["name"].max_length == 8
    assert Cached(data={"name": "四个字的"}).is_valid()
