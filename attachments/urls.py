from django.urls import path

from activities.models import Activity
from attachments import views
from goals.models import GoalAssessment

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("activity/<int:pk>/add/", views.upload_view(Activity), name="add_to_activity"),
    path("assessment/<int:pk>/add/", views.upload_view(GoalAssessment), name="add_to_assessment"),
]
