from django.urls import path

from bridge.scheduling.views import attendance

app_name = "scheduling"
urlpatterns = [
    path("schedule/sessions/<uuid:session_id>/attendance/", attendance.attendance, name="attendance"),
]
