from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("<int:programme_id>/", views.ReportView.as_view(), name="report"),
    path("<int:programme_id>/report.pdf", views.ReportPDFView.as_view(), name="pdf"),
    path("<int:programme_id>/report.xlsx", views.ReportXLSXView.as_view(), name="xlsx"),
]
