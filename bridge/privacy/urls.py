from django.urls import path

from bridge.privacy.views import (
    access_requests,
    breaches,
    complaints,
    consents,
    disclosures,
    emergency,
    notices,
    recipients,
    restrictions,
    review,
    sign,
)

app_name = "privacy"

P = "participants/<uuid:participant_id>/"
CONSENT = P + "consents/<uuid:consent_id>/"
DISCLOSURE = P + "disclosures/<uuid:disclosure_id>/"

urlpatterns = [
    # A participant's consents, disclosures and accounting (access: participants/access.py).
    path(P + "consents/", consents.consent_list, name="consent_list"),
    path(P + "consents/new/<str:consent_type>/", consents.consent_create, name="consent_create"),
    path(CONSENT, consents.consent_detail, name="consent_detail"),
    path(CONSENT + "print/", consents.consent_print, name="consent_print"),
    path(CONSENT + "consent.pdf", consents.consent_pdf, name="consent_pdf"),
    path(CONSENT + "revoke/", consents.consent_revoke, name="consent_revoke"),
    path(CONSENT + "end/", consents.consent_end, name="consent_end"),
    path(CONSENT + "scan/", consents.consent_scan, name="consent_scan"),
    path(CONSENT + "scan/file/", consents.consent_scan_file, name="consent_scan_file"),
    # Public, authenticated by the private token in the URL (only its hash is stored).
    path("sign/<str:token>/", sign.sign, name="sign"),
    path(P + "disclosures/", disclosures.disclosure_list, name="disclosure_list"),
    path(P + "disclosures/new/", disclosures.disclosure_create, name="disclosure_create"),
    path(DISCLOSURE, disclosures.disclosure_detail, name="disclosure_detail"),
    path(DISCLOSURE + "package.pdf", disclosures.disclosure_pdf, name="disclosure_pdf"),
    path(DISCLOSURE + "bundle.json", disclosures.disclosure_bundle, name="disclosure_bundle"),
    path(DISCLOSURE + "document/", disclosures.disclosure_document, name="disclosure_document"),
    path(P + "accounting/", disclosures.accounting, name="accounting"),
    path(P + "restrictions/", restrictions.restriction_list, name="restriction_list"),
    path(P + "privacy-notice/", notices.notice_chart, name="notice_chart"),
    path(P + "privacy-notice/sign/", notices.notice_sign_request, name="notice_sign_request"),
    path(P + "access-requests/", access_requests.access_request_list, name="access_request_list"),
    path(
        P + "access-requests/<uuid:request_id>/",
        access_requests.access_request_detail,
        name="access_request_detail",
    ),
    path(
        P + "access-requests/<uuid:request_id>/copy.<str:fmt>",
        access_requests.access_request_file,
        name="access_request_file",
    ),
    path("privacy/notices/", notices.notice_list, name="notice_list"),
    path("privacy/compliance/", notices.compliance, name="compliance"),
    path("privacy/breaches/", breaches.breach_list, name="breach_list"),
    path("privacy/complaints/", complaints.complaint_list, name="complaint_list"),
    path("privacy/complaints/<uuid:complaint_id>/close/", complaints.complaint_close, name="complaint_close"),
    path("privacy/breaches/<uuid:incident_id>/", breaches.breach_detail, name="breach_detail"),
    # Public: the program's notice of privacy practices and how to complain.
    path("privacy-notice/<uuid:program_id>/", notices.public_notice, name="public_notice"),
    path(
        P + "restrictions/<uuid:restriction_id>/decide/",
        restrictions.restriction_decide,
        name="restriction_decide",
    ),
    path(P + "restrictions/<uuid:restriction_id>/end/", restrictions.restriction_end, name="restriction_end"),
    path(P + "accounting.pdf", disclosures.accounting_pdf, name="accounting_pdf"),
    # Break the glass.
    path(P + "emergency-access/", emergency.emergency_access, name="emergency_access"),
    path(P + "emergency-access/<uuid:grant_id>/end/", emergency.emergency_access_end, name="emergency_end"),
    path(P + "emergency-access/<uuid:grant_id>/review/", emergency.emergency_review, name="emergency_review"),
    path("privacy/emergency-access/", emergency.emergency_review_list, name="emergency_review_list"),
    # The program's recipients.
    path("privacy/recipients/", recipients.recipient_list, name="recipient_list"),
    path("privacy/recipients/<uuid:recipient_id>/", recipients.recipient_edit, name="recipient_edit"),
    # Access review for auditors.
    path("audit/access-review/", review.review_home, name="review_home"),
    path("audit/access-review/chart/", review.review_chart, name="review_chart"),
    path("audit/access-review/user/", review.review_user, name="review_user"),
    path("audit/access-review/emergency-access/", review.review_emergency, name="review_emergency"),
    path("audit/access-review/disclosures/", review.review_disclosures, name="review_disclosures"),
]
