from django.urls import path

from bridge.aftercare import program_views, public_views, views

app_name = "aftercare"
P = "participants/<uuid:participant_id>/aftercare/"
S = P + "summaries/<uuid:summary_id>/"
urlpatterns = [
    path(P, views.hub, name="hub"),
    path(P + "discharge/", views.discharge_new, name="discharge"),
    path(S, views.summary_detail, name="summary"),
    path(S + "sign/", views.summary_sign, name="summary_sign"),
    path(S + "refresh/", views.summary_refresh, name="summary_refresh"),
    path(S + "addendum/", views.summary_addendum, name="summary_addendum"),
    path(S + "print/", views.summary_print, name="summary_print"),
    path(S + "pdf/", views.summary_download, name="summary_pdf"),
    path(P + "plan/", views.plan_detail, name="plan"),
    path(P + "plan/edit/", views.plan_edit, name="plan_edit"),
    path(P + "plan/print/", views.plan_print, name="plan_print"),
    path(P + "plan/versions/<int:number>/", views.plan_version, name="plan_version"),
    path(P + "plan/link/", views.plan_link_create, name="plan_link_create"),
    path(P + "plan/link/revoke/", views.plan_link_revoke, name="plan_link_revoke"),
    path(P + "plan/sign/", views.plan_sign_request, name="plan_sign_request"),
    path(P + "taper/", views.taper_new, name="taper"),
    path(P + "step-up/", views.step_up, name="step_up"),
    path(P + "alumni/", views.alumni_enroll, name="alumni_enroll"),
    path(P + "alumni/opt-out/", views.alumni_opt_out, name="alumni_opt_out"),
    path(P + "check-ins/<uuid:checkin_id>/", views.checkin_record, name="checkin"),
    path(P + "outreach/<uuid:item_id>/", views.outreach_record, name="outreach"),
    path("aftercare/outcomes/", program_views.outcomes_report, name="outcomes"),
    path("aftercare/outcomes.csv", program_views.outcomes_csv, name="outcomes_csv"),
    path("aftercare/settings/", program_views.aftercare_settings, name="settings"),
    path("aftercare/alumni-events/", program_views.alumni_events, name="alumni_events"),
    # Public, authenticated by the private token in the URL (only its hash is stored).
    path("my-plan/<str:token>/", public_views.public_plan, name="public_plan"),
    path("check-in/<str:token>/", public_views.public_checkin, name="public_checkin"),
]
