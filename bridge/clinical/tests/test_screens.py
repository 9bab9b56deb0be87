"""Drug screens: positives explained by MAT are expected; unexpected ones raise a review for the clinician."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bridge.clinical import uds
from bridge.clinical.services import meds, screens
from bridge.worklist.models import WorkItem

TODAY = timezone.localdate


def negatives(panel="12", **positives):
    results = {s: ("negative", "") for s in uds.PANELS[panel][1]}
    results.update({k: ("positive", v) for k, v in positives.items()})
    return results


def test_classify_rules():
    expected = {"BUP": "Buprenorphine order"}
    assert uds.classify("BUP", "positive", expected) == "expected"
    assert uds.classify("FEN", "positive", expected) == "unexpected"
    assert uds.classify("FEN", "positive", expected, "confirmed_negative") == "negative"
    assert uds.classify("FEN", "invalid", expected) == "invalid"
    assert uds.classify("BUP", "negative", expected) == "negative"


def test_prescribed_buprenorphine_positive_is_expected_not_a_relapse(admitted):
    w = admitted
    meds.medication_order_create(
        actor=w.prescriber,
        participant=w.alex,
        drug="buprenorphine",
        dose=Decimal("16"),
        route="sublingual",
        frequency="daily",
        reason="Opioid use disorder",
        start_on=TODAY() - timedelta(days=10),
        pdmp_checked_at=timezone.now() - timedelta(days=11),
    )
    screen = screens.drug_screen_record(
        actor=w.nurse, participant=w.alex, collected_on=TODAY(), panel="12", results=negatives(BUP="")
    )
    bup = screen.results.get(substance="BUP")
    assert bup.expected and "Buprenorphine" in bup.expected_reason and bup.classification == "expected"
    assert not screen.unexpected_positive
    assert not WorkItem.objects.filter(participant=w.alex).exists()


def test_buprenorphine_before_the_order_started_is_unexpected(admitted):
    w = admitted
    meds.medication_order_create(
        actor=w.prescriber,
        participant=w.alex,
        drug="buprenorphine",
        dose=Decimal("8"),
        route="sublingual",
        frequency="daily",
        reason="OUD",
        start_on=TODAY(),
        pdmp_checked_at=timezone.now(),
    )
    screen = screens.drug_screen_record(
        actor=w.nurse,
        participant=w.alex,
        collected_on=TODAY() - timedelta(days=3),
        panel="12",
        results=negatives(BUP=""),
    )
    assert screen.unexpected_positive


def test_methadone_from_an_otp_is_expected(admitted):
    w = admitted
    meds.otp_enrollment_record(
        actor=w.nurse,
        participant=w.alex,
        otp_name="East Bay OTP",
        contact_name="R. Diaz",
        contact_phone="510-555-0100",
        started_on=TODAY() - timedelta(days=90),
    )
    screen = screens.drug_screen_record(
        actor=w.nurse, participant=w.alex, collected_on=TODAY(), panel="10", results=negatives("10", MTD="")
    )
    assert screen.results.get(substance="MTD").expected and not screen.unexpected_positive


def test_unexpected_positive_raises_one_review_for_the_primary_clinician(admitted):
    w = admitted
    screen = screens.drug_screen_record(
        actor=w.nurse, participant=w.alex, collected_on=TODAY(), panel="12", results=negatives(FEN="pending")
    )
    assert screen.unexpected_positive
    item = WorkItem.objects.get(participant=w.alex, kind="uds_review")
    assert item.assigned_to == w.therapist_a and item.source_id == str(screen.pk)
    assert "Fentanyl" in item.detail
    # The lab's confirmation arrives; recording it does not raise a second item.
    fen = screen.results.get(substance="FEN")
    screens.drug_screen_confirm(actor=w.nurse, result=fen, confirmation="confirmed_positive")
    assert WorkItem.objects.filter(participant=w.alex, kind="uds_review").count() == 1


def test_a_presumptive_positive_the_lab_disproves_is_no_longer_unexpected(admitted):
    w = admitted
    screen = screens.drug_screen_record(
        actor=w.nurse,
        participant=w.alex,
        collected_on=TODAY(),
        panel="5",
        results=negatives("5", OPI="pending"),
    )
    screens.drug_screen_confirm(
        actor=w.nurse, result=screen.results.get(substance="OPI"), confirmation="confirmed_negative"
    )
    screen.refresh_from_db()
    assert not screen.unexpected_positive


def test_every_panel_substance_needs_a_result(admitted):
    results = negatives("12")
    results.pop("THC")
    with pytest.raises(ValidationError, match="THC"):
        screens.drug_screen_record(
            actor=admitted.nurse, participant=admitted.alex, collected_on=TODAY(), panel="12", results=results
        )
    with pytest.raises(ValidationError):
        screens.drug_screen_record(
            actor=admitted.nurse,
            participant=admitted.alex,
            collected_on=TODAY() + timedelta(days=1),
            panel="5",
            results=negatives("5"),
        )
