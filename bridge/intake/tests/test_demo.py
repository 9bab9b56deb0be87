"""The demo has intake at every step, and every stored score is what the scorer says today."""

from __future__ import annotations

from collections import Counter

from bridge import instruments
from bridge.intake.models import InstrumentAdministration, PlacementDecision, Referral, Screening
from bridge.participants.models import EpisodeOfCare, Participant


def test_demo_intake_covers_every_step_and_rescores_exactly(demo):
    statuses = Counter(Screening.objects.values_list("status", flat=True))
    # Every status, "reassessed" too: Riley's withdrawal management was recorded complete by the
    # prescriber, and the new screening that follows it decided 2.1 (the gate shown both ways).
    assert set(statuses) == set(Screening.Status.values)
    assert statuses["admitted"] == EpisodeOfCare.objects.count()
    assert not EpisodeOfCare.objects.filter(screening__isnull=True).exists()
    assert Participant.objects.filter(status="referred").count() == Referral.objects.count() == 1
    assert Screening.objects.filter(referral_source="self_check", started_by__isnull=True).exists()
    overrides = PlacementDecision.objects.filter(decision="override")
    assert overrides.exists() and not overrides.filter(reason="").exists()
    assert set(overrides.values_list("level", flat=True)) == {"2.1"}
    for row in InstrumentAdministration.objects.all():
        result = instruments.score(
            row.instrument,
            row.responses,
            sex=row.sex or None,
            settings=instruments.ScoringSettings(**{**row.scoring_settings}),
        )
        assert (result.total, result.band, list(result.alerts)) == (row.total, row.band, row.alerts), (
            row.instrument
        )


def test_demo_shows_the_admission_gate_both_ways(demo):
    from bridge.intake.safety import admission_gate

    riley = Participant.objects.get(first_name="Riley", last_name="Ostrowski")
    before = Screening.objects.get(participant=riley, status="reassessed")
    after = Screening.objects.get(participant=riley, follows=before)
    assert before.wm_completion.withdrawal_management == "3.7-WM"
    assert any("3.7-WM comes first" in p for p in admission_gate(before, before.decision))
    assert after.status == "decided" and admission_gate(after, after.decision) == []
    dana = Screening.objects.get(participant__first_name="Dana", participant__last_name="Whitfield")
    assert any("4-WM comes first" in p for p in admission_gate(dana, dana.decision))
