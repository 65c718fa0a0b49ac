"""Report jobs over the API: ask for a report file (202), follow the job, fetch the file."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, renderers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.languages import saved_language
from itpp.api.views import APIView
from progress.query import FilterRefused
from reports.api.serializers import ReportJobSerializer, ReportRequestSerializer
from reports.jobs import file_response, jobs_visible_to, may_read_reports, request_report
from reports.models import ReportJob
from reports.render import FORMATS, STOCKTAKE, UnknownStockTake


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _(
        "This report job has expired; its file is deleted. Ask for the report again."
    )
    default_code = "gone"


class MayReadReports(permissions.BasePermission):
    """Reading a report is reading activities: `view_activity`, whatever the method
    (asking for a report changes no data)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and may_read_reports(request.user)
        )


def job_data(job: ReportJob, request: Request) -> dict[str, Any]:
    """The job as the API describes it."""
    download = None
    if job.is_done and not job.is_expired:
        download = request.build_absolute_uri(reverse("api:report-job-download", args=[job.pk]))
    return {
        "id": job.pk,
        "url": request.build_absolute_uri(reverse("api:report-job", args=[job.pk])),
        "programme": job.programme_id,
        "format": job.format,
        "query": job.query,
        "language": job.language,
        "status": job.status,
        "progress": job.progress,
        "download": download,
        "filename": job.filename,
        "error": job.error,
        "created": job.created,
        "finished": job.finished,
        "expires": job.expires,
    }


class ReportJobCreateView(APIView):
    permission_classes = [MayReadReports]

    @extend_schema(
        request=ReportRequestSerializer,
        responses={
            202: OpenApiResponse(
                ReportJobSerializer, description="Queued: follow `url` (also in Location)."
            )
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[202],
                description="The job's URL.",
            )
        ],
        description=(
            "Ask for a progress report of a programme as a PDF or an XLSX workbook, made by "
            "a background worker. The same report as the report page: the same filters "
            "(any activity filter of /api/v1/activities/, by the name of its query "
            "parameter), refused in the same way (400 naming the field: an invalid value, "
            "an unknown programme or stock-take, or a filter that a closed stock-take's "
            "frozen counts cannot follow), and only the activities the user may see. "
            "Answers 202 with the job; poll its `url` until `status` is `done` (then "
            "fetch `download`) or `failed`. The file is kept for a day."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        params = QueryDict(mutable=True)
        for name, values in data["filters"].items():
            params.setlist(name, values)
        if "stocktake" in data:
            params[STOCKTAKE] = str(data["stocktake"])
        try:
            job = request_report(
                user=request.user,
                programme=data["programme"],
                file_format=data["format"],
                params=params,
                language=data.get("language")
                or saved_language(request.user)
                or translation.get_language(),
            )
        except FilterRefused as refused:
            raise exceptions.ValidationError(refused.errors) from None
        except UnknownStockTake:
            raise exceptions.ValidationError(
                {"stocktake": [_("No such stock-take of this programme.")]}
            ) from None
        body = job_data(job, request)
        return Response(
            ReportJobSerializer(body).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": body["url"]},
        )


class JobMixin:
    permission_classes = [MayReadReports]
    # 410 once expired (until purged, then 404).
    schema_error_codes = {None: ["410"]}

    def get_job(self, request: Request, pk: Any) -> ReportJob:
        """The job, if `request.user` may see it (their own, or one made for the same
        visibility); 404 otherwise, as for anything that is not theirs to see."""
        job = jobs_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise exceptions.NotFound()
        if job.is_expired:
            raise Gone()
        return job


class ReportJobView(JobMixin, APIView):
    @extend_schema(
        responses=ReportJobSerializer,
        description=(
            "Where a report job stands: `status` (queued, running, done, failed), "
            "`progress` (0–100) and, once done, `download`. Visible to its requester and to "
            "users who see the same activities; 404 to others; 410 after it expired."
        ),
    )
    def get(self, request: Request, pk: Any) -> Response:
        return Response(ReportJobSerializer(job_data(self.get_job(request, pk), request)).data)


class FileRenderer(renderers.BaseRenderer):
    """Lets a client ask for the file's own type (Accept); the view answers the file."""

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return data


class PDFRenderer(FileRenderer):
    media_type = FORMATS["pdf"]
    format = "pdf"


class XLSXRenderer(FileRenderer):
    media_type = FORMATS["xlsx"]
    format = "xlsx"


class ReportJobDownloadView(JobMixin, APIView):
    renderer_classes = [renderers.JSONRenderer, PDFRenderer, XLSXRenderer]

    @extend_schema(
        responses={
            (200, FORMATS["pdf"]): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            (200, FORMATS["xlsx"]): OpenApiResponse(
                OpenApiTypes.BINARY, description="The workbook."
            ),
        },
        description=(
            "The report job's file, as an attachment (Content-Disposition names it). For "
            "its requester and users who see the same activities; 404 to others and while "
            "the job is not done; 410 after it expired."
        ),
    )
    def get(self, request: Request, pk: Any) -> FileResponse:
        job = self.get_job(request, pk)
        if not job.is_done:
            raise exceptions.NotFound(
                _("The report is not ready; follow the job until it is done.")
            )
        return file_response(job)

    def finalize_response(self, request: Request, response, *args: Any, **kwargs: Any):
        # Errors are JSON objects whatever type the client asked the file in.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), FileRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
