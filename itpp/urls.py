from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from itpp.views import healthz

admin.site.site_header = _("ITPP Tracker administration")
admin.site.site_title = "ITPP Tracker"
admin.site.index_title = _("Programme data")

urlpatterns = [
    # The dashboard (at /) and the goal pages, then the stock-takes.
    path("", include("progress.urls")),
    path("", include("goals.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("attachments/", include("attachments.urls")),
    path("public/", include("public.urls")),
    path("", include("feeds.urls")),
    # Follow-up actions, what needs attention, "My work".
    path("", include("cycle.urls")),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("itpp.api.urls", "api"))),
]
