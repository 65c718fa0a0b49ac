"""Version 1 of the REST API, mounted at /api/v1/ under the namespace `api`."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from itpp.api.views import (
    AtomicHandlerMixin,
    LoginExemptMixin,
    ThrottleRefusalsMixin,
    not_found,
)


class SchemaView(LoginExemptMixin, AtomicHandlerMixin, ThrottleRefusalsMixin, SpectacularAPIView):
    """The OpenAPI schema: for API clients, so a 401 rather than a login redirect."""


urlpatterns = [
    path("", include("attachments.api.urls")),
    path("", include("goals.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("feeds.api_urls")),
    path("", include("cycle.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("webhooks.api.urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
    # A page for people (its script is served separately, so the strict CSP holds);
    # without a session it sends them to the login page, like the site.
    # (DRF exempts its views from LoginRequiredMiddleware, so ask for the login here.)
    path(
        "docs/",
        login_required(
            # Swagger UI sets inline styles from its script; scripts stay strict.
            csp_update({"style-src": ["'unsafe-inline'"]})(
                SpectacularSwaggerSplitView.as_view(url_name="api:schema")
            )
        ),
        name="docs",
    ),
    # [\s\S], not ".": a path with an encoded newline (%0A) is unknown too, answered in JSON.
    re_path(r"^(?P<path>[\s\S]*/)?$", not_found),
]
