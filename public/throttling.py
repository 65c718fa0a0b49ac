"""The public page's rate limit: per client address, as the API's anonymous limit counts
it (DRF's address rule, driven by DJANGO_PROXY_COUNT), in the shared cache."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


class PublicPageThrottle(SimpleRateThrottle):
    scope = "public"

    def get_rate(self) -> str:
        return settings.PUBLIC_PAGE_RATE

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
