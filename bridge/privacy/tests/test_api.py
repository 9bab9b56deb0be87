"""The JSON API uses the same decision point: 201 with a package, 403 refusal, 400 naming the field."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fhir.resources.R4B.bundle import Bundle

from bridge.audit.models import AuditEvent
from bridge.privacy import labels
from bridge.privacy.models import Disclosure
from bridge.privacy.notice import REDISCLOSURE_NOTICE
from bridge.privacy.vocab import DataClass, Purpose


def _body(world, recipient, today, **over):
    body = {
        "participant": str(world.alex.pk),
        "recipient": str(recipient.pk),
        "purpose": Purpose.EMPLOYMENT,
        "data_classes": [DataClass.ATTENDANCE],
        "date_from": (today - timedelta(days=30)).isoformat(),
        "date_to": today.isoformat(),
        "channel": "electronic",
    }
    body.update(over)
    return body


def test_api_disclosure_released_with_notice_and_labelled_bundle(
    world, login, make_consent, recipients, today, alex_attendance
):
    make_consent(recipients=[recipients["employer"]])
    client = login(world.therapist_a)
    response = client.post(
        "/api/v1/privacy/disclosures",
        _body(world, recipients["employer"], today),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["notice"] == REDISCLOSURE_NOTICE and data["records"] == 3
    assert "Acme Freight HR" in data["consent_summary"]
    bundle = client.get(data["bundle_url"])
    assert bundle.status_code == 200 and bundle["Content-Type"] == "application/fhir+json"
    parsed = bundle.json()
    Bundle.model_validate(parsed)
    assert all(labels.carries_labels(e["resource"]) for e in parsed["entry"])


def test_api_refusal_is_403_recorded_and_releases_nothing(world, login, recipients, today):
    client = login(world.therapist_a)
    response = client.post(
        "/api/v1/privacy/disclosures",
        _body(world, recipients["employer"], today),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_applicable_consent"
    assert REDISCLOSURE_NOTICE not in response.content.decode()
    assert Disclosure.objects.get().outcome == Disclosure.Outcome.REFUSED
    assert AuditEvent.objects.filter(action="policy_decision", outcome="denied").count() == 1


def test_api_decision_dry_run(world, login, make_consent, recipients, today):
    make_consent(recipients=[recipients["employer"]])
    client = login(world.therapist_a)
    body = {
        k: v
        for k, v in _body(world, recipients["employer"], today).items()
        if k in {"participant", "recipient", "purpose", "data_classes"}
    }
    ok = client.post("/api/v1/privacy/decisions", body, content_type="application/json").json()
    assert ok["permit"] is True and ok["code"] == "consent"
    body["purpose"] = Purpose.LEGAL
    no = client.post("/api/v1/privacy/decisions", body, content_type="application/json").json()
    assert no["permit"] is False and no["code"] == "no_applicable_consent"
    assert not Disclosure.objects.exists()


def test_api_bad_input_names_the_field(world, login, recipients, today):
    client = login(world.therapist_a)
    post = lambda body: client.post("/api/v1/privacy/disclosures", body, content_type="application/json")  # noqa: E731
    bad_class = post(_body(world, recipients["employer"], today, data_classes=["everything"]))
    assert bad_class.status_code == 400 and bad_class.json()["error"]["field"].startswith("data_classes")
    empty = post(_body(world, recipients["employer"], today, data_classes=[]))
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "data_classes"
    order = post(
        _body(
            world,
            recipients["employer"],
            today,
            date_from=today.isoformat(),
            date_to=(today - timedelta(days=1)).isoformat(),
        )
    )
    assert order.status_code == 400 and order.json()["error"]["field"] == "date_to"
    other = post(_body(world, recipients["elsewhere"], today))
    assert other.status_code == 400 and other.json()["error"]["field"] == "recipient"


def test_api_hides_participants_outside_the_care_team(world, login, recipients, today):
    response = login(world.therapist_b).post(
        "/api/v1/privacy/disclosures",
        _body(world, recipients["employer"], today),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=world.therapist_b, participant=world.alex
    ).exists()
    missing = login(world.therapist_a).get(f"/api/v1/privacy/disclosures/{uuid.uuid4()}/bundle")
    assert missing.status_code == 404


def test_api_needs_a_signed_in_staff_member(client, world):
    assert client.post("/api/v1/privacy/decisions", {}, content_type="application/json").status_code == 401
