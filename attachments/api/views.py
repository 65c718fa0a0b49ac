"""Attachments over the API: list and upload under their record, remove, download.

`/api/v1/activities/<id>/attachments/` and `/api/v1/assessments/<id>/attachments/` (GET
lists, POST uploads as multipart), `.../attachments/<attachment id>/` (GET, DELETE), and
`/api/v1/attachments/<id>/download/` (the file). A record the user may not see is 404, as
are its attachments.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from activities.models import Activity
from attachments import content, services
from attachments.api.serializers import AttachmentSerializer, AttachmentUploadSerializer
from attachments.downloads import download_response
from attachments.models import Attachment
from attachments.rules import records_visible_to
from attachments.uploads import limit_uploads
from goals.models import GoalAssessment
from itpp.api.exceptions import validation_error
from itpp.api.permissions import ModelPermissions
from itpp.api.views import AtomicHandlerMixin, LoginExemptMixin, ThrottleRefusalsMixin

# Room for the multipart envelope and the title around the file itself.
ENVELOPE = 64 * 1024


class FileTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "file_too_large"


class AttachmentPermissions(ModelPermissions):
    """Reading takes `view_attachment`, uploading `add_attachment`; removing is decided per
    attachment (Programme managers any, Editors their own: attachments.rules)."""

    perms_map = {**ModelPermissions.perms_map, "DELETE": []}


def refusal(error: DjangoValidationError) -> exceptions.APIException:
    """An upload's refusal with its status: 413 too large, 415 not an allowed type, else 400."""
    if isinstance(error, content.FileRefused) and error.status != 400:
        exc = exceptions.APIException(error.text)
        exc.status_code = error.status
        return exc
    return validation_error(error)


class AttachmentAPIView(
    LoginExemptMixin, AtomicHandlerMixin, ThrottleRefusalsMixin, GenericAPIView
):
    queryset = Attachment.objects.all()
    permission_classes = [AttachmentPermissions]
    serializer_class = AttachmentSerializer
    pagination_class = None
    filter_backends: list = []
    # Which record the URL names: set by each URL.
    parent_model: type[Activity] | type[GoalAssessment] = Activity

    def parent(self) -> Activity | GoalAssessment:
        """The record named by the URL, if the user may see it (else 404)."""
        records = records_visible_to(self.request.user, self.parent_model)
        return get_object_or_404(records, pk=self.kwargs["parent_id"])

    def attachments(self, parent: Model) -> QuerySet:
        return (
            Attachment.objects.visible_to(self.request.user)
            .filter(**{"activity" if self.parent_model is Activity else "assessment": parent})
            .select_related("uploaded_by")
        )


class AttachmentListView(AttachmentAPIView):
    parser_classes = [MultiPartParser, FormParser]
    # Documented with the API's other errors (itpp.api.schema); APIViews have no action.
    schema_error_codes = {None: ["415"]}

    @extend_schema(
        summary="The record's attachments, oldest first",
        responses={200: AttachmentSerializer(many=True)},
    )
    def get(self, request: Request, parent_id: str) -> Response:
        parent = self.parent()
        data = AttachmentSerializer(
            self.attachments(parent), many=True, context={"request": request}
        ).data
        return Response(data)

    @extend_schema(
        summary="Attach a file (multipart: `file`, optional `title`)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    def post(self, request: Request, parent_id: str) -> Response:
        parent = self.parent()
        # Refuse before reading the body when its declared length is already too much.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.ATTACHMENT_MAX_SIZE
        if declared.isdigit() and int(declared) > limit + ENVELOPE:
            raise FileTooLarge(
                gettext("The request is %(size)s; attachments may be at most %(limit)s.")
                % {"size": content.size_text(int(declared)), "limit": content.size_text(limit)}
            )
        limit_uploads(request._request)
        try:
            data = request.data
        except content.FileTooLarge as error:
            raise refusal(error) from None
        upload = AttachmentUploadSerializer(data=data)
        upload.is_valid(raise_exception=True)
        try:
            attachment = services.add_attachment(
                user=request.user,
                parent=parent,
                upload=upload.validated_data["file"],
                title=upload.validated_data.get("title", ""),
            )
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise refusal(error) from None
        data = AttachmentSerializer(attachment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class AttachmentDetailView(AttachmentAPIView):
    schema_error_codes = {None: ["400"]}

    def attachment(self) -> Attachment:
        parent = self.parent()
        return get_object_or_404(self.attachments(parent), pk=self.kwargs["pk"])

    @extend_schema(summary="One attachment", responses={200: AttachmentSerializer})
    def get(self, request: Request, parent_id: str, pk: str) -> Response:
        return Response(AttachmentSerializer(self.attachment(), context={"request": request}).data)

    @extend_schema(
        summary="Remove an attachment (Programme managers; Editors their own)",
        responses={204: None},
    )
    def delete(self, request: Request, parent_id: str, pk: str) -> Response:
        attachment = self.attachment()
        try:
            services.remove_attachment(user=request.user, attachment=attachment)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise validation_error(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentDownloadView(AttachmentAPIView):
    @extend_schema(
        summary="The attachment's file, as a download under its original name",
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
            for content_type in content.ALLOWED
        },
    )
    def get(self, request: Request, pk: str) -> Any:
        attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
        try:
            return download_response(attachment)
        except FileNotFoundError:
            raise Http404(gettext("The file is missing from the store.")) from None
