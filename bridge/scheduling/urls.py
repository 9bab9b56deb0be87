from django.urls import path

from bridge.scheduling.views import attendance, calendar, conflicts, hours, series, setup, today, week

app_name = "scheduling"
P = "participants/<uuid:participant_id>/"
S = "schedule/sessions/<uuid:session_id>/"
G = "schedule/series/<uuid:series_id>/"
urlpatterns = [
    path("schedule/week/", week.week, name="week"),
    path("schedule/today/", today.today, name="today"),
    path("schedule/today/part/", today.today_part, name="today_part"),
    path("schedule/today/sessions/<uuid:session_id>/", today.today_session, name="today_session"),
    path("schedule/today/<uuid:attendance_id>/check-in/", today.check_in, name="today_checkin"),
    path("schedule/today/<uuid:attendance_id>/called/", today.call_note, name="today_call"),
    path("schedule/conflicts/", conflicts.conflicts_week, name="conflicts"),
    path("schedule/closures/", calendar.closures, name="closures"),
    path("schedule/setup/counting/", calendar.counting, name="counting"),
    # Attendance and sessions
    path(S + "attendance/", attendance.attendance, name="attendance"),
    path(S, series.session_detail, name="session"),
    path(S + "cancel/", series.session_cancel, name="session_cancel"),
    path(S + "move/", series.session_move, name="session_move"),
    path("schedule/sessions/new/", series.session_new, name="session_new"),
    # Group series: roster, waitlist, generated sessions
    path(G, series.series_detail, name="series"),
    path(G + "join/", series.series_join, name="series_join"),
    path(G + "members/<uuid:membership_id>/leave/", series.series_leave, name="series_leave"),
    path(G + "generate/", series.series_generate, name="series_generate"),
    # Hours ledger
    path("schedule/hours/", hours.hours_week, name="hours"),
    path("schedule/hours/ledger.csv", hours.hours_csv, name="hours_csv"),
    path("schedule/hours/attendance.csv", hours.attendance_csv, name="attendance_csv"),
    path(P + "hours/", hours.participant_hours, name="participant_hours"),
    path(P + "hours/exception/", hours.step_down_exception, name="step_down_exception"),
    # Program set-up (directors)
    path("schedule/setup/", setup.setup_home, name="setup"),
    path("schedule/setup/<slug:kind>/new/", setup.setup_create, name="setup_create"),
    path("schedule/setup/<slug:kind>/<uuid:object_id>/", setup.setup_edit, name="setup_edit"),
]
