"""Claim status from acknowledgements: a 999 says whether a claim file was readable, a 277CA says
whether the payer took each claim into adjudication. Both set the claims' status with the reason.

The whole file is refused (X12Error naming the segment and the reason; nothing changes) when pyx12
finds it invalid, when it names a claim file or claim that is not the program's, or when it was
received before. The file is kept whole (ClaimAcknowledgement); each claim changed is audited.
Only claims still waiting on an answer (submitted, accepted, rejected) change: an acknowledgement
arriving after a payment does not undo the remittance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.models import Claim, ClaimAcknowledgement
from bridge.billing.x12.acknowledgements import read
from bridge.billing.x12.validate import X12Error, X12Problem

OPEN = (Claim.Status.SUBMITTED, Claim.Status.ACCEPTED, Claim.Status.REJECTED)


@dataclass
class AckResult:
    acknowledgement: ClaimAcknowledgement
    accepted: list[Claim] = field(default_factory=list)
    rejected: list[Claim] = field(default_factory=list)
    unchanged: list[Claim] = field(default_factory=list)  # already paid, denied or adjusted


def _file_names(control: int) -> list[str]:
    # claims_build names each 837 file after its interchange/group control number.
    return [f"837P-{control}.x12", f"837I-{control}.x12"]


def acknowledgement_post(*, actor, program, text: str, file_name: str) -> AckResult:
    ack = read(text)
    kind = ClaimAcknowledgement.Kind.FILE if ack.kind == "999" else ClaimAcknowledgement.Kind.CLAIMS
    # (claim, accepted, reason, payer claim number) for every claim the acknowledgement answers for.
    answers: list[tuple[Claim, bool, str, str]] = []
    missing: list[X12Problem] = []
    if ack.kind == "999":
        names = {g.control: _file_names(g.control) for g in ack.groups}
        claims = list(
            Claim.objects.filter(
                program=program, file_name__in=[n for pair in names.values() for n in pair]
            ).select_related("participant")
        )
        for group in ack.groups:
            mine = [c for c in claims if c.file_name in names[group.control]]
            if not mine:
                missing.append(
                    X12Problem("AK1", "", f"Claim file {group.control} is not one of this program's files")
                )
            reason = f"999 for file {group.control}: {group.reason}"
            answers += [(c, group.accepted, reason, "") for c in mine]
    else:
        by_number = {
            c.number: c
            for c in Claim.objects.filter(
                program=program, number__in=[c.number for c in ack.claims]
            ).select_related("participant")
        }
        for said in ack.claims:
            claim = by_number.get(said.number)
            if claim is None:
                missing.append(
                    X12Problem("TRN", "", f"Claim {said.number} is not one of this program's claims")
                )
                continue
            reason = f"277CA: {said.reason}"
            if said.payer_claim_number:
                reason += f" (payer claim {said.payer_claim_number})"
            answers.append((claim, said.accepted, reason, said.payer_claim_number))
    if missing:
        raise X12Error(missing)
    if ClaimAcknowledgement.objects.filter(program=program, kind=kind, control_number=ack.control).exists():
        raise X12Error([X12Problem("ISA", "", f"Acknowledgement {ack.control} was received already")])
    with transaction.atomic():
        record = ClaimAcknowledgement.objects.create(
            program=program,
            kind=kind,
            control_number=ack.control,
            file_name=Path(file_name).name,
            content=text,
            received_by=actor,
        )
        result = AckResult(record)
        for claim, accepted, reason, payer_number in answers:
            if claim.status not in OPEN:
                result.unchanged.append(claim)
                continue
            if accepted:
                # A 999 only says the file was readable: the claim waits for the payer's 277CA.
                status = Claim.Status.ACCEPTED if ack.kind == "277CA" else claim.status
                result.accepted.append(claim)
            else:
                status = Claim.Status.REJECTED
                result.rejected.append(claim)
            claim.status = status
            claim.status_reason = reason[:500]
            if payer_number:
                claim.payer_claim_number = payer_number[:50]
            claim.full_clean()
            claim.save(update_fields=["status", "status_reason", "payer_claim_number"])
            audit_record(
                action=Action.UPDATE,
                actor=actor,
                participant=claim.participant,
                object_type="claim",
                object_id=str(claim.pk),
                detail={"acknowledgement": ack.kind, "control": ack.control, "status": status},
            )
        record.accepted, record.rejected = len(result.accepted), len(result.rejected)
        record.save(update_fields=["accepted", "rejected"])
    return result
