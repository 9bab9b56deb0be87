"""The prescriber's home: a caseload medication overview; naloxone offers recorded through the page."""

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
