from django.urls import path

from bridge.billing.views import participant, program, selfpay

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

urlpatterns += [
    path("billing/", program.dashboard, name="dashboard"),
    path("billing/held/", program.held_list, name="held"),
    path("billing/charges/build/", program.charges_run, name="charges_run"),
    path("billing/charges/<uuid:charge_id>/void/", program.charge_void, name="charge_void"),
    path("billing/claims/", program.claim_list, name="claims"),
    path("billing/claims/build/", program.claims_run, name="claims_run"),
    path("billing/claims/<uuid:claim_id>/", program.claim_detail, name="claim"),
    path("billing/claims/<uuid:claim_id>/cms1500.pdf", program.claim_pdf, name="claim_pdf"),
    path("billing/remittances/", program.remit_upload, name="remit_upload"),
    path("billing/acknowledgements/", program.ack_upload, name="ack_upload"),
    path("billing/eligibility/", program.eligibility_upload, name="eligibility_upload"),
    path("billing/denials/", program.denial_list, name="denials"),
    path("billing/denials/<uuid:denial_id>/resolve/", program.denial_resolve_view, name="denial_resolve"),
    path("billing/authorizations/", program.authorization_list, name="authorizations"),
    path("billing/certifications.csv", program.certifications_csv, name="certifications_csv"),
]

# i17s: self-pay (sliding-fee scale, household income, payments, good-faith estimates, statements)
urlpatterns += [
    path(P + "self-pay/", selfpay.self_pay, name="self_pay"),
    path(P + "self-pay/income/", selfpay.income_add, name="income_add"),
    path(P + "self-pay/payments/", selfpay.payment_add, name="payment_add"),
    path(P + "self-pay/payments/<uuid:payment_id>/reverse/", selfpay.payment_reverse, name="payment_reverse"),
    path(P + "self-pay/estimates/new/", selfpay.estimate_new, name="estimate_new"),
    path(P + "self-pay/estimates/<uuid:estimate_id>.pdf", selfpay.estimate_pdf, name="estimate_pdf"),
    path(P + "self-pay/statements/<int:year>-<int:month>.pdf", selfpay.statement_pdf, name="statement_pdf"),
    path("billing/sliding-fee/", selfpay.sliding_fee, name="sliding_fee"),
]
