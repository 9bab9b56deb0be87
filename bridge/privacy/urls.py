from django.urls import path

from bridge.privacy.views import consents, disclosures, emergency, recipients, review

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
    path(P + "disclosures/", disclosures.disclosure_list, name="disclosure_list"),
    path(P + "disclosures/new/", disclosures.disclosure_create, name="disclosure_create"),
    path(DISCLOSURE, disclosures.disclosure_detail, name="disclosure_detail"),
    path(DISCLOSURE + "package.pdf", disclosures.disclosure_pdf, name="disclosure_pdf"),
    path(DISCLOSURE + "bundle.json", disclosures.disclosure_bundle, name="disclosure_bundle"),
    path(P + "accounting/", disclosures.accounting, name="accounting"),
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
