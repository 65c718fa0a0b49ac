"""Which language someone reads the interface in (docs/i18n.md).

Pages: the user's saved choice (`Preferences.language`), else Django's language cookie (the
switcher sets it, also before signing in), else the browser's Accept-Language, else English
(LANGUAGE_CODE). The API: Accept-Language only, so a script gets the same answer whatever
browser cookie it carries. E-mails and report files: the recipient's saved choice, else
English: a worker has no browser to ask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The saved choice, copied into the session at sign-in (and when it changes), so pages read
# it without a query of their own. "" means "follow the browser".
SESSION_KEY = "itpp_language"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code: str) -> bool:
    return code in language_codes()


def validate_language(value: str) -> None:
    """A language of settings.LANGUAGES (the model keeps no choices, so adding a language
    needs no migration)."""
    if value and not is_supported(value):
        raise ValidationError(
            _("Choose one of: %(codes)s."),
            code="invalid_choice",
            params={"codes": ", ".join(language_codes())},
        )


User = AbstractBaseUser | AnonymousUser


def saved_language(user: User | int | None) -> str:
    """The language `user` (or the user of that id) chose on their account; "" when none
    (or no user)."""
    if user is None or (not isinstance(user, int) and not user.is_authenticated):
        return ""
    from accounts.models import Preferences

    user_id = user if isinstance(user, int) else user.pk
    language = (
        Preferences.objects.filter(user_id=user_id).values_list("language", flat=True).first() or ""
    )
    return language if is_supported(language) else ""


def recipient_language(user: User | int | None) -> str:
    """What an e-mail or a worker's report for `user` is written in: their saved choice,
    else English."""
    return saved_language(user) or settings.LANGUAGE_CODE


F = TypeVar("F", bound=Callable[..., Any])


def in_recipient_language(recipient: Callable[..., User | int | None]) -> Callable[[F], F]:
    """Run the decorated function (one that writes to someone) in its recipient's
    language: `recipient` is given the function's arguments and returns the user (or
    their id)."""

    def decorator(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with translation.override(recipient_language(recipient(*args, **kwargs))):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def accept_language(request: HttpRequest) -> str:
    """The best supported language of the request's Accept-Language header, else English."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def remember(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """Keep `language` ("" to follow the browser) in the session and Django's language
    cookie, so the next pages (and the sign-in page after signing out) use it."""
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = language
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
