"""Page-number paging for every list of the API."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


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
            raise ValidationError({self.page_size_query_param: ["Enter a whole number above 0."]})
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
