"""Base viewsets. Reads go through ``restrict``; writes go through the domain's actions.

Subclasses set ``policy`` and implement ``perform_action_create(serializer)`` /
``perform_action_update(instance, serializer)`` / ``perform_action_destroy(instance)``
by calling actions. Serializers only validate and shape: they never save models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.access.policy import Policy
from gongzhi.api.idempotency import idempotent
from gongzhi.api.permissions import PolicyPermission

if TYPE_CHECKING:  # the mixin is only ever combined with DRF's generic views
    from rest_framework.generics import GenericAPIView

    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class ScopedViewSetMixin(_ViewBase):
    policy: ClassVar[type[Policy]]
    permission_classes = [PolicyPermission]
    action_verbs: ClassVar[dict[str, str]] = {}

    def base_queryset(self) -> QuerySet[Any]:
        """Override to add select_related/prefetch_related and annotations."""
        return self.policy.model._default_manager.all()

    def get_queryset(self) -> QuerySet[Any]:
        # Object actions are found in view scope; the policy then checks the verb (403).
        return self.base_queryset().restrict(self.request.user, "view")  # type: ignore[attr-defined]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[misc]
    pass


class ActionOutputMixin:
    output_serializer_class: ClassVar[Any] = None

    def output(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.output_serializer_class or self.get_serializer_class()  # type: ignore[attr-defined]
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        return Response(serializer_class(instance, context=context).data, status=status_code)


class CreateActionMixin(ActionOutputMixin):
    """POST creates through ``perform_action_create(serializer) -> instance``; honours Idempotency-Key."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def handle() -> Response:
            serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
            serializer.is_valid(raise_exception=True)
            return self.output_created(self.perform_action_create(serializer))

        return idempotent(request, f"{self.basename}:create", handle)  # type: ignore[attr-defined]

    def perform_action_create(self, serializer: Any) -> Any:
        raise NotImplementedError

    def output_created(self, instance: Any) -> Response:
        """The 201 answer; override to build it from what the action already holds."""
        return self.output(instance, status.HTTP_201_CREATED)


class UpdateActionMixin(ActionOutputMixin):
    """PUT/PATCH update through ``perform_action_update(instance, serializer) -> instance``."""

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()  # type: ignore[attr-defined]
        serializer = self.get_serializer(instance, data=request.data, partial=partial)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        return self.output(self.perform_action_update(instance, serializer))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_action_update(self, instance: Any, serializer: Any) -> Any:
        raise NotImplementedError


class DestroyActionMixin:
    """DELETE through ``perform_action_destroy(instance)``."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.perform_action_destroy(self.get_object())  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_action_destroy(self, instance: Any) -> None:
        raise NotImplementedError


class ScopedModelViewSet(
    ScopedViewSetMixin,
    CreateActionMixin,
    UpdateActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List, retrieve, create and update through actions. Add DestroyActionMixin if deletable."""
