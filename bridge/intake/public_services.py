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
from bridge.placement.selfcheck import SelfCheckAnswers
from bridge.programs.models import Program
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
) -> Screening:
    """A call-back asked for from the public self-check: an intake lead the program's intake sees.

    Creates a prospect with an open screening (source: self-check). Self-check answers are kept
    only when the person chose to share them, as self-reported administrations. The intake
    coordinator (or, if none, the director) gets a work item to call back today.
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
