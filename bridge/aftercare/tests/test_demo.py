"""The demo shows aftercare at every stage: discharges of each kind, summaries, tapers, alumni, check-ins."""

from __future__ import annotations

from django.urls import reverse

from bridge.aftercare.models import AlumniEnrollment, CheckIn, Discharge, DischargeSummary, TaperPlan
from bridge.participants.models import EpisodeOfCare, Participant
from bridge.scheduling.models import Session, SessionKind
from bridge.worklist.models import WorkItem


def test_demo_has_aftercare_data_and_its_pages_render(demo, client):
    finished = EpisodeOfCare.objects.filter(status="finished").count()
    assert Discharge.objects.count() == finished > 0
    assert DischargeSummary.objects.filter(signed_at__isnull=False).exists()
    assert DischargeSummary.objects.filter(signed_at__isnull=True).exists()
    assert AlumniEnrollment.objects.filter(opted_out_at__isnull=True, contact_consent=True).exists()
    assert AlumniEnrollment.objects.filter(opted_out_at__isnull=False).exists()
    statuses = set(CheckIn.objects.values_list("status", flat=True))
    assert {"completed", "missed", "pending"} <= statuses
    assert WorkItem.objects.filter(kind="outreach", status="open").exists()
    assert TaperPlan.objects.filter(participant__status="step_down").exists()
    assert Session.objects.filter(kind=SessionKind.ALUMNI, attendance__status="present").exists()

    client.force_login(demo.staff["director"])
    alumnus = Participant.objects.filter(status="alumni").first()
    assert alumnus is not None
    assert client.get(reverse("aftercare:hub", args=[alumnus.pk])).status_code == 200
    summary = DischargeSummary.objects.filter(participant=alumnus).first()
    assert summary is not None
    assert client.get(reverse("aftercare:summary", args=[alumnus.pk, summary.pk])).status_code == 200
    assert client.get(reverse("aftercare:plan", args=[alumnus.pk])).status_code == 200
    assert client.get(reverse("aftercare:outcomes")).status_code == 200
