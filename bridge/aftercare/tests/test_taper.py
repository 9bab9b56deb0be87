"""Step-down tapers as planned floors for the hours ledger; step-up with the level history intact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from bridge.aftercare import stepping
from bridge.aftercare.hours_plans import planned_floors
from bridge.audit.models import AuditEvent
from bridge.participants.models import LevelOfCareChange, Participant
from bridge.scheduling.models import GroupSeries, SeriesMembership, SessionType


@pytest.fixture
def continuing_group(admitted):
    kind = SessionType.objects.create(
        program=admitted.program, name="Continuing care group", category="group_therapy", default_minutes=90
    )
    series = GroupSeries.objects.create(
        program=admitted.program,
        track=admitted.program.tracks.first(),
        name="Continuing care",
        session_type=kind,
        facilitator=admitted.therapist_a,
        starts_on=admitted.alex.created_at.date() - timedelta(days=60),
    )
    SeriesMembership.objects.create(series=series, participant=admitted.alex, joined_on=series.starts_on)
    return series


def _taper(world, starts_on, hours, **extra):
    return stepping.taper_start(
        actor=world.therapist_a, participant=world.alex, starts_on=starts_on, weekly_hours=hours, **extra
    )


def test_taper_weeks_are_planned_floors_for_the_ledger(admitted, monday, continuing_group):
    taper = _taper(admitted, monday, [6, 3], series=continuing_group)
    ids = [admitted.alex.pk, admitted.blair.pk]
    assert planned_floors(ids, monday - timedelta(days=7)) == {}
    this_week = planned_floors(ids, monday)
    assert list(this_week) == [admitted.alex.pk]
    assert this_week[admitted.alex.pk].minutes == 360
    assert this_week[admitted.alex.pk].label == "Step-down week 1 of 2: 6 h planned"
    assert planned_floors(ids, monday + timedelta(days=7))[admitted.alex.pk].minutes == 180
    assert planned_floors(ids, monday + timedelta(days=14)) == {}
    admitted.alex.refresh_from_db()
    assert admitted.alex.status == Participant.Status.STEP_DOWN
    assert AuditEvent.objects.filter(action="step_down", object_id=str(taper.pk)).exists()


def test_the_hours_ledger_shows_taper_weeks_as_planned_not_as_shortfalls(admitted, monday, continuing_group):
    from bridge.scheduling.ledger import hours_for, week_ledger

    _taper(admitted, monday, [6, 3], series=continuing_group)
    line = hours_for(admitted.alex, monday + timedelta(days=7))
    assert (line.floor_minutes, line.planned, line.label) == (180, True, "Step-down week 2 of 2: 3 h planned")
    # Blair, not tapering, keeps the level's floor in the same program ledger.
    lines = {x.participant_id: x for x in week_ledger(admitted.program, monday)}
    assert lines[admitted.alex.pk].floor_minutes == 360 and lines[admitted.alex.pk].planned
    assert lines[admitted.blair.pk].floor_minutes == 540 and not lines[admitted.blair.pk].planned


def test_a_taper_lowers_hours_from_a_monday_in_a_group_they_belong_to(admitted, monday, continuing_group):
    with pytest.raises(ValidationError) as err:
        _taper(admitted, monday + timedelta(days=1), [6])
    assert "starts_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _taper(admitted, monday, [3, 6])
    assert "weekly_hours" in err.value.message_dict
    SeriesMembership.objects.filter(series=continuing_group).update(status="left", left_on=monday)
    with pytest.raises(ValidationError) as err:
        _taper(admitted, monday, [6], series=continuing_group)
    assert "series" in err.value.message_dict


def test_step_up_keeps_the_level_history_and_ends_the_taper(admitted, monday):
    taper = _taper(admitted, monday, [6, 3])
    with pytest.raises(ValidationError):
        stepping.step_up(
            actor=admitted.therapist_a,
            participant=admitted.alex,
            level_of_care="1",
            effective_on=monday,
            reason="x",
        )
    episode = stepping.step_up(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        level_of_care="2.5",
        effective_on=monday + timedelta(days=2),
        reason="Two positive screens and missed groups",
    )
    levels = list(LevelOfCareChange.objects.filter(episode=episode).values_list("level_of_care", flat=True))
    assert levels == ["2.1", "2.5"]
    taper.refresh_from_db()
    admitted.alex.refresh_from_db()
    assert taper.ended_on == monday + timedelta(days=1)
    assert admitted.alex.status == Participant.Status.ACTIVE
    assert planned_floors([admitted.alex.pk], monday + timedelta(days=7)) == {}


def test_back_to_full_hours_from_a_taper_is_a_step_up_at_the_same_level(admitted, monday):
    _taper(admitted, monday, [6])
    stepping.step_up(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        level_of_care="2.1",
        effective_on=monday,
        reason="Cravings",
    )
    admitted.alex.refresh_from_db()
    assert admitted.alex.status == Participant.Status.ACTIVE


def test_step_up_reruns_the_placement_assessment_and_keeps_it(admitted, monday, login):
    from django.urls import reverse

    from bridge.aftercare.models import Reassessment

    client = login(admitted.therapist_a)
    url = reverse("aftercare:step_up", args=[admitted.alex.pk])
    assert client.get(url).status_code == 200
    ratings = {"d1": 0, "d2": 0, "d3": 1, "d4": 2, "d5": 3, "d6": 2}
    data = {
        **ratings,
        "level_of_care": "2.5",
        "effective_on": monday.isoformat(),
        "reason": "Daily use again",
    }
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200 and "The rules suggest 2.5" in preview.content.decode()
    assert not Reassessment.objects.exists()
    assert client.post(url, {**data, "d5": 7, "action": "decide"}).status_code == 400
    assert client.post(url, {**data, "action": "decide"}).status_code == 302
    reassessment = Reassessment.objects.get()
    assert reassessment.recommended_level == "2.5" and reassessment.level == "2.5"
    assert reassessment.ratings == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 3, "6": 2}
    assert AuditEvent.objects.filter(action="placement_decided", object_id=str(reassessment.pk)).exists()
    levels = list(
        LevelOfCareChange.objects.filter(episode__participant=admitted.alex).values_list(
            "level_of_care", flat=True
        )
    )
    assert levels == ["2.1", "2.5"]


def test_step_up_page_shows_the_trouble_in_the_record(admitted, monday, login):
    from django.urls import reverse

    from bridge.clinical.models import DrugScreen, DrugScreenResult

    screen = DrugScreen.objects.create(
        participant=admitted.alex, collected_on=monday, panel="10", recorded_by=admitted.nurse
    )
    DrugScreenResult.objects.create(screen=screen, substance="COC", result="positive")
    html = (
        login(admitted.therapist_a)
        .get(reverse("aftercare:step_up", args=[admitted.alex.pk]))
        .content.decode()
    )
    assert "Unexpected positive drug screen" in html and "Cocaine" in html


def test_a_step_down_to_outpatient_records_the_new_level_on_the_episode_with_its_reason(admitted, monday):
    _taper(admitted, monday, [6, 3], level_of_care="1", reason="Goals met; stable for six weeks")
    episode = admitted.alex.episodes.get()
    assert episode.level_of_care == "1"
    change = LevelOfCareChange.objects.filter(episode=episode).order_by("created_at").last()
    assert change is not None
    assert (change.level_of_care, change.effective_on, change.reason) == (
        "1",
        monday,
        "Goals met; stable for six weeks",
    )
    assert episode.level_on(monday - timedelta(days=1)) == "2.1"
    event = AuditEvent.objects.get(action="step_down", participant=admitted.alex)
    assert event.detail["level_of_care"] == "1"
    assert AuditEvent.objects.filter(action="update", object_type="episode_of_care").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"level_of_care": "2.5", "reason": "More"}, "level_of_care"),  # not a step down
        ({"level_of_care": "1.5", "reason": "4th-edition code"}, "level_of_care"),  # not this edition's
        ({"level_of_care": "1", "reason": " "}, "reason"),
    ],
)
def test_a_step_down_level_is_lower_than_now_and_says_why(admitted, monday, extra, field):
    with pytest.raises(ValidationError) as err:
        _taper(admitted, monday, [6], **extra)
    assert field in err.value.message_dict
    assert admitted.alex.episodes.get().level_of_care == "2.1"


def test_the_step_down_form_offers_only_lower_levels_and_keeps_input_on_error(admitted, monday, login):
    from django.urls import reverse

    client = login(admitted.therapist_a)
    url = reverse("aftercare:taper", args=[admitted.alex.pk])
    page = client.get(url).content.decode()
    assert 'value="1"' in page and 'value="0.5"' in page and 'value="2.5"' not in page
    response = client.post(
        url, {"starts_on": monday.isoformat(), "weekly_hours": "6, 3", "level_of_care": "1"}
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    response = client.post(
        url,
        {"starts_on": monday.isoformat(), "weekly_hours": "6, 3", "level_of_care": "1", "reason": "Ready"},
    )
    assert response.status_code == 302
    assert admitted.alex.episodes.get().level_of_care == "1"


def test_no_step_down_or_step_up_while_on_hold(admitted, monday):
    from django.utils import timezone

    from bridge.participants.services import participant_hold

    participant_hold(
        actor=admitted.therapist_a,
        participant=admitted.alex,
        kind="travel",
        reason="Family emergency out of state",
        starts_on=timezone.localdate(),
        expected_return_on=timezone.localdate() + timedelta(days=10),
    )
    with pytest.raises(ValidationError):
        _taper(admitted, monday, [6])
    with pytest.raises(ValidationError):
        stepping.step_up(
            actor=admitted.therapist_a,
            participant=admitted.alex,
            level_of_care="2.5",
            effective_on=timezone.localdate(),
            reason="Worse",
        )
    admitted.alex.refresh_from_db()
    assert admitted.alex.status == Participant.Status.ON_HOLD
