"""The OpenAPI description of the errors every endpoint can answer with.

drf-spectacular documents the successful responses; the errors are added here so the
schema is truthful for clients and for the fuzzing in the test suite.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "The messages for each offending field (query parameter or body field), or "
        "`non_field_errors` for the request as a whole."
    ),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
PRECONDITION_SCHEMA = {
    "type": "object",
    "description": "The If-Match no longer matches; nothing was changed.",
    "properties": {
        "detail": {"type": "string"},
        "current_version": {"type": "integer", "nullable": True, "description": "Null if deleted."},
    },
    "required": ["detail", "current_version"],
}
ERRORS = {
    "400": ("ValidationError", VALIDATION_ERROR_SCHEMA, "Invalid input."),
    "401": ("Error", ERROR_SCHEMA, "Not authenticated (no, invalid or expired token)."),
    "403": ("Error", ERROR_SCHEMA, "The account's role does not allow this."),
    "404": ("Error", ERROR_SCHEMA, "No such object (or page)."),
    "409": ("Error", ERROR_SCHEMA, "The object is not in a state that allows this."),
    "412": ("PreconditionFailed", PRECONDITION_SCHEMA, "Changed by someone else (If-Match)."),
    "413": ("Error", ERROR_SCHEMA, "The request body is too large."),
    "415": ("Error", ERROR_SCHEMA, "The file's content is not one of the allowed types."),
    "422": (
        "Error",
        ERROR_SCHEMA,
        "The Idempotency-Key was already used for a request with a different body.",
    ),
    "429": ("Error", ERROR_SCHEMA, "Too many requests; retry after Retry-After seconds."),
}
# Refusals of gunicorn (gunicorn.conf.py, its default limits), before the request reaches
# the application: a short HTML page, not JSON. Any operation can get them, so every one
# documents them (a client, or schemathesis' negative fuzzing, would otherwise meet an
# undocumented status). The limits are described in docs/api.md.
SERVER_ERRORS = {
    "414": (
        "URI too long: the request line (method, path and query string) is over 4094 bytes. "
        "Answered by the web server as an HTML page."
    ),
    "431": (
        "Request header fields too large: a header over 8190 bytes, or more than 100 "
        "headers. Answered by the web server as an HTML page."
    ),
}
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


class AutoSchema(openapi.AutoSchema):
    def _error_codes(self) -> list[str]:
        # 413 on every operation: a body over the limit is refused whatever the method.
        codes = ["401", "403", "413", "429"]
        has_query = self.method == "GET" and (
            self._is_list_view() or self.get_override_parameters() or self.get_filter_backends()
        )
        if self.method in ("POST", "PUT", "PATCH") or has_query:
            codes.append("400")
        extra = getattr(self.view, "schema_error_codes", {})
        codes.extend(extra.get(getattr(self.view, "action", None), []))
        if "{" in self.path or (self.method == "GET" and self._is_list_view()):
            # Detail views: unknown id. Lists: a page beyond the last.
            codes.append("404")
        return sorted(set(codes))

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            name, schema, description = ERRORS[code]
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
            )
            self.registry.register_on_missing(component)
            responses.setdefault(
                code,
                {
                    "content": {"application/json": {"schema": component.ref}},
                    "description": description,
                },
            )
        for code, description in SERVER_ERRORS.items():
            responses.setdefault(code, {"content": HTML_PAGE, "description": description})
        return responses


# Query parameters that refuse an empty value (400): repeatable filters check each value,
# and a page size must be a number.
REJECTS_EMPTY = {"page_size"}


def allow_empty_query_values(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: say that query parameters accept an empty value.

    Single-valued ones do: the FilterSets are shared with the HTML pages, whose forms send
    empty fields, and django-filter (like DRF's paging) reads an empty value as "not
    given". Saying so keeps the schema truthful for clients and for the tests' fuzzing.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if (
                    parameter.get("in") == "query"
                    and not parameter.get("required")
                    and parameter.get("schema", {}).get("type") != "array"
                    and parameter["name"] not in REJECTS_EMPTY
                ):
                    parameter["allowEmptyValue"] = True
    return result
