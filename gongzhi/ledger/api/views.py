"""The public ledger API. Reads need no login: the log holds no personal data by construction."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from gongzhi.ledger import actions, queries
from gongzhi.ledger.api.serializers import (
    CheckpointSerializer,
    ConsistencyQuerySerializer,
    CosignatureInputSerializer,
    InclusionQuerySerializer,
    LeafSerializer,
    RangeQuerySerializer,
    b64,
)
from gongzhi.ledger.errors import LedgerError, LedgerErrorCode
from gongzhi.ledger.models import Checkpoint, Cosignature
from gongzhi.ledger.note import NoteError, Signature


class PublicView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]


def checkpoint_with_cosignatures(checkpoint: Checkpoint) -> str:
    lines = [c.signature_line + "\n" for c in checkpoint.cosignatures.order_by("id")]
    return checkpoint.note + "".join(lines)


class LatestCheckpointView(PublicView):
    """The latest signed checkpoint as a C2SP signed note, with witness cosignatures appended."""

    @extend_schema(responses={(200, "text/plain"): str})
    def get(self, request: Request) -> HttpResponse:
        checkpoint = queries.get_latest_checkpoint()
        if checkpoint is None:
            return HttpResponse("no checkpoint yet\n", status=404, content_type="text/plain; charset=utf-8")
        return HttpResponse(checkpoint_with_cosignatures(checkpoint), content_type="text/plain; charset=utf-8")


class CheckpointHistoryView(ListAPIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    serializer_class = CheckpointSerializer

    def get_queryset(self) -> Any:
        return queries.list_checkpoints()


class InclusionProofView(PublicView):
    @extend_schema(parameters=[InclusionQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = InclusionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        size = query.validated_data.get("tree_size") or queries.get_tree_size()
        if "leaf_hash" in query.validated_data:
            leaf = queries.get_leaf_by_hash(query.validated_data["leaf_hash"])
        else:
            leaf = queries.get_leaf(query.validated_data["index"])
        if leaf is None or leaf.index >= size:
            raise LedgerError(LedgerErrorCode.NO_SUCH_LEAF)
        proof, root_hash = queries.get_inclusion_proof_and_root(leaf.index, size)
        return Response(
            {
                "index": leaf.index,
                "tree_size": size,
                "leaf_hash": b64(leaf.leaf_hash),
                "root_hash": b64(root_hash),
                "proof": [b64(p) for p in proof],
                "entry": LeafSerializer(leaf).data,
            }
        )


class ConsistencyProofView(PublicView):
    @extend_schema(parameters=[ConsistencyQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = ConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, second = query.validated_data["first"], query.validated_data["second"]
        proof = queries.get_consistency_proof(first, second)
        return Response({"first": first, "second": second, "proof": [b64(p) for p in proof]})


class EntriesView(PublicView):
    @extend_schema(parameters=[RangeQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = RangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = queries.list_entries(query.validated_data["start"], query.validated_data["end"])
        return Response({"entries": LeafSerializer(rows, many=True).data})


class CosignatureView(PublicView):
    """A registered witness posts its cosignature; the signature is the authentication."""

    @extend_schema(request=CosignatureInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = CosignatureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        checkpoint = (
            Checkpoint.objects.filter(
                tree_size=data.validated_data["tree_size"], root_hash=data.validated_data["root_hash"]
            )
            .order_by("-id")
            .first()
        )
        if checkpoint is None:
            raise LedgerError(LedgerErrorCode.NO_SUCH_CHECKPOINT)
        line = data.validated_data["signature"].strip()
        try:
            name = Signature.parse(line).name
        except NoteError as exc:
            raise LedgerError(LedgerErrorCode.BAD_COSIGNATURE, str(exc), field="signature") from exc
        # one cosignature per witness and checkpoint: a retry returns the stored one
        existing = (
            Cosignature.objects.filter(checkpoint=checkpoint, witness__name=name).select_related("witness").first()
        )
        if existing is not None:
            return Response({"checkpoint": checkpoint.pk, "witness": existing.witness.name}, status=status.HTTP_200_OK)
        cosignature = actions.add_cosignature(checkpoint, signature_line=line)
        return Response(
            {"checkpoint": checkpoint.pk, "witness": cosignature.witness.name}, status=status.HTTP_201_CREATED
        )
