from django.urls import path

from feeds.api import IATIView

urlpatterns = [path("iati/", IATIView.as_view(), name="iati")]
