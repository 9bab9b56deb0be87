"""Sign-in, lockout, two-factor and session limits."""

from __future__ import annotations

import time as _time

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridge.accounts.models import User
from bridge.audit.models import AuditEvent
from bridge.testing.personas import PASSWORD

LOGIN = "/accounts/login/"


def _post_login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_passwords_are_hashed_with_argon2id(world):
    assert User.objects.get(username="director").password.startswith("argon2$argon2id$")


def test_sign_in_rotates_the_session_key_and_is_audited(world, client):
    client.get(LOGIN)
    before = client.session.session_key
    response = _post_login(client, "therapist_a")
    assert response.status_code == 302
    assert client.session.session_key != before
    event = AuditEvent.objects.filter(action="login").latest("seq")
    assert event.actor == world.therapist_a and event.outcome == "success" and event.client_ip == "127.0.0.1"


def test_failed_sign_in_is_audited_and_says_nothing_about_the_account(world, client):
    wrong_password = _post_login(client, "therapist_a", "not the password")
    no_such_user = _post_login(client, "nobody_here", "not the password")
    assert wrong_password.status_code == no_such_user.status_code == 200
    assert b"do not match" in wrong_password.content and b"do not match" in no_such_user.content
    failed = AuditEvent.objects.filter(action="login_failed").order_by("seq")
    assert [e.detail["username"] for e in failed] == ["therapist_a", "nobody_here"]
    assert all(e.outcome == "denied" for e in failed)


@pytest.mark.parametrize("username", ["therapist_a", "ghost_account"])
def test_lockout_after_five_failures_reveals_nothing(world, client, username):
    for _ in range(4):
        assert _post_login(client, username, "wrong").status_code == 200
    locked = _post_login(client, username, "wrong")
    assert locked.status_code == 429
    assert b"Sign-in is paused" in locked.content
    # Even the right password is refused while locked.
    again = _post_login(client, username, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_locked").exists()


def test_locked_response_is_identical_for_real_and_unknown_accounts(world, client):
    import re

    bodies = []
    for username in ("therapist_a", "ghost_account"):
        for _ in range(5):
            response = _post_login(client, username, "wrong")
        bodies.append(re.sub(rb'value="[^"]{30,}"|"X-CSRFToken": "[^"]+"', b"", response.content))
        assert response.status_code == 429
    assert bodies[0] == bodies[1]


def test_idle_session_ends_after_15_minutes(world, client):
    with time_machine.travel("2026-11-26 09:00 -08:00", tick=False) as traveller:
        _post_login(client, "therapist_a")
        assert client.get("/").status_code == 200
        traveller.shift(14 * 60)
        assert client.get("/").status_code == 200  # activity resets the idle clock
        traveller.shift(16 * 60)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.filter(action="session_expired", detail__reason="idle").exists()


@pytest.mark.parametrize(("minutes", "said"), [(15, "15 minutes"), (10, "10 minutes"), (1, "1 minute")])
def test_the_sign_in_page_says_the_programs_own_idle_limit(world, client, settings, minutes, said):
    settings.BRIDGE_IDLE_MINUTES = minutes
    with time_machine.travel("2026-11-26 09:00 -08:00", tick=False) as traveller:
        _post_login(client, "therapist_a")
        traveller.shift(minutes * 60 + 5)
        page = client.get("/", follow=True)
    assert f"You were signed out after {said} without activity.".encode() in page.content


def test_session_ends_after_12_hours_even_when_active(world, client):
    with time_machine.travel("2026-11-26 08:00 -08:00", tick=False) as traveller:
        _post_login(client, "therapist_a")
        for _ in range(12 * 6 + 1):  # every 10 minutes, until just past 12 hours
            traveller.shift(10 * 60)
            response = client.get("/")
        assert response.status_code == 302
    assert AuditEvent.objects.filter(action="session_expired", detail__reason="absolute").exists()


def test_sign_out_ends_the_server_session(world, client):
    _post_login(client, "therapist_a")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="logout", actor=world.therapist_a).exists()


def test_deactivation_ends_every_session_at_once(world, client, django_user_model):
    from django.test import Client

    other = Client()
    _post_login(client, "therapist_b")
    _post_login(other, "therapist_b")
    assert client.get("/").status_code == 200
    director = Client()
    director.force_login(world.director)
    response = director.post(reverse("accounts:staff_deactivate", args=[world.therapist_b.pk]))
    assert response.status_code == 302
    for c in (client, other):
        assert c.get("/").status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(action="deactivate", object_id=str(world.therapist_b.pk)).exists()


def test_only_a_director_deactivates_staff(world, login):
    client = login(world.therapist_a)
    assert client.post(reverse("accounts:staff_deactivate", args=[world.therapist_b.pk])).status_code == 403
    world.therapist_b.refresh_from_db()
    assert world.therapist_b.is_active


def test_a_director_cannot_manage_staff_of_another_program(world, login):
    client = login(world.outsider)
    assert client.get(reverse("accounts:staff_detail", args=[world.therapist_a.pk])).status_code == 404


class TestTwoFactorRequired:
    """The production profile requires TOTP for every staff sign-in."""

    @pytest.fixture(autouse=True)
    def _require(self, settings):
        settings.BRIDGE_REQUIRE_MFA = True

    def test_sign_in_without_a_device_leads_to_enrollment_and_nothing_else(self, world, client):
        _post_login(client, "therapist_a")
        assert client.get("/").url == reverse("accounts:mfa_setup")
        assert client.get(reverse("participants:detail", args=[world.alex.pk])).url == reverse(
            "accounts:mfa_setup"
        )
        assert client.get(reverse("participants:list")).status_code == 302

    def test_enrollment_with_a_real_code_turns_it_on(self, world, client):
        _post_login(client, "therapist_a")
        before = client.session.session_key
        assert client.get(reverse("accounts:mfa_setup")).status_code == 200
        device = TOTPDevice.objects.get(user=world.therapist_a, confirmed=False)
        bad = client.post(
            reverse("accounts:mfa_setup"), {"token": "000000" if _code(device) != "000000" else "111111"}
        )
        assert bad.status_code == 200 and b"did not match" in bad.content
        # django-otp throttles after a failure (1 s, doubling); a person simply tries again a moment later.
        with time_machine.travel(_time.time() + 3, tick=True):
            response = client.post(reverse("accounts:mfa_setup"), {"token": _code(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.session.session_key != before
        assert client.get("/").status_code == 200
        assert AuditEvent.objects.filter(action="mfa_enrolled", actor=world.therapist_a).exists()

    def test_every_sign_in_asks_for_a_code_and_a_code_works_once(self, world, client):
        device = TOTPDevice.objects.create(user=world.therapist_a, name="phone", confirmed=True)
        _post_login(client, "therapist_a")
        assert client.get("/").url == reverse("accounts:mfa_verify")
        code = _code(device)
        assert client.post(reverse("accounts:mfa_verify"), {"token": code}).status_code == 302
        assert client.get("/").status_code == 200
        client.post("/accounts/logout/")
        _post_login(client, "therapist_a")
        replay = client.post(reverse("accounts:mfa_verify"), {"token": code})
        assert replay.status_code == 200 and b"did not work" in replay.content
        assert client.get("/").status_code == 302
        assert AuditEvent.objects.filter(action="mfa_failed").exists()

    def test_malformed_code_is_a_field_error(self, world, client):
        TOTPDevice.objects.create(user=world.therapist_a, name="phone", confirmed=True)
        _post_login(client, "therapist_a")
        response = client.post(reverse("accounts:mfa_verify"), {"token": "12ab"})
        assert response.status_code == 200 and b"six digits" in response.content


def test_demo_profile_lets_staff_in_without_a_device_and_says_so(world, client, settings):
    settings.BRIDGE_REQUIRE_MFA = False
    settings.BRIDGE_DEMO = True
    _post_login(client, "therapist_a")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Two-factor sign-in is optional here" in response.content


def test_session_clock_uses_wall_time():
    # Guard: the limits middleware reads time.time(), which time_machine moves.
    with time_machine.travel(0, tick=False):
        assert _time.time() == 0
