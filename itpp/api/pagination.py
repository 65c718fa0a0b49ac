"""Paging for the lists of the API: page numbers everywhere; on the activity log, cursors too.

Page numbers need `OFFSET`, which makes PostgreSQL read and drop every row before the page,
and an exact `COUNT(*)` of every matching row: both grow with the table. A cursor names the
last row seen by its sort key instead, so each page is an index range scan of one page's
rows, however deep, and needs no count (see docs/performance.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Primary keys are bigints: a larger id in a cursor would be a database error, not a 400.
BIGINT_MAX = 2**63 - 1


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (50 by default; larger than 500 gives 500 rows)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        # DRF silently falls back to the default for a bad value; a client asking for
        # `page_size=abc` has a bug it should hear about.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: [gettext("Enter a whole number above 0.")]}
            )
        return min(int(raw), self.max_page_size)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "next", "previous", "results"]
        return paginated

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "default": self.page_size})
                parameter["description"] = (
                    f"Rows per page ({self.page_size} by default); a value above "
                    f"{self.max_page_size} gives {self.max_page_size}."
                )
        return parameters


def positive_id(value: Any) -> int:
    if type(value) is not int or not 0 < value <= BIGINT_MAX:
        raise ValueError(value)
    return value


def iso_date(value: Any) -> date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(value)
    return date.fromisoformat(value)


@dataclass(frozen=True)
class Keyset:
    """A sort order a cursor can walk: columns in one direction, the last one unique, so
    that every row has its own place and a cursor can name it exactly.

    `readers` turn a cursor's JSON values back into column values (raising ValueError for
    anything else); `writers` do the reverse.
    """

    fields: tuple[str, ...]
    descending: bool
    readers: tuple[Callable[[Any], Any], ...]
    writers: tuple[Callable[[Any], Any], ...]

    def order_by(self, *, reverse: bool = False) -> list[str]:
        sign = "-" if self.descending != reverse else ""
        return [sign + field for field in self.fields]

    def beyond(self, values: Sequence[Any], *, reverse: bool = False) -> Q:
        """Rows strictly after `values` in this order (before them when `reverse`)."""
        op = "lt" if self.descending != reverse else "gt"
        condition = Q(**{f"{self.fields[-1]}__{op}": values[-1]})
        for field, value in zip(self.fields[-2::-1], values[-2::-1], strict=True):
            condition = Q(**{f"{field}__{op}": value}) | (Q(**{field: value}) & condition)
        # Redundant, but an index can start its range scan from it (an OR cannot).
        return Q(**{f"{self.fields[0]}__{op}e": values[0]}) & condition


class PageOrCursorPagination(Pagination):
    """Page numbers by default; `?pagination=cursor` pages with opaque cursors instead.

    The view names the orderings a cursor can walk in `cursor_orderings` (the `ordering`
    value -> a Keyset; "" is the default) and must return rows holding the keyset's
    fields (model instances or `.values()` dicts). A cursor page answers
    `{"next", "previous", "results"}`: no count, because counting is what makes deep
    and large lists slow.
    """

    mode_query_param = "pagination"
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"

    def __init__(self) -> None:
        self.cursor_mode = False
        self.next_cursor: str | None = None
        self.previous_cursor: str | None = None

    # --- choosing the mode -----------------------------------------------------------

    def wants_cursor(self, request: Request) -> bool:
        mode = request.query_params.get(self.mode_query_param) or ""
        cursor = request.query_params.get(self.cursor_query_param) or ""
        if mode not in ("", "page", "cursor"):
            raise ValidationError(
                {self.mode_query_param: [gettext('Choose "page" (the default) or "cursor".')]}
            )
        if mode == "page" and cursor:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        gettext("A cursor needs pagination=cursor (or no pagination).")
                    ]
                }
            )
        return mode == "cursor" or bool(cursor)

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None):
        if not self.wants_cursor(request):
            return super().paginate_queryset(queryset, request, view)
        self.cursor_mode = True
        self.request = request
        if request.query_params.get(self.page_query_param):
            raise ValidationError(
                {
                    self.page_query_param: [
                        gettext("Cursor paging has no page numbers: follow next.")
                    ]
                }
            )
        name, keyset = self.keyset(request, view)
        size = self.get_page_size(request)
        position = self.decode(request.query_params.get(self.cursor_query_param), name, keyset)
        backwards = position is not None and position[0] == "before"
        if position is not None:
            queryset = queryset.filter(keyset.beyond(position[1], reverse=backwards))
        # One row more than the page tells whether there is anything beyond it.
        found = list(queryset.order_by(*keyset.order_by(reverse=backwards))[: size + 1])
        more = len(found) > size
        rows = found[:size]
        if backwards:
            rows.reverse()
        keys = [self.key(row, keyset) for row in rows]
        # Coming from a cursor, there are rows on the side it came from. An empty page
        # (the rows beyond the cursor were deleted since) has no links: start again.
        has_next = position is not None if backwards else more
        has_previous = more if backwards else position is not None
        if rows and has_next:
            self.next_cursor = self.encode(name, "after", keys[-1], keyset)
        if rows and has_previous:
            self.previous_cursor = self.encode(name, "before", keys[0], keyset)
        return rows

    def keyset(self, request: Request, view) -> tuple[str, Keyset]:
        orderings: dict[str, Keyset] = getattr(view, "cursor_orderings", {})
        name = ",".join(request.query_params.getlist(self.ordering_query_param)).strip()
        if name not in orderings:
            usable = ", ".join(f"`{key}`" for key in orderings if key)
            raise ValidationError(
                {
                    self.ordering_query_param: [
                        gettext(
                            "Cursor paging can order only by %(orderings)s (or the default); "
                            "use page-number paging for other orders."
                        )
                        % {"orderings": usable}
                    ]
                }
            )
        return name, orderings[name]

    @staticmethod
    def key(row: Any, keyset: Keyset) -> tuple:
        if isinstance(row, dict):
            return tuple(row[field] for field in keyset.fields)
        return tuple(getattr(row, field) for field in keyset.fields)

    # --- the cursor ------------------------------------------------------------------

    # Longer than any cursor this class writes; refuses junk before decoding it.
    max_cursor_length = 200

    @staticmethod
    def encode(ordering: str, direction: str, values: Sequence[Any], keyset: Keyset) -> str:
        payload = {
            "o": ordering,
            "d": direction,
            "k": [write(value) for write, value in zip(keyset.writers, values, strict=True)],
        }
        text = json.dumps(payload, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, raw: str | None, ordering: str, keyset: Keyset) -> tuple[str, tuple] | None:
        """(direction, key values) of a cursor; None without one; 400 if it is not one
        this API wrote for this ordering."""
        if not raw:
            return None
        invalid = ValidationError({self.cursor_query_param: [gettext("Invalid cursor.")]})
        if len(raw) > self.max_cursor_length or not raw.isascii():
            raise invalid
        try:
            text = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
            payload = json.loads(text)
            if set(payload) != {"o", "d", "k"} or payload["d"] not in ("after", "before"):
                raise ValueError(payload)
            values = payload["k"]
            if not isinstance(values, list) or len(values) != len(keyset.readers):
                raise ValueError(values)
            key = tuple(read(value) for read, value in zip(keyset.readers, values, strict=True))
        except (binascii.Error, ValueError, TypeError, AttributeError):
            raise invalid from None
        if payload["o"] != ordering:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        gettext(
                            "This cursor belongs to another ordering: keep the ordering of the "
                            "request that gave it, or start again without a cursor."
                        )
                    ]
                }
            )
        return payload["d"], key

    # --- the response ----------------------------------------------------------------

    def link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: list) -> Response:
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        return Response(
            {
                "next": self.link(self.next_cursor),
                "previous": self.link(self.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["next", "previous", "results"]
        paginated["properties"]["count"]["description"] = (
            "Every matching row; absent with `pagination=cursor`."
        )
        return paginated

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        usable = ", ".join(f"`{key}`" for key in getattr(view, "cursor_orderings", {}) if key)
        parameters += [
            {
                "name": self.mode_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "`page` (the default) numbers the pages and counts the rows; `cursor` "
                    "pages with opaque cursors (follow `next` and `previous`), as fast at "
                    "any depth, without `count`. Cursors keep to the default ordering or "
                    f"{usable}."
                ),
                "schema": {"type": "string", "enum": ["page", "cursor"]},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "With `pagination=cursor`: where the page starts, as given in the "
                    "`next` or `previous` link of the page before. Opaque."
                ),
                "schema": {"type": "string", "maxLength": self.max_cursor_length},
            },
        ]
        return parameters
