from django.urls import path

from bridge.measures import public_views, views

app_name = "measures"
P = "participants/<uuid:participant_id>/measures/"
urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "give/<str:code>/", views.give, name="give"),
    path(P + "links/", views.link_create, name="link_create"),
    path(P + "links/<uuid:link_id>/revoke/", views.link_revoke, name="link_revoke"),
    path(P + "alerts/<uuid:administration_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path(P + "results/<uuid:administration_id>/error/", views.mark_error, name="mark_error"),
    path(P + "schedule/", views.participant_schedule, name="participant_schedule"),
    path("measures/schedule/", views.program_schedule, name="program_schedule"),
    # Public: the participant's private, single-use link (token-authenticated).
    path("m/<str:token>/", public_views.respond, name="respond"),
]
