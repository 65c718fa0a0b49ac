from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("export.csv", views.ActivityExportView.as_view(), name="export"),
    path("new/", views.ActivityCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="delete"),
    path("<int:pk>/submit/", views.ActivityReviewView.as_view(action="submit"), name="submit"),
    path("<int:pk>/approve/", views.ActivityReviewView.as_view(action="approve"), name="approve"),
    path("<int:pk>/return/", views.ActivityReviewView.as_view(action="return"), name="return"),
    path("deleted/", views.DeletedActivityListView.as_view(), name="deleted"),
    path("deleted/<int:pk>/restore/", views.ActivityRestoreView.as_view(), name="restore"),
]
