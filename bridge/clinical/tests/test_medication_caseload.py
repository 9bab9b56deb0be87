"""The prescriber's caseload medication overview; naloxone offers; injection warnings need a reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.clinical.models import NaloxoneOffer
from bridge.clinical.services import meds, screens
from bridge.clinical.tests.test_screens import negatives

pytestmark = pytest.mark.django_db


def test_the_prescribers_home_shows_orders_pdmp_last_screen_and_naloxone(admitted, login):
    w = admitted
    checked = timezone.now() - timedelta(days=11)
    meds.medication_order_create(
        actor=w.prescriber,
        participant=w.alex,
        drug="buprenorphine",
        dose=Decimal("16"),
        route="sublingual",
        frequency="daily",
        reason="Opioid use disorder",
        start_on=timezone.localdate() - timedelta(days=10),
        pdmp_checked_at=checked,
    )
    screens.drug_screen_record(
        actor=w.nurse, participant=w.alex, collected_on=timezone.localdate(), panel="12", results=negatives()
    )
    client = login(w.prescriber)
    home = client.get("/").content.decode()
    panel = home[home.index("My caseload: medications") :]
    assert "Buprenorphine (sublingual) 16" in panel
    assert timezone.localtime(checked).strftime("%b %-d, %Y") in panel
    assert "negative for a prescribed medication" in panel and "not offered" in panel
    assert "Blair" not in panel  # not on the prescriber's team

    url = reverse("clinical:naloxone_offer", args=[w.alex.pk])
    bad = client.post(url, {"offered_on": timezone.localdate().isoformat(), "outcome": "maybe"})
    assert bad.status_code == 400 and "outcome" in bad.context["naloxone_form"].errors
    done = client.post(url, {"offered_on": timezone.localdate().isoformat(), "outcome": "given"})
    assert (
        done.status_code == 302 and NaloxoneOffer.objects.get(participant=w.alex).offered_by == w.prescriber
    )
    panel = client.get("/").content.decode()
    assert "not offered" not in panel[panel.index("My caseload: medications") :]


def test_outsiders_cannot_record_a_naloxone_offer(admitted, login):
    url = reverse("clinical:naloxone_offer", args=[admitted.alex.pk])
    response = login(admitted.outsider).post(
        url, {"offered_on": timezone.localdate().isoformat(), "outcome": "given"}
    )
    assert response.status_code == 404 and not NaloxoneOffer.objects.exists()


def test_an_injection_too_soon_or_at_a_wrong_site_needs_a_reason_which_is_kept(admitted):
    from django.core.exceptions import ValidationError

    from bridge.clinical.tests.test_mat import order

    w = admitted
    # Started yesterday: a dose three hours ago is after the start whatever the time of day.
    xr = order(w, "naltrexone_xr", start_on=timezone.localdate() - timedelta(days=1))
    first = timezone.now() - timedelta(hours=3)
    meds.administration_record(
        actor=w.nurse, order=xr, given_at=first, dose=Decimal("380"), lot_number="L1", site="gluteal_left"
    )
    again = dict(actor=w.nurse, order=xr, given_at=first + timedelta(hours=2), dose=Decimal("380"))
    with pytest.raises(ValidationError) as refused:
        meds.administration_record(**again, lot_number="L2", site="arm_left")
    assert {"given_at", "site", "warning_reason"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError):
        meds.administration_record(**again, lot_number="L2", site="arm_left", warning_reason="   ")
    shot = meds.administration_record(
        **again, lot_number="L2", site="arm_left", warning_reason="Vial dropped before injection; redone"
    )
    assert len(shot.warnings) == 2 and shot.warning_reason.startswith("Vial dropped")
