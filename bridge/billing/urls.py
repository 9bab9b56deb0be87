from django.urls import path

from bridge.billing.views import participant

app_name = "billing"
P = "participants/<uuid:participant_id>/billing/"
urlpatterns = [
    path(P, participant.participant_billing, name="participant"),
    path(P + "coverage/new/", participant.coverage_add, name="coverage_add"),
    path(P + "coverage/<uuid:coverage_id>/", participant.coverage_edit, name="coverage_edit"),
    path(
        P + "coverage/<uuid:coverage_id>/eligibility/",
        participant.eligibility_check,
        name="eligibility_check",
    ),
    path(P + "authorizations/new/", participant.authorization_add, name="authorization_add"),
    path(
        P + "authorizations/<uuid:authorization_id>/review/", participant.review_record, name="review_record"
    ),
    path(P + "certifications/new/", participant.certification_add, name="certification_add"),
]
