from django.urls import path

from goals import stocktake_views

app_name = "goals"

urlpatterns = [
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
