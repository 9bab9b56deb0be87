"""Passkeys in the participant app (django-otp-webauthn's ceremony helper, the participant's account
in place of a staff user): the registration options need a signed-in participant, the sign-in options
are for anyone and name no account, states are used once, staff are refused, events are audited."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.portal.passkey_models import ParticipantPasskey
from bridge.portal.passkeys import user_handle

pytestmark = pytest.mark.django_db


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_registration_options_are_for_the_signed_in_participant_only(app_client, app_world):
    url = reverse("portal:passkey_register_begin")
    response = app_client.post(url)
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"name": "Bridge", "id": "testserver"}
    account = app_world.alex.portal_account
    assert options["user"]["id"] == _b64url(user_handle(account))
    # The phone's passkey list shows a first name, nothing about the program or the record.
    assert options["user"]["name"] == options["user"]["displayName"] == "Alex"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["excludeCredentials"] == [] and len(options["challenge"]) >= 43
    assert app_client.session["portal_passkey_register"]["challenge"] == options["challenge"]
    # Another account has another handle; the handle says nothing (not the account id).
    assert user_handle(app_world.blair.portal_account) != user_handle(account)
    assert str(account.pk).encode() not in user_handle(account)


def test_registration_needs_a_participant_signed_in_and_staff_are_refused(app_world, login):
    url = reverse("portal:passkey_register_begin")
    anonymous = Client().post(url)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    staff = login(app_world.therapist_a).post(url)
    assert staff.status_code == 403 and staff.json()["code"] == "staff"
    assert Client().get(url).status_code == 405


def test_completing_a_registration_without_its_options_or_with_junk_is_refused(app_client):
    url = reverse("portal:passkey_register_complete")
    response = app_client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_state"
    app_client.post(reverse("portal:passkey_register_begin"))
    junk = app_client.post(url, data=json.dumps({"id": "x", "rawId": "x"}), content_type="application/json")
    assert junk.status_code in (400, 422) and "detail" in junk.json()
    # The state was used once: a second try has none.
    again = app_client.post(url, data="{}", content_type="application/json")
    assert again.json()["code"] == "invalid_state"
    assert not ParticipantPasskey.objects.exists()


def test_sign_in_options_name_no_account_and_need_user_verification(client, app_world):
    response = client.post(reverse("portal:passkey_sign_in_begin"))
    assert response.status_code == 200
    options = response.json()
    assert options["rpId"] == "testserver" and options["userVerification"] == "required"
    assert options.get("allowCredentials", []) == []
    assert client.session["portal_passkey_sign_in"]["challenge"] == options["challenge"]


def test_an_unknown_passkey_does_not_sign_in_and_is_audited(client, app_world):
    client.post(reverse("portal:passkey_sign_in_begin"))
    fake = {
        "id": _b64url(b"nope"),
        "rawId": _b64url(b"nope"),
        "type": "public-key",
        "response": {
            "authenticatorData": _b64url(b"\x00" * 37),
            "clientDataJSON": _b64url(b"{}"),
            "signature": _b64url(b"\x00"),
        },
        "clientExtensionResults": {},
    }
    response = client.post(
        reverse("portal:passkey_sign_in_complete"), data=json.dumps(fake), content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["code"] == "credential_not_found"
    assert "portal_account" not in client.session
    assert AuditEvent.objects.filter(
        action="login_failed", object_type="portal_account", detail__reason="passkey not recognised"
    ).exists()
    # Without sign-in options first there is nothing to answer.
    again = client.post(
        reverse("portal:passkey_sign_in_complete"), data=json.dumps(fake), content_type="application/json"
    )
    assert again.status_code == 400 and again.json()["code"] == "invalid_state"


def test_the_sign_in_endpoints_refuse_staff(app_world, login):
    staff = login(app_world.therapist_a)
    assert staff.post(reverse("portal:passkey_sign_in_begin")).status_code == 403


def test_a_participant_removes_only_their_own_passkey(app_client, app_world):
    blairs = ParticipantPasskey.objects.create(
        account=app_world.blair.portal_account,
        credential_id=b"blair",
        credential_id_sha256=ParticipantPasskey.hash_of(b"blair"),
        public_key=b"k",
    )
    assert app_client.post(reverse("portal:passkey_remove", args=[blairs.pk])).status_code == 404
    alexs = ParticipantPasskey.objects.create(
        account=app_world.alex.portal_account,
        credential_id=b"alex",
        credential_id_sha256=ParticipantPasskey.hash_of(b"alex"),
        public_key=b"k",
    )
    page = app_client.get(reverse("portal:account")).content.decode()
    assert "Add a passkey" in page and reverse("portal:passkey_remove", args=[alexs.pk]) in page
    response = app_client.post(reverse("portal:passkey_remove", args=[alexs.pk]))
    assert response.status_code == 302
    assert list(ParticipantPasskey.objects.all()) == [blairs]
    assert AuditEvent.objects.filter(
        action="update", object_type="portal_passkey", object_id=str(alexs.pk), actor_label="participant app"
    ).exists()
    # Registration options now exclude what they still have (nothing) and never Blair's.
    options = app_client.post(reverse("portal:passkey_register_begin")).json()
    assert options["excludeCredentials"] == []


# --- i19a: a passkey that does not verify counts toward the same lockout as a wrong code ---------------


def _passkey_answer(client, raw_id: bytes) -> dict:
    """A sign-in answer naming a stored passkey, for the challenge just given, whose signature is junk."""
    options = client.post(reverse("portal:passkey_sign_in_begin")).json()
    client_data = json.dumps(
        {"type": "webauthn.get", "challenge": options["challenge"], "origin": "http://testserver"}
    ).encode()
    import hashlib

    authenticator_data = hashlib.sha256(b"testserver").digest() + b"\x05" + b"\x00\x00\x00\x01"
    return {
        "id": _b64url(raw_id),
        "rawId": _b64url(raw_id),
        "type": "public-key",
        "response": {
            "authenticatorData": _b64url(authenticator_data),
            "clientDataJSON": _b64url(client_data),
            "signature": _b64url(b"\x30\x00"),
        },
        "clientExtensionResults": {},
    }


def _try_passkey(client, raw_id: bytes = b"alex-key"):
    return client.post(
        reverse("portal:passkey_sign_in_complete"),
        data=json.dumps(_passkey_answer(client, raw_id)),
        content_type="application/json",
    )


def test_failed_passkey_sign_ins_count_toward_the_code_lockout(app_world, client, settings):
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.tests.conftest import ask_code

    settings.AXES_FAILURE_LIMIT = 5
    account = app_world.alex.portal_account
    ParticipantPasskey.objects.create(
        account=account,
        credential_id=b"alex-key",
        credential_id_sha256=ParticipantPasskey.hash_of(b"alex-key"),
        public_key=b"not a key",
    )
    # Three wrong codes, then two passkey answers that do not verify: the fifth failure locks.
    ask_code(client)
    for _ in range(3):
        assert client.post(reverse("portal:code"), {"code": "000000"}).status_code == 400
    assert ParticipantAccount.objects.get(pk=account.pk).failed_codes == 3
    first = _try_passkey(client)
    assert first.status_code in (400, 422) and "portal_account" not in client.session
    assert ParticipantAccount.objects.get(pk=account.pk).failed_codes == 4
    second = _try_passkey(client)
    assert second.status_code == 403 and "Too many sign-in tries" in second.json()["detail"]
    locked = ParticipantAccount.objects.get(pk=account.pk)
    assert locked.is_locked() and locked.failed_codes == 0
    events = AuditEvent.objects.filter(participant=app_world.alex, detail__with="passkey")
    assert [e.action for e in events.order_by("seq")] == ["login_failed", "login_locked"]
    # Locked: a passkey answer is refused without being checked, and so is a right code.
    assert _try_passkey(client).status_code == 403
    assert ParticipantAccount.objects.get(pk=account.pk).is_locked()
    from bridge.portal.tests.conftest import last_code

    ask_code(client)
    response = client.post(reverse("portal:code"), {"code": last_code()})
    assert response.status_code == 400 and b"Too many wrong codes" in response.content
    assert "portal_account" not in client.session


def test_a_good_code_sign_in_starts_the_shared_count_again(app_world, client):
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.tests.conftest import sign_in

    account = app_world.alex.portal_account
    ParticipantPasskey.objects.create(
        account=account,
        credential_id=b"alex-key",
        credential_id_sha256=ParticipantPasskey.hash_of(b"alex-key"),
        public_key=b"not a key",
    )
    _try_passkey(client)
    _try_passkey(client)
    assert ParticipantAccount.objects.get(pk=account.pk).failed_codes == 2
    sign_in(client)
    assert ParticipantAccount.objects.get(pk=account.pk).failed_codes == 0
