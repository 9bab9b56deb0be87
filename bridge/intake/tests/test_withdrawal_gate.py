"""Lower ratings do not make withdrawal safe: a clinician who rates dimension 1 below the rules must
say why, and while the findings themselves call for 24-hour withdrawal management, admission to IOP
stays refused (whatever the ratings or the decision say) until a prescriber records it complete."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bridge.intake import services
from bridge.intake.models import Screening
from bridge.intake.queries import recommendation_for
from bridge.intake.safety import admission_gate
from bridge.participants.models import EpisodeOfCare

pytestmark = pytest.mark.django_db

SEVERE_CIWA = [2] * 10  # 20: severe alcohol withdrawal


@pytest.fixture
def severe(world, iop_ready):
    """Casey's screening with a severe CIWA-Ar and past withdrawal seizures: the rules say 4-WM first."""
    services.administration_record(
        actor=world.intake, screening=iop_ready, instrument="CIWA-Ar", responses=SEVERE_CIWA
    )
    services.screening_update(actor=world.intake, screening=iop_ready, withdrawal_history_severe=True)
    screening = Screening.objects.get(pk=iop_ready.pk)
    assert recommendation_for(screening).withdrawal_management == "4-WM"
    return screening


def _rules_ratings(screening) -> dict[int, int]:
    rec = recommendation_for(screening, with_clinician_ratings=False)
    return {d: result.rating for d, result in rec.dimensions.items()}


def test_a_rating_below_the_rules_needs_a_reason(world, severe):
    ratings = {**_rules_ratings(severe), 1: 0}
    for notes in ({}, {1: "."}, {1: "ok fine"}):
        with pytest.raises(ValidationError) as refused:
            services.dimensions_rate(actor=world.intake, screening=severe, ratings=ratings, notes=notes)
        assert "lower than the rules' 4" in refused.value.message_dict["notes_1"][0]
    assert not severe.dimension_ratings.exists()  # nothing saved
    # Raising a rating, or keeping the rules' own, needs none.
    services.dimensions_rate(
        actor=world.intake, screening=severe, ratings={**_rules_ratings(severe), 6: 3}, notes={}
    )


def test_lowered_ratings_and_an_override_do_not_admit_past_the_findings(world, login, severe):
    services.dimensions_rate(
        actor=world.intake,
        screening=severe,
        ratings={**_rules_ratings(severe), 1: 0},
        notes={1: "Says the shakes were from the flu, not drinking"},
    )
    screening = Screening.objects.get(pk=severe.pk)
    assert recommendation_for(screening).withdrawal_management is None  # the ratings drop 4-WM...
    decision = services.placement_decide(actor=world.intake, screening=screening, decision="accept")
    assert (decision.level, decision.withdrawal_management) == ("2.1", "")
    screening.refresh_from_db()
    problems = admission_gate(screening, decision)
    # ...but the findings still call for it, so admission is refused, in words, on the page too.
    assert any("The findings call for withdrawal management 4-WM first" in p for p in problems)
    client = login(world.intake)
    url = reverse("intake:admit", kwargs={"participant_id": world.casey.pk, "screening_id": screening.pk})
    response = client.post(
        url,
        {
            "primary_clinician": world.therapist_a.pk,
            "admitted_on": timezone.localdate().isoformat(),
            "consent_to_treatment_signed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    # Said once, in the list of reasons above the form.
    assert response.content.decode().count("The findings call for withdrawal management 4-WM first") == 1
    assert not EpisodeOfCare.objects.filter(participant=world.casey).exists()


def test_a_withdrawal_scale_entered_in_error_no_longer_holds_admission(world, severe):
    ciwa = severe.administrations.filter(instrument="CIWA-Ar", entered_in_error_at__isnull=True).latest(
        "administered_at"
    )
    services.administration_mark_error(
        actor=world.intake, administration=ciwa, reason="Wrong person's scores"
    )
    screening = Screening.objects.get(pk=severe.pk)
    decision = services.placement_decide(actor=world.intake, screening=screening, decision="accept")
    assert not [p for p in admission_gate(screening, decision) if "withdrawal management" in p]


def test_the_page_says_why_a_lowered_rating_was_not_saved(world, login, severe):
    client = login(world.intake)
    kwargs = {"participant_id": world.casey.pk, "screening_id": severe.pk}
    ratings = {f"rating_{d}": str(r) for d, r in {**_rules_ratings(severe), 1: 0}.items()}
    for name, extra in (("intake:placement", {}), ("intake:decide", {"decision": "accept"})):
        response = client.post(reverse(name, kwargs=kwargs), {**ratings, "notes_1": "Fine", **extra})
        assert response.status_code == 400, name
        page = response.content.decode()
        assert 'id="id_notes_1_error"' in page and "lower than the rules&#x27; 4" in page, name
    assert not severe.dimension_ratings.exists()
