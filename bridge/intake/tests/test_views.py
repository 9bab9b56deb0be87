"""The staff intake pages: who may use them, what they show, and bad input as field errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.intake import services
from bridge.intake.models import InstrumentAdministration, PlacementDecision, Screening
from bridge.participants.models import Participant
from bridge.testing.personas import make_participant
from bridge.testing.sections import full_page


def url(name, screening, **extra):
    return reverse(
        f"intake:{name}",
        kwargs={"participant_id": screening.participant_id, "screening_id": screening.pk, **extra},
    )


# --- The intake list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("intake", 200), ("director", 200), ("therapist_a", 403), ("frontdesk", 403), ("auditor", 403)],
)
def test_intake_list_is_for_intake_and_directors(world, login, persona, status):
    assert login(world.staff[persona]).get(reverse("intake:queue")).status_code == status


def test_intake_list_shows_who_waits_longest_first_and_is_audited(world, login, screening):
    older = make_participant(world.program, "Olive", status=Participant.Status.PROSPECT)
    Participant.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=6))
    response = login(world.intake).get(reverse("intake:queue"))
    names = [p.first_name for p in response.context["page"].object_list]
    assert names == ["Olive", "Casey"]
    html = response.content.decode()
    assert "6\xa0days" in html and "Start screening" in html and "Give instruments" in html
    assert AuditEvent.objects.filter(action="search", object_type="intake_queue", actor=world.intake).exists()


def test_outsider_sees_none_of_harbors_callers(world, login, screening):
    response = login(world.outsider).get(reverse("intake:queue"))
    assert response.status_code == 200 and list(response.context["page"].object_list) == []


def test_intake_list_queries_do_not_grow_with_the_list(world, login, screening):
    client = login(world.intake)
    client.get(reverse("intake:queue"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("intake:queue")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        p = make_participant(world.program, f"Caller{i:02d}", status=Participant.Status.PROSPECT)
        if i % 2:
            services.screening_start(actor=world.intake, participant=p)
    assert count() == few <= 14


# --- New caller ---------------------------------------------------------------------------------


def test_a_new_caller_is_saved_with_their_screening(world, login):
    response = login(world.intake).post(
        reverse("intake:new"),
        {
            "caller-first_name": "Dana",
            "caller-last_name": "Fox",
            "caller-date_of_birth": "1988-04-02",
            "caller-phone": "(510) 555-0123",
            "details-referral_source": "employer",
            "details-substances": ["alcohol", "cannabis"],
            "details-primary_substance": "alcohol",
            "details-insurance_type": "commercial",
            "details-preferred_schedule": ["evenings", "weekends"],
            "details-work_days": ["0", "1", "2", "3", "4"],
            "details-work_start": "08:00",
            "details-work_end": "16:30",
        },
    )
    dana = Participant.objects.get(first_name="Dana")
    assert response.status_code == 302 and response["Location"] == reverse("intake:screening", args=[dana.pk])
    screening = dana.screenings.get()
    assert dana.status == Participant.Status.SCREENING
    assert screening.preferred_schedule == ["evenings", "weekends"] and screening.work_days == [0, 1, 2, 3, 4]
    assert screening.work_hours_label == "Mon/Tue/Wed/Thu/Fri 08:00-16:30"
    assert set(AuditEvent.objects.filter(participant=dana).values_list("object_type", flat=True)) >= {
        "participant",
        "screening",
    }


def test_new_caller_errors_name_the_fields_and_save_nothing(world, login):
    before = Participant.objects.count()
    response = login(world.intake).post(
        reverse("intake:new"),
        {
            "caller-first_name": "",
            "caller-last_name": "Fox",
            "caller-date_of_birth": "2090-01-01",
            "details-work_start": "17:00",
            "details-work_end": "09:00",
            "details-preferred_schedule": ["midnight"],
        },
    )
    assert response.status_code == 400
    assert {"first_name", "date_of_birth", "phone"} <= set(response.context["caller"].errors)
    assert {"work_end", "preferred_schedule"} <= set(response.context["details"].errors)
    assert Participant.objects.count() == before


def test_a_caller_already_on_record_is_asked_about_before_a_second_record(world, login):
    client = login(world.intake)
    caller = {
        "caller-first_name": world.casey.first_name.upper(),
        "caller-last_name": world.casey.last_name,
        "caller-date_of_birth": world.casey.date_of_birth.isoformat(),
        "caller-phone": "(510) 555-0123",
    }
    assert "Yes, this caller is someone else" not in client.get(reverse("intake:new")).content.decode()
    before = Participant.objects.count()
    response = client.post(reverse("intake:new"), caller)
    assert response.status_code == 400
    assert "Yes, this caller is someone else" in response.content.decode()
    error = response.context["caller"].errors["another_person"][0]
    assert f"{world.casey.display_name}, born" in error and "is already on record" in error
    assert Participant.objects.count() == before
    response = client.post(reverse("intake:new"), {**caller, "caller-another_person": "on"})
    assert response.status_code == 302 and Participant.objects.count() == before + 1


def test_a_phone_number_nobody_can_call_is_a_field_error(world, login):
    before = Participant.objects.count()
    response = login(world.intake).post(
        reverse("intake:new"),
        {
            "caller-first_name": "Dana",
            "caller-last_name": "Fox",
            "caller-date_of_birth": "1988-04-02",
            "caller-phone": "abc",
        },
    )
    assert response.status_code == 400
    assert "Enter a phone number someone can call" in response.context["caller"].errors["phone"][0]
    assert Participant.objects.count() == before


def test_an_intake_worker_of_two_programs_who_posts_a_bad_program_sees_a_form_error(world, login):
    from bridge.accounts.models import Role, StaffRole

    StaffRole.objects.create(user=world.intake, program=world.other_program, role=Role.INTAKE)
    before = Participant.objects.count()
    response = login(world.intake).post(
        reverse("intake:new"),
        {
            "program": "not-a-uuid",
            "caller-first_name": "Dana",
            "caller-last_name": "Fox",
            "caller-date_of_birth": "1988-04-02",
            "caller-phone": "(510) 555-0123",
        },
    )
    assert response.status_code == 400
    assert "Choose the program the caller is asking about." in response.content.decode()
    assert Participant.objects.count() == before


def test_therapists_do_not_record_callers(world, login):
    assert login(world.therapist_a).get(reverse("intake:new")).status_code == 403


# --- One screening --------------------------------------------------------------------------------


def test_hub_shows_the_steps_and_lets_intake_start_a_screening(world, login):
    client = login(world.intake)
    hub = reverse("intake:screening", args=[world.casey.pk])
    response = client.get(hub)
    assert response.status_code == 200 and b"Start a screening" in response.content
    assert client.post(hub).status_code == 302
    page = client.get(hub).content.decode()
    assert "1. Caller details" in page and "6. Admit or refer" in page and "Start a screening" not in page


def test_giving_an_instrument_scores_it_with_the_program_cut_offs(world, login, screening):
    client = login(world.intake)
    page = client.get(url("instrument", screening, code="COWS"))
    assert page.status_code == 200 and b"Resting pulse rate" in page.content
    answers = {f"cows_{i}": "0" for i in range(1, 12)}
    answers.update(cows_1="4", cows_3="5", cows_7="5", cows_11="5", cows_4="5", cows_2="3")  # 27
    response = client.post(url("instrument", screening, code="COWS"), answers)
    assert response.status_code == 302
    row = InstrumentAdministration.objects.get(instrument="COWS")
    assert (row.total, row.band) == (27, "moderately_severe")
    assert row.responses == [4, 3, 5, 5, 0, 0, 5, 0, 0, 0, 5]


def test_unanswered_and_impossible_items_are_field_errors(world, login, screening):
    client = login(world.intake)
    response = client.post(url("instrument", screening, code="COWS"), {"cows_1": "3", "cows_2": "0"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "cows_1" in errors and "cows_3" in errors  # 3 is no pulse option; item 3 unanswered
    assert not InstrumentAdministration.objects.exists()


def test_audit_form_lets_skipped_items_stay_blank(world, login, screening):
    client = login(world.intake)
    response = client.post(
        url("instrument", screening, code="AUDIT"), {"audit_1": "0", "audit_9": "2", "audit_10": "4"}
    )
    assert response.status_code == 302
    row = InstrumentAdministration.objects.get(instrument="AUDIT")
    assert row.responses == [0, 0, 0, 0, 0, 0, 0, 0, 2, 4] and row.alerts == ["audit_harm_item_eq4"]


def test_audit_c_form_needs_sex_and_dsm5_form_takes_the_criteria(world, login, screening):
    client = login(world.intake)
    response = client.post(
        url("instrument", screening, code="AUDIT-C"), {"auditc_1": "2", "auditc_2": "1", "auditc_3": "0"}
    )
    assert response.status_code == 400 and "sex" in response.context["form"].errors
    dsm = {
        f"{key}": "0"
        for key in (
            "c1_larger_or_longer",
            "c2_cut_down_unsuccessful",
            "c3_time_spent",
            "c4_craving",
            "c5_role_failure",
            "c6_social_problems",
            "c7_activities_given_up",
            "c8_hazardous_use",
            "c9_physical_or_psych_problem",
            "c10_tolerance",
            "c11_withdrawal",
        )
    }
    dsm.update(substance_class="inhalant", c1_larger_or_longer="1", c11_withdrawal="1")
    response = client.post(url("instrument", screening, code="DSM-5-SUD"), dsm)
    assert response.status_code == 400 and "c11_withdrawal" in response.context["form"].errors
    dsm.update(
        substance_class="opioid", taken_solely_under_appropriate_medical_supervision="on", c10_tolerance="1"
    )
    assert client.post(url("instrument", screening, code="DSM-5-SUD"), dsm).status_code == 302
    row = InstrumentAdministration.objects.get(instrument="DSM-5-SUD")
    assert row.total == 1 and row.alerts == ["dsm5_tolerance_withdrawal_excluded_medical_supervision"]


def test_live_score_preview_stores_nothing(world, login, screening):
    client = login(world.intake)
    preview = url("instrument_preview", screening, code="PHQ-9")
    partial = client.post(preview, {"phq9_1": "2", "phq9_2": "3"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"2 of 9 answered; 5 points so far" in partial.content
    full = {f"phq9_{i}": "2" for i in range(1, 10)}
    complete = client.post(preview, full, headers={"HX-Request": "true"}).content.decode()
    assert "18" in complete and "Moderately severe" in complete
    assert "PHQ-9 item 9: thoughts of being better off dead" in complete
    assert "phq9_item9_positive" not in complete
    assert "<html" not in complete
    assert not InstrumentAdministration.objects.exists()
    assert client.get(preview).status_code == 405


def test_unknown_instrument_code_is_404(world, login, screening):
    assert login(world.intake).get(url("instrument", screening, code="PHQ-10")).status_code == 404


def test_situation_answers_can_be_set_and_returned_to_unknown(world, login, screening):
    client = login(world.intake)
    data = {
        name: "unknown"
        for name in (
            "withdrawal_history_severe",
            "pregnant",
            "recent_return_to_use_after_treatment",
            "home_active_substance_use",
            "domestic_violence",
            "stable_housing",
            "supportive_relationships",
            "needs_24h_structure",
        )
    }
    data.update(stable_housing="true", domestic_violence="false", readiness="action", medical_condition="")
    assert client.post(url("situation", screening), data).status_code == 302
    screening.refresh_from_db()
    assert (screening.stable_housing, screening.domestic_violence, screening.pregnant) == (True, False, None)
    assert screening.readiness == "action" and screening.medical_condition == ""
    page = client.get(url("situation", screening)).content.decode()
    assert 'name="stable_housing" value="true" id="id_stable_housing_1" checked' in page
    assert 'name="domestic_violence" value="false" id="id_domestic_violence_2" checked' in page
    assert 'name="pregnant" value="unknown" id="id_pregnant_0" checked' in page


def test_placement_page_shows_reasons_and_saves_ratings(world, login, iop_ready):
    client = login(world.intake)
    page = client.get(url("placement", iop_ready)).content.decode()
    assert "Level <strong>2.1</strong>" in page
    assert "DSM-5: 4 criteria met, moderate use disorder" in page
    assert "Not answered, so treated as unknown" in page
    ratings = {f"rating_{d}": str(r) for d, r in {1: 0, 2: 0, 3: 0, 4: 1, 5: 2, 6: 3}.items()}
    response = client.post(url("placement", iop_ready), {**ratings, "notes_6": "Partner drinks at home"})
    assert response.status_code == 302
    page = client.get(url("placement", iop_ready)).content.decode()
    assert "Level <strong>3.1</strong>" in page and "rated 3 by the clinician (the rules suggested 0)" in page


def test_override_without_a_reason_is_a_field_error(world, login, iop_ready):
    client = login(world.intake)
    response = client.post(url("decide", iop_ready), {"decision": "override", "level": "2.5"})
    assert response.status_code == 400 and "reason" in response.context["decision_form"].errors
    response = client.post(url("decide", iop_ready), {"decision": "override", "level": "2.1", "reason": "x"})
    assert response.status_code == 400 and "level" in response.context["decision_form"].errors
    assert not PlacementDecision.objects.exists()


def test_decide_then_admit_through_the_pages(world, login, iop_ready):
    client = login(world.intake)
    assert client.post(url("decide", iop_ready), {"decision": "accept"}).status_code == 302
    admit = url("admit", iop_ready)
    assert client.get(admit).status_code == 200
    bad = client.post(
        admit,
        {
            "primary_clinician": str(world.therapist_a.pk),
            "admitted_on": str(timezone.localdate()),
            "consent_to_treatment_signed_on": str(timezone.localdate() + timedelta(days=3)),
        },
    )
    assert bad.status_code == 400 and "consent_to_treatment_signed_on" in bad.context["form"].errors
    nurse = client.post(
        admit,
        {
            "primary_clinician": str(world.nurse.pk),
            "admitted_on": str(timezone.localdate()),
            "consent_to_treatment_signed_on": str(timezone.localdate()),
        },
    )
    assert nurse.status_code == 400 and "primary_clinician" in nurse.context["form"].errors
    ok = client.post(
        admit,
        {
            "primary_clinician": str(world.therapist_a.pk),
            "admitted_on": str(timezone.localdate()),
            "consent_to_treatment_signed_on": str(timezone.localdate()),
        },
    )
    # Intake sees prospects and people in screening only: once admitted, back to the intake list.
    assert ok.status_code == 302 and ok["Location"] == reverse("intake:queue")
    assert Screening.objects.get(pk=iop_ready.pk).status == "admitted"
    assert (
        login(world.therapist_a).get(reverse("participants:detail", args=[world.casey.pk])).status_code == 200
    )


def test_refer_out_through_the_pages(world, login, iop_ready):
    client = login(world.director)
    services.placement_decide(
        actor=world.director, screening=iop_ready, decision="override", level="3.5", reason="Needs 24h"
    )
    response = client.post(
        url("refer", iop_ready), {"to_name": "", "level": "3.5", "referred_on": str(timezone.localdate())}
    )
    assert response.status_code == 400 and "to_name" in response.context["form"].errors
    response = client.post(
        url("refer", iop_ready),
        {"to_name": "Hillside Residential", "level": "3.5", "referred_on": str(timezone.localdate())},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "participants:detail", args=[world.casey.pk]
    )
    page = full_page(client, reverse("participants:detail", args=[world.casey.pk]))
    assert "Referred elsewhere" in page and "Hillside Residential" in page


def test_mark_entered_in_error_from_the_hub(world, login, iop_ready):
    client = login(world.intake)
    row = InstrumentAdministration.objects.get(instrument="PHQ-9")
    target = reverse("intake:administration_error", args=[world.casey.pk, row.pk])
    client.post(target, {"reason": ""})
    assert not InstrumentAdministration.objects.get(pk=row.pk).is_entered_in_error
    client.post(target, {"reason": "Answered for the wrong week"})
    assert InstrumentAdministration.objects.get(pk=row.pk).is_entered_in_error
    page = client.get(reverse("intake:screening", args=[world.casey.pk])).content.decode()
    assert "entered in error" in page


@pytest.mark.parametrize("name", ["details", "situation", "placement", "admit", "refer"])
def test_outsider_and_other_therapists_get_404_on_a_real_screening(world, login, screening, name):
    for persona in ("outsider", "therapist_b", "peer"):
        response = login(world.staff[persona]).get(url(name, screening))
        assert response.status_code == 404, persona
    assert AuditEvent.objects.filter(action="access_denied", participant=world.casey).count() == 3


def test_front_desk_sees_the_participant_but_not_the_screening(world, login, screening):
    client = login(world.frontdesk)
    assert client.get(reverse("participants:detail", args=[world.casey.pk])).status_code == 200
    assert client.get(reverse("intake:screening", args=[world.casey.pk])).status_code == 403
    assert client.get(url("placement", screening)).status_code == 403


def test_a_screening_of_another_participant_is_404(world, login, screening):
    other = reverse(
        "intake:placement", kwargs={"participant_id": world.blair.pk, "screening_id": screening.pk}
    )
    assert login(world.director).get(other).status_code == 404


# --- Participant page, home, navigation --------------------------------------------------------


def test_participant_page_has_an_intake_section_and_link(world, login, iop_ready):
    page = full_page(login(world.intake), reverse("participants:detail", args=[world.casey.pk]))
    assert "Intake and placement" in page and "DSM-5-SUD: 4" in page
    assert reverse("intake:screening", args=[world.casey.pk]) in page


def test_participant_page_stays_within_its_query_budget_with_intake(
    world, login, iop_ready, django_assert_max_num_queries
):
    client = login(world.director)
    target = reverse("participants:detail", args=[world.casey.pk])
    client.get(target)
    with django_assert_max_num_queries(16):
        assert client.get(target).status_code == 200


def test_home_panel_and_nav_for_intake(world, login, screening):
    page = login(world.intake).get("/").content.decode()
    assert "New caller" in page and reverse("intake:queue") in page
    page = login(world.therapist_a).get("/").content.decode()
    assert reverse("intake:queue") not in page


# --- Program settings ------------------------------------------------------------------------------


def test_director_sets_the_programs_cut_offs(world, login):
    client = login(world.director)
    target = reverse("intake:settings", args=[world.program.pk])
    assert target in client.get(reverse("intake:queue")).content.decode()
    assert target not in login(world.intake).get(reverse("intake:queue")).content.decode()
    client = login(world.director)
    assert client.get(target).status_code == 200
    data = {
        "ciwa_scheme": "camcops",
        "pcl5_cutoff": "31",
        "phq2_cutoff": "3",
        "gad2_cutoff": "2",
        "auditc_scheme": "bradley",
        "bam_use_cutoff": "1",
        "bam_risk_cutoff": "12",
        "bam_protective_cutoff": "12",
    }
    assert client.post(target, {**data, "pcl5_cutoff": "38"}).status_code == 400
    assert client.post(target, data).status_code == 302
    assert world.program.intake_settings.ciwa_scheme == "camcops"


@pytest.mark.parametrize("persona", ["intake", "therapist_a", "outsider"])
def test_only_the_programs_director_sees_its_cut_offs(world, login, persona):
    target = reverse("intake:settings", args=[world.program.pk])
    assert login(world.staff[persona]).get(target).status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", object_type="intake_settings").exists()


def test_hub_and_placement_queries_do_not_grow_with_instruments_given(world, login, iop_ready):
    client = login(world.intake)
    pages = [reverse("intake:screening", args=[world.casey.pk]), url("placement", iop_ready)]
    for page in pages:
        client.get(page)

    def count(page) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    before = [count(page) for page in pages]
    for _ in range(6):
        for code, responses in (("PHQ-2", [1, 1]), ("GAD-2", [0, 1])):
            services.administration_record(
                actor=world.intake, screening=iop_ready, instrument=code, responses=responses
            )
    assert [count(page) for page in pages] == before
    # The hub also offers the hand-off to a prescriber (one query); on PostgreSQL the audit chain
    # takes its advisory lock (one more).
    assert max(before) <= 21 + (connection.vendor == "postgresql")


def test_record_decision_saves_the_ratings_and_notes_typed_with_it(world, login, iop_ready):
    client = login(world.intake)
    form = client.get(url("placement", iop_ready)).context["dimensions"]
    ratings = {f"rating_{d}": str(form[f"rating_{d}"].value()) for d in range(1, 7)}  # the rules' own
    notes = {"notes_2": "No withdrawal signs today"}
    response = client.post(url("decide", iop_ready), {**ratings, **notes, "decision": "accept"})
    assert response.status_code == 302
    saved = {r.dimension: r for r in iop_ready.dimension_ratings.all()}
    assert len(saved) == 6 and saved[2].notes == "No withdrawal signs today"
    assert PlacementDecision.objects.get(screening=iop_ready).level == "2.1"


def test_ratings_that_change_the_recommendation_are_kept_and_the_decision_is_asked_again(
    world, login, iop_ready
):
    client = login(world.intake)
    ratings = {f"rating_{d}": str(r) for d, r in {1: 0, 2: 0, 3: 0, 4: 1, 5: 2, 6: 3}.items()}
    response = client.post(
        url("decide", iop_ready), {**ratings, "notes_6": "Partner drinks at home", "decision": "accept"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "change the recommendation to level 3.1" in page and "Partner drinks at home" in page
    assert iop_ready.dimension_ratings.get(dimension=6).rating == 3
    assert not PlacementDecision.objects.exists()
