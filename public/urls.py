from django.urls import path

from public import views

app_name = "public"

urlpatterns = [
    path("", views.progress_page, name="index"),
    path("<int:pk>/", views.progress_page, name="programme"),
]
