"""The one write the public makes: a call-back request from the self-check (no signed-in actor)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from bridge import instruments
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.intake.models import InstrumentAdministration, IntakeSettings, Screening
from bridge.participants.models import Participant
from bridge.placement.selfcheck import SelfCheckAnswers, evaluate
from bridge.programs.models import Program
from bridge.safety.models import Source
from bridge.safety.services import safety_signal_raise
from bridge.worklist.services import work_item_open

SELF_CHECK = "public self-check"


def callback_request(
    *,
    program: Program,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    phone: str,
    best_time: str = "",
    answers: SelfCheckAnswers | None = None,
    urgent_answers: SelfCheckAnswers | None = None,
) -> Screening:
    """A call-back asked for from the public self-check: an intake lead the program's intake sees.

    Creates a prospect with an open screening (source: self-check). Self-check answers are kept
    only when the person chose to share them: the instruments as self-reported administrations and
    every answer (with the outcome shown) on the screening. The intake coordinator (or, if none, the
    director) gets a work item to call back today.

    A suicide answer (or "very unwell from withdrawal now") makes the call-back urgent: a safety
    signal due within the hour, at the top of the intake list, with the intake coordinators on duty
    notified. `urgent_answers` are the answers even when the person did not choose to share them:
    only the fact that they call for an urgent call-back is kept then, never which answer it was.
    """
    scoring = IntakeSettings.for_program(program).scoring()
    with transaction.atomic():
        participant = Participant(
            program=program,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            phone=phone.strip(),
            status=Participant.Status.PROSPECT,
        )
        participant.full_clean()
        participant.save()
        audit_record(
            action=Action.CALLBACK_REQUESTED,
            actor_label=SELF_CHECK,
            participant=participant,
            object_type="participant",
            object_id=str(participant.pk),
            detail={"shared_answers": answers is not None},
        )
        notes = (
            f"Call-back requested on the public self-check. Best time to call: {best_time.strip() or 'any'}."
        )
        screening = Screening(
            participant=participant,
            program=program,
            referral_source="self_check",
            notes=notes,
        )
        if isinstance(answers, SelfCheckAnswers):
            screening.home_active_substance_use = answers.lives_with_someone_using
            screening.withdrawal_history_severe = answers.past_severe_withdrawal
            screening.self_check = _shared(answers)
        screening.full_clean()
        screening.save()
        audit_record(
            action=Action.CREATE,
            actor_label=SELF_CHECK,
            participant=participant,
            object_type="screening",
            object_id=str(screening.pk),
        )
        if isinstance(answers, SelfCheckAnswers):
            given = (
                ("AUDIT-C", answers.auditc, answers.sex),
                ("DAST-10", answers.dast, None),
                ("PHQ-2", answers.phq2, None),
            )
            for code, responses, sex in given:
                definition = instruments.get(code)
                result = definition.score(
                    responses, sex=sex or ("female" if definition.needs_sex else None), settings=scoring
                )
                row = InstrumentAdministration(
                    participant=participant,
                    screening=screening,
                    instrument=code,
                    responses=responses,
                    sex=(sex or "female") if definition.needs_sex else "",
                    total=result.total,
                    band=result.band,
                    alerts=list(result.alerts),
                    scoring_settings=scoring.as_dict(),
                    source=InstrumentAdministration.Source.SELF_REPORT,
                )
                row.full_clean()
                row.save()
                audit_record(
                    action=Action.CREATE,
                    actor_label=SELF_CHECK,
                    participant=participant,
                    object_type="instrument_administration",
                    object_id=str(row.pk),
                    detail={"instrument": code, "source": "self_report"},
                )
        _raise_urgent(participant, screening, answers, urgent_answers or answers)
        assignee = _callback_assignee(program)
        if assignee is not None:
            work_item_open(
                participant=participant,
                assigned_to=assignee,
                kind="intake_callback",
                title=f"Call back {participant.display_name} (self-check)",
                detail=notes,
                due_on=timezone.localdate(),
                source_type="screening",
                source_id=str(screening.pk),
            )
    return screening


def _shared(answers: SelfCheckAnswers) -> dict:
    result = evaluate(answers)
    return {
        "outcome": str(result.outcome),
        "reasons": list(result.reasons),
        "sex": answers.sex or "",
        "lives_with_someone_using": answers.lives_with_someone_using,
        "feels_safe_at_home": answers.feels_safe_at_home,
        "daily_life": str(answers.daily_life),
        "past_severe_withdrawal": answers.past_severe_withdrawal,
        "severe_withdrawal_now": answers.severe_withdrawal_now,
        "thoughts_of_ending_life": answers.thoughts_of_ending_life,
    }


def _raise_urgent(
    participant, screening, shared: SelfCheckAnswers | None, seen: SelfCheckAnswers | None
) -> None:
    if seen is None:
        return
    found = []
    if seen.thoughts_of_ending_life:
        found.append(
            (
                "selfcheck_suicidal_thoughts",
                "Self-check: thoughts of ending their life in the past month",
                "Call back within the hour and ask about safety (C-SSRS). If you cannot reach them, leave "
                "a message with 988 (call or text) and try again; 911 if you learn they are in danger now.",
            )
        )
    if seen.severe_withdrawal_now:
        found.append(
            (
                "selfcheck_severe_withdrawal",
                "Self-check: very unwell from withdrawal right now",
                "Call back within the hour: seizures, confusion or hallucinations mean 911 or the emergency "
                "department now.",
            )
        )
    for code, title, route in found:
        if shared is None:  # not shared: keep only that the answers call for an urgent call-back
            code, title = "selfcheck_urgent", "Self-check answers call for an urgent call-back"
        safety_signal_raise(
            participant=participant,
            source=Source.SELF_CHECK,
            code=code,
            urgency="now",
            title=title,
            route=route,
            screening=screening,
            dedup_key=f"screening:{screening.pk}",
            actor_label=SELF_CHECK,
        )


def _callback_assignee(program: Program) -> User | None:
    for role in (Role.INTAKE, Role.DIRECTOR):
        user = (
            User.objects.filter(is_active=True, roles__program=program, roles__role=role)
            .order_by("date_joined", "username")
            .first()
        )
        if user is not None:
            return user
    return None
