"""MAT: orders with safety checks, dose changes, in-clinic doses, coordination with an OTP."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.clinical import medication, uds
from bridge.clinical.models import (
    Administration,
    DoseChange,
    DrugScreenResult,
    MedicationOrder,
    NaloxoneOffer,
    OtpCoordinationNote,
    OtpEnrollment,
    PdmpSetting,
)
from bridge.clinical.services.common import audit, can_prescribe
from bridge.participants.models import Participant


def order_facts(participant: Participant, today: date | None = None) -> medication.OrderFacts:
    """What the ordering checks need, read from the record."""
    today = today or timezone.localdate()
    since = today - timedelta(days=medication.NALTREXONE_OPIOID_FREE_DAYS)
    positives = DrugScreenResult.objects.filter(
        screen__participant=participant,
        screen__error_at__isnull=True,
        screen__collected_on__gte=since,
        substance__in=uds.OPIOIDS,
        result=DrugScreenResult.Result.POSITIVE,
    ).exclude(confirmation=DrugScreenResult.Confirmation.CONFIRMED_NEGATIVE)
    rule = PdmpSetting.objects.filter(program_id=participant.program_id).first()
    return medication.OrderFacts(
        today=today,
        now=timezone.localtime(),
        active_drugs=tuple(
            MedicationOrder.objects.filter(participant=participant, stop_on__isnull=True).values_list(
                "drug", flat=True
            )
        ),
        on_methadone=OtpEnrollment.objects.filter(participant=participant, ended_on__isnull=True).exists(),
        opioid_positives=tuple(positives.values_list("screen__collected_on", "substance")),
        pdmp_window_hours=rule.window_hours if rule else medication.PDMP_WINDOW_HOURS,
        pdmp_recheck_days=rule.recheck_days if rule else medication.PDMP_RECHECK_DAYS,
        controlled_before=MedicationOrder.objects.filter(
            participant=participant, drug__in=[c for c, d in medication.DRUGS.items() if d.needs_pdmp]
        ).exists(),
    )


def medication_order_create(
    *,
    actor: User,
    participant: Participant,
    drug: str,
    dose: Decimal,
    route: str,
    frequency: str,
    reason: str,
    start_on: date,
    pdmp_checked_at: datetime | None = None,
    unit: str = "mg",
    unusual_dose_reason: str = "",
    agonist_overlap_reason: str = "",
) -> MedicationOrder:
    """Place an order after the safety checks: the catalogue's rails (route, frequency, maximum dose;
    a reason outside the usual range), naltrexone vs opioids, the PDMP rule before a controlled
    substance, methadone only from an OTP. The PDMP check is recorded with its moment and the
    prescriber who attests to it (the one placing the order)."""
    if not can_prescribe(actor, participant.program_id):
        raise PermissionDenied("Ordering needs a prescriber with a current license in this program.")
    problems = medication.order_problems(
        drug,
        route,
        pdmp_checked_at,
        order_facts(participant),
        start_on,
        dose=dose,
        frequency=frequency,
        unusual_dose_reason=unusual_dose_reason,
        agonist_overlap_reason=agonist_overlap_reason,
    )
    if problems:
        raise ValidationError(problems)
    unusual = medication.dose_is_unusual(drug, route, frequency, dose)
    otp = (
        OtpEnrollment.objects.filter(participant=participant, ended_on__isnull=True).first()
        if medication.DRUGS[drug].opioid_agonist
        else None
    )
    with transaction.atomic():
        order = MedicationOrder(
            participant=participant,
            drug=drug,
            dose=dose,
            unit=unit,
            route=route,
            frequency=frequency,
            reason=reason.strip(),
            unusual_dose_reason=unusual_dose_reason.strip() if unusual else "",
            prescriber=actor,
            pdmp_checked_at=pdmp_checked_at,
            pdmp_checked_by=actor if pdmp_checked_at else None,
            start_on=start_on,
        )
        order.full_clean()
        order.save()
        DoseChange.objects.create(
            order=order,
            dose=dose,
            frequency=frequency,
            effective_on=start_on,
            reason="First dose",
            unusual_dose_reason=order.unusual_dose_reason,
            changed_by=actor,
        )
        audit(
            Action.CREATE,
            actor=actor,
            participant=participant,
            obj=order,
            detail={
                "drug": drug,
                "unusual_dose_confirmed": bool(order.unusual_dose_reason),
                "pdmp_checked_at": pdmp_checked_at.isoformat() if pdmp_checked_at else None,
                "alongside_methadone": otp is not None,
            },
        )
        if otp is not None:
            # The reason stays in the record, with the program it must be coordinated with.
            _overlap_note(
                actor,
                otp,
                f"{order.get_drug_display()} {medication.mg_text(dose)} mg ordered alongside methadone: "
                f"{agonist_overlap_reason.strip()}",
            )
    return order


def _overlap_note(actor: User, enrollment: OtpEnrollment, text: str) -> None:
    note = OtpCoordinationNote.objects.create(enrollment=enrollment, author=actor, text=text)
    audit(Action.CREATE, actor=actor, participant=enrollment.participant, obj=note)


def medication_dose_change(
    *,
    actor: User,
    order: MedicationOrder,
    dose: Decimal,
    frequency: str,
    effective_on: date,
    reason: str,
    unusual_dose_reason: str = "",
) -> DoseChange:
    if not can_prescribe(actor, order.participant.program_id):
        raise PermissionDenied("Dose changes need a prescriber with a current license in this program.")
    if not order.is_active:
        raise ValidationError("This order is stopped; write a new order.")
    errors = {}
    if effective_on < order.start_on:
        errors["effective_on"] = "A dose change takes effect on or after the order's start."
    if not reason.strip():
        errors["reason"] = "Say why the dose changes."
    errors.update(medication.dose_problems(order.spec, order.route, frequency, dose, unusual_dose_reason))
    if errors:
        raise ValidationError(errors)
    unusual = medication.dose_is_unusual(order.drug, order.route, frequency, dose)
    with transaction.atomic():
        change = DoseChange(
            order=order,
            dose=dose,
            frequency=frequency,
            effective_on=effective_on,
            reason=reason.strip(),
            unusual_dose_reason=unusual_dose_reason.strip() if unusual else "",
            changed_by=actor,
        )
        change.full_clean()
        change.save()
        order.dose = dose
        order.frequency = frequency
        order.save(update_fields=["dose", "frequency"])
        audit(
            Action.UPDATE,
            actor=actor,
            participant=order.participant,
            obj=order,
            detail={"dose_change": str(change.pk)},
        )
    return change


def medication_order_stop(
    *, actor: User, order: MedicationOrder, stop_on: date, reason: str
) -> MedicationOrder:
    if not can_prescribe(actor, order.participant.program_id):
        raise PermissionDenied("Stopping an order needs a prescriber with a current license in this program.")
    if not order.is_active:
        raise ValidationError("This order is already stopped.")
    errors = {}
    if stop_on < order.start_on:
        errors["stop_on"] = "The stop date is on or after the start date."
    if not reason.strip():
        errors["reason"] = "Say why the medication stops."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order.stop_on = stop_on
        order.stop_reason = reason.strip()
        order.full_clean()
        order.save(update_fields=["stop_on", "stop_reason"])
        audit(Action.UPDATE, actor=actor, participant=order.participant, obj=order, detail={"stopped": True})
    return order


def administration_record(
    *,
    actor: User,
    order: MedicationOrder,
    given_at: datetime,
    dose: Decimal,
    lot_number: str,
    site: str,
    comment: str = "",
    warning_reason: str = "",
) -> Administration:
    """A nurse (or prescriber) records an in-clinic injection; the next dose's due date follows the drug.

    An injection earlier than the drug's minimum interval, or at a site it is not given in, warns and
    needs `warning_reason` to go ahead; the warnings and the reason are kept with the dose.
    """
    program_id = order.participant.program_id
    if not (actor.has_role(Role.NURSE, program_id) or actor.has_role(Role.PRESCRIBER, program_id)):
        raise PermissionDenied("Doses are given by the program's nurses or prescribers.")
    if not order.spec.injectable:
        raise ValidationError("In-clinic doses are recorded for injectable medications.")
    errors = {}
    if not order.is_active:
        errors["__all__"] = "This order is stopped."
    if given_at > timezone.now() + timedelta(minutes=5):
        errors["given_at"] = "The dose cannot be given in the future."
    elif timezone.localdate(given_at) < order.start_on:
        errors["given_at"] = "The dose is given on or after the order's start."
    if not lot_number.strip():
        errors["lot_number"] = "Give the lot number."
    if errors:
        raise ValidationError(errors)
    last = (
        Administration.objects.filter(
            order__participant=order.participant, order__drug=order.drug, error_at__isnull=True
        )
        .order_by("-given_at")
        .first()
    )
    warnings = medication.injection_warnings(
        order.drug, site, timezone.localdate(given_at), timezone.localdate(last.given_at) if last else None
    )
    if warnings and not warning_reason.strip():
        raise ValidationError(
            {**warnings, "warning_reason": "Give the reason to go ahead despite the warning."}
        )
    with transaction.atomic():
        item = Administration(
            order=order,
            participant=order.participant,
            given_at=given_at,
            dose=dose,
            lot_number=lot_number.strip(),
            site=site,
            given_by=actor,
            comment=comment.strip(),
            warnings=list(warnings.values()),
            warning_reason=warning_reason.strip() if warnings else "",
            next_due_on=medication.next_dose_due(order.drug, timezone.localdate(given_at)),
        )
        item.full_clean()
        item.save()
        audit(
            Action.CREATE,
            actor=actor,
            participant=order.participant,
            obj=item,
            detail={"order": str(order.pk)},
        )
    return item


def otp_enrollment_record(
    *,
    actor: User,
    participant: Participant,
    otp_name: str,
    contact_name: str,
    contact_phone: str,
    started_on: date,
    reported_dose: str = "",
    agonist_overlap_reason: str = "",
) -> OtpEnrollment:
    if OtpEnrollment.objects.filter(participant=participant, ended_on__isnull=True).exists():
        raise ValidationError({"otp_name": "An opioid treatment program is already on record; end it first."})
    agonists = list(
        MedicationOrder.objects.filter(
            participant=participant, stop_on__isnull=True, drug__in=medication.OPIOID_AGONISTS
        )
    )
    names = ", ".join(f"{o.get_drug_display()} {medication.mg_text(o.dose)} mg" for o in agonists)
    if agonists and not agonist_overlap_reason.strip():
        raise ValidationError({"agonist_overlap_reason": medication.AGONIST_OVERLAP_OTP.format(drugs=names)})
    with transaction.atomic():
        enrollment = OtpEnrollment(
            participant=participant,
            otp_name=otp_name.strip(),
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            started_on=started_on,
            reported_dose=reported_dose.strip(),
            recorded_by=actor,
        )
        enrollment.full_clean()
        enrollment.save()
        audit(Action.CREATE, actor=actor, participant=participant, obj=enrollment)
        if agonists:
            _overlap_note(
                actor, enrollment, f"Recorded while {names} is active: {agonist_overlap_reason.strip()}"
            )
    return enrollment


def otp_enrollment_end(
    *, actor: User, enrollment: OtpEnrollment, ended_on: date, reason: str
) -> OtpEnrollment:
    if not enrollment.is_active:
        raise ValidationError("This enrolment has already ended.")
    if ended_on < enrollment.started_on:
        raise ValidationError({"ended_on": "The end date is on or after the start date."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why."})
    with transaction.atomic():
        enrollment.ended_on = ended_on
        enrollment.end_reason = reason.strip()
        enrollment.full_clean()
        enrollment.save(update_fields=["ended_on", "end_reason"])
        audit(
            Action.UPDATE,
            actor=actor,
            participant=enrollment.participant,
            obj=enrollment,
            detail={"ended": True},
        )
    return enrollment


def otp_note_add(*, actor: User, enrollment: OtpEnrollment, text: str) -> OtpCoordinationNote:
    if not text.strip():
        raise ValidationError({"text": "Write what was coordinated."})
    with transaction.atomic():
        note = OtpCoordinationNote(enrollment=enrollment, author=actor, text=text.strip())
        note.full_clean()
        note.save()
        audit(Action.CREATE, actor=actor, participant=enrollment.participant, obj=note)
    return note


def naloxone_offer_record(
    *, actor: User, participant: Participant, offered_on: date, outcome: str, note: str = ""
) -> NaloxoneOffer:
    """A naloxone kit offered (every participant with opioid use disorder is offered one) and the answer."""
    if offered_on > timezone.localdate():
        raise ValidationError({"offered_on": "The date cannot be in the future."})
    with transaction.atomic():
        offer = NaloxoneOffer(
            participant=participant,
            offered_on=offered_on,
            outcome=outcome,
            note=note.strip(),
            offered_by=actor,
        )
        offer.full_clean()
        offer.save()
        audit(Action.CREATE, actor=actor, participant=participant, obj=offer, detail={"outcome": outcome})
    return offer


def pdmp_setting_update(
    *, actor: User, program, state: str, system_name: str, window_hours: int, recheck_days: int
) -> PdmpSetting:
    """The program's PDMP rule (its state's): check window before the first controlled prescription."""
    with transaction.atomic():
        row = PdmpSetting.objects.filter(program=program).first() or PdmpSetting(
            program=program, updated_by=actor
        )
        row.state, row.system_name = state.strip().upper(), system_name.strip()
        row.window_hours, row.recheck_days = window_hours, recheck_days
        row.updated_by, row.updated_at = actor, timezone.now()
        row.full_clean()
        row.save()
        audit(
            Action.UPDATE,
            actor=actor,
            participant=None,
            obj=row,
            detail={"state": row.state, "window_hours": window_hours, "recheck_days": recheck_days},
        )
    return row
