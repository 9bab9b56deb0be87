"""Every export carries the Part 2 labels; every disclosure export carries the exact 2024 notice; the
obsolete pre-2024 wording appears nowhere (not in the code, not in what Bridge produces)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from bridge.privacy import labels, services
from bridge.privacy.notice import REDISCLOSURE_NOTICE
from bridge.privacy.vocab import Channel, DataClass, Purpose

# Built from parts so this file does not itself contain the phrase it hunts for.
OBSOLETE = "prohibits unauthorized " + "disclosure of these records"
REPO = Path(__file__).resolve().parents[3]


def _pdf_pages(body: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages]


@pytest.fixture
def released(world, make_consent, recipients, today, alex_attendance):
    from bridge.participants.services import episode_open
    from bridge.testing.personas import unadmit

    unadmit(world.alex)
    episode_open(
        actor=world.director,
        participant=world.alex,
        level_of_care="2.1",
        admitted_on=today - timedelta(days=30),
    )
    consent = make_consent(
        recipients=[recipients["employer"]],
        data_classes=[DataClass.DEMOGRAPHICS, DataClass.CARE_TEAM, DataClass.EPISODES, DataClass.ATTENDANCE],
    )
    disclosure = services.disclosure_prepare(
        actor=world.therapist_a,
        participant=world.alex,
        recipient=recipients["employer"],
        purpose=Purpose.EMPLOYMENT,
        data_classes=[DataClass.DEMOGRAPHICS, DataClass.CARE_TEAM, DataClass.EPISODES, DataClass.ATTENDANCE],
        date_from=today - timedelta(days=60),
        date_to=today,
        channel=Channel.ELECTRONIC,
    )
    return consent, disclosure


def _exports(world, consent, disclosure):
    a, c, d = world.alex.pk, consent.pk, disclosure.pk
    return {
        "disclosure_pdf": reverse("privacy:disclosure_pdf", args=[a, d]),
        "disclosure_bundle": reverse("privacy:disclosure_bundle", args=[a, d]),
        "disclosure_page": reverse("privacy:disclosure_detail", args=[a, d]),
        "consent_print": reverse("privacy:consent_print", args=[a, c]),
        "consent_pdf": reverse("privacy:consent_pdf", args=[a, c]),
        "accounting_page": reverse("privacy:accounting", args=[a]),
        "accounting_pdf": reverse("privacy:accounting_pdf", args=[a]),
        "api_bundle": f"/api/v1/privacy/disclosures/{d}/bundle",
    }


def test_every_export_carries_the_part2_labels(world, login, released):
    client = login(world.therapist_a)
    for name, url in _exports(world, *released).items():
        response = client.get(url)
        assert response.status_code == 200, name
        kind = response["Content-Type"]
        if kind == "application/pdf":
            pages = _pdf_pages(response.content)
            assert pages and all(labels.PRINT_LABEL in page for page in pages), (
                f"{name}: a page without labels"
            )
        elif "json" in kind:
            bundle = response.json()
            assert labels.carries_labels(bundle), name
            assert all(labels.carries_labels(e["resource"]) for e in bundle["entry"]), name
            assert all(
                e["resource"]["meta"]["source"] == f"urn:uuid:{world.program.pk}" for e in bundle["entry"]
            )
        else:
            assert labels.PRINT_LABEL in response.content.decode(), name


def test_the_bundle_is_valid_fhir_and_every_resource_is_labelled(released):
    bundle = released[1].package["bundle"]
    Bundle.model_validate(bundle)
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert types == {
        "OperationOutcome",
        "Consent",
        "Organization",
        "Patient",
        "CareTeam",
        "EpisodeOfCare",
        "Appointment",
    }
    wanted = {
        ("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R"),
        ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "42CFRPart2"),
        ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "SUD"),
    }
    for resource in [bundle, *(e["resource"] for e in bundle["entry"])]:
        codes = {(c["system"], c["code"]) for c in resource["meta"]["security"]}
        assert wanted <= codes, resource["resourceType"]
    # The refrain tag goes on the entries, never on the Bundle's own labels (DS4P high-watermark rule).
    assert "NORDSCLCD" not in json.dumps(bundle["meta"])
    assert all(
        any(c["code"] == "NORDSCLCD" for c in e["resource"]["meta"]["security"]) for e in bundle["entry"]
    )


def test_every_disclosure_export_carries_the_exact_notice(world, login, released):
    consent, disclosure = released
    client = login(world.therapist_a)
    urls = _exports(world, consent, disclosure)
    pdf = " ".join(_pdf_pages(client.get(urls["disclosure_pdf"]).content))
    assert " ".join(REDISCLOSURE_NOTICE.split()) in pdf
    for name in ("disclosure_bundle", "api_bundle"):
        bundle = client.get(urls[name]).json()
        notices = [
            e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "OperationOutcome"
        ]
        assert notices[0]["issue"][0]["details"]["text"] == REDISCLOSURE_NOTICE
    page = client.get(urls["disclosure_page"]).content.decode()
    from html import escape

    assert escape(REDISCLOSURE_NOTICE) in page


def test_the_obsolete_notice_never_appears_in_what_bridge_produces(world, login, released):
    consent, disclosure = released
    client = login(world.therapist_a)
    for name, url in _exports(world, consent, disclosure).items():
        body = client.get(url).content
        text = " ".join(_pdf_pages(body)) if body.startswith(b"%PDF") else body.decode()
        assert OBSOLETE not in text, name
    assert OBSOLETE not in json.dumps(disclosure.package)


def test_the_obsolete_notice_is_nowhere_in_the_source():
    found = []
    for path in (REPO / "bridge").rglob("*"):
        readable = path.suffix in {".py", ".html", ".txt", ".md", ".json", ".js", ".css"} and path.is_file()
        if readable and OBSOLETE.lower() in path.read_text(errors="ignore").lower():
            found.append(str(path.relative_to(REPO)))
    assert found == []
    assert OBSOLETE not in REDISCLOSURE_NOTICE
