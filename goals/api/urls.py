from rest_framework.routers import SimpleRouter

from goals.api import views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("objectives", views.StrategicObjectiveViewSet, basename="objective")
router.register("priority-issues", views.PriorityIssueViewSet, basename="priority-issue")
router.register("goals", views.PartnershipGoalViewSet, basename="goal")
router.register("assessments", views.GoalAssessmentViewSet, basename="assessment")

urlpatterns = router.urls
