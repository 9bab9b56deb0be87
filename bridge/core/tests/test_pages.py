"""Every page answers every persona without a server error, and home pages fit each role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.testing.urls import all_routes

PUBLIC = {
    "core:healthz",
    "accounts:login",
    # The public directory: anyone looking for help, without an account.
    "directory:search",
    "directory:listing",
    "directory:compare",
    "directory:questions",
    "directory:about",
    # The public self-check (issue #3); bridge/intake/tests/test_self_check.py covers it.
    "intake:self_check_choose",
    "intake:self_check",
    "intake:callback",
    # The calendar feed: authenticated by the token in its URL (bridge/notify/tests/test_feeds.py).
    "notify:feed",
    # A participant's private measure link: token-authenticated, single use (measures/tests/test_links.py).
    "measures:respond",
    # The participant's aftercare plan and check-in links: authenticated by the token in the URL
    # (bridge/aftercare/tests/test_views.py).
    "aftercare:public_plan",
    "aftercare:public_checkin",
    # The participant's safety plan link: authenticated by the token in the URL (bridge/safety/tests).
    "safety:public_plan",
    # The participant signs a consent on a screen: authenticated by the token in the URL and their date
    # of birth (bridge/privacy/tests/test_signing.py).
    "privacy:sign",
    # The program's notice of privacy practices and how to complain (42 CFR 2.22, 2.4).
    "privacy:public_notice",
    # The participant's own app (/me/): its own sign-in by one-time code, never the staff one; its
    # pages send a visitor to portal:sign_in (bridge/portal/tests/test_access.py covers every page).
    "portal:home",
    "portal:sign_in",
    "portal:code",
    "portal:sign_out",
    "portal:sign_out_all",
    "portal:session",
    "portal:check_in",
    "portal:reschedule",
    "portal:excused",
    "portal:questionnaires",
    "portal:questionnaire",
    "portal:help",
    "portal:account",
    "portal:privacy",
    "portal:consents",
    "portal:consent_revoke",
    "portal:disclosures",
    "portal:copy",
    "portal:events",
    "portal:rsvp",
    "portal:language",
    "portal:manifest",
    "portal:service_worker",
    "portal:messages",  # i19m
    "portal:help_peer",  # i19m
    "portal:progress",  # i19m
    "portal:apps",
    "portal:app_revoke",
    # i19p: documents to sign and copies, the produced copy of records, passkeys (the participant's
    # own sign-in; bridge/portal/tests/test_documents.py and test_passkeys.py).
    "portal:documents",
    "portal:notice",
    "portal:document",
    "portal:document_pdf",
    "portal:copy_file",
    "portal:passkey_register_begin",
    "portal:passkey_register_complete",
    "portal:passkey_sign_in_begin",
    "portal:passkey_sign_in_complete",
    "portal:passkey_remove",
    "portal:passkey_catalog",
    "portal:checkin",  # i19a: an aftercare check-in answered in the app (test_links_into_app.py)
    # i19n: the signed notes a program releases to its participants (bridge/portal/tests/test_notes.py).
    "portal:notes",
    "portal:note",
    # i17b: a self-pay participant's balance, statements and estimates (bridge/portal/tests/test_bills.py).
    "portal:bills",
    "portal:bill_statement",
    "portal:bill_estimate",
    # SMART App Launch's authorization endpoint: the participant signs in with their app sign-in
    # there (bridge/fhir/tests/test_patient_access.py).
    "portal:authorize",
    # SMART Backend Services: discovery and the token endpoint (clients authenticate with a signed
    # assertion; bridge/fhir/tests/test_smart_backend.py).
    "fhir:smart_config_root",
    "fhir:smart_token",
}


def _is_public(route) -> bool:
    # The JSON API authenticates per endpoint (bridge/api), and the FHIR API by bearer token on every
    # request (401 without one; bridge/fhir/tests/test_tokens.py); their own tests cover that.
    return route.name in PUBLIC or route.name.startswith("api:") or route.pattern.startswith("fhir/")


@pytest.mark.parametrize("route", [r for r in all_routes() if not _is_public(r)], ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(world, client, route):
    kwargs = route.fill(participant_id=world.alex.pk)
    response = client.get(reverse(route.name, kwargs=kwargs))
    assert response.status_code in (302, 405), route
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "persona",
    [
        "director",
        "intake",
        "therapist_a",
        "prescriber",
        "nurse",
        "frontdesk",
        "peer",
        "auditor",
        "outsider",
        "billing",
    ],
)
def test_no_page_errors_for_any_persona(world, login, persona):
    client = login(world.staff[persona])
    for route in all_routes():
        kwargs = route.fill(participant_id=world.alex.pk, user_id=world.therapist_a.pk)
        response = client.get(reverse(route.name, kwargs=kwargs))
        assert response.status_code < 500, f"{persona} {route}"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", ["Census", "Credentials to renew"]),
        ("intake", ["Waiting for intake", "Casey"]),
        ("therapist_a", ["My caseload", "Alex"]),
        ("frontdesk", ["Front desk"]),
        ("auditor", ["Recent access denials"]),
    ],
)
def test_home_page_per_role(world, login, persona, expected):
    html = login(world.staff[persona]).get("/").content.decode()
    for text in expected:
        assert text in html


def test_expired_license_is_flagged_for_the_director(world, login):
    from datetime import timedelta

    from django.utils import timezone

    from bridge.accounts.models import Credential

    Credential.objects.create(
        user=world.therapist_b,
        kind="LPCC",
        number="X1",
        issuing_state="CA",
        expires_on=timezone.localdate() - timedelta(days=3),
    )
    client = login(world.director)
    assert "Expired" in client.get("/").content.decode()
    staff_page = client.get(reverse("accounts:staff_list")).content.decode()
    assert "LPCC (expired)" in staff_page
    # Several credentials read one by one, each with its own state; a code shows as written.
    Credential.objects.create(
        user=world.therapist_b,
        kind="CADC_II",
        number="X2",
        issuing_state="CA",
        expires_on=timezone.localdate() + timedelta(days=300),
    )
    staff_page = client.get(reverse("accounts:staff_list")).content.decode()
    assert "CADC-II</span>, " in staff_page or "LPCC (expired)</span>, " in staff_page
    assert "CADC_II<" not in staff_page


def test_healthz_is_public_and_cheap(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").content == b"ok"


def test_security_headers_are_sent(world, login):
    response = login(world.director).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Request-ID"]


def test_a_forms_address_opened_as_a_page_says_so_and_links_the_page(world, login):
    from django.urls import reverse

    client = login(world.director)
    url = reverse("participants:care_team_end", args=[world.alex.pk, world.alex.care_team.first().pk])
    response = client.get(url, headers={"Accept": "text/html,application/xhtml+xml"})  # as a browser asks
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert b"This address is for sending a form" in response.content
    assert client.get(url).content == b""  # a client that does not ask for a page gets the bare 405
    team = reverse("participants:care_team", args=[world.alex.pk])
    assert f'href="{team}"'.encode() in response.content  # the page the form is on
