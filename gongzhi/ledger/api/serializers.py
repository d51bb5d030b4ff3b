"""Shapes of the ledger API. Hashes are base64 (as in checkpoints) unless named *_hex."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gongzhi.ledger.models import Checkpoint, LedgerLeaf


def b64(value: bytes | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode()


def decode_hash(text: str) -> bytes:
    """A SHA-256 hash given as 64 hex digits or base64."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise serializers.ValidationError(_("Give the hash as 64 hex digits or base64.")) from exc
    if len(raw) != 32:
        raise serializers.ValidationError(_("A SHA-256 hash is 32 bytes."))
    return raw


class LeafSerializer(serializers.ModelSerializer):
    leaf_hash = serializers.SerializerMethodField()

    class Meta:
        model = LedgerLeaf
        fields = ["index", "kind", "data", "leaf_hash", "created_at"]

    def get_leaf_hash(self, obj: LedgerLeaf) -> str:
        return bytes(obj.leaf_hash).hex()


class CheckpointSerializer(serializers.ModelSerializer):
    root_hash = serializers.SerializerMethodField()
    witnesses = serializers.SerializerMethodField()

    class Meta:
        model = Checkpoint
        fields = ["id", "tree_size", "root_hash", "key_id", "note", "created_at", "witnesses"]

    def get_root_hash(self, obj: Checkpoint) -> str:
        return b64(obj.root_hash)

    def get_witnesses(self, obj: Checkpoint) -> list[str]:
        return [c.witness.name for c in obj.cosignatures.all()]


class InclusionQuerySerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, required=False)
    leaf_hash = serializers.CharField(required=False)
    tree_size = serializers.IntegerField(min_value=1, required=False)

    def validate_leaf_hash(self, value: str) -> bytes:
        return decode_hash(value)

    def validate(self, attrs: dict) -> dict:
        if ("index" in attrs) == ("leaf_hash" in attrs):
            raise serializers.ValidationError(_("Give either an index or a leaf hash."))
        return attrs


class ConsistencyQuerySerializer(serializers.Serializer):
    first = serializers.IntegerField(min_value=0)
    second = serializers.IntegerField(min_value=0)

    def validate(self, attrs: dict) -> dict:
        if attrs["first"] > attrs["second"]:
            raise serializers.ValidationError({"first": [_("The first size must not exceed the second.")]})
        return attrs


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)

    def validate(self, attrs: dict) -> dict:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must not precede the start.")]})
        return attrs


class CosignatureInputSerializer(serializers.Serializer):
    tree_size = serializers.IntegerField(min_value=0)
    root_hash = serializers.CharField()
    signature = serializers.CharField(max_length=500)

    def validate_root_hash(self, value: str) -> bytes:
        return decode_hash(value)
