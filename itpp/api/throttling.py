"""Fair use of the API: request rates per user (or per address when anonymous).

The counters live in Django's default cache, the one shared by every worker and instance
(Redis, or the database cache: settings.CACHES), so a limit is the configured one however
many processes serve. The client address is DRF's, from settings.PROXY_COUNT (NUM_PROXIES).
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class SettingsRateMixin:
    """Reads the rate when used, not when the class is defined (as DRF does), so that
    a changed setting (or a test's override) takes effect."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Requests without valid credentials, per client address (scope `anon`)."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """All requests of an authenticated user (scope `user`)."""


class WriteRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) of a user, on top of `user` (scope `write`)."""

    scope = "write"

    def allow_request(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class ExportRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """CSV exports, which read every matching row, on top of `user` (scope `export`)."""

    scope = "export"

    def allow_request(self, request: Request, view) -> bool:
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(renderer, "format", None) != "csv":
            return True
        return super().allow_request(request, view)
