"""The charge builder makes charges only from attended, signed, individualized, credentialed,
authorized services at IOP level; everything else is held with the reason. Claims are 837 files
that pyx12 validates without an error, sent through the clearinghouse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings

from bridge.audit.models import AuditEvent
from bridge.billing import clearinghouse
from bridge.billing.models import Authorization, Certification, Charge, Claim, PayerKind
from bridge.billing.services.charges import Reason, charges_build
from bridge.billing.services.claims import claims_build
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f
from bridge.billing.x12.validate import problems

pytestmark = pytest.mark.django_db
MON = clinic.MONDAY
WEEK = [MON, MON + timedelta(days=1), MON + timedelta(days=3)]


@pytest.fixture
def medi_cal(world):
    f.billing_profile(world.program)
    payer = f.payer(world.program)
    f.fee(payer, code="H0015", modifiers="HF", rate="150.00")
    cov = f.coverage(world.alex, f.plan(payer))
    Authorization.objects.create(
        participant=world.alex,
        coverage=cov,
        units_approved=2,
        starts_on=MON,
        ends_on=MON + timedelta(days=30),
        reference_number="DMC-1",
    )
    clinic.admit(world.alex, world.therapist_a)
    f.tpo_consent(world.alex, world.director)
    return payer


def _build(world, through=MON + timedelta(days=6)):
    return charges_build(actor=world.director, program=world.program, first=MON, through=through)


def test_signed_individualized_attended_group_makes_a_per_diem_charge(world, medi_cal):
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    result = _build(world)
    assert result.held == []
    charge = Charge.objects.get()
    assert (charge.code, charge.modifiers, charge.units, str(charge.amount)) == ("H0015", "HF", 1, "150.00")
    assert charge.rendering == world.therapist_a and charge.rendering_credential == "LCSW"
    assert charge.diagnosis == "F1020" and charge.level_of_care == "2.1"
    assert AuditEvent.objects.filter(action="charge_build", participant=world.alex).count() == 1
    assert _build(world).created == []  # building again does nothing


def test_an_unsigned_group_note_holds_the_day(world, medi_cal):
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex], signed=False)
    result = _build(world)
    assert not Charge.objects.exists()
    assert [h.reason for h in result.held] == [Reason.NOT_SIGNED]
    assert "/groups/" in result.held[0].fix_url


def test_a_group_note_without_the_participants_part_is_held(world, medi_cal):
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex], parts=False)
    assert [h.reason for h in _build(world).held] == [Reason.NO_INDIVIDUAL_PART]


def test_an_expired_credential_holds_the_service(world, medi_cal):
    world.therapist_a.credentials.update(expires_on=MON - timedelta(days=1))
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    assert [h.reason for h in _build(world).held] == [Reason.NO_CREDENTIAL]


def test_a_short_day_is_below_the_per_diem_rule(world, medi_cal):
    clinic.group(world.program, world.therapist_a, MON, hours=2, participants=[world.alex])
    held = _build(world).held
    assert [h.reason for h in held] == [Reason.BELOW_DAY_RULE]
    assert "needs 3 h 00" in held[0].detail


def test_authorization_units_run_out(world, medi_cal):
    for day in WEEK:
        clinic.group(world.program, world.therapist_a, day, participants=[world.alex])
    result = _build(world)
    assert len(result.created) == 2
    assert [h.reason for h in result.held] == [Reason.AUTHORIZATION_USED_UP]


def test_medicare_needs_a_current_certification_and_bills_837i_with_condition_code_92(world):
    f.billing_profile(world.program)
    medicare = f.payer(world.program, "Medicare", kind=PayerKind.MEDICARE)
    f.fee(medicare, code="G0410", revenue_code="0906", tier="3", rate="210.00")
    f.coverage(world.alex, f.plan(medicare, "Part A/B"), member_id="1EG4TE5MK73")
    clinic.admit(world.alex, world.therapist_a)
    f.tpo_consent(world.alex, world.director)
    for hour in (0, 1, 2):
        session = clinic.group(world.program, world.therapist_a, MON, hours=1, participants=[world.alex])
        session.starts_at += timedelta(hours=hour - 4)
        session.ends_at += timedelta(hours=hour - 4)
        session.save()
    assert [h.reason for h in _build(world).held] == [Reason.NO_CERTIFICATION]
    Certification.objects.create(
        participant=world.alex,
        kind="certification",
        needs_nine_hours=True,
        findings="Needs IOP",
        diagnosis="F10.20",
        services_plan="IOP 9 h/week, 8 weeks",
        signed_by=world.prescriber,
        signed_on=MON,
        valid_from=MON,
        valid_through=MON + timedelta(days=59),
    )
    result = _build(world)
    assert result.held == [] and result.created[0].code == "G0410"
    with override_settings(BRIDGE_CLEARINGHOUSE="bridge.billing.clearinghouse.MemoryClearinghouse"):
        clearinghouse.outbox.clear()
        written = claims_build(actor=world.director, program=world.program, claim_format="837i")
    kind, name, text = clearinghouse.outbox[-1]
    assert kind == "837i" and name.startswith("837I-")
    assert problems(text) == []
    assert "HI*BG:92~" in text and "SV2*0906*HC:G0410*210*UN*1~" in text
    claim = written[0][1][0]
    assert claim.status == Claim.Status.SUBMITTED and claim.lines.get().status == Charge.Status.BILLED


def test_837p_file_is_valid_and_written_to_the_folder(world, medi_cal, tmp_path):
    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    _build(world)
    with override_settings(BRIDGE_CLEARINGHOUSE_DIR=str(tmp_path)):
        written = claims_build(actor=world.director, program=world.program, claim_format="837p")
    ((where, _claims),) = written
    with open(where) as fh:
        text = fh.read()
    assert where.startswith(str(tmp_path / "837p"))
    assert problems(text) == []
    assert "SV1*HC:H0015:HF*150*UN*1***1~" in text and "NM1*IL*1*SAMPLE*ALEX****MI*91234567A~" in text
    assert AuditEvent.objects.filter(action="claim_submit", participant=world.alex).count() == 1
    assert claims_build(actor=world.director, program=world.program, claim_format="837p") == []


def test_without_a_consent_for_payment_no_claim_leaves_the_program(world, medi_cal):
    from bridge.privacy.models import Consent
    from bridge.privacy.services import consent_revoke

    clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    _build(world)
    consent = Consent.objects.get(participant=world.alex)
    consent_revoke(actor=world.director, consent=consent, received_on=MON, received_how="letter")
    refused: list = []
    written = claims_build(actor=world.director, program=world.program, claim_format="837p", refused=refused)
    assert written == [] and [p for p, _reason in refused] == [world.alex]
    assert Charge.objects.get().status == Charge.Status.READY and not Claim.objects.exists()
    decision = AuditEvent.objects.filter(action="policy_decision", participant=world.alex).latest("id")
    assert decision.outcome == "denied" and decision.detail["purpose"] == "HPAYMT"


def _build_reads(world, through):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = _build(world, through=through)
    reads = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    return result, len(reads)


def test_building_more_charges_costs_no_more_reads(world, medi_cal):
    Authorization.objects.update(units_approved=30)
    for day in (MON, MON + timedelta(days=1), MON + timedelta(days=2), MON + timedelta(days=3)):
        clinic.group(world.program, world.therapist_a, day, participants=[world.alex])
    one, one_reads = _build_reads(world, MON)
    three, three_reads = _build_reads(world, MON + timedelta(days=3))
    assert (len(one.created), len(three.created)) == (1, 3)
    # Three charges cost the reads of one: the audit events go in as one batch after one read of the
    # chain's tail.
    assert three_reads == one_reads
    assert Charge.objects.count() == 4


def test_attendance_corrected_after_the_charge_is_listed_and_its_charge_voided(world, medi_cal, login):
    """A present mark that becomes a no-show after billing is said on the held page: a charge not yet
    on a claim can be voided there (with the reason, never deleted); one on a claim links to it."""
    from django.urls import reverse

    from bridge.billing.queries import attendance_changed_after_charge
    from bridge.scheduling.models import AttendanceChange
    from bridge.scheduling.services.attendance import Mark, attendance_record

    monday = clinic.group(world.program, world.therapist_a, MON, participants=[world.alex])
    tuesday = clinic.group(
        world.program, world.therapist_a, MON + timedelta(days=1), participants=[world.alex]
    )
    _build(world)
    billed, ready = Charge.objects.order_by("service_date")
    with override_settings(BRIDGE_CLEARINGHOUSE="bridge.billing.clearinghouse.MemoryClearinghouse"):
        claims_build(actor=world.director, program=world.program, claim_format="837p", through=MON)
    billed.refresh_from_db()
    assert billed.status == Charge.Status.BILLED and ready.status == Charge.Status.READY
    assert attendance_changed_after_charge([world.program.pk]) == []
    for session in (monday, tuesday):
        attendance_record(actor=world.therapist_a, session=session, marks=[Mark(world.alex.pk, "no_show")])
    assert AttendanceChange.objects.count() == 2
    assert [c.charge for c in attendance_changed_after_charge([world.program.pk])] == [billed, ready]
    client = login(world.billing)
    page = client.get(reverse("billing:held")).content.decode()
    assert "Attendance changed after the charge" in page and "No-show" in page
    assert (
        billed.claim is not None
        and f"{billed.claim.number}</a> is submitted: Bridge corrects a claim once" in page
    )
    Claim.objects.filter(pk=billed.claim.pk).update(status=Claim.Status.DENIED)  # now Bridge can correct it
    assert f"Correct claim {billed.claim.number}" in client.get(reverse("billing:held")).content.decode()
    response = client.post(
        reverse("billing:charge_void", args=[ready.pk]), {"reason": "Attendance changed to no-show"}
    )
    assert response.status_code == 302
    ready.refresh_from_db()
    assert ready.status == Charge.Status.VOID and ready.void_reason == "Attendance changed to no-show"
    assert [c.charge for c in attendance_changed_after_charge([world.program.pk])] == [billed]
    # A charge on a claim is corrected through the claim, not voided here; an outsider finds nothing.
    client.post(reverse("billing:charge_void", args=[billed.pk]), {"reason": "x"})
    billed.refresh_from_db()
    assert billed.status == Charge.Status.BILLED
    assert login(world.outsider).post(
        reverse("billing:charge_void", args=[billed.pk]), {"reason": "x"}
    ).status_code in (403, 404)
