"""Demo data for clinical safety: an urgent self-check lead, a screening whose 4-WM decision cannot
be admitted, one whose withdrawal management a prescriber recorded complete (reassessed, and now
admissible: the gate shown both ways), the open item-9 answer by link on a clinician's work list,
a safety plan, naloxone offers and the program's PDMP rule. Built through the same services the
pages use."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from bridge.clinical.models import MedicationOrder, NaloxoneOffer, PdmpSetting
from bridge.intake import services as intake_services
from bridge.intake.models import InstrumentAdministration, Screening
from bridge.intake.public_services import callback_request
from bridge.measures.services import safety_alerts, signals_raise
from bridge.participants.models import Participant
from bridge.placement.selfcheck import DailyLife, SelfCheckAnswers
from bridge.safety.models import Source
from bridge.safety.services import safety_plan_save, safety_signal_close

CIWA_55 = [7, 7, 7, 7, 7, 7, 7, 4, 2, 0]


def build(ctx) -> None:
    program, staff = ctx.program, ctx.staff
    with transaction.atomic():
        PdmpSetting.objects.get_or_create(
            program=program,
            defaults={
                "state": program.state or "CA",
                "system_name": "CURES",
                "updated_by": staff["director"],
            },
        )
        # An urgent call-back: the public self-check with a "yes" to thoughts of ending one's life.
        callback_request(
            program=program,
            first_name="Morgan",
            last_name="Ellis",
            date_of_birth=date(1994, 3, 9),
            phone="(510) 555-0193",
            best_time="evenings",
            answers=SelfCheckAnswers(
                auditc=[3, 2, 1],
                dast=[0] * 10,
                phq2=[2, 2],
                sex=None,
                lives_with_someone_using=False,
                feels_safe_at_home=True,
                daily_life=DailyLife.MOSTLY,
                past_severe_withdrawal=False,
                severe_withdrawal_now=False,
                thoughts_of_ending_life=True,
            ),
        )
        # Severe alcohol withdrawal with past seizures: decided 2.1 with 4-WM first, so admission is refused.
        intake = staff["intake"]
        dana = Participant.objects.create(
            program=program,
            first_name="Dana",
            last_name="Whitfield",
            date_of_birth=date(1979, 11, 2),
            phone="(510) 555-0121",
            status=Participant.Status.PROSPECT,
        )
        screening = intake_services.screening_start(
            actor=intake, participant=dana, primary_substance="alcohol", substances=["alcohol"]
        )
        for code, responses in (
            ("CIWA-Ar", CIWA_55),
            ("C-SSRS-Screener", [0] * 7),
            ("DSM-5-SUD", _dsm_alcohol(7)),
        ):
            intake_services.administration_record(
                actor=intake, screening=screening, instrument=code, responses=responses
            )
        intake_services.screening_update(
            actor=intake,
            screening=Screening.objects.get(pk=screening.pk),
            withdrawal_history_severe=True,
            medical_condition="stable",
            home_active_substance_use=False,
            domestic_violence=False,
            stable_housing=True,
            supportive_relationships=True,
            daily_functioning="impaired",
            readiness="preparation",
        )
        intake_services.placement_decide(
            actor=intake,
            screening=Screening.objects.get(pk=screening.pk),
            decision="accept",  # the rules: 2.1, with 4-WM (hospital withdrawal management) first
        )
        _reassessed_after_wm(ctx)
        # The open item-9 answers given by private link: a same-day task on the clinician's list.
        for row in InstrumentAdministration.objects.filter(
            participant__program=program,
            screening__isnull=True,
            administered_by__isnull=True,
            acknowledgement__isnull=True,
            entered_in_error_at__isnull=True,
        ).select_related("participant__program"):
            if safety_alerts(row):
                signals_raise(row=row, source=Source.MEASURE_LINK)
                if not hasattr(row.participant, "safety_plan"):
                    primary = ctx.primary_of(row.participant) or staff["therapist1"]
                    safety_plan_save(
                        actor=primary,
                        participant=row.participant,
                        warning_signs="Not sleeping, staying in my room\nThinking nobody would miss me",
                        coping="Walk around the lake\nShower and music",
                        social_distractions="Coffee shop on Grand Ave\nMy sister's kitchen",
                        people_to_ask="Sister (510) 555-0150\nSponsor (510) 555-0162",
                        professionals=(
                            f"My counselor at {program.name}: {program.phone or '(510) 555-0100'}\n"
                            "988 Suicide & Crisis Lifeline: call or text 988\n"
                            "Highland Hospital emergency department"
                        ),
                        safe_environment="Sister keeps my extra medicines\nNaloxone kit in the kitchen",
                        reason_for_living="My daughter",
                    )
        # Naloxone: offered to most (not all) participants on buprenorphine; the rest show "not offered".
        for i, order in enumerate(
            MedicationOrder.objects.filter(participant__program=program, drug__startswith="buprenorphine")
            .select_related("participant", "prescriber")
            .order_by("start_on")
        ):
            if i % 4 != 3:
                NaloxoneOffer.objects.create(
                    participant=order.participant,
                    offered_on=order.start_on,
                    outcome=NaloxoneOffer.Outcome.GIVEN if i % 2 else NaloxoneOffer.Outcome.HAS_ONE,
                    offered_by=order.prescriber,
                )


def _reassessed_after_wm(ctx) -> None:
    """Riley: decided 2.1 with 3.7-WM first (admission refused), handed to the prescriber, who recorded
    the withdrawal management complete; the new screening decided 2.1 and admission may go ahead."""
    from datetime import timedelta

    from django.utils import timezone

    from bridge.intake.models import PlacementDecision

    program, staff = ctx.program, ctx.staff
    intake, prescriber = staff["intake"], staff["prescriber"]
    riley = Participant.objects.create(
        program=program,
        first_name="Riley",
        last_name="Ostrowski",
        date_of_birth=date(1986, 6, 14),
        phone="(510) 555-0134",
        status=Participant.Status.PROSPECT,
    )
    first = intake_services.screening_start(
        actor=intake, participant=riley, primary_substance="alcohol", substances=["alcohol"]
    )
    for code, responses in (
        ("CIWA-Ar", [4, 3, 3, 3, 3, 3, 3, 2, 1, 0]),  # 25: severe
        ("C-SSRS-Screener", [0] * 7),
        ("DSM-5-SUD", _dsm_alcohol(8)),
    ):
        intake_services.administration_record(
            actor=intake, screening=first, instrument=code, responses=responses
        )
    situation = {
        "withdrawal_history_severe": False,
        "medical_condition": "stable",
        "home_active_substance_use": False,
        "domestic_violence": False,
        "stable_housing": True,
        "supportive_relationships": True,
        "daily_functioning": "impaired",
        "readiness": "preparation",
    }
    intake_services.screening_update(actor=intake, screening=Screening.objects.get(pk=first.pk), **situation)
    _decide(
        intake,
        Screening.objects.get(pk=first.pk),
        "2.1",
        "3.7-WM",
        "Severe withdrawal now: medically monitored withdrawal management first, then IOP here.",
    )
    # Severe withdrawal now raised an act-now alert: its disposition is recorded.
    for signal in first.safety_signals.filter(status="open"):
        safety_signal_close(
            actor=intake,
            signal=signal,
            action_taken="Warm hand-off by phone to County medical detox (3.7-WM); admitted there "
            "the same day.",
        )
    # Decided five days ago; handed to the prescriber; back from County detox yesterday.
    PlacementDecision.objects.filter(screening=first).update(decided_at=timezone.now() - timedelta(days=5))
    first = Screening.objects.get(pk=first.pk)
    intake_services.screening_hand_to_prescriber(
        actor=intake,
        screening=first,
        prescriber=prescriber,
        why="wm_complete",
        note="At County detox (3.7-WM) since Tuesday; discharge expected this week.",
    )
    follow_up = intake_services.withdrawal_management_complete(
        actor=prescriber,
        screening=first,
        completed_on=timezone.localdate() - timedelta(days=1),
        where="County medical detox, 4 days (3.7-WM)",
        note="Discharged on no benzodiazepines; eating and sleeping.",
    )
    for code, responses in (("CIWA-Ar", [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), ("C-SSRS-Screener", [0] * 7)):
        intake_services.administration_record(
            actor=intake, screening=follow_up, instrument=code, responses=responses
        )
    _decide(
        intake,
        Screening.objects.get(pk=follow_up.pk),
        "2.1",
        "",
        "Withdrawal management completed yesterday; CIWA-Ar 2 today; evening IOP.",
    )


def _decide(actor, screening: Screening, level: str, wm: str, reason: str) -> None:
    """Accept the recommendation when it is what was decided, else override it with the reason."""
    from bridge.intake.queries import recommendation_for

    rec = recommendation_for(screening)
    same = (rec.level, rec.withdrawal_management or "") == (level, wm)
    intake_services.placement_decide(
        actor=actor,
        screening=screening,
        decision="accept" if same else "override",
        level="" if same else level,
        withdrawal_management="" if same else wm,
        reason=reason,
    )


def _dsm_alcohol(met: int) -> dict:
    names = [
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
    ]
    return {
        "substance_class": "alcohol",
        "taken_solely_under_appropriate_medical_supervision": False,
        **{n: i < met for i, n in enumerate(names)},
    }
