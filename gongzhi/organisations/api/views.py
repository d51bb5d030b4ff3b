"""Organisation endpoints: organisations (served areas, import), matter categories (tree),
duty lists and routing proposals."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.api.permissions import PolicyPermission
from gongzhi.api.viewsets import DestroyActionMixin, ScopedModelViewSet
from gongzhi.organisations import actions
from gongzhi.organisations.api import filters, serializers
from gongzhi.organisations.importers import import_organisations
from gongzhi.organisations.models import DutyAssignment, MatterCategory, Organisation
from gongzhi.organisations.permissions import DutyAssignmentPolicy, MatterCategoryPolicy, OrganisationPolicy
from gongzhi.organisations.queries import category_tree, propose_duties
from gongzhi.territory.models import Area
from gongzhi.territory.tabular import import_upload


class OrganisationViewSet(ScopedModelViewSet):
    policy = OrganisationPolicy
    serializer_class = serializers.OrganisationSerializer
    output_serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    lookup_value_regex = r"\d+"
    action_verbs = {"served_areas": "change", "import_file": "import"}

    def base_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.select_related("home_area").prefetch_related("served_areas")

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.OrganisationCreateSerializer,
            "update": serializers.OrganisationUpdateSerializer,
            "partial_update": serializers.OrganisationUpdateSerializer,
            "served_areas": serializers.ServedAreasSerializer,
            "import_file": serializers.ImportUploadSerializer,
        }.get(self.action, serializers.OrganisationSerializer)

    def perform_action_create(self, serializer: Any) -> Organisation:
        data = dict(serializer.validated_data)
        if not OrganisationPolicy.can_add_at(self.request.user, data["seat"]):
            raise PermissionDenied
        return actions.create_organisation(actor=self.request.user, **data)

    def perform_action_update(self, instance: Organisation, serializer: Any) -> Organisation:
        data = dict(serializer.validated_data)
        seat = data.get("seat")
        if (
            seat is not None
            and seat.pk != instance.home_area_id
            and not OrganisationPolicy.can_move_to(self.request.user, instance, seat)
        ):
            raise PermissionDenied
        actions.update_organisation(instance, actor=self.request.user, **data)
        return self.base_queryset().get(pk=instance.pk)

    @action(detail=True, methods=["put"], url_path="served-areas")
    def served_areas(self, request: Request, pk: Any = None) -> Response:
        """Replace the areas this organisation serves: ``{"areas": [id, …]}``."""
        org = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        areas = serializer.validated_data["areas"]
        if not OrganisationPolicy.can_set_served_areas(request.user, org, areas):
            raise PermissionDenied
        actions.set_served_areas(org, actor=request.user, areas=areas)
        return self.output(self.base_queryset().get(pk=org.pk))

    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        """Upload a CSV/XLSX list of organisations (multipart ``file``); ``?dry_run=1`` validates only."""
        return import_upload(request, import_organisations)


class MatterCategoryViewSet(ScopedModelViewSet):
    """Matter categories (事项分类). ``tree/`` returns them nested, three levels deep."""

    policy = MatterCategoryPolicy
    serializer_class = serializers.MatterCategorySerializer
    output_serializer_class = serializers.MatterCategorySerializer
    filterset_class = filters.MatterCategoryFilter
    lookup_value_regex = r"\d+"
    action_verbs = {"tree": "view"}

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.MatterCategoryCreateSerializer,
            "update": serializers.MatterCategoryUpdateSerializer,
            "partial_update": serializers.MatterCategoryUpdateSerializer,
        }.get(self.action, serializers.MatterCategorySerializer)

    def perform_action_create(self, serializer: Any) -> MatterCategory:
        return actions.create_category(actor=self.request.user, **serializer.validated_data)

    def perform_action_update(self, instance: MatterCategory, serializer: Any) -> MatterCategory:
        return actions.update_category(instance, actor=self.request.user, **serializer.validated_data)

    @action(detail=False, methods=["get"], pagination_class=None)
    def tree(self, request: Request) -> Response:
        return Response(category_tree(self.filter_queryset(self.get_queryset())))


class DutyAssignmentViewSet(DestroyActionMixin, ScopedModelViewSet):
    """Duty lists (权责清单): who handles which category of matters in which areas."""

    policy = DutyAssignmentPolicy
    serializer_class = serializers.DutyAssignmentSerializer
    output_serializer_class = serializers.DutyAssignmentSerializer
    filterset_class = filters.DutyAssignmentFilter
    lookup_value_regex = r"\d+"

    def base_queryset(self) -> QuerySet[DutyAssignment]:
        return DutyAssignment.objects.select_related("organisation", "category", "area")

    def get_serializer_class(self) -> Any:
        return {
            "create": serializers.DutyAssignmentCreateSerializer,
            "update": serializers.DutyAssignmentUpdateSerializer,
            "partial_update": serializers.DutyAssignmentUpdateSerializer,
        }.get(self.action, serializers.DutyAssignmentSerializer)

    def perform_action_create(self, serializer: Any) -> DutyAssignment:
        data = dict(serializer.validated_data)
        org = data.pop("organisation")
        if not DutyAssignmentPolicy.can_add_for(self.request.user, org, data["area"]):
            raise PermissionDenied
        return actions.add_duty(org, actor=self.request.user, **data)

    def perform_action_update(self, instance: DutyAssignment, serializer: Any) -> DutyAssignment:
        return actions.update_duty(instance, actor=self.request.user, **serializer.validated_data)

    def perform_action_destroy(self, instance: DutyAssignment) -> None:
        actions.remove_duty(instance, actor=self.request.user)


class RouteViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """``GET /api/organisations/route/?category=<id>&area=<id>``: proposed handling units."""

    policy = DutyAssignmentPolicy
    permission_classes = [PolicyPermission]
    serializer_class = serializers.ProposalSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[DutyAssignment]:
        return DutyAssignment.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("category", int, required=True),
            OpenApiParameter("area", int, required=True),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        errors = {}
        ids = {}
        for name in ("category", "area"):
            value = request.query_params.get(name, "")
            if not value.isdigit():
                errors[name] = [_("Give the id of a %s.") % name]
            ids[name] = value
        if errors:
            raise ValidationError(errors)
        category = MatterCategory.objects.restrict(request.user, "view").filter(pk=ids["category"]).first()
        area = Area.objects.restrict(request.user, "view").filter(pk=ids["area"]).first()
        if category is None or area is None:
            raise Http404
        lines = propose_duties(category, area)
        return Response(serializers.ProposalSerializer(lines, many=True).data)
