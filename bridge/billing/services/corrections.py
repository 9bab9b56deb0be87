"""Correct and resubmit: a rejected or denied claim is followed by a new claim that replaces it.

- The payer knows the claim (it has the payer's claim control number, from the 277CA or the 835):
  a **replacement** (CLM05-3 frequency 7) or a **void** (8), each naming the payer's number in
  REF*F8, with the same payer.
- The claim was rejected at the front door (never accepted, no payer claim number): the payer has
  nothing to replace, so a fresh **original** (1) under a new claim number.

The old claim is never deleted: it is kept as `replaced` (or `voided`), linked from the new one
(`replaces`), with a snapshot of the lines it carried (`lines_sent`); its charges move to the new
claim (a void's charges are voided with the reason, so the charge builder decides afresh from the
record whether and to whom the services are billed). Its open denials are resolved as corrected.
The new 837 is validated with pyx12 before it leaves; anything wrong changes nothing. Released
through the Part 2 decision point for payment and entered in the accounting, like any claim.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.models import Charge, Claim, ClaimFormat, Coverage, Denial
from bridge.billing.services.claims import (
    _account,
    _claim_data,
    _next_number,
    _released,
    _send,
    console_discloser,
)
from bridge.billing.services.eligibility import profile_for
from bridge.privacy.vocab import Channel

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z]{1,5}$")


class Correction(models.TextChoices):
    REPLACE = "replace", "Replace the claim (frequency 7, the payer's claim number in REF*F8)"
    VOID = "void", "Void the claim (frequency 8: cancel it with the payer)"
    RESEND = "resend", "Send it again as a new original (frequency 1: the payer never accepted it)"


FREQUENCY = {
    Correction.REPLACE: Claim.Frequency.REPLACEMENT,
    Correction.VOID: Claim.Frequency.VOID,
    Correction.RESEND: Claim.Frequency.ORIGINAL,
}


def corrections_for(claim: Claim) -> list[str]:
    """What may follow `claim`: nothing unless it was rejected, denied or adjusted and not yet
    replaced; a replacement or a void when the payer gave it a claim number; else a fresh original."""
    if claim.status not in Claim.CORRECTABLE or Claim.objects.filter(replaces=claim).exists():
        return []
    if claim.payer_claim_number:
        return [Correction.REPLACE, Correction.VOID]
    return [Correction.RESEND]


def coverages_for(claim: Claim):
    """The coverages a correction may go under: the participant's, of the claim's format; the same
    payer for a replacement or void (checked in `claim_resubmit`)."""
    return (
        Coverage.objects.filter(
            participant_id=claim.participant_id, plan__payer__claim_format=claim.claim_format
        )
        .select_related("plan__payer")
        .order_by("order", "-effective_on")
    )


def _snapshot(charges: list[Charge]) -> list[dict]:
    return [
        {
            "charge": str(c.pk),
            "date": c.service_date.isoformat(),
            "code": c.code,
            "modifiers": c.modifiers,
            "units": c.units,
            "amount": str(c.amount),
            "diagnosis": c.diagnosis,
        }
        for c in charges
    ]


def claim_resubmit(
    *,
    actor,
    claim: Claim,
    action: str,
    reason: str,
    coverage: Coverage | None = None,
    diagnosis: str = "",
    out_dir=None,
    discloser=None,
) -> Claim:
    """Correct `claim` and send the claim that follows it (see the module). ValidationError (by field)
    when the correction is not allowed; X12Error when the new file is invalid. Returns the new claim."""
    if actor is None and discloser is None:
        discloser = console_discloser(claim.program)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say what was corrected and why."})
    diagnosis = diagnosis.replace(".", "").strip().upper()
    if diagnosis and not ICD10.match(diagnosis):
        raise ValidationError({"diagnosis": "An ICD-10-CM code, such as F10.20."})
    with transaction.atomic():
        old = (
            Claim.objects.select_for_update()
            .select_related("program", "participant", "coverage__plan__payer")
            .get(pk=claim.pk)
        )
        allowed = corrections_for(old)
        if not allowed:
            raise ValidationError(
                f"Claim {old.number} is {old.get_status_display().lower()}: only a rejected, denied or "
                "adjusted claim that was not replaced yet can be corrected and resubmitted."
            )
        if action not in allowed:
            words = ", ".join(str(Correction(a).label) for a in allowed)
            raise ValidationError({"action": f"For claim {old.number} choose: {words}."})
        coverage = coverage or old.coverage
        if (
            coverage.participant_id != old.participant_id
            or coverage.plan.payer.claim_format != old.claim_format
        ):
            raise ValidationError(
                {"coverage": "Choose one of this participant's coverages billed the same way."}
            )
        if action != Correction.RESEND and coverage.plan.payer_id != old.coverage.plan.payer_id:
            raise ValidationError(
                {"coverage": "A replacement or void goes to the payer of the claim it follows."}
            )
        decision = _released(actor, coverage)
        if not decision.permit:
            raise ValidationError(list(decision.reasons) or ["The consent does not allow this release."])
        charges = list(
            Charge.objects.select_for_update().filter(claim=old).order_by("service_date", "created_at")
        )
        if not charges:
            raise ValidationError(f"Claim {old.number} has no lines to send again.")
        now = timezone.now()
        new = Claim.objects.create(
            program=old.program,
            participant=old.participant,
            coverage=coverage,
            claim_format=old.claim_format,
            number=_next_number(),
            total=sum(c.amount for c in charges),
            frequency=FREQUENCY[Correction(action)],
            replaces=old,
            correction=reason[:300],
            created_by=actor,
            created_at=now,
        )
        changed: dict[str, list[str]] = {}
        if coverage.pk != old.coverage_id:
            changed["coverage"] = [str(old.coverage), str(coverage)]
        if diagnosis and diagnosis != charges[0].diagnosis:
            changed["diagnosis"] = [charges[0].diagnosis, diagnosis]
        old.lines_sent = _snapshot(charges)
        old.status = Claim.Status.VOIDED if action == Correction.VOID else Claim.Status.REPLACED
        old.status_reason = (
            f"{'Voided' if action == Correction.VOID else 'Replaced'} by claim {new.number}: {reason}"[:500]
        )
        old.closed_at = now
        old.save(update_fields=["lines_sent", "status", "status_reason", "closed_at"])
        for c in charges:
            c.claim = new
            c.coverage = coverage
            if diagnosis:
                c.diagnosis = diagnosis
            if action == Correction.VOID:
                c.status = Charge.Status.VOID
                c.void_reason = f"Claim {old.number} voided by {new.number}: {reason}"[:200]
        Charge.objects.bulk_update(charges, ["claim", "coverage", "diagnosis", "status", "void_reason"])
        denials = list(Denial.objects.filter(claim=old, resolved_at__isnull=True))
        for d in denials:
            d.next_step = Denial.NextStep.CORRECT
            d.resolution = f"Corrected and resubmitted as claim {new.number}"
            d.resolved_by = actor
            d.resolved_at = now
        Denial.objects.bulk_update(denials, ["next_step", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            action=Action.CLAIM_RESUBMIT,
            actor=actor,
            participant=old.participant,
            object_type="claim",
            object_id=str(old.pk),
            detail={
                "correction": action,
                "frequency": new.frequency,
                "new_claim": str(new.pk),
                "new_number": new.number,
                "payer_claim_number": old.payer_claim_number,
                "changed": changed,
                "denials_resolved": len(denials),
            },
        )
        data = _claim_data(new, coverage, charges)
        data.frequency = new.frequency
        data.original_reference = old.payer_claim_number if action != Correction.RESEND else ""
        _account(actor, new, decision, Channel.ELECTRONIC, [c.service_date for c in charges], discloser)
        profile = profile_for(old.program)
        _send(
            actor=actor,
            profile=profile,
            claims=[new],
            data=[data],
            institutional=old.claim_format == ClaimFormat.INSTITUTIONAL,
            out_dir=out_dir,
            now=now,
            when=timezone.localtime(now, old.program.tz),
        )
    return new
