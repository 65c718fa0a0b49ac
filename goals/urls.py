from django.urls import path

from goals import stocktake_views, views

app_name = "goals"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("goals/", views.GoalListView.as_view(), name="list"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="detail"),
    path("stocktakes/", stocktake_views.StockTakeListView.as_view(), name="stocktakes"),
    path(
        "stocktakes/new/",
        stocktake_views.StockTakeCreateView.as_view(),
        name="stocktake_create",
    ),
    path("stocktakes/<int:pk>/", stocktake_views.StockTakeDetailView.as_view(), name="stocktake"),
    path(
        "stocktakes/<int:pk>/goals/<int:goal_pk>/",
        stocktake_views.RateGoalView.as_view(),
        name="stocktake_rate",
    ),
    path(
        "stocktakes/<int:pk>/close/",
        stocktake_views.CloseStockTakeView.as_view(),
        name="stocktake_close",
    ),
]
