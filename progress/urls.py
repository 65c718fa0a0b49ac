from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("goals/", views.GoalListView.as_view(), name="goal_list"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="goal_detail"),
]
