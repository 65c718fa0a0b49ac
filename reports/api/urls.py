from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/", views.ReportJobCreateView.as_view(), name="report-jobs"),
    path("reports/<uuid:pk>/", views.ReportJobView.as_view(), name="report-job"),
    path(
        "reports/<uuid:pk>/download/",
        views.ReportJobDownloadView.as_view(),
        name="report-job-download",
    ),
]
