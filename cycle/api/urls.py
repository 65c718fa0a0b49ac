from django.urls import path
from rest_framework.routers import SimpleRouter

from cycle.api import views

router = SimpleRouter()
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")

urlpatterns = [
    *router.urls,
    path("attention/", views.AttentionView.as_view(), name="attention"),
]
