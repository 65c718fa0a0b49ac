"""One error format for the whole API, whatever went wrong."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

logger = logging.getLogger("django.request")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            ngettext(
                "The request body is larger than the limit of %(limit)s byte.",
                "The request body is larger than the limit of %(limit)s bytes.",
                limit,
            )
            % {"limit": limit}
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    """An Idempotency-Key already used (within 24 hours) for a request with another body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy(
        "This Idempotency-Key was already used for a different request. Use a new key for "
        "a new request, or send the same body to get the first response again."
    )
    default_code = "idempotency_key_reused"


class PreconditionFailed(exceptions.APIException):
    """An If-Match that no longer matches: someone else changed the object meanwhile."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, current_version: int | None) -> None:
        if current_version is None:
            message = gettext("The object was deleted since you read it.")
        else:
            message = gettext(
                "The object was changed since you read it; version %(version)s is "
                "current. Read it again and reapply your change."
            ) % {"version": current_version}
        super().__init__(message)
        # The version stays a number (APIException would turn every value into text).
        self.detail = {"detail": self.detail, "current_version": current_version}


def validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model's ValidationError as DRF's, with the fields named as the API names them."""
    detail = as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return exceptions.ValidationError(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handler, plus: model validation errors are 400s, an unreadable body is an
    error of the whole request (`non_field_errors`), and anything unexpected is still
    answered in JSON (and logged with its traceback), never with an HTML page."""
    # Imported here: rest_framework.views reads the API settings, whose parser class
    # imports this module; importing it at the top would make a cycle.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, RequestDataTooBig):
        # Django's own check, when something read the body before the parser did.
        exc = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [exc.detail]})

    response = drf_exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.error(
            "Internal Server Error: %s",
            getattr(request, "path", "?"),
            exc_info=exc,
            extra={"status_code": 500, "request": getattr(request, "_request", None)},
        )
        set_rollback()
        return Response(
            {"detail": gettext("Internal server error.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if response.status_code == status.HTTP_400_BAD_REQUEST and not isinstance(response.data, dict):
        # A bare list of messages (e.g. raised by a serializer's validate()).
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response
