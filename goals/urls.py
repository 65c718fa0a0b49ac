from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("goals/", views.GoalListView.as_view(), name="list"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="detail"),
]
