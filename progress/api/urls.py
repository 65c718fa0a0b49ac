from django.urls import path

from progress.api import views

urlpatterns = [
    path("progress/", views.ProgressView.as_view(), name="progress"),
]
