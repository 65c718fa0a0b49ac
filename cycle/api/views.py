"""Follow-up actions and what needs attention, over the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response

from activities.models import Activity
from cycle import services
from cycle.api.serializers import (
    AttentionQuerySerializer,
    AttentionSerializer,
    FollowUpSerializer,
)
from cycle.attention import attention
from cycle.filters import FollowUpFilterSet
from cycle.models import FollowUp, FollowUpStatus
from goals.models import Programme
from itpp.api.permissions import ModelPermissions
from itpp.api.views import LoginExemptMixin, ModelViewSet, ThrottleRefusalsMixin

OWNER_MAY_ONLY = gettext_lazy('As its owner you may only mark it done: send {"status": "done"}.')


class FollowUpPermissions(ModelPermissions):
    """Reading needs the view permission, creating the add permission; a PATCH is decided
    per object: whoever may change follow-ups, or the owner (who may only mark it done)."""

    perms_map = {**ModelPermissions.perms_map, "PATCH": ["%(app_label)s.view_%(model_name)s"]}

    def has_permission(self, request: Request, view: Any) -> bool:
        # A method the endpoint has not (DELETE, PUT) is 405 for everyone, not a 403 that
        # would suggest another role could.
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method.lower() not in view.http_method_names or not hasattr(
            view, request.method.lower()
        ):
            raise exceptions.MethodNotAllowed(request.method)
        return super().has_permission(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: FollowUp) -> bool:
        if request.method == "PATCH":
            return services.may_mark_done(request.user, obj)
        return True


@extend_schema_view(
    partial_update=extend_schema(
        description=(
            "Editors and Programme managers change any field but the activity; the owner "
            'of an action may only mark it done (`{"status": "done"}`; anything else is 403).'
        )
    )
)
class FollowUpViewSet(ModelViewSet):
    """Follow-up actions owed after activities, earliest due first. Seen by whoever sees
    their activity (a restricted activity's actions do not exist for anyone else); Editors
    and Programme managers create and change them; an owner marks their own done."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    permission_classes = [FollowUpPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[FollowUp]:
        return (
            FollowUp.objects.visible_to(self.request.user).with_related().order_by("due_date", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        follow_up = self.get_object()
        if services.may_change(request.user):
            return super().partial_update(request, *args, **kwargs)
        data = request.data
        if not (
            isinstance(data, dict)
            and set(data) == {"status"}
            and data["status"] == FollowUpStatus.DONE
        ):
            raise exceptions.PermissionDenied(OWNER_MAY_ONLY)
        try:
            follow_up = services.mark_done(follow_up=follow_up, user=request.user)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        return Response(self.get_serializer(follow_up).data)


class AttentionView(LoginExemptMixin, ThrottleRefusalsMixin, generics.GenericAPIView):
    """What needs attention in a programme (the current one unless `programme` names
    another), as far as you may see: activities due for a report (days overdue), records
    awaiting review (days waiting), returned records, overdue follow-up actions, and goals
    with no activity starting in the last 12 months. Each list holds at most 200 entries,
    oldest first."""

    # Reading this means reading activities: the same permission.
    queryset = Activity.objects.none()
    filter_backends: list = []
    pagination_class = None
    serializer_class = AttentionSerializer
    schema_error_codes = {None: ["404"]}

    @extend_schema(parameters=[AttentionQuerySerializer], responses=AttentionSerializer)
    def get(self, request: Request) -> Response:
        # An empty value is "not given", as for every filter of the API.
        params = {k: v for k, v in request.query_params.items() if k == "programme" and v}
        query = AttentionQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("programme")
        if wanted is None:
            programme = Programme.objects.current()
        else:
            programme = Programme.objects.filter(pk=wanted).first()
            if programme is None:
                raise exceptions.ValidationError({"programme": [_("No such programme.")]})
        result = attention(request.user, programme, timezone.localdate())
        return Response(AttentionSerializer(result).data)
