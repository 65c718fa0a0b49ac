from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<int:programme_id>/", views.ReportView.as_view(), name="report"),
    path(
        "<int:programme_id>/report.pdf", views.ReportFileView.as_view(file_format="pdf"), name="pdf"
    ),
    path(
        "<int:programme_id>/report.xlsx",
        views.ReportFileView.as_view(file_format="xlsx"),
        name="xlsx",
    ),
    path("<int:programme_id>/files/", views.ReportJobCreateView.as_view(), name="create_job"),
    path("files/<uuid:job_id>/", views.ReportJobPageView.as_view(), name="job"),
    path(
        "files/<uuid:job_id>/download/",
        views.ReportJobDownloadView.as_view(),
        name="job_download",
    ),
]
