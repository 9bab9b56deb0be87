from django.urls import path

from bridge.clinical.views import groups, meds, notes, plans, policies, screens

app_name = "clinical"
P = "participants/<uuid:participant_id>/"
V = P + "plan/versions/<uuid:version_id>/"
urlpatterns = [
    # Treatment plan
    path(P + "plan/", plans.plan_overview, name="plan"),
    path(P + "plan/cadence/", plans.plan_policy, name="plan_policy"),
    path(P + "plan/revise/", plans.plan_revise, name="plan_revise"),
    path(P + "plan/review/", plans.plan_review, name="plan_review"),
    path(V, plans.plan_version, name="plan_version"),
    path(V + "problems/", plans.plan_problem_add, name="plan_problem_add"),
    path(V + "goals/", plans.plan_goal_add, name="plan_goal_add"),
    path(V + "objectives/", plans.plan_objective_add, name="plan_objective_add"),
    path(V + "interventions/", plans.plan_intervention_add, name="plan_intervention_add"),
    path(V + "remove/<slug:kind>/<uuid:item_id>/", plans.plan_item_remove, name="plan_item_remove"),
    path(V + "sign/", plans.plan_sign, name="plan_sign"),
    path(V + "participant-sign/", plans.plan_participant_sign, name="plan_participant_sign"),
    path(V + "sign-on-screen/", plans.plan_sign_request, name="plan_sign_request"),
    # Notes
    path(P + "notes/", notes.note_list, name="notes"),
    path(P + "notes/new/", notes.note_create, name="note_create"),
    path(P + "notes/<uuid:note_id>/", notes.note_detail, name="note"),
    path(P + "notes/<uuid:note_id>/sign/", notes.note_sign, name="note_sign"),
    path(P + "notes/<uuid:note_id>/cosign/", notes.note_cosign, name="note_cosign"),
    path(P + "notes/<uuid:note_id>/addendum/", notes.note_addendum, name="note_addendum"),
    path(P + "notes/<uuid:note_id>/error/", notes.note_error, name="note_error"),
    # Drug screens
    path(P + "screens/", screens.screen_list, name="screens"),
    path(P + "screens/new/", screens.screen_create, name="screen_create"),
    path(P + "screens/<uuid:screen_id>/", screens.screen_detail, name="screen"),
    path(
        P + "screens/<uuid:screen_id>/results/<uuid:result_id>/confirm/",
        screens.screen_confirm,
        name="screen_confirm",
    ),
    path(P + "screens/<uuid:screen_id>/error/", screens.screen_error, name="screen_error"),
    # Medication-assisted treatment
    path(P + "medications/", meds.meds_overview, name="meds"),
    path(P + "medications/new/", meds.order_create, name="order_create"),
    path(P + "medications/<uuid:order_id>/", meds.order_detail, name="order"),
    path(P + "medications/<uuid:order_id>/dose/", meds.order_dose, name="order_dose"),
    path(P + "medications/<uuid:order_id>/stop/", meds.order_stop, name="order_stop"),
    path(P + "medications/<uuid:order_id>/administer/", meds.order_administer, name="order_administer"),
    path(P + "medications/otp/", meds.otp_record, name="otp_record"),
    path(P + "medications/naloxone/", meds.naloxone_offer, name="naloxone_offer"),
    path("medications/pdmp/", policies.pdmp_setting, name="pdmp_setting"),
    path(P + "medications/otp/<uuid:enrollment_id>/note/", meds.otp_note, name="otp_note"),
    path(P + "medications/otp/<uuid:enrollment_id>/end/", meds.otp_end, name="otp_end"),
    # Group notes (not a participant resource: clinical/access.py)
    path("groups/", groups.group_list, name="groups"),
    path("groups/<uuid:session_id>/", groups.group_note, name="group"),
    path("groups/<uuid:session_id>/parts/<uuid:member_id>/", groups.group_entry, name="group_entry"),
    path("groups/<uuid:session_id>/sign/", groups.group_sign, name="group_sign"),
    path("groups/<uuid:session_id>/cosign/", groups.group_cosign, name="group_cosign"),
    path("groups/<uuid:session_id>/addendum/", groups.group_addendum, name="group_addendum"),
    path("groups/<uuid:session_id>/error/", groups.group_error, name="group_error"),
    # Program settings
    path("clinical/review-cadences/", policies.review_policies, name="review_policies"),
]
