"""The clinical demo: plausible records of every kind, deterministic, and every chart page renders."""

from __future__ import annotations

from django.urls import reverse

from bridge.clinical.models import (
    Administration,
    DrugScreenResult,
    GroupNoteEntry,
    MedicationOrder,
    Note,
    TreatmentPlan,
)
from bridge.participants.models import EpisodeOfCare
from bridge.worklist.models import WorkItem


def test_demo_has_every_kind_of_clinical_record(demo, client):
    assert TreatmentPlan.objects.filter(current_version__isnull=False).count() >= 10
    assert TreatmentPlan.objects.filter(current_version__isnull=True).exists()  # a draft
    signed = Note.objects.filter(signed_at__isnull=False)
    assert signed.filter(kind="individual").exists() and signed.filter(kind="group").exists()
    assert Note.objects.filter(signed_at__isnull=True, kind="individual").exists()
    assert Note.objects.filter(signed_at__isnull=True, kind="group").exists()
    assert signed.filter(
        cosign_required=True, cosigned_at__isnull=True
    ).exists()  # therapist2's license lapsed
    assert GroupNoteEntry.objects.count() >= 10
    assert DrugScreenResult.objects.filter(substance="BUP", result="positive", expected=True).exists()
    assert DrugScreenResult.objects.filter(substance="FEN", result="positive", expected=False).exists()
    assert WorkItem.objects.filter(kind="uds_review", status="open").exists()
    assert MedicationOrder.objects.filter(drug="naltrexone_xr").exists() and Administration.objects.exists()
    # Every group note's parts pass the anti-cloning guard.
    from bridge.clinical.services.notes import group_note_problems

    for note in Note.objects.filter(kind="group", signed_at__isnull=False):
        assert not [p for p in group_note_problems(note) if "nearly identical" in p]
    # The primary clinician opens every chart page of their participants without an error.
    episode = EpisodeOfCare.objects.filter(
        status="active", participant__medication_orders__isnull=False
    ).first()
    assert episode is not None
    p = episode.participant
    from bridge.clinical.services.common import primary_clinician

    client.force_login(primary_clinician(p))
    for name in (
        "participants:detail",
        "clinical:plan",
        "clinical:notes",
        "clinical:screens",
        "clinical:meds",
    ):
        assert client.get(reverse(name, args=[p.pk])).status_code == 200, name
    for note in Note.objects.filter(participant=p)[:2]:
        assert client.get(reverse("clinical:note", args=[p.pk, note.pk])).status_code == 200
    client.force_login(demo.staff["director"])
    assert client.get("/").status_code == 200
    group = Note.objects.filter(kind="group").first()
    assert group is not None
    assert client.get(reverse("clinical:group", args=[group.session_id])).status_code == 200
    assert client.get(reverse("clinical:groups")).status_code == 200
