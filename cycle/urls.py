from django.urls import path

from cycle import views

app_name = "cycle"

urlpatterns = [
    path("attention/", views.AttentionPageView.as_view(), name="attention"),
    path("me/", views.MyWorkView.as_view(), name="my_work"),
    path(
        "activities/<int:activity_id>/follow-ups/new/",
        views.FollowUpCreateView.as_view(),
        name="follow_up_create",
    ),
    path("follow-ups/<int:pk>/edit/", views.FollowUpUpdateView.as_view(), name="follow_up_update"),
    path("follow-ups/<int:pk>/done/", views.FollowUpDoneView.as_view(), name="follow_up_done"),
]
