"""Giving measures, safety alerts and their acknowledgement, schedules, access and the home panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.intake.models import InstrumentAdministration
from bridge.measures import services
from bridge.measures.models import AlertAcknowledgement, MeasureSchedule
from bridge.measures.tests.conftest import PHQ9_CALM, PHQ9_ITEM9, phq9_post
from bridge.privacy.providers import records_for
from bridge.privacy.vocab import DataClass
from bridge.testing.sections import full_page


def test_staff_give_phq9_from_the_definition_and_it_is_scored_and_audited(admitted, login):
    w = admitted
    client = login(w.therapist_a)
    form = client.get(reverse("measures:give", args=[w.alex.pk, "PHQ-9"])).content.decode()
    assert "Little interest or pleasure in things" in form  # the items come from the definition
    response = client.post(reverse("measures:give", args=[w.alex.pk, "PHQ-9"]), phq9_post(PHQ9_CALM))
    assert response.status_code == 302
    row = InstrumentAdministration.objects.get(participant=w.alex)
    assert (row.total, row.band, row.alerts, row.screening_id) == (4, "minimal", [], None)
    assert row.administered_by == w.therapist_a and row.source == "staff"
    event = AuditEvent.objects.get(action="create", object_type="instrument_administration")
    assert event.participant_id == w.alex.pk and event.object_id == str(row.pk)


def test_an_unanswered_item_is_a_form_error_naming_it_and_nothing_is_stored(admitted, login):
    data = phq9_post(PHQ9_CALM)
    del data["phq9_9"]
    response = login(admitted.therapist_a).post(
        reverse("measures:give", args=[admitted.alex.pk, "PHQ-9"]), data
    )
    assert response.status_code == 400
    assert 'id="q_phq9_9"' in response.content.decode() and "Answer this item." in response.content.decode()
    assert not InstrumentAdministration.objects.exists()


def test_an_unknown_measure_is_404(admitted, login):
    url = reverse("measures:give", args=[admitted.alex.pk, "AUDIT"])
    assert login(admitted.therapist_a).get(url).status_code == 404


def test_item9_alert_tops_the_chart_until_a_clinician_acknowledges_it(admitted, login):
    w = admitted
    row = services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=PHQ9_ITEM9)
    assert row.alerts == ["phq9_item9_positive"]
    client = login(w.therapist_a)
    page = reverse("participants:detail", args=[w.alex.pk])
    html = client.get(page).content.decode()
    assert "Safety alert — not yet acknowledged" in html
    assert html.index("Safety alert") < html.index("Legal name")  # above everything else
    response = client.post(
        reverse("measures:acknowledge", args=[w.alex.pk, row.pk]),
        {"note": "Safety plan reviewed; C-SSRS low."},
    )
    assert response.status_code == 302
    ack = AlertAcknowledgement.objects.get(administration=row)
    assert ack.acknowledged_by == w.therapist_a and ack.acknowledged_at is not None
    assert ack.note == "Safety plan reviewed; C-SSRS low."
    event = AuditEvent.objects.get(action="alert_acknowledged")
    assert event.actor_id == w.therapist_a.pk and event.object_id == str(row.pk)
    assert "Safety alert — not yet acknowledged" not in client.get(page).content.decode()
    history = client.get(reverse("measures:overview", args=[w.alex.pk])).content.decode()
    assert "acknowledged by Therapist_a Test" in history and "Safety plan reviewed; C-SSRS low." in history
    again = client.post(reverse("measures:acknowledge", args=[w.alex.pk, row.pk]), {"note": ""})
    assert again.status_code == 400 and AlertAcknowledgement.objects.count() == 1
    assert "Say what was done" in again.content.decode()


def test_a_cssrs_high_risk_alert_is_also_a_chart_alert(admitted, login):
    w = admitted
    services.measure_record(
        actor=w.therapist_a, participant=w.alex, instrument="C-SSRS-Screener", responses=[1, 1, 1, 1, 0, 0, 0]
    )
    html = login(w.therapist_a).get(reverse("participants:detail", args=[w.alex.pk])).content.decode()
    assert "some intention of acting on suicidal thoughts" in html


def test_acknowledging_a_result_without_a_safety_alert_is_refused(admitted):
    w = admitted
    row = services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=PHQ9_CALM)
    with pytest.raises(Exception, match="no safety alert"):
        services.alert_acknowledge(actor=w.therapist_a, administration=row, note="Checked.")


def test_acknowledging_a_safety_alert_requires_saying_what_was_done(admitted):
    w = admitted
    row = services.measure_record(
        actor=w.therapist_a, participant=w.alex, instrument="PHQ-9", responses=[0] * 8 + [1]
    )
    with pytest.raises(Exception, match="Say what was done"):
        services.alert_acknowledge(actor=w.therapist_a, administration=row, note="  ")
    assert not AlertAcknowledgement.objects.filter(administration=row).exists()


def test_chart_shows_baseline_latest_change_and_says_no_reliable_change_threshold(admitted, login):
    w = admitted
    for days_ago, values in ((20, [3, 3, 2, 2, 2, 2, 1, 1, 0]), (6, [1, 1, 1, 1, 1, 0, 1, 0, 0])):
        row = services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=values)
        InstrumentAdministration.objects.filter(pk=row.pk).update(
            administered_at=timezone.now() - timedelta(days=days_ago)
        )
    html = login(w.therapist_a).get(reverse("measures:overview", args=[w.alex.pk])).content.decode()
    assert "<svg" in html and "PHQ-9 over time" in html
    assert "Baseline <strong>16</strong>" in html and "Latest <strong>6</strong>" in html
    assert "Change <strong>-10</strong> (lower)" in html
    assert "gives no reliable-change threshold for PHQ-9" in html
    assert "instruments.md" not in html  # no file names (developer wording) on a clinical page
    assert "Moderate (10)" in html  # band cut-offs are labelled lines
    assert "results as a table" in html  # the data-table alternative


def test_due_and_overdue_measures_show_on_the_chart_and_the_clinicians_home(admitted, login):
    w = admitted  # admitted 21 days ago, nothing given yet: every default measure is overdue
    client = login(w.therapist_a)
    chart = full_page(client, reverse("participants:detail", args=[w.alex.pk]))
    assert "Overdue</span>\n  <strong>PHQ-9</strong>" in chart
    home = client.get("/").content.decode()
    assert "Measures due" in home and "Alex Sample" in home and "BAM" in home
    assert "Blair Sample" not in home  # not on therapist A's caseload


def test_participant_and_program_schedules_change_what_is_due(admitted, login):
    w = admitted
    client = login(w.therapist_a)
    url = reverse("measures:participant_schedule", args=[w.alex.pk])
    data = {"PHQ-9": "7", "GAD-7": "0", "BAM": "inherit", "PCL-5": "inherit", "C-SSRS-Screener": "inherit"}
    assert client.post(url, data).status_code == 302
    own = dict(MeasureSchedule.objects.filter(participant=w.alex).values_list("instrument", "every_days"))
    assert own == {"PHQ-9": 7, "GAD-7": 0}
    html = client.get(reverse("measures:overview", args=[w.alex.pk])).content.decode()
    assert "every 7 days" in html and "<strong>GAD-7</strong>" not in html
    assert client.post(url, {**data, "PHQ-9": "5"}).status_code == 400  # not a listed interval
    director = login(w.director)
    program_url = reverse("measures:program_schedule")
    assert director.get(program_url).status_code == 200
    program_data = {"PHQ-9": "14", "GAD-7": "14", "BAM": "0", "PCL-5": "30", "C-SSRS-Screener": "0"}
    assert director.post(program_url, program_data).status_code == 302
    rows = MeasureSchedule.objects.filter(program=w.program, participant__isnull=True)
    assert dict(rows.values_list("instrument", "every_days")) == {"BAM": 0, "PCL-5": 30}
    assert AuditEvent.objects.filter(action="update", object_type="measure_schedule").count() == 4
    assert login(w.therapist_a).get(program_url).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("measures:overview", "get", ()),
        ("measures:give", "get", ("PHQ-9",)),
        ("measures:give", "post", ("PHQ-9",)),
        ("measures:link_create", "post", ()),
        ("measures:participant_schedule", "post", ()),
    ],
)
def test_outsider_gets_404_and_the_denial_is_audited(admitted, login, name, method, extra):
    url = reverse(name, args=[admitted.alex.pk, *extra])
    response = getattr(login(admitted.outsider), method)(url, {"instrument": "PHQ-9"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", participant=admitted.alex).exists()
    assert not InstrumentAdministration.objects.exists()


def test_outsider_cannot_acknowledge_and_peer_cannot_read_measures(admitted, login):
    w = admitted
    row = services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=PHQ9_ITEM9)
    url = reverse("measures:acknowledge", args=[w.alex.pk, row.pk])
    assert login(w.outsider).post(url).status_code == 404
    assert login(w.therapist_b).post(url).status_code == 404  # not on Alex's care team
    assert login(w.peer).get(reverse("measures:overview", args=[w.alex.pk])).status_code == 403
    assert not AlertAcknowledgement.objects.exists()


def test_reading_measures_is_audited(admitted, login):
    login(admitted.therapist_a).get(reverse("measures:overview", args=[admitted.alex.pk]))
    assert AuditEvent.objects.filter(
        action="read", participant=admitted.alex, detail__view="measures:overview"
    ).exists()


def test_measures_are_in_the_assessments_data_class_for_disclosures(admitted):
    w = admitted
    services.measure_record(actor=w.nurse, participant=w.alex, instrument="GAD-7", responses=[1] * 7)
    today = timezone.localdate()
    records = records_for(DataClass.ASSESSMENTS, w.alex, today - timedelta(days=1), today)
    assert [r.title.split(" ", 1)[1] for r in records] == ["GAD-7"]


def test_a_result_given_by_mistake_is_marked_entered_in_error_and_leaves_the_chart(admitted, login):
    w = admitted
    row = services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=PHQ9_ITEM9)
    client = login(w.therapist_a)
    url = reverse("measures:mark_error", args=[w.alex.pk, row.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Answers belonged to another person"}).status_code == 302
    row.refresh_from_db()
    assert row.entered_in_error_by == w.therapist_a and row.entered_in_error_reason
    assert AuditEvent.objects.filter(action="entered_in_error", object_id=str(row.pk)).exists()
    html = full_page(client, reverse("participants:detail", args=[w.alex.pk]))
    assert "Safety alert — not yet acknowledged" not in html and "PHQ-9 over time" not in html
    assert login(w.outsider).post(url, {"reason": "x"}).status_code == 404
