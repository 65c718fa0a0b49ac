"""One error format for the whole API, whatever went wrong."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("django.request")


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
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
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
            {"detail": "Internal server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    if response.status_code == status.HTTP_400_BAD_REQUEST and not isinstance(response.data, dict):
        # A bare list of messages (e.g. raised by a serializer's validate()).
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response
