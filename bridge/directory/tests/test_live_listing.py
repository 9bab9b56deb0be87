"""Live listings of programs on Bridge: built from the program's own records every time they are shown."""

from __future__ import annotations

from datetime import time, timedelta

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridge.accounts.models import Credential
from bridge.directory.queries import live_listings
from bridge.participants.models import EpisodeOfCare
from bridge.programs.models import Track
from bridge.scheduling.models import SessionType
from bridge.testing.personas import make_participant

SEARCH = "/find/"


def _found(client, **params) -> list[str]:
    response = client.get(SEARCH, {"where": "94607", "radius": 25, **params})
    assert response.status_code == 200, response.context["form"].errors
    return [x.name for x in response.context["result"].listings]


def _page(client, world) -> str:
    response = client.get(f"/find/{world.program.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_program_is_listed_live_and_an_unpublished_one_is_not(client, listed):
    assert _found(client) == ["Harbor"]
    page = _page(client, listed)
    assert "Live from the program" in page and "Mon/Tue/Thu, 6 pm to 9 pm (evening)" in page
    listed.program.directory_profile.published = False
    listed.program.directory_profile.save()
    assert _found(client) == []
    assert client.get(f"/find/{listed.program.pk}/").status_code == 404


def test_the_listing_changes_when_a_track_changes(client, listed):
    assert _found(client, schedule="evening") == ["Harbor"]
    assert _found(client, schedule="weekend") == []
    track = Track.objects.get(program=listed.program, name="Evening")
    track.start_time, track.end_time = time(9), time(12)
    track.save()
    assert _found(client, schedule="evening") == []
    assert "Mon/Tue/Thu, 9 am to 12 pm" in _page(client, listed)
    Track.objects.create(
        program=listed.program,
        name="Weekend",
        weekdays=[5, 6],
        start_time=time(10),
        end_time=time(13),
        target_hours_per_week=6,
        age_group=Track.AgeGroup.ADOLESCENT,
    )
    assert _found(client, schedule="weekend") == ["Harbor"]
    assert _found(client, age="CH_AD") == ["Harbor"]
    track.is_active = False
    track.save()
    assert _found(client, age="ADLT") == []
    assert "Evening" not in _page(client, listed).split("What is known")[1].split("Measured")[0]


def test_what_the_director_publishes_is_what_the_filters_match(client, listed):
    for params in (
        {"payment": ["MD", "SS"]},
        {"language": "SP"},
        {"mat": "buprenorphine"},
        {"dual": "yes"},
        {"aftercare": ["aftercare", "alumni"]},
        {"approach": "CBT"},
        {"accreditation": "CARF"},
        {"license": "state"},
        {"setting": "iop"},
    ):
        assert _found(client, **params) == ["Harbor"], params
    for params in (
        {"payment": "MC"},
        {"mat": "methadone"},
        {"accreditation": "JC"},
        {"setting": "residential"},
    ):
        assert _found(client, **params) == [], params


def test_expired_accreditations_and_licenses_leave_the_listing_on_the_day_they_expire(client, listed):
    assert "#C-1" in _page(client, listed)
    with time_machine.travel(timezone.now() + timedelta(days=201)):
        assert _found(client, accreditation="CARF") == []
        assert _found(client, license="state") == []
        page = _page(client, listed)
        assert "#C-1" not in page and "#L-1" not in page
        assert "None on file" in page


def test_staff_count_holds_only_checked_current_clinical_credentials(client, listed):
    world, today = listed, timezone.localdate()
    assert live_listings([world.program.pk], detail=True)[0].verified_staff == 0  # none checked yet
    checked = today - timedelta(days=30)
    Credential.objects.filter(user__in=[world.therapist_a, world.prescriber, world.nurse]).update(
        verified_on=checked
    )
    # A therapist with two checked credentials counts once.
    Credential.objects.create(
        user=world.therapist_a,
        kind="CADC",
        number="A-2",
        issuing_state="CA",
        expires_on=today + timedelta(days=9),
        verified_on=checked,
    )
    # Expired, checked in the future, deactivated, or another program's: not counted.
    Credential.objects.filter(user=world.therapist_b).update(
        verified_on=checked, expires_on=today - timedelta(days=1)
    )
    Credential.objects.filter(user=world.intake).update(verified_on=today + timedelta(days=3))
    Credential.objects.filter(user=world.outsider).update(verified_on=checked)
    world.director.credentials.update(verified_on=checked)
    world.director.is_active = False
    world.director.save()
    listing = live_listings([world.program.pk], detail=True)[0]
    assert (
        listing.verified_staff == 2
    )  # therapist A (LCSW, CADC) and the prescriber (MD); an RN is not clinical
    assert dict(listing.verified_breakdown) == {
        "Licensed clinical social worker (LCSW)": 1,
        "Physician (MD)": 1,
        "Certified alcohol and drug counselor (CADC)": 1,
    }
    assert "2 staff members" in _page(client, world)


def test_approaches_and_alumni_groups_come_from_the_curriculum(client, listed):
    assert _found(client, approach="TWFA") == []
    SessionType.objects.create(
        program=listed.program, name="Twelve-step facilitation", category="group_therapy", default_minutes=90
    )
    SessionType.objects.create(
        program=listed.program, name="Alumni night", category="alumni", default_minutes=60
    )
    SessionType.objects.create(
        program=listed.program, name="Yoga", category="life_skills", default_minutes=60, is_active=False
    )
    assert _found(client, approach="TWFA") == ["Harbor"]
    assert _found(client, approach="HOLI") == []  # the yoga session type is not active
    page = _page(client, listed)
    assert "12-step facilitation (in the curriculum: Twelve-step facilitation)" in page


def test_the_program_page_queries_do_not_grow_with_participants(client, listed):
    def count() -> int:
        cache.clear()  # measure the uncached page: the signals are recounted
        with CaptureQueriesContext(connection) as ctx:
            _page(client, listed)
        return len(ctx.captured_queries)

    today = timezone.localdate()
    first = make_participant(listed.program, "First")
    EpisodeOfCare.objects.create(
        participant=first, program=listed.program, admitted_on=today - timedelta(days=40)
    )
    few = count()
    for i in range(30):
        p = make_participant(listed.program, f"P{i}")
        EpisodeOfCare.objects.create(
            participant=p, program=listed.program, admitted_on=today - timedelta(days=40 + i)
        )
    assert count() == few <= 16
