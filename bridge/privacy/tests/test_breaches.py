"""The breach register: the people affected come from the audit log for the user and time range; the
60-day clock, the HHS and media thresholds, the assessment and the notices are recorded."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_record
from bridge.privacy import breaches
from bridge.privacy.models import BreachIncident, BreachNotice


def test_a_breach_draws_the_people_affected_from_the_audit_log(world, login, today):
    start = timezone.now() - timedelta(minutes=5)
    for p in (world.alex, world.blair):
        audit_record(action=Action.READ, actor=world.therapist_b, participant=p, object_type="participant")
    audit_record(
        action=Action.READ, actor=world.therapist_a, participant=world.casey, object_type="participant"
    )
    end = timezone.now() + timedelta(minutes=5)
    client = login(world.director)
    response = client.post(
        reverse("privacy:breach_list"),
        {
            "program": world.program.pk,
            "title": "Snooping by a counselor",
            "description": "A counselor opened charts outside their caseload.",
            "discovered_on": today.isoformat(),
            "user": world.therapist_b.pk,
            "window_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "window_end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content
    incident = BreachIncident.objects.get()
    assert set(incident.affected.all()) == {world.alex, world.blair}
    assert incident.notice_due_on == today + timedelta(days=60)
    duties = breaches.obligations(incident, 2)
    assert not duties.media and "calendar year" in duties.hhs
    assert breaches.obligations(incident, 501).media
    detail = reverse("privacy:breach_detail", args=[incident.pk])
    page = client.get(detail)
    assert "Alex Sample" in page.content.decode()
    assert client.post(detail, {"action": "assess", "assessment": "breach"}).status_code == 400
    client.post(
        detail, {"action": "assess", "assessment": "breach", "risk_assessment": "Viewed; not mitigated."}
    )
    incident.refresh_from_db()
    assert incident.assessment == "breach"
    client.post(
        detail,
        {
            "action": "notice",
            "kind": "individual",
            "participant": world.alex.pk,
            "sent_on": today.isoformat(),
            "method": "First-class mail",
        },
    )
    assert BreachNotice.objects.get().participant == world.alex
    assert AuditEvent.objects.filter(object_type="breach_notice", participant=world.alex).exists()
    assert login(world.outsider).get(detail).status_code == 404
    assert login(world.therapist_a).get(reverse("privacy:breach_list")).status_code == 403


def test_the_hhs_annual_report_is_due_60_days_after_the_year_of_discovery_ends():
    """45 CFR 164.408(c): fewer than 500 people, logged and reported within 60 days of the year's end."""

    def hhs_due(discovered_on):
        return breaches.obligations(BreachIncident(discovered_on=discovered_on), 3).hhs_due

    assert hhs_due(date(2026, 7, 1)) == date(2027, 3, 1)
    # The year after is a leap year: the sixtieth day is 29 February.
    assert hhs_due(date(2027, 7, 1)) == date(2028, 2, 29)
    # 500 or more: HHS is told with the individuals, within 60 days of discovery.
    many = breaches.obligations(BreachIncident(discovered_on=date(2027, 7, 1)), 500)
    assert many.hhs_due == date(2027, 8, 30) and not many.media
