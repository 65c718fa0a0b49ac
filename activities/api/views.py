"""The activity log over the API: JSON pages or one streamed CSV file, versioned writes,
change history and restoring deleted activities."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, transaction
from django.db.models import QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from activities import idempotency, rows, services
from activities.api.serializers import (
    ActivitySerializer,
    AllySerializer,
    HistoryEntrySerializer,
    OrganisationSerializer,
    ReturnSerializer,
)
from activities.exports import activities_csv_response
from activities.filters import ActivityFilterSet, OrganisationFilterSet
from activities.history import EVENT_SOURCES, past_withheld_from
from activities.models import Activity, Ally, CreationKey, Organisation
from activities.querysets import RESTORE_PERMISSIONS, REVIEW
from itpp.api.exceptions import (
    Conflict,
    IdempotencyKeyReused,
    PreconditionFailed,
    validation_error,
)
from itpp.api.pagination import Keyset, PageOrCursorPagination, iso_date, positive_id
from itpp.api.permissions import ModelPermissions
from itpp.api.views import ModelViewSet, ReadOnlyModelViewSet
from itpp.history import change_log

# A strong entity tag as this API sends it: the version in double quotes.
ENTITY_TAG = re.compile(r'"([0-9]{1,10})"')
# Actions whose response is one activity, and so carries its ETag.
SINGLE_ACTIVITY_ACTIONS = {
    "retrieve",
    "create",
    "update",
    "partial_update",
    "restore",
    "submit",
    "approve",
    "return_",
}
REVIEW_ACTIONS = {"submit", "approve", "return_"}

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=r'^("[0-9]{1,10}"|\*)$',
    description=(
        'The ETag last read, e.g. `"3"`: the write happens only if the activity is still at '
        "that version (else 412 and nothing changes). Without it the write goes through."
    ),
)
# What an Idempotency-Key may be: visible ASCII, as a UUID or any client's token is.
IDEMPOTENCY_KEY_FORMAT = re.compile(rf"[\x21-\x7e]{{1,{idempotency.MAX_KEY_LENGTH}}}")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=r"^[!-~]{1,255}$",
    description=(
        "A key of your choice (e.g. a UUID) that makes a retry safe: the same key from the "
        "same user within 24 hours returns the first response (status and body, with "
        "`Idempotent-Replayed: true`) and creates nothing; the same key with a different "
        "body is 422. A request that failed (4xx) does not use up its key."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description='The activity\'s version in quotes, e.g. `"3"`; send it back in If-Match.',
)


# What cursor paging can walk: start date, then id (unique) in the same direction, the
# order of the index `activity_start_id`. "" is the default ordering, newest first.
NEWEST_FIRST = Keyset(
    fields=("start_date", "id"),
    descending=True,
    readers=(iso_date, positive_id),
    writers=(date.isoformat, int),
)
OLDEST_FIRST = replace(NEWEST_FIRST, descending=False)
CURSOR_ORDERINGS = {"": NEWEST_FIRST, "-start_date": NEWEST_FIRST, "start_date": OLDEST_FIRST}


@functools.cache
def field_names(serializer_class: type[Serializer]) -> tuple[str, ...]:
    """The fields a serializer class writes, in its order. A model serializer builds its
    fields for every instance (half a millisecond for an activity's); their names depend
    on the class alone, so a list learns them once."""
    return tuple(serializer_class().fields)


def entity_tag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version a client's If-Match asks for; None for none (or `*`)."""
    if value is None or value.strip() == "*":
        return None
    match = ENTITY_TAG.fullmatch(value.strip())
    if match is None:
        raise exceptions.ValidationError(
            {"If-Match": [_('Send the ETag as received, with its quotes, e.g. "3".')]}
        )
    return int(match.group(1))


class CSVRenderer(BaseRenderer):
    """Lets content negotiation pick CSV (`?format=csv` or `Accept: text/csv`).

    The list view streams the CSV itself; anything else (errors) is rendered as JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        return JSONRenderer().render(data, renderer_context=renderer_context)


class RestorePermission(ModelPermissions):
    """Restoring undoes a deletion: the same permissions as on the pages."""

    perms_map = {**ModelPermissions.perms_map, "POST": list(RESTORE_PERMISSIONS)}


class OrganisationViewSet(ReadOnlyModelViewSet):
    """The bodies that take part in activities (ministries, armed services, NATO bodies,
    centres of excellence), a managed list per programme kept by administrators.
    Read-only."""

    queryset = Organisation.objects.order_by("programme_id", "name", "id")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet


class ReviewPermission(ModelPermissions):
    """A review action writes the record: it takes changing activities; approving and
    returning also take reviewing them, which the service checks (403)."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class AllyViewSet(ReadOnlyModelViewSet):
    """The NATO Allies, by ISO 3166-1 alpha-2 code. Read-only."""

    queryset = Ally.objects.all()
    serializer_class = AllySerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{2}"


@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG]),
    create=extend_schema(parameters=[IDEMPOTENCY_KEY, ETAG]),
    update=extend_schema(parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(parameters=[IF_MATCH, ETAG]),
    destroy=extend_schema(parameters=[IF_MATCH]),
)
class ActivityViewSet(ModelViewSet):
    """The activity log. Viewers read; Editors also create and change; Programme managers
    also delete and restore. Filters combine with AND; a repeated filter (e.g.
    `status=planned&status=ongoing`) matches any of its values. Restricted activities exist
    only for users allowed to see them."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    # The model whose permissions apply (itpp.api.permissions), without building the queryset.
    permission_model = Activity
    pagination_class = PageOrCursorPagination
    cursor_orderings = CURSOR_ORDERINGS
    # The list reads (its CSV export opens its own transaction, see activities.exports).
    read_only_actions = frozenset({"list"})
    # The version a write must find (If-Match); None lets the write through.
    expected_version: int | None = None
    # Answers beyond the common ones, for the schema (see itpp.api.schema).
    schema_error_codes = {
        "create": ["422"],
        "update": ["412"],
        "partial_update": ["412"],
        "destroy": ["400", "412"],
        "restore": ["409"],
        "submit": ["409", "412"],
        "approve": ["409", "412"],
        "return_": ["409", "412"],
    }

    def get_queryset(self) -> QuerySet[Activity]:
        # The one gate for restricted activities, then what the serializer shows, in a
        # fixed number of queries per page.
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("created_by", "updated_by")
            .prefetch_related("goals", "objectives", "allies", "participations")
        )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in ("PUT", "PATCH", "DELETE") or self.action in REVIEW_ACTIONS:
            self.expected_version = parse_if_match(request.headers.get("If-Match"))

    def get_object(self) -> Activity:
        activity = super().get_object()
        # Refuse a stale write before validating it; the service checks again, atomically.
        if self.expected_version is not None and activity.version != self.expected_version:
            raise services.VersionConflict(activity)
        return activity

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "expected_version": self.expected_version}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return super().create(request, *args, **kwargs)
        if not IDEMPOTENCY_KEY_FORMAT.fullmatch(key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Send 1 to 255 visible ASCII characters, e.g. a UUID.")]}
            )
        body = idempotency.fingerprint(request.data)
        # The key is claimed in the transaction that creates the activity: a failed
        # request rolls it back too, and a concurrent retry waits for this one's answer.
        with transaction.atomic():
            record, fresh = idempotency.claim(
                user=request.user, door=CreationKey.Door.API, key=key, fingerprint=body
            )
            if not fresh:
                if record.fingerprint != body:
                    raise IdempotencyKeyReused()
                replay = Response(json.loads(record.response_body), status=record.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = super().create(request, *args, **kwargs)
            record.activity_id = response.data["id"]
            record.status_code = response.status_code
            record.response_body = json.dumps(response.data, cls=DjangoJSONEncoder)
            record.save(update_fields=["activity", "status_code", "response_body"])
        return response

    def perform_destroy(self, instance: Activity) -> None:
        services.delete_activity(
            activity=instance, user=self.request.user, expected_version=self.expected_version
        )

    def handle_exception(self, exc: Exception) -> Response:
        current = None
        if isinstance(exc, services.VersionConflict):
            current = exc.current
            exc = PreconditionFailed(None if current is None else current.version)
        elif isinstance(exc, services.TransitionRefused):
            exc = Conflict(str(exc))
        response = super().handle_exception(exc)
        if current is not None:
            response["ETag"] = entity_tag(current.version)
        return response

    def get_renderers(self) -> list[BaseRenderer]:
        renderers = super().get_renderers()
        if self.action == "list":
            renderers.append(CSVRenderer())
        return renderers

    def finalize_response(self, request: Request, response, *args: Any, **kwargs: Any):
        # Errors of a CSV request are still JSON objects, as documented.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        if (
            self.action in SINGLE_ACTIVITY_ACTIONS
            and isinstance(response, Response)
            and response.status_code in (status.HTTP_200_OK, status.HTTP_201_CREATED)
            and isinstance(response.data, dict)
            and "version" in response.data
        ):
            response["ETag"] = entity_tag(response.data["version"])
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description=(
                    "`csv` returns every matching activity (not one page) as CSV, as does "
                    "`Accept: text/csv`."
                ),
            )
        ],
        responses={
            (200, "application/json"): ActivitySerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "All matching activities in the format of the list page's export and "
                    "the admin's import (see docs/import.md): a UTF-8 BOM, a header row, "
                    "then one activity per row; the programme by name, goals by title, "
                    "objectives by number and Allies by code, each list joined with `; `; "
                    "empty values are empty cells; a text starting with = + - @ or ' is "
                    "prefixed with ' so that spreadsheets do not run it as a formula."
                ),
            ),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any):
        queryset = self.filter_queryset(self.get_queryset())
        if isinstance(request.accepted_renderer, CSVRenderer):
            return self.csv_response(queryset)
        fields = field_names(self.get_serializer_class())
        # Lists read plain rows (activities.rows), not serializer objects: the same JSON
        # (tested) at a fraction of the cost per row.
        if connections[queryset.db].vendor == "postgresql" and not self.paginator.wants_cursor(
            request
        ):
            # A page and its links in one query (rows.PagedRecords).
            return self.get_paginated_response(
                self.paginate_queryset(rows.PagedRecords(queryset, fields))
            )
        page = self.paginate_queryset(rows.records(queryset, fields))
        return self.get_paginated_response(rows.rows_from_records(page, fields, queryset.db))

    def csv_response(self, queryset: QuerySet[Activity]) -> StreamingHttpResponse:
        # The same file as the list page's export, hence an import template.
        return activities_csv_response(queryset, "activities.csv")

    # --- history and restore, which also reach deleted activities ---------------------

    def history_records(self, activity_id: int) -> QuerySet:
        """The historical rows of an activity, live or deleted; 404 unless the user may
        see every version of it (a once-restricted past stays hidden)."""
        records = Activity.history.filter(id=activity_id)
        if not records.exists() and not Activity.objects.filter(pk=activity_id).exists():
            raise Http404
        # The same rule as the detail page's change log and the conflict messages.
        if past_withheld_from(self.request.user, activity_id):
            raise Http404
        return records

    @extend_schema(
        responses=HistoryEntrySerializer(many=True),
        description=(
            "Every change of the activity, newest first: who (username), when, through what, "
            "and each field's old and new value. Also for a deleted activity."
        ),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request: Request, pk: str) -> Response:
        entries = change_log(self.history_records(int(pk)))
        # The apps above activities add their events (attachments added and removed), as
        # the page's change log shows them: here a change of that link, old and new name.
        for source in EVENT_SOURCES:
            entries.extend({**event, "action": "changed"} for event in source(int(pk)))
        entries.sort(key=lambda entry: entry["at"], reverse=True)
        return Response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        request=None,
        parameters=[ETAG],
        responses={201: ActivitySerializer},
        description=(
            "Bring a deleted activity back under its id, as its last version stood, links "
            "included. Programme managers only."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[RestorePermission],
        filter_backends=[],
        pagination_class=None,
    )
    def restore(self, request: Request, pk: str) -> Response:
        activity_id = int(pk)
        self.history_records(activity_id)
        if Activity.objects.filter(pk=activity_id).exists():
            raise Conflict(_("This activity has not been deleted."))
        try:
            services.restore_activity(activity_id=activity_id, user=request.user)
        except (DjangoValidationError, IntegrityError):
            # Restored by someone else in the meantime.
            raise Conflict(_("This activity has not been deleted.")) from None
        activity = self.get_queryset().get(pk=activity_id)
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)

    # --- review: submit, approve, return -----------------------------------------------

    def review(self, service, **kwargs: Any) -> Response:
        activity = self.get_object()
        try:
            activity = service(
                activity=activity,
                user=self.request.user,
                expected_version=self.expected_version,
                **kwargs,
            )
        except DjangoValidationError as error:
            raise validation_error(error) from None
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(activity).data)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH, ETAG],
        responses={200: ActivitySerializer},
        description=(
            "Submit a draft, or a returned record once fixed, for review (Editors, Programme "
            "managers). 409 from any other review state."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[ReviewPermission],
        filter_backends=[],
        pagination_class=None,
    )
    def submit(self, request: Request, pk: str) -> Response:
        return self.review(services.submit_activity)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH, ETAG],
        responses={200: ActivitySerializer},
        description=(
            "Approve a submitted record (Programme managers; 403 for other roles). 409 from "
            "any other review state. Its author is told by e-mail."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[ReviewPermission],
        filter_backends=[],
        pagination_class=None,
    )
    def approve(self, request: Request, pk: str) -> Response:
        return self.review(services.approve_activity)

    @extend_schema(
        request=ReturnSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: ActivitySerializer},
        description=(
            "Return a submitted record to its author with a comment (required: 400 naming "
            "`comment` without it), which shows as `review_comment`. Programme managers "
            "(403 for other roles); 409 from any other review state. The author is told by "
            "e-mail."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        permission_classes=[ReviewPermission],
        filter_backends=[],
        pagination_class=None,
    )
    def return_(self, request: Request, pk: str) -> Response:
        # The role first (403), then the comment (400), then the state (409).
        if not request.user.has_perm(REVIEW):
            raise exceptions.PermissionDenied(_("Your role may not return records."))
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.review(services.return_activity, comment=body.validated_data["comment"])
