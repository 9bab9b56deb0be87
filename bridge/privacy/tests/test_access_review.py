"""Access review for auditors: who opened this chart, what this user opened, break-the-glass, disclosures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.privacy import services
from bridge.privacy.models import Recipient
from bridge.privacy.vocab import Channel, DataClass, Purpose

REVIEW_URLS = ["review_home", "review_chart", "review_user", "review_emergency", "review_disclosures"]


@pytest.fixture
def activity(world, login, make_consent, recipients, today):
    login(world.therapist_a).get(reverse("participants:detail", args=[world.alex.pk]))
    login(world.nurse).get(reverse("participants:detail", args=[world.alex.pk]))
    login(world.therapist_b).get(reverse("participants:detail", args=[world.alex.pk]))  # refused
    client = login(world.therapist_b)
    client.post(
        reverse("privacy:emergency_access", args=[world.alex.pk]), {"reason": "Crisis call after hours."}
    )
    client.get(reverse("participants:detail", args=[world.alex.pk]))  # read under emergency access
    make_consent(recipients=[recipients["employer"]])
    for recipient in (recipients["employer"], recipients["court"]):
        services.disclosure_prepare(
            actor=world.therapist_a,
            participant=world.alex,
            recipient=recipient,
            purpose=Purpose.EMPLOYMENT,
            data_classes=[DataClass.ATTENDANCE],
            date_from=today - timedelta(days=7),
            date_to=today,
            channel=Channel.MAIL,
        )
    return world


def test_who_opened_this_chart(activity, login):
    w = activity
    page = login(w.auditor).get(reverse("privacy:review_chart"), {"participant": str(w.alex.pk)})
    assert page.status_code == 200
    people = {p["actor_label"]: p for p in page.context["people"]}
    assert people["therapist_a"]["reads"] == 1 and people["nurse"]["reads"] == 1
    assert people["therapist_b"]["denials"] == 1 and people["therapist_b"]["emergency"] == 1
    assert AuditEvent.objects.filter(
        action="read", actor=w.auditor, object_type="access_review:chart"
    ).exists()


def test_what_this_user_opened(activity, login):
    w = activity
    page = login(w.auditor).get(reverse("privacy:review_user"), {"actor": "therapist_b"})
    assert page.status_code == 200
    [chart] = page.context["charts"]
    assert chart["participant_id"] == w.alex.pk and chart["emergency"] == 1 and chart["denials"] == 1


def test_all_break_the_glass_uses_and_all_disclosures_and_refusals(activity, login):
    client = login(activity.auditor)
    btg = client.get(reverse("privacy:review_emergency"))
    [grant] = btg.context["grants"]
    assert grant.user == activity.therapist_b and grant.reads == 1
    assert "Crisis call after hours." in btg.content.decode()
    disclosures = client.get(reverse("privacy:review_disclosures"))
    assert {d.outcome for d in disclosures.context["page"].object_list} == {"released", "refused"}
    refused = client.get(reverse("privacy:review_disclosures"), {"outcome": "refused"})
    assert [d.recipient_name for d in refused.context["page"].object_list] == ["County Drug Court"]


def test_a_participant_of_another_program_is_not_found_for_the_auditor(activity, login):
    page = login(activity.auditor).get(
        reverse("privacy:review_chart"), {"participant": str(activity.elsewhere_participant.pk)}
    )
    assert page.status_code == 400 and "participant" in page.context["form"].errors


@pytest.mark.parametrize("persona", ["director", "therapist_a", "frontdesk", "outsider"])
@pytest.mark.parametrize("name", REVIEW_URLS)
def test_only_auditors_review_access(world, login, persona, name):
    client = login(world.staff[persona])
    before = AuditEvent.objects.filter(action="access_denied").count()
    assert client.get(reverse(f"privacy:{name}")).status_code == 403
    assert AuditEvent.objects.filter(action="access_denied").count() == before + 1


def test_review_pages_query_counts_are_constant(activity, login, django_assert_max_num_queries, today):
    client = login(activity.auditor)
    urls = [
        (reverse("privacy:review_chart"), {"participant": str(activity.alex.pk)}),
        (reverse("privacy:review_user"), {"actor": "therapist_a"}),
        (reverse("privacy:review_emergency"), {}),
        (reverse("privacy:review_disclosures"), {}),
    ]
    counts = []
    for url, params in urls:
        with django_assert_max_num_queries(40) as q:
            client.get(url, params)
        counts.append(len(q.captured_queries))
    more = login(activity.therapist_a)
    for _ in range(5):
        more.get(reverse("participants:detail", args=[activity.blair.pk]))
        more.get(reverse("participants:detail", args=[activity.alex.pk]))
        services.disclosure_prepare(
            actor=activity.therapist_a,
            participant=activity.alex,
            recipient=Recipient.objects.get(name="County Drug Court"),
            purpose=Purpose.LEGAL,
            data_classes=[DataClass.ATTENDANCE],
            date_from=today,
            date_to=today,
            channel=Channel.MAIL,
        )
    client = login(activity.auditor)
    for (url, params), count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url, params)
