from django.urls import path

from attachments import views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path(
        "activity/<int:pk>/add/",
        views.ActivityAttachmentUploadView.as_view(),
        name="add_to_activity",
    ),
]
