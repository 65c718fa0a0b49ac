from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("calendar/", views.CalendarLinkView.as_view(), name="calendar_link"),
    path("calendar.ics", views.calendar_feed, name="calendar_feed"),
]
