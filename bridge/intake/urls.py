from django.urls import path

from bridge.intake import public_views, views

app_name = "intake"
P = "participants/<uuid:participant_id>/intake/"
S = P + "<uuid:screening_id>/"
urlpatterns = [
    path("intake/", views.intake_queue, name="queue"),
    path("intake/new/", views.caller_new, name="new"),
    path("programs/<uuid:program_id>/intake-settings/", views.intake_settings, name="settings"),
    path("programs/<uuid:program_id>/criteria-edition/", views.criteria_edition, name="criteria_edition"),
    path(P, views.screening_hub, name="screening"),
    path(
        P + "administrations/<uuid:administration_id>/error/",
        views.administration_error,
        name="administration_error",
    ),
    path(S + "details/", views.screening_details, name="details"),
    path(S + "situation/", views.screening_situation, name="situation"),
    path(S + "instruments/<str:code>/", views.instrument_give, name="instrument"),
    path(S + "instruments/<str:code>/preview/", views.instrument_preview, name="instrument_preview"),
    path(S + "placement/", views.screening_placement, name="placement"),
    path(S + "decision/", views.screening_decide, name="decide"),
    path(S + "admit/", views.screening_admit, name="admit"),
    path(S + "refer/", views.screening_refer, name="refer"),
    path(S + "withdrawal-complete/", views.withdrawal_management_complete, name="wm_complete"),
    path(S + "hand-to-prescriber/", views.screening_handoff, name="handoff"),
    # Public, no login.
    path("self-check/", public_views.self_check_choose, name="self_check_choose"),
    path("self-check/<uuid:program_id>/", public_views.self_check, name="self_check"),
    path("self-check/<uuid:program_id>/call-back/", public_views.callback, name="callback"),
]
