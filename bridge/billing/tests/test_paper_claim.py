"""The CMS-1500-style paper claim: a PDF released only under the payment consent, audited, with the
Part 2 notice; another program's director gets 404."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing.models import Charge, Claim
from bridge.billing.services.claims import claims_build
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f
from bridge.privacy.queries import disclosures_for
from bridge.privacy.vocab import Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(world):
    f.billing_profile(world.program)
    coverage = f.coverage(world.alex, f.plan(f.payer(world.program)))
    claim = Claim.objects.create(
        program=world.program,
        participant=world.alex,
        coverage=coverage,
        claim_format="837p",
        number="C200000001",
        status=Claim.Status.SUBMITTED,
        total=Decimal("150"),
    )
    Charge.objects.create(
        program=world.program,
        participant=world.alex,
        coverage=coverage,
        service_date=clinic.MONDAY,
        per_diem=True,
        code="H0015",
        modifiers="HF",
        amount=Decimal("150"),
        diagnosis="F1020",
        level_of_care="2.1",
        rendering=world.therapist_a,
        rendering_credential="LCSW",
        status=Charge.Status.BILLED,
        claim=claim,
    )
    return claim


def test_billing_prints_a_cms1500_only_under_the_payment_consent(world, login, claim):
    url = reverse("billing:claim_pdf", args=[claim.pk])
    client = login(world.billing)
    refused = client.get(url)
    assert refused.status_code == 403 and refused.content.decode().startswith("Not released:")
    assert not AuditEvent.objects.filter(action="export", object_type="claim").exists()

    f.tpo_consent(world.alex, world.director)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "C200000001" in text and "H0015" in text and "91234567A" in text and "150.00" in text
    assert "42 CFR part 2 prohibits unauthorized use or disclosure" in text
    assert AuditEvent.objects.filter(
        action="export", object_type="claim", object_id=str(claim.pk), participant=world.alex
    ).exists()
    assert AuditEvent.objects.filter(action="policy_decision", participant=world.alex).exists()
    # The paper claim is an entry in Alex's accounting of disclosures.
    (entry,) = disclosures_for(world.alex)
    assert (entry.outcome, entry.purpose, entry.channel, entry.accountable) == (
        "released",
        Purpose.PAYMENT,
        "mail",
        "part2",
    )
    assert entry.recipient_name == "Medi-Cal DMC-ODS" and entry.description.startswith("Claim C200000001:")
    assert entry.date_from == entry.date_to == clinic.MONDAY and entry.requested_by == world.billing


def test_a_claim_file_written_by_billing_is_entered_in_the_accounting(world, claim, tmp_path):
    f.tpo_consent(world.alex, world.director)
    Charge.objects.filter(claim=claim).update(status=Charge.Status.READY, claim=None)
    (written,) = claims_build(
        actor=world.billing, program=world.program, claim_format="837p", out_dir=tmp_path
    )
    (new,) = written[1]
    (entry,) = disclosures_for(world.alex)
    assert entry.channel == "electronic" and entry.description.startswith(f"Claim {new.number}:")
    assert entry.records == [{"type": "claim", "id": str(new.pk)}] and entry.accountable == "part2"
    # From the console (no signed-in person): entered under the configured responsible person.
    Charge.objects.create(
        program=world.program,
        participant=world.alex,
        coverage=claim.coverage,
        service_date=clinic.MONDAY + timedelta(days=1),
        per_diem=True,
        code="H0015",
        modifiers="HF",
        amount=Decimal("150"),
        diagnosis="F1020",
        level_of_care="2.1",
        rendering=world.therapist_a,
        rendering_credential="LCSW",
    )
    # Without one, nothing leaves: the charge stays ready, no file, no entry.
    with pytest.raises(ValidationError, match="BRIDGE_BILLING_DISCLOSER"):
        claims_build(actor=None, program=world.program, claim_format="837p", out_dir=tmp_path)
    # A user who is not the program's director or billing staff is refused too.
    with (
        override_settings(BRIDGE_BILLING_DISCLOSER=world.therapist_a.username),
        pytest.raises(ValidationError, match="not an active director or billing staff"),
    ):
        claims_build(actor=None, program=world.program, claim_format="837p", out_dir=tmp_path)
    assert disclosures_for(world.alex).count() == 1 and len(list(tmp_path.glob("*.x12"))) == 1
    assert Charge.objects.filter(status=Charge.Status.READY).count() == 1
    with override_settings(BRIDGE_BILLING_DISCLOSER=world.director.username):
        (console,) = claims_build(actor=None, program=world.program, claim_format="837p", out_dir=tmp_path)
    (sent,) = console[1]
    entry = disclosures_for(world.alex).get(records=[{"type": "claim", "id": str(sent.pk)}])
    assert entry.requested_by == world.director and entry.purpose == Purpose.PAYMENT
    assert "(sent by the scheduled claims run)" in entry.description
    event = AuditEvent.objects.get(action="claim_submit", object_id=str(sent.pk))
    assert event.actor_id is None  # the audit log says no one was signed in; the accounting names who


def test_the_paper_claim_is_the_programs_alone(world, login, client, claim):
    f.tpo_consent(world.alex, world.director)
    url = reverse("billing:claim_pdf", args=[claim.pk])
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.frontdesk).get(url).status_code == 403
    assert login(world.therapist_a).get(url).status_code == 403
    assert login(world.billing).post(url).status_code == 405
    client.logout()
    assert "/accounts/login/" in client.get(url)["Location"]
