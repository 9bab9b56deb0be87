from django.urls import path

from bridge.scheduling.views import attendance, hours

app_name = "scheduling"
P = "participants/<uuid:participant_id>/"
urlpatterns = [
    path("schedule/sessions/<uuid:session_id>/attendance/", attendance.attendance, name="attendance"),
    path("schedule/hours/", hours.hours_week, name="hours"),
    path("schedule/hours/ledger.csv", hours.hours_csv, name="hours_csv"),
    path("schedule/hours/attendance.csv", hours.attendance_csv, name="attendance_csv"),
    path(P + "hours/", hours.participant_hours, name="participant_hours"),
    path(P + "hours/exception/", hours.step_down_exception, name="step_down_exception"),
]
