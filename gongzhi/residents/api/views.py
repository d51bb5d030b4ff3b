"""Residents API. Reads are scoped (out of scope = 404); every write calls an action."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.access.queries import grants_with_permission
from gongzhi.api.viewsets import CreateActionMixin, ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from gongzhi.organisations.models import Organisation
from gongzhi.privacy import actions as privacy_actions
from gongzhi.privacy.errors import PrivacyError, PrivacyErrorCode
from gongzhi.residents import actions
from gongzhi.residents.api import serializers as s
from gongzhi.residents.choices import RequestStatus
from gongzhi.residents.exports import export_response
from gongzhi.residents.importer import submit_import, write_error_report
from gongzhi.residents.models import (
    DataSubjectRequest,
    HealthFile,
    Household,
    HouseholdMembership,
    ImportBatch,
    ImportProfile,
    PoliceRequest,
    Resident,
    ResidentTag,
    SharingAgreement,
    Visit,
)
from gongzhi.residents.permissions import (
    DataSubjectRequestPolicy,
    HouseholdPolicy,
    ImportBatchPolicy,
    ImportProfilePolicy,
    ImportReviewPolicy,
    PoliceRequestPolicy,
    ResidentPolicy,
    SharingAgreementPolicy,
    TagPolicy,
    VisitPolicy,
    holds_at,
)
from gongzhi.residents.queries import (
    Viewer,
    find_by_id_number,
    find_by_phone,
    list_access_events,
    present_resident,
    residents_for_sharing,
)

#: Most people one exact lookup returns (an ID number is unique; a phone may be shared).
LOOKUP_LIMIT = 20


class HouseholdViewSet(ScopedModelViewSet):
    policy = HouseholdPolicy
    serializer_class = s.HouseholdSerializer
    output_serializer_class = s.HouseholdSerializer
    action_verbs = {"members": "move_in", "move_out": "move_in"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Household]:
        return Household.objects.annotate(
            member_count=Count("memberships", filter=Q(memberships__moved_out_on__isnull=True))
        ).order_by("area_path", "address", "id")

    def get_serializer_class(self) -> Any:
        return {"create": s.HouseholdWriteSerializer, "partial_update": s.HouseholdUpdateSerializer}.get(
            self.action, s.HouseholdSerializer
        )

    def perform_action_create(self, serializer: Any) -> Household:
        data = serializer.validated_data
        if not self.policy.can_add_at(self.request.user, data["grid"].path):
            raise PermissionDenied
        household = actions.register_household(actor=self.request.user, **data)
        return self.base_queryset().get(pk=household.pk)

    def perform_action_update(self, instance: Household, serializer: Any) -> Household:
        actions.update_household(instance, actor=self.request.user, **serializer.validated_data)
        return self.base_queryset().get(pk=instance.pk)

    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: Any = None) -> Response:
        household = self.get_object()
        serializer = s.MoveInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        resident = Resident.objects.restrict(request.user, "view").filter(pk=data.pop("resident")).first()
        if resident is None:
            raise Http404
        membership = actions.move_in(household, resident, actor=request.user, **data)
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request: Request, pk: Any = None) -> Response:
        household = self.get_object()
        serializer = s.MoveOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        membership = HouseholdMembership.objects.filter(household=household, pk=data.pop("membership")).first()
        if membership is None:
            raise Http404
        membership = actions.move_out(membership, actor=request.user, **data)
        return Response(s.MembershipSerializer(membership).data)


class ResidentViewSet(ScopedModelViewSet):
    """``?id_number=`` / ``?phone=`` find a person by exact value through the blind index."""

    policy = ResidentPolicy
    output_serializer_class = s.ResidentOutSerializer
    action_verbs = {
        "reveal": "reveal",
        "tags": "tag",
        "consents": "consent",
        "health": "view_health",
        "save_health": "save_health",
        "export": "export",
        "legal_hold": "hold",
        "access_log": "audit_access",
        "lookup": "view",
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Resident]:
        return Resident.objects.prefetch_related(
            Prefetch("tags", queryset=ResidentTag.objects.filter(removed_at__isnull=True), to_attr="active_tags")
        )

    def get_queryset(self) -> QuerySet[Resident]:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("id_number"):
            qs = find_by_id_number(qs, params["id_number"])
        if params.get("phone"):
            qs = find_by_phone(qs, params["phone"])
        if params.get("grid", "").isdigit():
            qs = qs.filter(grid_id=int(params["grid"]))
        return qs

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request.user.is_authenticated:
            context["viewer"] = Viewer.of(self.request.user)
        return context

    @action(detail=False, methods=["get"])
    def lookup(self, request: Request) -> Response:
        """``GET lookup/?id_number=`` or ``?phone=``: the exact-match search without the list's
        page count and tag prefetch. Same scope (``restrict(user, "view")``) and the same
        masked shape as the list; at most ``LOOKUP_LIMIT`` people (a phone may be shared)."""
        params = request.query_params
        id_number, phone = params.get("id_number", "").strip(), params.get("phone", "").strip()
        if bool(id_number) == bool(phone):
            raise ValidationError({"detail": "give exactly one of id_number and phone"})
        qs = Resident.objects.restrict(request.user, "view")
        qs = find_by_id_number(qs, id_number) if id_number else find_by_phone(qs, phone)
        people = list(qs.order_by("pk")[:LOOKUP_LIMIT])
        viewer = Viewer.of(request.user)
        return Response({"results": [present_resident(p, viewer) for p in people]})

    def get_serializer_class(self) -> Any:
        return {"create": s.ResidentCreateSerializer, "partial_update": s.ResidentUpdateSerializer}.get(
            self.action, s.ResidentOutSerializer
        )

    def perform_action_create(self, serializer: Any) -> Resident:
        data = dict(serializer.validated_data)
        place = data["household"].area_path if data.get("household") else data["grid"].path
        if not self.policy.can_add_at(self.request.user, place):
            raise PermissionDenied
        resident = actions.register_resident(actor=self.request.user, **data)
        return self.base_queryset().get(pk=resident.pk)

    def perform_action_update(self, instance: Resident, serializer: Any) -> Resident:
        actions.update_resident(instance, actor=self.request.user, **serializer.validated_data)
        return self.base_queryset().get(pk=instance.pk)

    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        serializer = s.RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = privacy_actions.reveal(
            resident, field, actor=request.user, purpose=serializer.validated_data["purpose"]
        )
        return Response({"field": field, "value": value})

    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: Any = None) -> Any:
        """All data held about the person: ``?as=json`` (default), ``?as=html`` (readable,
        printable) or ``?as=pdf``; ``&download=1`` saves it as a file. Staff must give ``?purpose=``."""
        resident = self.get_object()
        own = resident.user_id == request.user.pk
        purpose = request.query_params.get("purpose", "").strip()
        if own and not purpose:
            purpose = "本人查阅 (data-subject access)"
        if len(purpose) < actions.MIN_REASON_LENGTH:
            raise PrivacyError(PrivacyErrorCode.PURPOSE_REQUIRED, field="purpose")
        data = actions.export_resident_data(resident, actor=request.user, purpose=purpose)
        return export_response(request._request, resident, data, request.query_params.get("as", "json"),
                               download=bool(request.query_params.get("download")), api_response=Response)  # fmt: skip

    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request: Request, pk: Any = None) -> Response:
        """Who read or received this person's data: ``?since=&until=`` (ISO date-times)."""
        resident = self.get_object()
        bounds = {}
        for key in ("since", "until"):
            text = request.query_params.get(key, "")
            moment = parse_datetime(text) if text else None
            if text and moment is None:
                raise ValidationError({key: "Use an ISO 8601 date-time."})
            if moment is not None and timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            bounds[key] = moment
        return Response(list_access_events(resident, bounds["since"], bounds["until"]))

    @action(detail=True, methods=["post"], url_path="legal-hold")
    def legal_hold(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        serializer = s.LegalHoldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resident = actions.set_legal_hold(resident, actor=request.user, **serializer.validated_data)
        return Response({"id": resident.pk, "legal_hold": resident.legal_hold})

    @action(detail=True, methods=["post"])
    def tags(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        serializer = s.TagWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tag = actions.set_tag(resident, actor=request.user, **serializer.validated_data)
        return Response(s.TagSerializer(tag).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def consents(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        serializer = s.ConsentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = privacy_actions.give_consent(resident, actor=request.user, **serializer.validated_data)
        return Response(
            {
                "id": consent.pk,
                "purpose": consent.purpose,
                "given_by": consent.given_by,
                "notice": consent.notice.version,
            },
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["get"])
    def health(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        health = HealthFile.objects.filter(resident=resident).first()
        if health is None:
            raise Http404
        return Response({f: getattr(health, f) for f in actions.HEALTH_FIELDS})

    @health.mapping.put
    def save_health(self, request: Request, pk: Any = None) -> Response:
        resident = self.get_object()
        serializer = s.HealthFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        health = actions.save_health_file(resident, actor=request.user, **serializer.validated_data)
        return Response({f: getattr(health, f) for f in actions.HEALTH_FIELDS})


class TagViewSet(ScopedReadOnlyViewSet):
    policy = TagPolicy
    serializer_class = s.TagSerializer
    action_verbs = {"remove": "remove"}

    @action(detail=True, methods=["post"])
    def remove(self, request: Request, pk: Any = None) -> Response:
        tag = actions.remove_tag(self.get_object(), actor=request.user)
        return Response(s.TagSerializer(tag).data)


class VisitViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    policy = VisitPolicy
    serializer_class = s.VisitSerializer
    output_serializer_class = s.VisitSerializer
    action_verbs = {"complete": "complete"}

    def base_queryset(self) -> QuerySet[Visit]:
        return Visit.objects.all()

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request.user.is_authenticated:
            context["viewer"] = Viewer.of(self.request.user)
        return context

    def get_serializer_class(self) -> Any:
        return s.VisitWriteSerializer if self.action == "create" else s.VisitSerializer

    def perform_action_create(self, serializer: Any) -> Visit:
        data = dict(serializer.validated_data)
        user = self.request.user
        household = Household.objects.restrict(user, "view").filter(pk=data.pop("household")).first()
        if household is None:
            raise Http404
        if not holds_at(user, "residents.add_visit", household.area_path):
            raise PermissionDenied
        resident_id = data.pop("resident", None)
        resident = Resident.objects.restrict(user, "view").filter(pk=resident_id).first() if resident_id else None
        if resident_id and resident is None:
            raise Http404
        return actions.record_visit(household, actor=user, resident=resident, **data)

    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        visit = actions.complete_follow_up(self.get_object(), actor=request.user)
        return self.output(visit)


class DataRequestViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The data-subject request queue, earliest deadline first. ``?status=open`` and
    ``?overdue=1`` filter it. Residents see and file their own; staff in scope file on
    behalf and, with the handle permission, complete or refuse (with a reason)."""

    policy = DataSubjectRequestPolicy
    serializer_class = s.DataRequestSerializer
    output_serializer_class = s.DataRequestSerializer
    action_verbs = {"complete": "handle", "refuse": "handle"}

    def base_queryset(self) -> QuerySet[DataSubjectRequest]:
        return DataSubjectRequest.objects.select_related("resident")

    def get_queryset(self) -> QuerySet[DataSubjectRequest]:
        qs = super().get_queryset()
        params = self.request.query_params
        if params.get("status") in RequestStatus.values:
            qs = qs.filter(status=params["status"])
        if params.get("overdue"):
            qs = qs.filter(status=RequestStatus.OPEN, due_on__lt=timezone.localdate())
        return qs

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request.user.is_authenticated:
            context["viewer"] = Viewer.of(self.request.user)
        return context

    def get_serializer_class(self) -> Any:
        return s.DataRequestWriteSerializer if self.action == "create" else s.DataRequestSerializer

    def perform_action_create(self, serializer: Any) -> DataSubjectRequest:
        data = dict(serializer.validated_data)
        user = self.request.user
        resident_id = data.pop("resident", None)
        if resident_id:
            resident = Resident.objects.restrict(user, "view").filter(pk=resident_id).first()
        else:
            resident = Resident.objects.filter(user=user).first()
        if resident is None:
            raise Http404
        return actions.submit_data_request(resident, actor=user, **data)

    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        serializer = s.CompleteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.complete_data_request(self.get_object(), actor=request.user, **serializer.validated_data)
        return self.output(done)

    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: Any = None) -> Response:
        serializer = s.RefuseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refused = actions.refuse_data_request(self.get_object(), actor=request.user, **serializer.validated_data)
        return self.output(refused)


class SharingAgreementViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Agreements: officials draft, approve (not their own) and revoke; an organisation's staff
    read theirs and fetch ``GET {id}/residents/`` (``?id_number=``): only the agreed fields,
    only in the agreed areas, only while valid, every disclosure logged."""

    policy = SharingAgreementPolicy
    serializer_class = s.AgreementSerializer
    output_serializer_class = s.AgreementSerializer
    action_verbs = {"approve": "approve", "revoke": "revoke", "residents": "use"}

    def base_queryset(self) -> QuerySet[SharingAgreement]:
        return SharingAgreement.objects.select_related("organisation").prefetch_related("areas")

    def get_serializer_class(self) -> Any:
        return s.AgreementWriteSerializer if self.action == "create" else s.AgreementSerializer

    def perform_action_create(self, serializer: Any) -> SharingAgreement:
        data = dict(serializer.validated_data)
        user = self.request.user
        if not all(holds_at(user, "residents.add_sharingagreement", a.path) for a in data["areas"]):
            raise PermissionDenied
        agreement = actions.create_agreement(actor=user, **data)
        return self.base_queryset().get(pk=agreement.pk)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        agreement = actions.approve_agreement(self.get_object(), actor=request.user)
        return self.output(self.base_queryset().get(pk=agreement.pk))

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = actions.revoke_agreement(self.get_object(), actor=request.user, **serializer.validated_data)
        return self.output(self.base_queryset().get(pk=agreement.pk))

    @action(detail=True, methods=["get"])
    def residents(self, request: Request, pk: Any = None) -> Response:
        agreement = self.get_object()
        people = residents_for_sharing([a.path for a in agreement.areas.all()])
        if request.query_params.get("id_number"):
            people = find_by_id_number(people, request.query_params["id_number"])
        page = self.paginate_queryset(people)
        rows = actions.disclose_under_agreement(agreement, list(page or []), actor=request.user)
        return self.get_paginated_response(rows)


class PoliceRequestViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Police requests: a police liaison files one (by ID number, with the document number);
    two distinct officials approve; then ``GET {id}/data/`` returns the requested fields."""

    policy = PoliceRequestPolicy
    serializer_class = s.PoliceRequestSerializer
    output_serializer_class = s.PoliceRequestSerializer
    action_verbs = {"approve": "approve", "reject": "approve", "data": "use"}

    def base_queryset(self) -> QuerySet[PoliceRequest]:
        return PoliceRequest.objects.prefetch_related("approvals")

    def get_serializer_class(self) -> Any:
        return s.PoliceRequestWriteSerializer if self.action == "create" else s.PoliceRequestSerializer

    def perform_action_create(self, serializer: Any) -> PoliceRequest:
        data = dict(serializer.validated_data)
        user = self.request.user
        grants = [g for g in grants_with_permission(user, "residents.add_policerequest") if g.organisation_id]
        if not grants:
            raise PermissionDenied
        grant = grants[0]
        paths = [g.area_path for g in grants if g.organisation_id == grant.organisation_id]
        resident = find_by_id_number(residents_for_sharing(paths), data.pop("id_number")).first()
        if resident is None:
            raise Http404
        organisation = Organisation.objects.get(pk=grant.organisation_id)
        request = actions.file_police_request(resident, organisation=organisation, actor=user, **data)
        return self.base_queryset().get(pk=request.pk)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        police_request = actions.approve_police_request(self.get_object(), actor=request.user)
        return self.output(self.base_queryset().get(pk=police_request.pk))

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        police_request = actions.reject_police_request(
            self.get_object(), actor=request.user, **serializer.validated_data
        )
        return self.output(self.base_queryset().get(pk=police_request.pk))

    @action(detail=True, methods=["get"])
    def data(self, request: Request, pk: Any = None) -> Response:
        return Response(actions.disclose_to_police(self.get_object(), actor=request.user))


class ImportProfileViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Column-mapping profiles per source (create replaces the profile of the same name)."""

    policy = ImportProfilePolicy
    serializer_class = s.ImportProfileSerializer
    output_serializer_class = s.ImportProfileSerializer

    def get_serializer_class(self) -> Any:
        return s.ImportProfileWriteSerializer if self.action == "create" else s.ImportProfileSerializer

    def perform_action_create(self, serializer: Any) -> ImportProfile:
        data = serializer.validated_data
        if not holds_at(self.request.user, "residents.add_importprofile", data["area"].path):
            raise PermissionDenied
        return actions.save_import_profile(actor=self.request.user, **data)


class ImportBatchViewSet(
    ScopedViewSetMixin, CreateActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Import sets. POST (multipart: file, profile, grid, dry_run) checks and stores the file
    (encrypted, private) and queues the set: ``202 Accepted`` with ``Location`` of the set,
    whose ``status`` goes queued → running (dry_run) → committed / failed / cancelled; a worker
    streams the file in chunks. ``GET {id}/errors/`` is the row error report (CSV);
    ``POST {id}/cancel/`` stops a queued or running set between chunks, ``POST {id}/resume/``
    queues a failed set again, ``POST {id}/rollback/`` undoes the set."""

    policy = ImportBatchPolicy
    serializer_class = s.ImportBatchSerializer
    output_serializer_class = s.ImportBatchSerializer
    action_verbs = {"errors": "view", "rollback": "rollback", "cancel": "cancel", "resume": "resume"}

    def get_serializer_class(self) -> Any:
        return s.ImportUploadSerializer if self.action == "create" else s.ImportBatchSerializer

    def perform_action_create(self, serializer: Any) -> ImportBatch:
        data = serializer.validated_data
        user = self.request.user
        profile = ImportProfile.objects.restrict(user, "view").filter(pk=data["profile"]).first()
        if profile is None:
            raise Http404
        if not self.policy.can_add_at(user, data["grid"].path):
            raise PermissionDenied
        return submit_import(profile, data["file"], grid=data["grid"], actor=user, dry_run=data["dry_run"])

    def output_created(self, instance: Any) -> Response:
        response = self.output(instance, status.HTTP_202_ACCEPTED)
        response["Location"] = self.request.build_absolute_uri(f"/api/residents/imports/{instance.pk}/")
        return response

    @action(detail=True, methods=["get"])
    def errors(self, request: Request, pk: Any = None) -> HttpResponse:
        batch = self.get_object()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        write_error_report(batch, response)
        return response

    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, pk: Any = None) -> Response:
        return self.output(actions.rollback_import(self.get_object(), actor=request.user))

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        return self.output(actions.cancel_import(self.get_object(), actor=request.user))

    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: Any = None) -> Response:
        return self.output(actions.resume_import(self.get_object(), actor=request.user), status.HTTP_202_ACCEPTED)


class ImportReviewViewSet(ScopedReadOnlyViewSet):
    """Uncertain matches waiting for a person: ``POST {id}/resolve/ {decision: merged|created|dismissed}``."""

    policy = ImportReviewPolicy
    serializer_class = s.ImportReviewSerializer
    action_verbs = {"resolve": "resolve"}

    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        serializer = s.ResolveReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = actions.resolve_review(self.get_object(), actor=request.user, **serializer.validated_data)
        return Response(s.ImportReviewSerializer(review).data)
