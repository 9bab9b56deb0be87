"""The discharge summary's "Sign and lock" saves the text on the page and signs it in one POST."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bridge.aftercare import services
from bridge.aftercare.models import Discharge, DischargeSummary

COURSE = "Attended groups three evenings a week; engaged throughout."


def _summary(w):
    services.discharge_record(
        actor=w.therapist_a,
        participant=w.alex,
        type=Discharge.Type.COMPLETED,
        discharged_on=timezone.localdate(),
        reason="Completed",
        destination="Alumni group",
    )
    return DischargeSummary.objects.get(participant=w.alex)


def _text(summary, **over):
    data = {
        "course": COURSE,
        "condition": "Stable; no use in the last 30 days.",
        "aftercare": "Alumni group Thursdays.",
        "recommendations": "",
    }
    data.update({f"goal_{i}": "met" for i in range(len(summary.goals))})
    data.update(over)
    return data


def test_signing_without_saving_first_keeps_and_signs_the_text(admitted, login):
    summary = _summary(admitted)
    client = login(admitted.therapist_a)
    response = client.post(
        reverse("aftercare:summary_sign", args=[admitted.alex.pk, summary.pk]), _text(summary)
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.signed_at is not None and summary.course == COURSE


def test_a_refused_signature_keeps_the_text_and_says_why(admitted, login):
    summary = _summary(admitted)
    client = login(admitted.therapist_a)
    response = client.post(
        reverse("aftercare:summary_sign", args=[admitted.alex.pk, summary.pk]), _text(summary, condition="")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert COURSE in page and "Describe the condition at discharge." in page
    summary.refresh_from_db()
    assert summary.signed_at is None and summary.course == COURSE
