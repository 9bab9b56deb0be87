from django.urls import path

from bridge.portal import app_views, message_views, progress_views, rights_views, staff_views, views

app_name = "portal"
# Under /me/, beside three staff pages that were there first (me/calendar/, me/hours/, me/alerts/).
urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/sign-in/", views.sign_in, name="sign_in"),
    path("me/sign-in/code/", views.code, name="code"),
    path("me/sign-out/", views.sign_out, name="sign_out"),
    path("me/sign-out/everywhere/", views.sign_out_all, name="sign_out_all"),
    path("me/sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("me/sessions/<uuid:session_id>/check-in/", views.check_in, name="check_in"),
    path("me/sessions/<uuid:session_id>/reschedule/", views.reschedule, name="reschedule"),
    path("me/sessions/<uuid:session_id>/excused/", views.excused, name="excused"),
    path("me/questions/", views.questionnaires, name="questionnaires"),
    path("me/questions/<uuid:link_id>/", views.questionnaire, name="questionnaire"),
    path("me/help/", views.help_page, name="help"),
    path("me/account/", views.account_page, name="account"),
    path("me/privacy/", views.privacy, name="privacy"),
    path("me/consents/", rights_views.consents, name="consents"),
    path("me/consents/<uuid:consent_id>/revoke/", rights_views.consent_revoke, name="consent_revoke"),
    path("me/disclosures/", rights_views.disclosures, name="disclosures"),
    path("me/copy/", rights_views.copy, name="copy"),
    path("me/events/", rights_views.events, name="events"),
    path("me/events/<uuid:session_id>/rsvp/", rights_views.rsvp, name="rsvp"),
    path("me/apps/", app_views.apps, name="apps"),
    path("me/apps/<uuid:grant_id>/revoke/", app_views.app_revoke, name="app_revoke"),
    # SMART App Launch: the authorization endpoint, where a participant lets an app read their records.
    path("oauth/authorize", app_views.authorize, name="authorize"),
    path("me/language/", views.language, name="language"),
    path("me/manifest.webmanifest", views.manifest, name="manifest"),
    path("me/sw.js", views.service_worker, name="service_worker"),
    # Staff: turn a participant's app on or off.
    path("participants/<uuid:participant_id>/app/", staff_views.staff_account, name="staff_account"),
    path(
        "participants/<uuid:participant_id>/app/open/",
        staff_views.staff_account_open,
        name="staff_account_open",
    ),
    path(
        "participants/<uuid:participant_id>/app/close/",
        staff_views.staff_account_close,
        name="staff_account_close",
    ),
    # i19m: messages with the care team, "let my peer know", progress.
    path("me/messages/", message_views.participant_messages, name="messages"),
    path("me/help/peer/", message_views.help_peer, name="help_peer"),
    path("me/progress/", progress_views.progress, name="progress"),
    path("participants/<uuid:participant_id>/messages/", message_views.staff_messages, name="staff_messages"),
    path(
        "participants/<uuid:participant_id>/messages/latest/",
        message_views.staff_messages_latest,
        name="staff_messages_latest",
    ),
]

# i19p: documents to sign and signed, the notice, the copy of their records; passkeys.
from bridge.portal import documents_views  # noqa: E402

urlpatterns += [
    path("me/documents/", documents_views.document_list, name="documents"),
    path("me/documents/notice/", documents_views.notice, name="notice"),
    path("me/documents/<uuid:signature_id>/", documents_views.document_detail, name="document"),
    path("me/documents/<uuid:signature_id>/signed.pdf", documents_views.document_pdf, name="document_pdf"),
    path("me/copy/<uuid:request_id>/records.<str:fmt>", documents_views.copy_file, name="copy_file"),
]

from bridge.portal import passkey_views  # noqa: E402

urlpatterns += [
    path("me/passkeys/register/begin/", passkey_views.register_begin, name="passkey_register_begin"),
    path("me/passkeys/register/complete/", passkey_views.register_complete, name="passkey_register_complete"),
    path("me/passkeys/sign-in/begin/", passkey_views.sign_in_begin, name="passkey_sign_in_begin"),
    path("me/passkeys/sign-in/complete/", passkey_views.sign_in_complete, name="passkey_sign_in_complete"),
    path("me/passkeys/<uuid:passkey_id>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path("me/passkeys/jsi18n/", passkey_views.passkey_catalog, name="passkey_catalog"),
]

# i19a: the director's settings of the participants' app.
urlpatterns += [
    path("programs/<uuid:program_id>/app-settings/", staff_views.app_settings, name="app_settings"),
]

# i19a: aftercare check-ins answered in the app.
from bridge.portal import checkin_views  # noqa: E402

urlpatterns += [
    path("me/check-ins/<uuid:checkin_id>/", checkin_views.checkin, name="checkin"),
]

# i19n: the signed notes the program releases to its participants (none by default).
from bridge.portal import notes_views  # noqa: E402

urlpatterns += [
    path("me/notes/", notes_views.note_list, name="notes"),
    path("me/notes/<uuid:note_id>/", notes_views.note_detail, name="note"),
]

# i17b: a self-pay participant's balance, statements and good-faith estimates.
from bridge.portal import bills_views  # noqa: E402

urlpatterns += [
    path("me/bills/", bills_views.bills, name="bills"),
    path("me/bills/statements/<int:year>-<int:month>.pdf", bills_views.statement_pdf, name="bill_statement"),
    path("me/bills/estimates/<uuid:estimate_id>.pdf", bills_views.estimate_pdf, name="bill_estimate"),
]
