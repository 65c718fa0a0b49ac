from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from itpp.views import healthz

admin.site.site_header = "ITPP Tracker administration"
admin.site.site_title = "ITPP Tracker"
admin.site.index_title = "Programme data"

urlpatterns = [
    # Until the staff pages exist, the admin is the home page.
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("itpp.api.urls", "api"))),
]
