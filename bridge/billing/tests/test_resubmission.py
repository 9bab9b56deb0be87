"""Correct and resubmit: a denied claim the payer knows is replaced (frequency 7, REF*F8 with the
payer's claim number) or voided (8); a claim rejected at the front door goes again as a fresh original
(1). Every 837 is validated with pyx12; the old claim is kept, linked and shown as replaced; audited;
billing staff and directors only (others 403, another program's director 404)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing import clearinghouse
from bridge.billing.models import Charge, Claim, Denial, PayerKind
from bridge.billing.services.acknowledgements import acknowledgement_post
from bridge.billing.services.charges import charges_build
from bridge.billing.services.claims import claims_build
from bridge.billing.services.corrections import Correction, claim_resubmit, corrections_for
from bridge.billing.services.remittance import remittance_post
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f
from bridge.billing.x12.validate import problems
from bridge.privacy.models import Disclosure

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
MON = clinic.MONDAY
MEMORY = "bridge.billing.clearinghouse.MemoryClearinghouse"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text().strip()


@pytest.fixture
def submitted(world):
    """Alex's two submitted Medi-Cal claims, numbered as in the shipped 835 and 277CA samples."""
    f.billing_profile(world.program)
    payer = f.payer(world.program)
    cov = f.coverage(world.alex, f.plan(payer))
    f.tpo_consent(world.alex, world.director)
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
            file_name="837P-4711.x12",
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


@pytest.fixture
def outbox():
    clearinghouse.outbox.clear()
    with override_settings(BRIDGE_CLEARINGHOUSE=MEMORY):
        yield clearinghouse.outbox


def _denied(world) -> Claim:
    remittance_post(
        actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
    )
    claim = Claim.objects.get(number="C100000002")
    assert claim.status == Claim.Status.DENIED and claim.payer_claim_number == "PCN7002"
    return claim


def test_a_denied_claim_is_replaced_with_frequency_7_and_the_payers_number(world, submitted, outbox):
    old = _denied(world)
    assert corrections_for(old) == [Correction.REPLACE, Correction.VOID]
    new = claim_resubmit(
        actor=world.billing,
        claim=old,
        action="replace",
        reason="Authorization number added; diagnosis corrected",
        diagnosis="F10.10",
    )
    kind, name, text = outbox[-1]
    assert kind == "837p" and name == new.file_name
    assert problems(text) == []  # pyx12: the replacement 837P is valid
    assert f"CLM*{new.number}*150***57:B:7*Y*A*Y*Y~REF*F8*PCN7002~HI*ABK:F1010~" in text
    assert "SV1*HC:H0015:HF*150*UN*1***1~DTP*472*D8*20261103~" in text
    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.status, new.frequency, new.replaces, new.created_by) == ("submitted", "7", old, world.billing)
    # The old claim is kept, shown as replaced, with the lines it carried; its charge moved on.
    assert old.status == Claim.Status.REPLACED and old.replaced_by == new
    assert old.status_reason.startswith(f"Replaced by claim {new.number}")
    assert [(line["code"], line["diagnosis"]) for line in old.lines_sent] == [("H0015", "F1020")]
    charge = new.lines.get()
    assert charge.status == Charge.Status.BILLED and charge.diagnosis == "F1010"
    denial = Denial.objects.get(claim=old)
    assert denial.resolved_at and denial.next_step == "correct" and new.number in denial.resolution
    event = AuditEvent.objects.get(action="claim_resubmit", object_id=str(old.pk))
    assert event.participant_id == world.alex.pk and event.detail["frequency"] == "7"
    assert event.detail["changed"] == {"diagnosis": ["F1020", "F1010"]}
    assert AuditEvent.objects.filter(action="claim_submit", object_id=str(new.pk)).exists()
    assert Disclosure.objects.filter(records=[{"type": "claim", "id": str(new.pk)}]).exists()
    # Once replaced, it cannot be replaced again (the new claim can, when it is denied in turn).
    assert corrections_for(old) == []
    with pytest.raises(ValidationError):
        claim_resubmit(actor=world.billing, claim=old, action="replace", reason="again")
    assert Claim.objects.count() == 3


def test_a_void_cancels_the_claim_and_frees_the_services_to_be_built_again(world, submitted, outbox):
    old = _denied(world)
    new = claim_resubmit(actor=world.billing, claim=old, action="void", reason="Billed to the wrong payer")
    text = outbox[-1][2]
    assert problems(text) == []
    assert f"CLM*{new.number}*150***57:B:8*Y*A*Y*Y~REF*F8*PCN7002~" in text
    old.refresh_from_db()
    assert old.status == Claim.Status.VOIDED and new.frequency == "8"
    charge = Charge.objects.get(claim=new)
    assert charge.status == Charge.Status.VOID and "voided by" in charge.void_reason


def test_a_claim_rejected_at_the_front_door_goes_again_as_a_fresh_original(world, submitted, outbox):
    acknowledgement_post(
        actor=world.billing, program=world.program, text=sample("claims-ack.277"), file_name="a.277"
    )
    accepted, rejected = Claim.objects.get(number="C100000001"), Claim.objects.get(number="C100000002")
    assert accepted.payer_claim_number == "26314000123"  # from the 277CA's REF*1K
    assert rejected.status == Claim.Status.REJECTED and rejected.payer_claim_number == ""
    assert corrections_for(rejected) == [Correction.RESEND]
    assert corrections_for(accepted) == []  # accepted, waiting on the payer: nothing to correct
    with pytest.raises(ValidationError) as refused:
        claim_resubmit(actor=world.billing, claim=rejected, action="replace", reason="member id")
    assert "action" in refused.value.message_dict
    new = claim_resubmit(actor=world.billing, claim=rejected, action="resend", reason="Member id corrected")
    text = outbox[-1][2]
    assert problems(text) == []
    assert f"CLM*{new.number}*150***57:B:1*Y*A*Y*Y~HI*ABK:F1020~" in text and "REF*F8" not in text
    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.REPLACED and new.frequency == "1" and new.replaces == rejected


def test_an_institutional_replacement_is_valid_837i(world, outbox):
    f.billing_profile(world.program)
    medicare = f.payer(world.program, "Medicare", kind=PayerKind.MEDICARE, requires_certification=False)
    f.fee(medicare, code="G0410", revenue_code="0906", tier="3", rate="210.00")
    f.coverage(world.alex, f.plan(medicare, "Part A/B"), member_id="1EG4TE5MK73")
    clinic.admit(world.alex, world.therapist_a)
    f.tpo_consent(world.alex, world.director)
    for hour in (0, 1, 2):
        session = clinic.group(world.program, world.therapist_a, MON, hours=1, participants=[world.alex])
        session.starts_at += timedelta(hours=hour - 4)
        session.ends_at += timedelta(hours=hour - 4)
        session.save()
    charges_build(actor=world.director, program=world.program, first=MON, through=MON)
    ((_where, (old,)),) = claims_build(actor=world.director, program=world.program, claim_format="837i")
    Claim.objects.filter(pk=old.pk).update(status=Claim.Status.DENIED, payer_claim_number="21626700012345")
    old.refresh_from_db()
    new = claim_resubmit(actor=world.director, claim=old, action="replace", reason="Condition code")
    text = outbox[-1][2]
    assert outbox[-1][0] == "837i" and problems(text) == []
    assert f"CLM*{new.number}*210***13:A:7**A*Y*Y~" in text
    assert "CL1***01~REF*F8*21626700012345~HI*ABK:" in text


def test_billing_corrects_and_resubmits_from_the_denials_work_list(world, submitted, outbox, login):
    old = _denied(world)
    client = login(world.billing)
    denials = client.get(reverse("billing:denials")).content.decode()
    url = reverse("billing:claim", args=[old.pk])
    assert url in denials and "Correct and resubmit" in denials
    page = client.get(url)
    assert page.status_code == 200 and "Replace the claim (frequency 7" in page.content.decode()
    # A note too long: the form again with the field named; nothing stored, nothing sent.
    too_long = {"action": "replace", "coverage": old.coverage_id, "reason": "x" * 301}
    response = client.post(url, too_long)
    assert response.status_code == 400 and "at most 300 characters" in response.content.decode()
    assert Claim.objects.count() == 2 and not outbox
    response = client.post(url, {"action": "replace", "coverage": old.coverage_id, "reason": "Fixed"})
    new = Claim.objects.get(replaces=old)
    assert response.status_code == 302 and response["Location"] == reverse("billing:claim", args=[new.pk])
    body = client.get(response["Location"]).content.decode()
    assert f'Follows <a href="{url}">{old.number}</a>' in body and "Replacement of a prior claim" in body
    body = client.get(url).content.decode()
    assert "Replaced by" in body and new.number in body and "PCN7002" in body
    assert "lines as this claim carried them" in body
    assert AuditEvent.objects.filter(action="read", object_type="claim", object_id=str(old.pk)).exists()
    # Sent already: a second post is refused with the reason on the page.
    again = client.post(url, {"action": "replace", "coverage": old.coverage_id, "reason": "Fixed"})
    assert again.status_code == 400 and "cannot be corrected" in again.content.decode()
    assert Claim.objects.count() == 3 and len(outbox) == 1


def test_only_billing_and_directors_of_the_program_reach_a_claim(world, submitted, outbox, login):
    old = _denied(world)
    url = reverse("billing:claim", args=[old.pk])
    data = {"action": "replace", "coverage": old.coverage_id, "reason": "Fixed"}
    assert login(world.director).get(url).status_code == 200
    for user in (world.frontdesk, world.therapist_a):
        assert login(user).get(url).status_code == 403
        assert login(user).post(url, data).status_code == 403
    # Another program's director: the claim is not there for them.
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.outsider).post(url, data).status_code == 404
    assert not Claim.objects.filter(replaces=old).exists() and not outbox


def _835(trace: str, claims) -> str:
    from datetime import date, datetime

    from bridge.billing.x12.remittance import build_835

    return build_835(
        payer_name="Medi-Cal DMC-ODS",
        payer_id="MCDCA",
        payee_name="Harbor Light IOP",
        payee_npi="1234567893",
        trace=trace,
        claims=claims,
        paid_on=date(2026, 12, 20),
        control=700000001,
        when=datetime(2026, 12, 20, 9, 0),
    )


def _paid(number: str, day, charged: str, paid: str, adjustments=(), status: str = ""):
    from bridge.billing.x12.remittance import PaidClaim, PaidLine

    line = PaidLine("H0015", ("HF",), day, Decimal(charged), Decimal(paid), adjustments)
    return PaidClaim(number, "91234567A", "ALEX", "SAMPLE", (line,), status=status)


def test_an_835_for_a_replaced_claim_is_recorded_without_moving_its_status(world, submitted, outbox, login):
    old = _denied(world)
    new = claim_resubmit(actor=world.billing, claim=old, action="replace", reason="Authorization added")
    denials = Denial.objects.count()
    text = _835("EFT-LATE-1", [_paid(old.number, MON + timedelta(days=1), "150", "150")])
    assert problems(text) == []
    result = remittance_post(actor=world.billing, program=world.program, text=text, file_name="late.835")
    old.refresh_from_db()
    assert old.status == Claim.Status.REPLACED and old.paid == Decimal("150")
    assert old.postings.filter(kind="payment", amount=Decimal("150")).exists()
    assert Denial.objects.count() == denials
    assert result.notes and new.number in result.notes[0] and "status stays" in result.notes[0]
    # The claims list shows the lines the replaced claim carried (its charges moved to the replacement).
    page = login(world.billing).get(reverse("billing:claims"))
    shown = {c.number: c.line_count for c in page.context["claims"]}
    assert shown[old.number] == 1 and shown[new.number] == 1


def test_a_payment_reversal_clp02_22_is_posted_as_reversing_entries(world, submitted):
    remittance_post(
        actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="r.835"
    )
    first = Claim.objects.get(number="C100000001")
    assert first.status == Claim.Status.PAID and first.paid == Decimal("150")
    before = list(first.postings.values_list("pk", "amount"))
    text = _835(
        "EFT-REVERSAL-1",
        [
            _paid("C100000001", MON, "-150", "-150", status="22"),
            _paid("C100000001", MON, "150", "120", (("CO", "45", Decimal("30")),)),
            _paid("C100000002", MON + timedelta(days=1), "150", "150"),
        ],
    )
    assert problems(text) == []
    result = remittance_post(actor=world.billing, program=world.program, text=text, file_name="rev.835")
    first.refresh_from_db()
    assert first.paid == Decimal("120") and first.status == Claim.Status.PAID
    amounts = sorted(a for _pk, a in first.postings.values_list("pk", "amount"))
    assert amounts == sorted([Decimal("150"), Decimal("-150"), Decimal("120"), Decimal("30")])
    # Nothing earlier was changed: the first payment is still there as it was.
    assert set(before) <= set(first.postings.values_list("pk", "amount"))
    assert any("reversed" in note for note in result.notes)
    assert not Denial.objects.filter(claim=first).exists()


def test_bridge_billing_resubmit_sends_a_corrected_claim_from_the_console(world, submitted, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    old = _denied(world)
    with override_settings(BRIDGE_BILLING_DISCLOSER=world.billing.username):
        with pytest.raises(CommandError, match="No claim"):
            call_command("billing", "resubmit", "--claim", "C999", "--reason", "x", "--out", str(tmp_path))
        out = StringIO()
        call_command(
            "billing",
            "resubmit",
            "--claim",
            old.number,
            "--reason",
            "Diagnosis corrected",
            "--diagnosis",
            "F10.10",
            "--out",
            str(tmp_path),
            stdout=out,
        )
        new = Claim.objects.get(replaces=old)
        assert new.frequency == "7" and new.status == Claim.Status.SUBMITTED
        assert f"claim {new.number} (frequency 7) follows {old.number}" in out.getvalue()
        text = (tmp_path / new.file_name).read_text(encoding="ascii")
        assert problems(text) == []
        assert "57:B:7*Y*A*Y*Y~REF*F8*PCN7002~HI*ABK:F1010~" in text
        # Sent once: a second run is refused with the reason, and nothing changes.
        with pytest.raises(CommandError, match="only a rejected, denied or adjusted claim"):
            call_command(
                "billing", "resubmit", "--claim", str(old.pk), "--reason", "again", "--out", str(tmp_path)
            )
    assert Claim.objects.filter(replaces=old).count() == 1
    assert not list(tmp_path.glob(".*.partial"))
