"""The change calendar under /changes/calendar/ (included by changes.urls, in its "changes" namespace)."""

from django.urls import path

from changes import views_calendar

urlpatterns = [
    path("", views_calendar.calendar, name="calendar"),
    path("feed/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
]
