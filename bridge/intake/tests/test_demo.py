"""The demo has intake at every step, and every stored score is what the scorer says today."""

from __future__ import annotations

from collections import Counter

from bridge import instruments
from bridge.intake.models import InstrumentAdministration, PlacementDecision, Referral, Screening
from bridge.participants.models import EpisodeOfCare, Participant


def test_demo_intake_covers_every_step_and_rescores_exactly(demo):
    statuses = Counter(Screening.objects.values_list("status", flat=True))
    # "reassessed" (withdrawal management completed, then a new screening) is not in the demo yet.
    assert set(statuses) == set(Screening.Status.values) - {"reassessed"}
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
