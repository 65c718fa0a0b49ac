from django.urls import path

from attachments.api import views
from goals.models import GoalAssessment

ID = "<int:parent_id>"

urlpatterns = [
    path(
        f"activities/{ID}/attachments/",
        views.AttachmentListView.as_view(),
        name="activity-attachment-list",
    ),
    path(
        f"activities/{ID}/attachments/<int:pk>/",
        views.AttachmentDetailView.as_view(),
        name="activity-attachment-detail",
    ),
    path(
        f"assessments/{ID}/attachments/",
        views.AttachmentListView.as_view(parent_model=GoalAssessment),
        name="assessment-attachment-list",
    ),
    path(
        f"assessments/{ID}/attachments/<int:pk>/",
        views.AttachmentDetailView.as_view(parent_model=GoalAssessment),
        name="assessment-attachment-detail",
    ),
    path(
        "attachments/<int:pk>/download/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
