"""Sign-in, sign-out and passwords: Django's own views, with password reset only while mail
is configured (settings.EMAIL_CONFIGURED, from DJANGO_EMAIL_URL)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import urls as auth_urls
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext

from accounts.views import AccountView, set_language


def requires_mail(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 while no mail is configured: the reset link could never arrive."""

    # wraps() keeps the view's attributes, among them its exemption from the login.
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.EMAIL_CONFIGURED:
            raise Http404(gettext("Password reset is off: no mail is configured."))
        return view(request, *args, **kwargs)

    return wrapper


def _pattern(pattern: URLPattern) -> URLPattern:
    if pattern.name and pattern.name.startswith("password_reset"):
        return path(str(pattern.pattern), requires_mail(pattern.callback), name=pattern.name)
    return pattern


urlpatterns = [
    path("", AccountView.as_view(), name="account"),
    path("language/", set_language, name="set_language"),
    *(_pattern(pattern) for pattern in auth_urls.urlpatterns),
]
