"""Hours that qualify: per session type, payer and modality, with the reason for what did not count;
the day rule on billable minutes, Medicare's services a day, the 20-hour flag, CSV and API."""

from __future__ import annotations

import csv
import io
from datetime import time, timedelta

import pytest

from bridge.scheduling import qualifying
from bridge.scheduling.ledger import hours_for
from bridge.scheduling.models import EpisodePayer, PayerRule, ServiceRule, Session, SessionType
from bridge.scheduling.services.calendar import service_rule_set
from bridge.scheduling.tests.conftest import WEEK, admit, attend, session_at

pytestmark = pytest.mark.django_db
Cat = SessionType.Category
K = PayerRule.Kind
VIDEO, AUDIO, IN_PERSON = Session.Modality.TELEHEALTH, Session.Modality.AUDIO_ONLY, Session.Modality.IN_PERSON


@pytest.fixture
def types(world):
    spec = {
        "Relapse prevention": (Cat.GROUP_THERAPY, "group"),
        "How addiction works": (Cat.PSYCHOEDUCATION, "group"),
        "Budgeting": (Cat.LIFE_SKILLS, "group"),
        "Individual therapy": (Cat.INDIVIDUAL, "individual"),
        "Family session": (Cat.FAMILY, "family"),
        "Medication visit": (Cat.MEDICAL, "medication"),
        "Drug-screen visit": (Cat.MEDICAL, "drug_screen"),
        "Alumni night": (Cat.ALUMNI, "alumni"),
    }
    return {
        name: SessionType.objects.create(
            program=world.program, name=name, category=cat, kind=kind, default_minutes=60
        )
        for name, (cat, kind) in spec.items()
    }


@pytest.fixture
def payers(world):
    def payer(name, kind, code):
        return PayerRule.objects.create(
            program=world.program, name=name, kind=kind, code=code, min_minutes_per_day=180, min_days=3
        )

    return {
        "medicare": payer("Medicare", K.MEDICARE, "CC92"),
        "medicaid": payer("Medi-Cal", K.MEDICAID, "H0015"),
        "commercial": payer("Blue Shield", K.COMMERCIAL, "S9480"),
    }


def visit(world, types, name, day, start, minutes, modality=IN_PERSON, participant=None):
    t = types[name]
    s = session_at(
        world.program,
        WEEK + timedelta(days=day),
        start,
        minutes,
        world.therapist_a,
        kind=t.kind,
        session_type=t,
        modality=modality,
    )
    attend(s, participant or world.alex, minutes)
    return s


@pytest.fixture
def week_of_alex(world, types):
    """Alex's week: every kind of session, in person, by video and by telephone."""
    episode = admit(world.alex)
    visit(world, types, "Relapse prevention", 0, time(18), 180)
    visit(world, types, "How addiction works", 1, time(18), 60, VIDEO)
    visit(world, types, "Budgeting", 1, time(19, 30), 60)
    visit(world, types, "Individual therapy", 2, time(17), 50, AUDIO)
    visit(world, types, "Drug-screen visit", 3, time(17, 30), 15)
    visit(world, types, "Medication visit", 3, time(16), 30)
    visit(world, types, "Alumni night", 4, time(19), 60)
    return episode


def with_payer(episode, payer):
    EpisodePayer.objects.update_or_create(episode=episode, defaults={"rule": payer})


def reasons(line) -> list[str]:
    return [s.reason for s in line.not_counted]


def test_what_counts_for_a_medicaid_payer_that_counts_telephone_therapy(world, types, payers, week_of_alex):
    service_rule_set(
        actor=world.director,
        program=world.program,
        session_type=types["Individual therapy"],
        payer=payers["medicaid"],
        counts_toward_hours=True,
        billable_service=True,
        in_person=True,
        video=True,
        audio_only=True,
    )
    with_payer(week_of_alex, payers["medicaid"])
    line = hours_for(world.alex, WEEK)
    assert (line.total_minutes, line.qualifying_minutes) == (455, 350)
    assert reasons(line) == [
        "Medication visit, 30 min: not a therapeutic service",
        "Drug-screen visit, 15 min: not a therapeutic service",
        "Alumni night, 1 h: alumni events never count",
    ]


def test_what_counts_for_medicare_is_in_person_only(world, types, payers, week_of_alex):
    with_payer(week_of_alex, payers["medicare"])
    line = hours_for(world.alex, WEEK)
    assert (line.total_minutes, line.qualifying_minutes) == (455, 240)
    assert reasons(line) == [
        "How addiction works, 1 h: by video; Medicare counts in-person services only",
        "Individual therapy, 50 min: by telephone (audio only); Medicare counts in-person services only",
        "Medication visit, 30 min: not a therapeutic service",
        "Drug-screen visit, 15 min: not a therapeutic service",
        "Alumni night, 1 h: alumni events never count",
    ]
    assert line.medicare


def test_what_counts_for_a_commercial_payer_and_for_self_pay(world, types, payers, week_of_alex):
    with_payer(week_of_alex, payers["commercial"])
    line = hours_for(world.alex, WEEK)
    assert line.qualifying_minutes == 300
    assert (
        reasons(line)[0]
        == "Individual therapy, 50 min: by telephone (audio only) does not count for Blue Shield"
    )
    EpisodePayer.objects.filter(episode=week_of_alex).delete()
    line = hours_for(world.alex, WEEK)
    assert line.qualifying_minutes == 300
    assert (
        reasons(line)[0]
        == "Individual therapy, 50 min: by telephone (audio only) does not count for the program"
    )


def test_life_skills_count_toward_hours_but_are_not_billed(world, types, payers, week_of_alex):
    with_payer(week_of_alex, payers["commercial"])
    q = qualifying.qualifying_services(world.alex, WEEK + timedelta(days=1))
    budgeting = next(s for s in q.services if s.title == "Budgeting")
    assert budgeting.counts_toward_hours and not budgeting.billable
    assert budgeting.billing_reason == "Budgeting, 1 h: not a billable IOP service for Blue Shield"
    assert q.qualifying_minutes == 120 and [s.title for s in q.billable] == ["How addiction works"]


def test_a_program_default_rule_applies_to_every_payer_without_its_own(world, types, payers, week_of_alex):
    ServiceRule.objects.create(
        program=world.program, session_type=types["Drug-screen visit"], counts_toward_hours=True
    )
    with_payer(week_of_alex, payers["commercial"])
    assert hours_for(world.alex, WEEK).qualifying_minutes == 315
    # Alumni events never count, whatever a rule says.
    with pytest.raises(Exception, match="Alumni events never count"):
        service_rule_set(
            actor=world.director,
            program=world.program,
            session_type=types["Alumni night"],
            payer=None,
            counts_toward_hours=True,
            billable_service=False,
            in_person=True,
            video=False,
            audio_only=False,
        )


def test_the_day_rule_counts_billable_minutes_only(world, types, payers):
    episode = admit(world.alex)
    with_payer(episode, payers["medicaid"])
    for day in (0, 1, 2):  # 2 h 45 min of group, topped up by a 15-minute drug screen each day
        visit(world, types, "Relapse prevention", day, time(18), 165)
        visit(world, types, "Drug-screen visit", day, time(17, 30), 15)
    line = hours_for(world.alex, WEEK)
    assert line.total_minutes == 540 and line.qualifying_minutes == 495
    assert line.qualifying_days == 0 and line.payer_rule_met is False


def test_medicare_counts_qualifying_services_a_day(world, types, payers):
    episode = admit(world.alex)
    with_payer(episode, payers["medicare"])
    # Monday: four in-person services; Tuesday: three, plus a drug screen and a video session.
    visit(world, types, "Relapse prevention", 0, time(9), 90)
    visit(world, types, "How addiction works", 0, time(11), 60)
    visit(world, types, "Individual therapy", 0, time(13), 50)
    visit(world, types, "Family session", 0, time(15), 50)
    visit(world, types, "Relapse prevention", 1, time(9), 90)
    visit(world, types, "How addiction works", 1, time(11), 60)
    visit(world, types, "Individual therapy", 1, time(13), 50)
    visit(world, types, "Drug-screen visit", 1, time(14), 15)
    visit(world, types, "Family session", 1, time(15), 50, VIDEO)
    visit(world, types, "Relapse prevention", 2, time(9), 90)
    line = hours_for(world.alex, WEEK)
    assert line.medicare_days == [
        (WEEK, 4, "4+ services"),
        (WEEK + timedelta(days=1), 3, "3 services"),
        (WEEK + timedelta(days=2), 1, "below 3: no IOP day"),
    ]
    assert qualifying.medicare_tier(2) == "below 3: no IOP day"


def test_a_level_two_one_participant_at_twenty_hours_is_flagged(world, types, payers):
    admit(world.alex)
    for day in range(6):
        visit(world, types, "Relapse prevention", day, time(9), 200)
    line = hours_for(world.alex, WEEK)
    assert line.qualifying_minutes == 1200 and line.over_intensity
    admit(world.blair, level="2.5")
    for day in range(6):
        visit(world, types, "Relapse prevention", day, time(14), 200, participant=world.blair)
    assert not hours_for(world.blair, WEEK).over_intensity


def test_the_ledger_csv_and_api_carry_qualifying_total_and_not_counted(
    world, types, payers, week_of_alex, login
):
    with_payer(week_of_alex, payers["medicare"])
    client = login(world.director)
    response = client.get("/schedule/hours/ledger.csv", {"week": "2026-W47"})
    row = next(
        r for r in csv.DictReader(io.StringIO(response.content.decode())) if r["name"] == "Alex Sample"
    )
    assert (row["qualifying_minutes"], row["total_minutes"]) == ("240", "455")
    assert (
        row["not_counted"].count(":") >= 5 and "Medicare counts in-person services only" in row["not_counted"]
    )
    [alex] = [
        r
        for r in client.get("/api/v1/schedule/hours", {"week": "2026-W47"}).json()
        if r["name"] == "Alex Sample"
    ]
    assert (alex["qualifying_minutes"], alex["total_minutes"], alex["attended_minutes"]) == (240, 455, 240)
    assert [n["minutes"] for n in alex["not_counted"]] == [60, 50, 30, 15, 60]
    assert alex["not_counted"][2]["reason"] == "Medication visit, 30 min: not a therapeutic service"
    one = client.get(f"/api/v1/schedule/participants/{world.alex.pk}/hours", {"week": "2026-W47"}).json()
    assert one["qualifying_minutes"] == 240 and len(one["not_counted"]) == 5
    page = client.get("/schedule/hours/", {"week": "2026-W47"}).content.decode()
    assert (
        "Drug-screen visit, 15 min: not a therapeutic service" in page and "Medicare services a day" in page
    )


def test_the_what_counts_page_is_for_directors_to_change(world, types, payers, login):
    page = login(world.director).get("/schedule/setup/counting/").content.decode()
    assert "What counts toward hours and billing" in page and "Medicare" in page
    response = login(world.director).post(
        "/schedule/setup/counting/",
        {
            "session_type": types["Individual therapy"].pk,
            "payer": payers["medicaid"].pk,
            "audio_only": "on",
            "in_person": "on",
            "video": "on",
            "counts_toward_hours": "on",
            "billable_service": "on",
        },
    )
    assert response.status_code == 302
    assert ServiceRule.objects.get(payer=payers["medicaid"]).audio_only
    assert login(world.frontdesk).post("/schedule/setup/counting/", {}).status_code == 404
    assert login(world.therapist_a).get("/schedule/setup/counting/").status_code == 404
