from django.urls import path

from bridge.participants import views

app_name = "participants"
urlpatterns = [
    path("participants/", views.participant_list, name="list"),
    path("participants/new/", views.participant_create, name="create"),
    path("participants/<uuid:participant_id>/", views.participant_detail, name="detail"),
    path(
        "participants/<uuid:participant_id>/sections/<slug:key>/", views.participant_section, name="section"
    ),
    path("participants/<uuid:participant_id>/edit/", views.participant_edit, name="edit"),
    path("participants/<uuid:participant_id>/hold/", views.participant_hold, name="hold"),
    path("participants/<uuid:participant_id>/resume/", views.participant_resume, name="resume"),
    path("participants/<uuid:participant_id>/care-team/", views.care_team, name="care_team"),
    path("participants/<uuid:participant_id>/care-team/add/", views.care_team_add, name="care_team_add"),
    path(
        "participants/<uuid:participant_id>/care-team/<uuid:member_id>/end/",
        views.care_team_end,
        name="care_team_end",
    ),
]
