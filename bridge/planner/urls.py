from django.urls import path

from bridge.planner import views

app_name = "planner"
urlpatterns = [
    path("schedule/", views.schedule_home, name="home"),
    path("schedule/preview/", views.schedule_preview, name="preview"),
    path("schedule/runs/<uuid:run_id>/", views.run_detail, name="run"),
    path("schedule/runs/<uuid:run_id>/commit/", views.run_commit, name="run_commit"),
    path("schedule/runs/<uuid:run_id>/discard/", views.run_discard, name="run_discard"),
    path("schedule/runs/<uuid:run_id>/top-up/", views.run_top_up, name="run_top_up"),
    path("schedule/rules/", views.rules_list, name="rules"),
    path("schedule/rules/new/", views.rule_create, name="rule_create"),
    path("schedule/rules/<uuid:rule_id>/", views.rule_edit, name="rule_edit"),
    path("participants/<uuid:participant_id>/availability/", views.availability, name="availability"),
    path(
        "participants/<uuid:participant_id>/availability/add/",
        views.availability_add,
        name="availability_add",
    ),
    path(
        "participants/<uuid:participant_id>/availability/<uuid:block_id>/remove/",
        views.availability_remove,
        name="availability_remove",
    ),
    path(
        "participants/<uuid:participant_id>/availability/needs/<uuid:rule_id>/",
        views.requirement_set,
        name="requirement_set",
    ),
    path("staff/<uuid:user_id>/hours/", views.clinician_hours, name="clinician_hours"),
    path("staff/<uuid:user_id>/hours/add/", views.clinician_hours_add, name="clinician_hours_add"),
    path(
        "staff/<uuid:user_id>/hours/<uuid:row_id>/remove/",
        views.clinician_hours_remove,
        name="clinician_hours_remove",
    ),
    path("me/hours/", views.my_hours, name="my_hours"),
]
