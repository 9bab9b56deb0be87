"""The participant's private link: hashed token, public page, plain language, single use, expiry."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.core.tokens import token_hash
from bridge.intake.models import InstrumentAdministration
from bridge.measures import services
from bridge.measures.models import MeasureLink
from bridge.measures.tests.conftest import PHQ9_CALM, PHQ9_ITEM9, phq9_post


def test_staff_make_a_link_shown_once_and_only_its_hash_is_stored(admitted, login):
    w = admitted
    response = login(w.therapist_a).post(
        reverse("measures:link_create", args=[w.alex.pk]), {"instrument": "PHQ-9"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    link = MeasureLink.objects.get()
    token = html.split("/m/")[1].split("/")[0]
    assert link.token_hash == token_hash(token) and token not in link.token_hash
    assert len(token) >= 40 and link.expires_at - link.created_at == timedelta(days=7)
    assert AuditEvent.objects.filter(action="create", object_type="measure_link").exists()


def test_a_participant_answers_through_the_link_without_signing_in_once(admitted, client):
    w = admitted
    link, token = services.measure_link_create(actor=w.therapist_a, participant=w.alex, instrument="PHQ-9")
    url = reverse("measures:respond", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "A few questions from your care team" in html and "988" in html
    assert "Alex" not in html  # the page names no one: a leaked link discloses nothing
    assert page["X-Robots-Tag"] == "noindex, nofollow" and page["Referrer-Policy"] == "same-origin"
    done = client.post(url, phq9_post(PHQ9_CALM))
    assert done.status_code == 200 and "your answers were sent" in done.content.decode()
    row = InstrumentAdministration.objects.get()
    assert (row.participant, row.total, row.band, row.source, row.administered_by) == (
        w.alex,
        4,
        "minimal",
        "self_report",
        None,
    )
    link.refresh_from_db()
    assert link.completed_at is not None and link.administration == row
    assert client.get(url).status_code == 404  # single use
    assert client.post(url, phq9_post(PHQ9_CALM)).status_code == 404
    assert InstrumentAdministration.objects.count() == 1
    labels = set(AuditEvent.objects.filter(actor_label="measure link").values_list("action", flat=True))
    assert labels == {"read", "create", "access_denied"}


def test_a_missing_answer_is_asked_again_in_plain_words(admitted, client):
    _, token = services.measure_link_create(
        actor=admitted.nurse, participant=admitted.alex, instrument="PHQ-9"
    )
    data = phq9_post(PHQ9_CALM)
    del data["phq9_3"]
    response = client.post(reverse("measures:respond", args=[token]), data)
    assert response.status_code == 400
    assert "Please answer every question" in response.content.decode()
    assert not InstrumentAdministration.objects.exists()


def test_an_expired_or_made_up_link_is_404(admitted, client):
    _, token = services.measure_link_create(
        actor=admitted.nurse, participant=admitted.alex, instrument="GAD-7"
    )
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client.get(reverse("measures:respond", args=[token])).status_code == 404
    assert client.get(reverse("measures:respond", args=["x" * 43])).status_code == 404
    denied = AuditEvent.objects.filter(action="access_denied", object_type="measure_link")
    assert denied.count() == 2 and token not in str(list(denied.values_list("object_id", flat=True)))


def test_item9_through_the_link_shows_crisis_help_and_raises_the_chart_alert(
    admitted, client, login, django_capture_on_commit_callbacks, mailoutbox
):
    _, token = services.measure_link_create(
        actor=admitted.nurse, participant=admitted.alex, instrument="PHQ-9"
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("measures:respond", args=[token]), phq9_post(PHQ9_ITEM9)).content.decode()
    assert done.index("988") < done.index("Your answers were sent"), "crisis help comes first"
    chart = login(admitted.therapist_a).get(reverse("participants:detail", args=[admitted.alex.pk]))
    assert "(answered by the participant)" in chart.content.decode()
    # At once: a same-day work item on the primary clinician's list, and they are told.
    from bridge.notify.models import StaffNotification
    from bridge.safety.models import SafetySignal
    from bridge.worklist.models import WorkItem

    signal = SafetySignal.objects.get(participant=admitted.alex, code="phq9_item9_positive")
    assert (signal.urgency, signal.source, signal.status) == ("same_day", "measure_link", "open")
    item = WorkItem.objects.get(kind="safety_signal", assigned_to=admitted.therapist_a)
    assert item.title.startswith("Today: PHQ-9") and item.status == "open"
    sent = StaffNotification.objects.filter(recipient=admitted.therapist_a, about_id=str(signal.pk))
    assert [(n.channel, n.status) for n in sent] == [("email", "sent")]
    # No working hours are recorded for the clinician, so the director is told too (off shift or unknown).
    assert {m.to[0] for m in mailoutbox} == {admitted.therapist_a.email, admitted.director.email}
    assert all("Alex" not in m.body and "PHQ" not in m.body for m in mailoutbox), "no PHI in messages"


def test_staff_can_revoke_an_unused_link_and_it_stops_working(admitted, client, login):
    w = admitted
    link, token = services.measure_link_create(actor=w.therapist_a, participant=w.alex, instrument="BAM")
    staff = login(w.therapist_a)
    assert "…" + link.hint in staff.get(reverse("measures:overview", args=[w.alex.pk])).content.decode()
    assert (
        login(w.outsider).post(reverse("measures:link_revoke", args=[w.alex.pk, link.pk])).status_code == 404
    )
    staff = login(w.therapist_a)
    assert staff.post(reverse("measures:link_revoke", args=[w.alex.pk, link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == w.therapist_a
    assert AuditEvent.objects.filter(
        object_type="measure_link", action="update", object_id=str(link.pk)
    ).exists()
    client.logout()
    assert client.get(reverse("measures:respond", args=[token])).status_code == 404


def test_giving_the_measure_in_person_stops_a_link_still_waiting_for_it(admitted, client):
    w = admitted
    link, token = services.measure_link_create(actor=w.therapist_a, participant=w.alex, instrument="PHQ-9")
    other, _ = services.measure_link_create(actor=w.therapist_a, participant=w.alex, instrument="GAD-7")
    services.measure_record(actor=w.nurse, participant=w.alex, instrument="PHQ-9", responses=PHQ9_CALM)
    link.refresh_from_db()
    other.refresh_from_db()
    assert link.revoked_by == w.nurse and other.revoked_at is None
    assert client.get(reverse("measures:respond", args=[token])).status_code == 404
