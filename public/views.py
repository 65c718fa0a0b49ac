"""The public progress page: anyone, without signing in, sees a programme's framework, its
progress counting public activities only, and those activities; nothing else."""

from __future__ import annotations

import math

from csp.decorators import csp
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from goals.models import Programme
from progress import cache as progress_cache
from public.data import public_progress
from public.throttling import PublicPageThrottle

# Stricter than the staff pages': no script at all, styles and images from here only, no
# form, nothing may frame it.
PUBLIC_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}
CACHE_KEY = "public-page:{programme}:{language}:v{version}"


def _throttled(request: HttpRequest) -> HttpResponse | None:
    throttle = PublicPageThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = HttpResponse(
        _("Too many requests for the public progress page from your address; try again later."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    if wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _render(programme: Programme) -> str:
    programmes = list(Programme.objects.filter(public_page=True).order_by("-start_year", "partner"))
    return render_to_string(
        "public/progress.html",
        {"page": public_progress(programme), "programmes": programmes},
    )


@login_not_required
@require_safe
@csp(PUBLIC_CSP)
def progress_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    if pk is None:
        programme = Programme.objects.filter(public_page=True).current()
    else:
        programme = Programme.objects.filter(pk=pk, public_page=True).first()
    if programme is None:
        raise Http404(_("No public progress page."))
    # Under the progress data version, which every write bumps: a change shows at once, and
    # the lifetime only bounds how long an unused page is kept.
    try:
        key = CACHE_KEY.format(
            programme=programme.pk,
            language=get_language(),
            version=progress_cache.data_version(),
        )
    except Exception:  # the cache is down: answer uncached, as progress does
        key = None
    html = progress_cache.fragment(
        key, lambda: _render(programme), timeout=settings.PUBLIC_PAGE_CACHE_SECONDS
    )
    response = HttpResponse(html)
    # The same for everyone who reads the same language: shared caches may keep it as long as
    # we do, per language (chosen by Accept-Language or by the switcher's cookie).
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_PAGE_CACHE_SECONDS}"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
