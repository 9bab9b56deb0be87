"""Posting an 835: payments and adjustments to claims and their lines, denials to the work list.

The whole file is refused (X12Error naming the segment and the reason; nothing changes) when pyx12
finds it invalid, when a claim it names is not the program's, or when it was posted before. Postings
are append-only rows; a claim's status follows from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_records
from bridge.billing.models import Claim, Denial, Posting, Remittance
from bridge.billing.x12.remittance import NEXT_STEP, read_835
from bridge.billing.x12.validate import X12Error, X12Problem


@dataclass
class PostResult:
    remittance: Remittance
    posted: int = 0  # payments
    adjusted: int = 0
    denied: int = 0
    notes: list[str] = field(default_factory=list)  # what was posted differently, and why, in words


# A claim the program has replaced or voided is closed here: what the payer still sends for it is
# recorded (the money is real) but does not move its status or open denials; the live claim is the
# replacement, worked on its own.
CLOSED = (Claim.Status.REPLACED, Claim.Status.VOIDED)
REVERSAL = "22"  # CLP02: reversal of a previous payment


def _line_for(claim: Claim, svc):
    for charge in claim.lines.all():
        if charge.code == svc.code and (svc.service_date is None or charge.service_date == svc.service_date):
            return charge
    return None


def remittance_post(*, actor, program, text: str, file_name: str) -> PostResult:
    data = read_835(text)
    numbers = [c.number for c in data.claims]
    claims = {
        c.number: c
        for c in Claim.objects.filter(program=program, number__in=numbers)
        .select_related("participant", "coverage__plan__payer")
        .prefetch_related("lines")
    }
    missing = [n for n in numbers if n not in claims]
    if missing:
        raise X12Error(
            [X12Problem("CLP", "", f"Claim {n} is not one of this program's claims") for n in missing]
        )
    if Remittance.objects.filter(program=program, trace_number=data.trace_number).exists():
        raise X12Error([X12Problem("TRN", "", f"Remittance {data.trace_number} was posted already")])
    with transaction.atomic():
        remit = Remittance.objects.create(
            program=program,
            payer_name=data.payer_name,
            trace_number=data.trace_number,
            paid_on=data.paid_on,
            total_paid=data.total_paid,
            file_name=Path(file_name).name,
            content=text,
            posted_by=actor,
        )
        result = PostResult(remit)
        # Postings, denials, claim updates and audit events are gathered and written in batches: the
        # reads are a fixed number for the file, the writes a few per batch rather than per line.
        postings: list[Posting] = []
        denials: list[Denial] = []
        changed: list[Claim] = []
        events: list[dict] = []

        def _posted(claim: Claim, cp) -> dict:
            """The audit event of one claim's payment as posted (appended in one batch at the end)."""
            return {
                "action": Action.REMIT_POST,
                "actor": actor,
                "participant": claim.participant,
                "object_type": "claim",
                "object_id": str(claim.pk),
                "detail": {"trace": data.trace_number, "paid": str(cp.paid), "status": claim.status},
            }

        for cp in data.claims:
            claim = claims[cp.number]
            closed = claim.status in CLOSED
            reversal = cp.status == REVERSAL
            entries: list[tuple[Any, Any, Any, Any]] = [
                (None, cp.paid if not cp.lines else Decimal("0"), cp.adjustments, [])
            ]
            entries += [(_line_for(claim, svc), svc.paid, svc.adjustments, svc.remarks) for svc in cp.lines]
            denied_here = False
            for charge, paid, adjustments, remarks in entries:
                if paid:
                    postings.append(
                        Posting(
                            remittance=remit,
                            claim=claim,
                            charge=charge,
                            kind=Posting.Kind.PAYMENT,
                            amount=paid,
                        )
                    )
                    result.posted += 1
                for adj in adjustments:
                    postings.append(
                        Posting(
                            remittance=remit,
                            claim=claim,
                            charge=charge,
                            kind=Posting.Kind.ADJUSTMENT,
                            amount=adj.amount,
                            group_code=adj.group,
                            reason_code=adj.reason,
                            remark_codes=",".join(remarks),
                        )
                    )
                    result.adjusted += 1
                    contractual = adj.group == "CO" and adj.reason == "45"
                    if (
                        adj.group in ("CO", "OA", "PI")
                        and not contractual
                        and not closed
                        and not reversal
                        and (cp.denied or not paid)
                    ):
                        denials.append(
                            Denial(
                                claim=claim,
                                charge=charge,
                                remittance=remit,
                                group_code=adj.group,
                                reason_code=adj.reason,
                                amount=adj.amount,
                                next_step=NEXT_STEP.get(adj.reason, "appeal"),
                            )
                        )
                        result.denied += 1
                        denied_here = True
            claim.paid += cp.paid
            if closed:
                follows = getattr(claim, "replaced_by", None)
                result.notes.append(
                    f"Claim {claim.number} is {claim.get_status_display().lower()}"
                    + (f" by claim {follows.number}" if follows is not None else "")
                    + f": the payer's {cp.paid:.2f} and its adjustments are recorded on it; its status "
                    "stays, and nothing goes to the denials work list"
                    + (f" (work claim {follows.number})." if follows is not None else ".")
                )
                changed.append(claim)
                events.append(_posted(claim, cp))
                continue
            if reversal:
                # The payer takes back what it paid before (the amounts come negative): new postings
                # reverse the earlier ones; nothing earlier is changed. A corrected payment usually
                # follows in the same file (another CLP for the claim) and sets the status again.
                result.notes.append(
                    f"Claim {claim.number}: the payer reversed its earlier payment (CLP02 22); "
                    f"{cp.paid:.2f} posted as reversing entries"
                )
                claim.status = Claim.Status.ADJUSTED
            elif cp.denied or (denied_here and not cp.paid):
                claim.status = Claim.Status.DENIED
            elif claim.paid + sum(
                a.amount for _c, _p, adjs, _r in entries for a in adjs
            ) >= claim.total and not (denied_here):
                claim.status = Claim.Status.PAID
            else:
                claim.status = Claim.Status.ADJUSTED
            claim.closed_at = timezone.now() if claim.status == Claim.Status.PAID else None
            if cp.payer_control:
                claim.payer_claim_number = cp.payer_control[:50]
            if claim.overpaid:
                result.notes.append(
                    f"Claim {claim.number}: the payer has now paid {claim.paid:.2f} on a claim of "
                    f"{claim.total:.2f}, {claim.overpaid:.2f} more than billed. Check the remittance "
                    "with the payer: a refund may be due."
                )
            changed.append(claim)
            events.append(_posted(claim, cp))
        Posting.objects.bulk_create(postings, batch_size=500)
        Denial.objects.bulk_create(denials, batch_size=500)
        # A claim may come twice in one file (a reversal, then the corrected payment): its last state.
        latest = {c.pk: c for c in changed}
        Claim.objects.bulk_update(
            list(latest.values()), ["paid", "status", "closed_at", "payer_claim_number"], batch_size=500
        )
        audit_records(events)
    return result


def denial_resolve(*, actor, denial: Denial, next_step: str, resolution: str) -> Denial:
    """Close a denial with what was done (corrected and resubmitted, appealed, written off)."""
    with transaction.atomic():
        denial.next_step = next_step
        denial.resolution = resolution
        denial.resolved_by = actor
        denial.resolved_at = timezone.now()
        denial.full_clean()
        denial.save(update_fields=["next_step", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=denial.claim.participant,
            object_type="denial",
            object_id=str(denial.pk),
            detail={"next_step": next_step},
        )
    return denial
