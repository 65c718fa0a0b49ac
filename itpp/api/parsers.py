"""The API's JSON parser: bounded in size and depth, and only text PostgreSQL can store."""

from __future__ import annotations

import io
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.settings import api_settings

from itpp.api.exceptions import RequestTooLarge

# JSON's "\ud800" escapes decode to lone surrogates, which cannot be encoded as UTF-8 and
# so cannot reach the database.
SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return bool(SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, but:

    - no more than `DATA_UPLOAD_MAX_MEMORY_SIZE` is read, whatever the Content-Length says
      (413 beyond it; Django's own check on the declared length is answered 413 too, see
      `itpp.api.exceptions`);
    - nesting too deep for Python's parser is a 400, not a RecursionError;
    - text with lone surrogates (`"\\ud800"`) is refused, naming the field.
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            body = stream.read()
        else:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge(limit)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(gettext("JSON parse error - nested too deeply.")) from None
        if isinstance(data, dict):
            for key, value in data.items():
                if _has_surrogate(key) or _has_surrogate(value):
                    name = key if not _has_surrogate(key) else api_settings.NON_FIELD_ERRORS_KEY
                    raise exceptions.ValidationError(
                        {
                            name: [
                                gettext(
                                    "Contains an unpaired surrogate (\\ud800–\\udfff): not text."
                                )
                            ]
                        }
                    )
        elif _has_surrogate(data):
            raise exceptions.ParseError(
                gettext("JSON parse error - unpaired surrogate in a string.")
            )
        return data
