"""The language of each request, after LocaleMiddleware (docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.languages import SESSION_KEY, accept_language, is_supported, saved_language

API_PREFIX = "/api/"


class UserLanguageMiddleware:
    """LocaleMiddleware has picked the cookie's or the browser's language; this one, after
    AuthenticationMiddleware, puts a signed-in user's saved choice first on the pages, and
    keeps the API to Accept-Language alone (its field names and codes stay English; its
    messages follow the header, not a cookie a browser happens to carry)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            language = accept_language(request)
        else:
            language = self.page_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    @staticmethod
    def page_language(request: HttpRequest) -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return ""
        if SESSION_KEY not in request.session:
            # A session from before sign-in kept the choice (accounts.signals): look it up once.
            request.session[SESSION_KEY] = saved_language(user)
        language = request.session[SESSION_KEY]
        return language if is_supported(language) else ""
