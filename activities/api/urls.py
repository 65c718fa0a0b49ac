from rest_framework.routers import SimpleRouter

from activities.api import views

router = SimpleRouter()
router.register("allies", views.AllyViewSet, basename="ally")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("activities", views.ActivityViewSet, basename="activity")

urlpatterns = router.urls
