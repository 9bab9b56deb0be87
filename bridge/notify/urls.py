from django.urls import path

from bridge.notify import views

app_name = "notify"
urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path(
        "participants/<uuid:participant_id>/calendar/",
        views.participant_calendar,
        name="participant_calendar",
    ),
    path(
        "participants/<uuid:participant_id>/calendar/new-link/",
        views.participant_feed_create,
        name="participant_feed_create",
    ),
    path(
        "participants/<uuid:participant_id>/calendar/revoke/",
        views.participant_feed_revoke,
        name="participant_feed_revoke",
    ),
    path(
        "participants/<uuid:participant_id>/calendar/reminders/",
        views.participant_reminders,
        name="participant_reminders",
    ),
    path("me/calendar/", views.my_calendar, name="my_calendar"),
    path("me/calendar/new-link/", views.my_feed_create, name="my_feed_create"),
    path("me/calendar/revoke/", views.my_feed_revoke, name="my_feed_revoke"),
]
