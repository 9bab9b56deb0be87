"""MAT: the naltrexone block, the PDMP rule, dose history, in-clinic injections and who may do what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge.clinical import medication
from bridge.clinical.models import MedicationOrder
from bridge.clinical.services import meds, screens
from bridge.clinical.tests.test_screens import negatives

TODAY = timezone.localdate


def order(w, drug, **extra):
    spec = medication.DRUGS[drug]
    (route, frequency), rng = next(iter(spec.doses.items()))
    values = dict(
        actor=w.prescriber,
        participant=w.alex,
        drug=drug,
        dose=Decimal("8") if rng.usual_low <= 8 <= rng.usual_high else rng.usual_low,
        route=route,
        frequency=frequency,
        reason="Use disorder",
        start_on=TODAY(),
    )
    values.update(extra)
    return meds.medication_order_create(**values)


def test_naltrexone_rules_without_a_database():
    today = date(2026, 3, 1)
    clean = medication.OrderFacts(today=today)
    assert medication.order_problems("naltrexone", "oral", None, clean) == {}
    on_bup = medication.OrderFacts(today=today, active_drugs=("buprenorphine",))
    assert (
        "active opioid order"
        in medication.order_problems("naltrexone_xr", "intramuscular", None, on_bup)["drug"]
    )
    on_methadone = medication.OrderFacts(today=today, on_methadone=True)
    assert "methadone" in medication.order_problems("naltrexone", "oral", None, on_methadone)["drug"]
    recent = medication.OrderFacts(today=today, opioid_positives=((date(2026, 2, 20), "FEN"),))
    assert "2026-02-20" in medication.order_problems("naltrexone", "oral", None, recent)["drug"]
    old = medication.OrderFacts(today=today, opioid_positives=((date(2026, 2, 10), "FEN"),))
    assert medication.order_problems("naltrexone", "oral", None, old) == {}


def test_naltrexone_is_blocked_by_a_recent_opioid_positive_with_the_reason(admitted):
    w = admitted
    screens.drug_screen_record(
        actor=w.nurse,
        participant=w.alex,
        collected_on=TODAY() - timedelta(days=3),
        panel="12",
        results=negatives(OXY=""),
    )
    with pytest.raises(ValidationError) as exc:
        order(w, "naltrexone_xr")
    assert (
        "Naltrexone is blocked" in exc.value.message_dict["drug"][0]
        and "OXY" in exc.value.message_dict["drug"][0]
    )
    assert not MedicationOrder.objects.exists()


def test_naltrexone_is_blocked_by_an_active_buprenorphine_order(admitted):
    w = admitted
    order(w, "buprenorphine", pdmp_checked_at=timezone.now())
    with pytest.raises(ValidationError, match="active opioid order"):
        order(w, "naltrexone")


def test_buprenorphine_needs_a_recent_pdmp_check(admitted):
    w = admitted
    with pytest.raises(ValidationError) as exc:
        order(w, "buprenorphine_er")
    assert "pdmp_checked_at" in exc.value.message_dict
    # The first controlled-substance prescription: within 24 hours (California CURES by default).
    with pytest.raises(ValidationError, match="within 24 hours"):
        order(w, "buprenorphine", pdmp_checked_at=timezone.now() - timedelta(hours=25))
    placed = order(w, "buprenorphine", pdmp_checked_at=timezone.now() - timedelta(hours=20))
    # Who checked and when are kept (the prescriber placing the order attests to it).
    assert placed.pdmp_checked_by == w.prescriber
    assert timezone.now() - placed.pdmp_checked_at > timedelta(hours=19)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database agrees
        MedicationOrder.objects.filter(pk=placed.pk).update(pdmp_checked_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        MedicationOrder.objects.filter(pk=placed.pk).update(pdmp_checked_by=None)


def test_only_a_licensed_prescriber_orders(admitted):
    with pytest.raises(PermissionDenied):
        order(admitted, "acamprosate", actor=admitted.nurse)


def test_dose_changes_are_kept_as_history(admitted):
    w = admitted
    o = order(w, "buprenorphine", pdmp_checked_at=timezone.now())
    meds.medication_dose_change(
        actor=w.prescriber,
        order=o,
        dose=Decimal("12"),
        frequency="daily",
        effective_on=TODAY(),
        reason="Cravings",
    )
    meds.medication_dose_change(
        actor=w.prescriber,
        order=o,
        dose=Decimal("16"),
        frequency="daily",
        effective_on=TODAY(),
        reason="Still craving",
    )
    o.refresh_from_db()
    assert o.dose == Decimal("16")
    assert [c.dose for c in o.dose_changes.all()] == [Decimal("8"), Decimal("12"), Decimal("16")]
    meds.medication_order_stop(actor=w.prescriber, order=o, stop_on=TODAY(), reason="Tapered")
    with pytest.raises(ValidationError):
        meds.medication_dose_change(
            actor=w.prescriber,
            order=o,
            dose=Decimal("4"),
            frequency="daily",
            effective_on=TODAY(),
            reason="x",
        )
    # Stopped: a new order of the same drug is allowed again (one active order per drug).
    order(w, "buprenorphine", pdmp_checked_at=timezone.now())


def test_nurse_records_an_injection_and_the_next_dose_is_due(admitted):
    w = admitted
    # Started yesterday: a dose an hour ago is after the start whatever the time of day.
    o = order(w, "naltrexone_xr", start_on=TODAY() - timedelta(days=1))
    given = timezone.now() - timedelta(hours=1)
    shot = meds.administration_record(
        actor=w.nurse, order=o, given_at=given, dose=Decimal("380"), lot_number="L2231", site="gluteal_left"
    )
    assert shot.next_due_on == timezone.localdate(given) + timedelta(days=28)
    assert shot.given_by == w.nurse
    with pytest.raises(PermissionDenied):
        meds.administration_record(
            actor=w.therapist_a,
            order=o,
            given_at=given,
            dose=Decimal("380"),
            lot_number="L1",
            site="gluteal_right",
        )
    with pytest.raises(ValidationError) as exc:
        meds.administration_record(
            actor=w.nurse, order=o, given_at=given, dose=Decimal("380"), lot_number=" ", site="gluteal_right"
        )
    assert "lot_number" in exc.value.message_dict
    oral = order(w, "acamprosate")
    with pytest.raises(ValidationError, match="injectable"):
        meds.administration_record(
            actor=w.nurse, order=oral, given_at=given, dose=Decimal("666"), lot_number="A1", site="arm_left"
        )


def _otp(w, **extra):
    values = dict(
        actor=w.nurse,
        participant=w.alex,
        otp_name="Bay OTP",
        contact_name="R",
        contact_phone="5",
        started_on=TODAY(),
    )
    values.update(extra)
    return meds.otp_enrollment_record(**values)


def test_buprenorphine_alongside_methadone_from_an_otp_needs_a_reason_kept_with_the_program(admitted):
    w = admitted
    otp = _otp(w)
    with pytest.raises(ValidationError) as exc:
        order(w, "buprenorphine", pdmp_checked_at=timezone.now())
    assert "planned switch" in exc.value.message_dict["agonist_overlap_reason"][0]
    assert not MedicationOrder.objects.exists() and not otp.coordination_notes.exists()
    placed = order(
        w,
        "buprenorphine",
        pdmp_checked_at=timezone.now(),
        agonist_overlap_reason="Low-dose start agreed with Bay OTP before the methadone taper",
    )
    note = otp.coordination_notes.get()
    assert note.text.startswith(
        f"{placed.get_drug_display()} 8 mg ordered alongside methadone: Low-dose start"
    )
    assert note.author == w.prescriber
    # Medicines that are not opioid agonists need no such reason.
    assert (
        medication.order_problems(
            "acamprosate", "oral", None, medication.OrderFacts(today=TODAY(), on_methadone=True)
        )
        == {}
    )


def test_methadone_from_an_otp_alongside_an_active_buprenorphine_order_needs_a_reason(admitted):
    w = admitted
    order(w, "buprenorphine", dose=Decimal("16"), pdmp_checked_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        _otp(w, reported_dose="1,200 mg methadone daily")
    message = exc.value.message_dict["agonist_overlap_reason"][0]
    assert "Buprenorphine" in message and "16 mg" in message and "withdrawal" in message
    assert not w.alex.otp_enrollments.exists()
    otp = _otp(w, agonist_overlap_reason="Switching to methadone; buprenorphine stops on Friday")
    assert otp.coordination_notes.get().text.endswith(
        ": Switching to methadone; buprenorphine stops on Friday"
    )
    # Once the buprenorphine order has stopped, nothing more is asked.
    otp.ended_on, otp.end_reason = TODAY(), "Test"
    otp.save()
    MedicationOrder.objects.update(stop_on=TODAY(), stop_reason="Switched")
    assert _otp(w).coordination_notes.count() == 0
