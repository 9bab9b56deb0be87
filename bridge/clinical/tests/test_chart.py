"""The chart: sections by capability, group-member isolation, bounded queries, outsiders, home panels."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.clinical.models import DrugScreen, MedicationOrder, Note
from bridge.clinical.services import meds, notes, screens
from bridge.clinical.tests.conftest import attend, make_session
from bridge.clinical.tests.test_group_notes import ALEX_PART, BLAIR_PART
from bridge.clinical.tests.test_mat import order
from bridge.clinical.tests.test_screens import negatives
from bridge.scheduling.models import SessionKind
from bridge.testing.sections import full_page, lazy_urls

TODAY = timezone.localdate


def signed_group_note(w, session):
    note = notes.group_note_start(actor=w.therapist_b, session=session)
    notes.group_note_update_shared(
        actor=w.therapist_b,
        note=note,
        topic="Coping with cravings",
        shared_text="Urge surfing practice.",
        interventions=["cbt"],
    )
    for p, texts in ((w.alex, ALEX_PART), (w.blair, BLAIR_PART)):
        notes.group_entry_save(
            actor=w.therapist_b,
            note=note,
            participant=p,
            participation=texts[0],
            response=texts[1],
            progress=texts[2],
        )
    notes.note_sign(actor=w.therapist_b, note=note)
    return note


def test_a_members_chart_shows_the_shared_part_and_only_their_own(group_session, admitted, login):
    w = admitted
    note = signed_group_note(w, group_session)
    notes.note_addendum_add(
        actor=w.therapist_b,
        note=note,
        entry=note.entries.get(participant=w.blair),
        reason="Late",
        text="Blair private detail",
    )
    client = login(w.therapist_a)
    html = client.get(reverse("clinical:note", args=[w.alex.pk, note.pk])).content.decode()
    assert "Urge surfing practice." in html and ALEX_PART[2] in html
    for other in ("Blair", BLAIR_PART[0], BLAIR_PART[2], "Blair private detail"):
        assert other not in html, other
    listing = client.get(reverse("clinical:notes", args=[w.alex.pk])).content.decode()
    assert "Coping with cravings" in listing and "Blair" not in listing
    chart = full_page(client, reverse("participants:detail", args=[w.alex.pk]))
    assert "Coping with cravings" in chart and "Blair" not in chart


def test_group_page_is_for_the_facilitator_and_directors(group_session, admitted, login):
    w = admitted
    url = reverse("clinical:group", args=[group_session.pk])
    for persona in ("therapist_a", "outsider", "nurse", "frontdesk", "auditor"):
        before = AuditEvent.objects.filter(action="access_denied").count()
        assert login(getattr(w, persona)).get(url).status_code == 404, persona
        assert AuditEvent.objects.filter(action="access_denied").count() == before + 1
    assert login(w.outsider).post(reverse("clinical:group_sign", args=[group_session.pk])).status_code == 404
    assert login(w.director).get(url).status_code == 200
    response = login(w.therapist_b).get(url)
    assert response.status_code == 200
    reads = AuditEvent.objects.filter(action="read", object_type="group_note", actor=w.therapist_b)
    assert {e.participant_id for e in reads} == {w.alex.pk, w.blair.pk}


def test_group_sign_refusal_is_shown_on_the_page(group_session, admitted, login):
    client = login(admitted.therapist_b)
    client.post(reverse("clinical:group", args=[group_session.pk]), {"start": "1"})
    response = client.post(reverse("clinical:group_sign", args=[group_session.pk]))
    assert response.status_code == 400
    assert "Write an individualized part for Alex Sample, Blair Sample" in response.content.decode()
    assert Note.objects.get(session=group_session).signed_at is None


def _chart_queries(client, url) -> int:
    """Queries of the first paint plus those of each section that loads after it."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        for section in lazy_urls(response.content.decode()):
            assert client.get(section, headers={"HX-Request": "true"}).status_code == 200
    return len(ctx.captured_queries)


def _grow_history(w, rounds: int):
    """Add `rounds` of everything the chart shows: notes, group notes, screens, orders, injections."""
    order = MedicationOrder.objects.filter(
        participant=w.alex, drug="naltrexone_xr", stop_on__isnull=True
    ).first()
    for i in range(rounds):
        session = make_session(w, days_ago=2 + i)
        attend(session, w.alex)
        note = notes.note_create(
            actor=w.therapist_a, participant=w.alex, session=session, kind="individual", template="dap"
        )
        notes.note_update(
            actor=w.therapist_a, note=note, data=f"Data {i}", assessment="Assessment", plan="Plan"
        )
        notes.note_sign(actor=w.therapist_a, note=note)
        notes.note_addendum_add(actor=w.therapist_a, note=note, reason="late", text="more")
        group = make_session(w, kind=SessionKind.GROUP, staff=w.therapist_b, days_ago=2 + i, minutes=90)
        attend(group, w.alex)
        attend(group, w.blair)
        signed_group_note(w, group)
        screens.drug_screen_record(
            actor=w.nurse,
            participant=w.alex,
            collected_on=TODAY() - timedelta(days=20 + i),
            panel="12",
            results=negatives(THC=""),
        )
        if order:
            meds.administration_record(
                actor=w.nurse,
                order=order,
                given_at=timezone.now() - timedelta(days=i, hours=1),
                dose=Decimal("380"),
                lot_number=f"L{i}",
                site="gluteal_left",
                warning_reason="History for the query-count test: doses closer than the interval",
            )


def test_chart_queries_stay_constant_as_history_grows(admitted, alex_plan, login):
    w = admitted
    meds.medication_order_create(
        actor=w.prescriber,
        participant=w.alex,
        drug="naltrexone_xr",
        dose=Decimal("380"),
        route="intramuscular",
        frequency="monthly",
        reason="AUD",
        start_on=TODAY() - timedelta(days=40),
    )
    meds.otp_enrollment_record(
        actor=w.nurse,
        participant=w.blair,
        otp_name="OTP",
        contact_name="C",
        contact_phone="1",
        started_on=TODAY(),
    )
    client = login(w.therapist_a)
    url = reverse("participants:detail", args=[w.alex.pk])
    _grow_history(w, 1)
    client.get(url)
    small = _chart_queries(client, url)
    _grow_history(w, 12)
    large = _chart_queries(client, url)
    assert DrugScreen.objects.filter(participant=w.alex).count() == 13
    assert large == small, (small, large)
    html = full_page(client, url)
    for heading in ("Level of care", "Plan goals", "Recent notes", "Medications", "Drug screens"):
        assert heading in html
    assert "Needs attention" in html  # 13 unexpected THC positives raise reviews
    assert html.index("Needs attention") < html.index("Legal name")  # alerts first


@pytest.mark.parametrize(
    ("persona", "sees"), [("therapist_a", True), ("nurse", True), ("peer", False), ("frontdesk", False)]
)
def test_chart_sections_need_the_chart_capability(admitted, alex_plan, login, persona, sees):
    html = full_page(
        login(getattr(admitted, persona)), reverse("participants:detail", args=[admitted.alex.pk])
    )
    assert ("Plan goals" in html) is sees
    assert ("stay off pills" in html) is sees


@pytest.mark.parametrize(
    "name",
    [
        "clinical:plan",
        "clinical:notes",
        "clinical:screens",
        "clinical:meds",
        "clinical:note_create",
        "clinical:screen_create",
    ],
)
def test_outsider_gets_404_on_every_chart_page(admitted, login, name):
    assert login(admitted.outsider).get(reverse(name, args=[admitted.alex.pk])).status_code == 404


def test_naltrexone_block_is_a_field_error_on_the_order_form(admitted, login):
    w = admitted
    meds.otp_enrollment_record(
        actor=w.nurse,
        participant=w.alex,
        otp_name="Bay OTP",
        contact_name="R",
        contact_phone="5",
        started_on=TODAY(),
    )
    response = login(w.prescriber).post(
        reverse("clinical:order_create", args=[w.alex.pk]),
        {
            "drug": "naltrexone",
            "dose": "50",
            "route": "oral",
            "frequency": "daily",
            "reason": "AUD",
            "start_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "methadone" in " ".join(response.context["form"].errors["drug"])
    assert not MedicationOrder.objects.exists()


def test_screen_form_rejects_bad_input_and_writes_nothing(admitted, login):
    url = reverse("clinical:screen_create", args=[admitted.alex.pk])
    data = {
        "collected_on": (TODAY() + timedelta(days=2)).isoformat(),
        "specimen": "urine",
        "panel": "5",
        "result_AMP": "maybe",
    }
    response = login(admitted.nurse).post(url, data)
    assert response.status_code == 400
    assert {"collected_on", "result_AMP", "result_COC"} <= set(response.context["form"].errors)
    assert not DrugScreen.objects.exists()
    ok = {"collected_on": TODAY().isoformat(), "specimen": "urine", "panel": "5"}
    ok.update({f"result_{c}": "negative" for c in ("AMP", "COC", "OPI", "PCP", "THC")})
    assert login(admitted.nurse).post(url, ok).status_code == 302
    assert DrugScreen.objects.get().results.count() == 5


def test_home_shows_reviews_due_and_the_supervisors_list(admitted, login):
    w = admitted
    from bridge.clinical.tests.conftest import signed_plan

    with time_machine.travel(timezone.now() - timedelta(days=40)):
        signed_plan(w, w.alex, w.therapist_a)
    session = make_session(w, staff=w.therapist_b, days_ago=3)
    attend(session, w.blair)
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        notes.note_create(
            actor=w.therapist_b, participant=w.blair, session=session, kind="individual", template="dap"
        )
    home = login(w.therapist_a).get("/").content.decode()
    assert "Treatment plans to write or review" in home and "Overdue" in home and "Alex Sample" in home
    home_b = login(w.therapist_b).get("/").content.decode()
    assert "My unsigned notes" in home_b and "Over 24 h" in home_b
    assert "No plan" in home_b  # Blair was admitted but has no plan
    director = login(w.director).get("/").content.decode()
    assert "Unsigned for more than 24 hours" in director and "Blair Sample" in director


def test_methadone_alongside_buprenorphine_is_asked_about_on_the_medications_page(admitted, login):
    w = admitted
    order(w, "buprenorphine", dose=Decimal("16"), pdmp_checked_at=timezone.now())
    client = login(w.nurse)
    url = reverse("clinical:otp_record", args=[w.alex.pk])
    data = {
        "otp_name": "Eastbay OTP",
        "contact_name": "R",
        "contact_phone": "510",
        "reported_dose": "1,200 mg methadone daily",
        "started_on": TODAY().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["otp_form"].errors["agonist_overlap_reason"]
    assert "active Buprenorphine" in errors[0] and "16 mg" in errors[0]
    assert b"Reason for methadone alongside buprenorphine" in response.content
    assert not w.alex.otp_enrollments.exists()
    response = client.post(url, {**data, "agonist_overlap_reason": "Switch agreed with Dr. Lee"})
    assert response.status_code == 302
    page = client.get(reverse("clinical:meds", args=[w.alex.pk]))
    assert b"Switch agreed with Dr. Lee" in page.content
