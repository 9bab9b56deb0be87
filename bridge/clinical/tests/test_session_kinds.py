"""Every kind of session the one-off form lets staff create works on every page that lists it,
including an extra group without a session type (it used to break the group-note pages with a 500),
and only staff who may lead a kind of session are accepted as its leader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.scheduling.models import Session, SessionKind


def _one_off(world, kind, staff, participants, hours_ago=3):
    start = timezone.localtime(timezone.now() - timedelta(hours=hours_ago), world.program.tz)
    return {
        "kind": kind,
        "staff": str(staff.pk),
        "participants": [str(p.pk) for p in participants],
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "minutes": "50",
        "modality": "telehealth",
    }


LEADERS = {
    SessionKind.GROUP: "therapist_b",
    SessionKind.INDIVIDUAL: "therapist_a",
    SessionKind.FAMILY: "therapist_a",
    SessionKind.MEDICATION: "prescriber",
    SessionKind.DRUG_SCREEN: "nurse",
    SessionKind.ALUMNI: "therapist_b",
}


@pytest.mark.parametrize("kind", list(LEADERS))
def test_each_kind_of_one_off_session_opens_on_every_page_that_lists_it(admitted, login, kind):
    w = admitted
    leader = getattr(w, LEADERS[kind])
    client = login(w.frontdesk)
    hours_ago = 2 + list(LEADERS).index(kind)
    response = client.post(
        reverse("scheduling:session_new"), _one_off(w, kind, leader, [w.alex, w.blair], hours_ago)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    session = Session.objects.get(kind=kind)
    assert session.session_type is None

    pages = {
        w.frontdesk: [
            reverse("scheduling:session", args=[session.pk]),
            reverse("scheduling:week"),
            reverse("scheduling:today"),
        ],
        leader: [
            reverse("scheduling:session", args=[session.pk]),
            reverse("scheduling:attendance", args=[session.pk]),
            reverse("scheduling:week"),
            reverse("clinical:groups"),
        ],
        w.therapist_a: [
            reverse("participants:detail", args=[w.alex.pk]),
            reverse("clinical:notes", args=[w.alex.pk]),
            reverse("clinical:note_create", args=[w.alex.pk]),
            reverse("scheduling:participant_hours", args=[w.alex.pk]),
        ],
        w.director: [reverse("clinical:groups"), reverse("scheduling:hours")],
    }
    if kind == SessionKind.GROUP:
        pages[leader] += [reverse("clinical:group", args=[session.pk])]
        pages[w.director] += [reverse("clinical:group", args=[session.pk])]
    for user, urls in pages.items():
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.username, url)
    if kind == SessionKind.GROUP:
        client = login(leader)
        assert client.post(reverse("clinical:group", args=[session.pk]), {"start": "1"}).status_code == 302
        page = client.get(reverse("clinical:group", args=[session.pk]))
        assert page.status_code == 200 and "Group note — Group session" in page.content.decode()
        listing = client.get(reverse("clinical:groups")).content.decode()
        assert str(session.pk) in listing


@pytest.mark.parametrize("kind", [SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.GROUP])
def test_front_desk_never_leads_therapy_and_the_form_says_why(admitted, login, kind):
    w = admitted
    client = login(w.director)
    response = client.post(reverse("scheduling:session_new"), _one_off(w, kind, w.frontdesk, [w.alex]))
    assert response.status_code == 400
    assert "front desk staff never lead" in response.content.decode()
    assert not Session.objects.filter(kind=kind).exists()


def test_a_medication_visit_needs_a_prescriber_or_nurse(admitted, login):
    w = admitted
    client = login(w.director)
    response = client.post(
        reverse("scheduling:session_new"), _one_off(w, SessionKind.MEDICATION, w.therapist_b, [w.alex])
    )
    assert response.status_code == 400 and "needs a prescriber or a nurse" in response.content.decode()
