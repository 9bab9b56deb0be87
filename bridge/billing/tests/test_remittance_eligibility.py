"""835 remittances post payments, adjustments and denials (CARC/RARC in words); 270/271 eligibility
with shipped sample files, including a rejection (AAA); the program's billing pages and the console."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing import clearinghouse
from bridge.billing.models import Authorization, Charge, Claim, Denial, EligibilityCheck, Posting
from bridge.billing.services.remittance import remittance_post
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f
from bridge.billing.x12.eligibility import read_271
from bridge.billing.x12.validate import X12Error, problems
from bridge.privacy.models import Disclosure
from bridge.testing.sections import full_home

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
MON = clinic.MONDAY


def sample(name: str) -> str:
    return (SAMPLES / name).read_text().strip()


@pytest.fixture
def submitted(world):
    """Two submitted Medi-Cal claims for alex, numbered as in the shipped 835."""
    f.billing_profile(world.program)
    payer = f.payer(world.program)
    cov = f.coverage(world.alex, f.plan(payer))
    claims = []
    for i, day in enumerate((MON, MON + timedelta(days=1)), start=1):
        claim = Claim.objects.create(
            program=world.program,
            participant=world.alex,
            coverage=cov,
            claim_format="837p",
            number=f"C10000000{i}",
            status=Claim.Status.SUBMITTED,
            total=Decimal("150"),
        )
        Charge.objects.create(
            program=world.program,
            participant=world.alex,
            coverage=cov,
            service_date=day,
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
        claims.append(claim)
    return claims


def test_every_shipped_sample_is_valid_for_pyx12():
    for path in SAMPLES.iterdir():
        assert problems(path.read_text().strip()) == [], path.name


def test_835_posts_a_payment_and_a_denial_to_work(world, submitted, login):
    result = remittance_post(
        actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
    )
    assert (result.posted, result.adjusted, result.denied) == (1, 1, 1)
    paid, denied = (Claim.objects.get(pk=c.pk) for c in submitted)
    assert paid.status == Claim.Status.PAID and paid.paid == Decimal("150")
    assert denied.status == Claim.Status.DENIED
    denial = Denial.objects.get()
    assert denial.charge is not None
    assert (denial.reason_code, denial.next_step, denial.charge.service_date) == (
        "197",
        "appeal",
        MON + timedelta(days=1),
    )
    assert Posting.objects.filter(kind="adjustment", remark_codes="N54").exists()
    assert AuditEvent.objects.filter(action="remit_post", participant=world.alex).count() == 2
    page = login(world.billing).get(reverse("billing:denials")).content.decode()
    assert "Precertification/authorization/notification absent" in page
    assert "inconsistent with pre-certified/authorized services" in page
    # A resolution too long: the work list again with the field error on that row; nothing stored.
    refused = login(world.billing).post(
        reverse("billing:denial_resolve", args=[denial.pk]), {"next_step": "appeal", "resolution": "r" * 301}
    )
    assert refused.status_code == 400
    assert "Resolution: Ensure this value has at most 300" in refused.content.decode()
    denial.refresh_from_db()
    assert denial.resolved_at is None and denial.resolution == ""
    response = login(world.billing).post(
        reverse("billing:denial_resolve", args=[denial.pk]),
        {"next_step": "appeal", "resolution": "Appeal sent with auth"},
    )
    assert response.status_code == 302
    denial.refresh_from_db()
    assert denial.resolved_by == world.billing and denial.resolution == "Appeal sent with auth"


def test_a_payment_beyond_the_claim_is_posted_and_flagged(world, submitted, login):
    """The payer's money is recorded as sent, but paying ten times the claim is said, at posting
    and on the claim, so billing checks it with the payer (a refund may be due)."""
    Claim.objects.filter(pk=submitted[0].pk).update(total=Decimal("15.00"))
    result = remittance_post(
        actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
    )
    claim = Claim.objects.get(pk=submitted[0].pk)
    assert claim.paid == Decimal("150") and claim.overpaid == Decimal("135")
    assert any("135.00 more than billed" in note for note in result.notes)
    page = login(world.billing).get(reverse("billing:claim", args=[claim.pk])).content.decode()
    assert "Paid $135.00 more than billed" in page
    assert Claim.objects.get(pk=submitted[1].pk).overpaid == 0


def test_a_bad_835_is_refused_with_the_segment_and_nothing_changes(world, submitted):
    broken = sample("remit-medi-cal.835").replace("SE*21*0001", "SE*20*0001")
    with pytest.raises(X12Error) as exc:
        remittance_post(actor=world.billing, program=world.program, text=broken, file_name="bad.835")
    assert "SE count of 20" in str(exc.value)
    unknown = sample("remit-medi-cal.835").replace("C100000002", "C999999999")
    with pytest.raises(X12Error, match="C999999999 is not one of this program's claims"):
        remittance_post(actor=world.billing, program=world.program, text=unknown, file_name="u.835")
    assert not Posting.objects.exists() and not Denial.objects.exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {"submitted"}


def test_the_same_835_is_not_posted_twice(world, submitted):
    remittance_post(
        actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
    )
    with pytest.raises(X12Error, match="posted already"):
        remittance_post(
            actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
        )


def test_271_active_medi_cal_summary():
    summary = read_271(sample("eligibility-active.271"))
    assert summary["active"] and summary["behavioral_benefit"] and not summary["rejected"]
    assert summary["prior_authorization_required"] is True
    assert summary["copay"] == "0" and summary["deductible_remaining"] == "0"


def test_271_commercial_copay_coinsurance_and_deductible():
    summary = read_271(sample("eligibility-commercial.271"))
    assert (summary["copay"], summary["coinsurance"], summary["deductible_remaining"]) == ("40", "20%", "850")


def test_271_rejection_is_shown_with_its_reason():
    summary = read_271(sample("eligibility-rejected.271"))
    assert summary["rejected"] and not summary["active"]
    assert summary["rejection"] == "Subscriber/insured not found (AAA 75); Please correct and resubmit"


@override_settings(BRIDGE_CLEARINGHOUSE="bridge.billing.clearinghouse.MemoryClearinghouse")
def test_front_desk_sends_a_270_and_the_271_lands_on_the_participant(world, login):
    f.billing_profile(world.program)
    cov = f.coverage(world.alex, f.plan(f.payer(world.program)))
    clearinghouse.outbox.clear()
    client = login(world.frontdesk)
    response = client.post(reverse("billing:eligibility_check", args=[world.alex.pk, cov.pk]))
    assert response.status_code == 302
    check = EligibilityCheck.objects.get()
    kind, _name, text = clearinghouse.outbox[-1]
    assert kind == "270" and problems(text) == [] and "EQ*AI~" in text and "NM1*IL*1*SAMPLE*ALEX" in text
    answer = sample("eligibility-active.271").replace("E123456789", f"E{check.control_number}")
    billing = login(world.billing)
    upload = SimpleUploadedFile("a.271", answer.encode())
    response = billing.post(reverse("billing:eligibility_upload"), {"file": upload})
    assert response.status_code == 302 and response["Location"] == reverse(
        "billing:participant", args=[world.alex.pk]
    )
    check.refresh_from_db()
    assert check.summary["active"] is True
    assert AuditEvent.objects.filter(action="eligibility", participant=world.alex).count() == 2


def test_program_billing_pages_are_for_directors_and_billing(world, login, submitted):
    for url in (
        reverse("billing:dashboard"),
        reverse("billing:held"),
        reverse("billing:claims"),
        reverse("billing:denials"),
    ):
        assert login(world.billing).get(url).status_code == 200, url
        assert login(world.director).get(url).status_code == 200, url
        assert login(world.therapist_a).get(url).status_code == 403, url
        assert login(world.outsider).get(url).status_code in (200, 403), url
    outsider_claims = login(world.outsider).get(reverse("billing:claims")).content.decode()
    assert "C100000001" not in outsider_claims
    csv_text = login(world.director).get(reverse("billing:dashboard") + "?csv=claims").content.decode()
    assert csv_text.splitlines()[0] == "status,claims" and "Submitted,2" in csv_text
    assert login(world.frontdesk).get(reverse("billing:authorizations")).status_code == 200


def test_authorization_near_its_end_shows_on_the_desk_home(world, login):
    cov = f.coverage(world.alex, f.plan(f.payer(world.program)))
    from django.utils import timezone

    today = timezone.localdate()
    Authorization.objects.create(
        participant=world.alex,
        coverage=cov,
        units_approved=20,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=3),
        reference_number="DMC-NEAR",
    )
    page = full_home(login(world.frontdesk))  # the panel loads after Home's first paint
    assert "Authorizations to watch" in page and "DMC-NEAR" in page and "ends in 3 days" in page


def test_console_charges_claims_and_remit(world, tmp_path):
    f.billing_profile(world.program)
    payer = f.payer(world.program, requires_authorization=False)
    f.fee(payer, code="H0015", modifiers="HF")
    f.coverage(world.alex, f.plan(payer))
    clinic.admit(world.alex, world.therapist_a)
    f.tpo_consent(world.alex, world.director)
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    clinic.group(
        world.program, world.therapist_a, MON + timedelta(days=1), participants=[world.alex], signed=False
    )
    out = StringIO()
    call_command(
        "billing", "charges", "--through", str(MON + timedelta(days=6)), "--program", "Harbor", stdout=out
    )
    assert "created 1" in out.getvalue() and "1  Note not signed" in out.getvalue()
    claims = ["billing", "claims", "--format", "837p", "--out", str(tmp_path), "--program", "Harbor"]
    # Refused at the start without a responsible person for the accounting of disclosures.
    with pytest.raises(CommandError, match="BRIDGE_BILLING_DISCLOSER"):
        call_command(*claims, stdout=StringIO())
    assert not list(tmp_path.glob("837P-*.x12"))
    out = StringIO()
    with override_settings(BRIDGE_BILLING_DISCLOSER=world.billing.username):
        call_command(*claims, stdout=out)
    written = list(tmp_path.glob("837P-*.x12"))
    assert len(written) == 1 and problems(written[0].read_text()) == []
    # Every claim sent is accountable: the accounting names the configured responsible person.
    (entry,) = Disclosure.objects.filter(participant=world.alex)
    assert entry.requested_by == world.billing and entry.recipient_name == payer.name
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*nonsense~")
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("billing", "remit", str(bad), "--program", "Harbor", stderr=StringIO())
    out = StringIO()
    rejected = tmp_path / "r.271"
    rejected.write_text(sample("eligibility-rejected.271"))
    call_command("billing", "eligibility", "--read", str(rejected), stdout=out)
    assert "rejected: Subscriber/insured not found (AAA 75)" in out.getvalue()
