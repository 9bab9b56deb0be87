"""Claims: batch ready charges into 837P / 837I files, validate each with pyx12, hand it to the
clearinghouse (or write it to a folder from the console), and mark the claims submitted."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing.clearinghouse import send_file
from bridge.billing.models import Charge, Claim, ClaimFormat, Coverage, PayerKind
from bridge.billing.pdf import PaperClaim, PaperLine, cms1500_pdf
from bridge.billing.services.eligibility import control_number, profile_for
from bridge.billing.x12.claims import ClaimData, Line, Person, Provider, write_837
from bridge.billing.x12.validate import X12Error, file_problems
from bridge.privacy import bases, packages, policy
from bridge.privacy.models import Disclosure, Recipient
from bridge.privacy.notice import NOTICE_VERSION
from bridge.privacy.vocab import Channel, DataClass, Purpose, RecipientKind


def _provider(profile) -> Provider:
    return Provider(
        profile.organization_name,
        profile.npi,
        profile.tax_id,
        profile.taxonomy,
        profile.address,
        profile.city,
        profile.state,
        profile.zip_code,
        profile.submitter_id,
        profile.contact_phone,
    )


def _claim_data(claim: Claim, coverage: Coverage, charges: list[Charge]) -> ClaimData:
    p = coverage.participant
    patient = Person(p.first_name, p.last_name, p.date_of_birth)
    if coverage.relationship == Coverage.Relationship.SELF:
        subscriber = patient
    else:
        subscriber = Person(
            coverage.subscriber_first_name,
            coverage.subscriber_last_name,
            coverage.subscriber_date_of_birth or p.date_of_birth,
        )
    payer = coverage.plan.payer
    return ClaimData(
        number=claim.number,
        payer_name=payer.name,
        payer_id=payer.payer_id,
        payer_kind=payer.kind,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship=coverage.relationship,
        subscriber=subscriber,
        patient=patient,
        diagnosis=charges[0].diagnosis,
        lines=[
            Line(
                c.service_date,
                c.code,
                tuple(m for m in c.modifiers.split(":") if m),
                c.revenue_code or "0906",
                c.units,
                c.amount,
                c.place_of_service,
            )
            for c in charges
        ],
        # Medicare IOP on the institutional claim: condition code 92.
        condition_codes=("92",) if payer.kind == PayerKind.MEDICARE else (),
    )


CLAIM_DATA = (
    DataClass.DEMOGRAPHICS,
    DataClass.EPISODES,
    DataClass.ATTENDANCE,
    DataClass.DIAGNOSES,
    DataClass.BILLING,
)


def payer_recipient(payer) -> Recipient:
    """The payer as a recipient of records (a health plan: in the TPO consent's class)."""
    return Recipient.objects.get_or_create(
        program_id=payer.program_id,
        name=payer.name,
        defaults={"kind": RecipientKind.HEALTH_PLAN, "address": f"Claims by EDI, payer id {payer.payer_id}"},
    )[0]


def _released(actor, coverage, channel: str = "x12-837") -> policy.Decision:
    """Ask the Part 2 policy decision point whether this participant's claim may go to the payer for
    payment (the TPO consent's payment purpose); the decision is audited there."""
    return policy.decide(
        actor=actor,
        participant=coverage.participant,
        recipient=payer_recipient(coverage.plan.payer),
        purpose=Purpose.PAYMENT,
        data_classes=CLAIM_DATA,
        channel=channel,
        object_type="claim",
    )


def console_discloser(program):
    """The person responsible for claims the console or the nightly job sends for `program`
    (`BRIDGE_BILLING_DISCLOSER`): an active director or billing staff member of the program.
    ValidationError saying what to set when there is none: a claim never leaves unaccounted."""
    from bridge.accounts.models import Role, User

    name = settings.BRIDGE_BILLING_DISCLOSER
    if not name:
        raise ValidationError(
            "Claims sent from the console are entered in each participant's accounting of disclosures "
            "under a responsible person: set BRIDGE_BILLING_DISCLOSER to the username of the director "
            "or billing staff member who runs claim sending."
        )
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None or program.pk not in user.programs_with_role(Role.DIRECTOR, Role.BILLING):
        raise ValidationError(
            f"BRIDGE_BILLING_DISCLOSER={name!r} is not an active director or billing staff member of "
            f"{program.name}."
        )
    return user


def _account(actor, claim: Claim, decision: policy.Decision, channel: str, days, discloser=None) -> None:
    """Enter a released claim in the participant's accounting of disclosures (a Part 2 release under
    the TPO consent's payment purpose), naming the person who made the release: the signed-in person,
    or for a console run the configured responsible person (`console_discloser`)."""
    if decision.consent is None:
        return
    person = actor or discloser
    if person is None:
        raise ValidationError("A claim released with no one signed in needs a responsible person.")
    recipient = payer_recipient(claim.coverage.plan.payer)
    classes = list(decision.data_classes)
    first, last = min(days), max(days)
    entry = Disclosure(
        participant=claim.participant,
        program=claim.program,
        outcome=Disclosure.Outcome.RELEASED,
        recipient=recipient,
        recipient_name=recipient.name,
        recipient_address=recipient.address,
        purpose=Purpose.PAYMENT,
        data_classes=classes,
        date_from=first,
        date_to=last,
        description=f"Claim {claim.number}: {packages.describe(classes, first, last)}",
        channel=channel,
        legal_basis=bases.CONSENT,
        accountable=bases.basis(bases.CONSENT).accountable,
        consent=decision.consent,
        consent_summary=packages.consent_summary(decision.consent),
        notice_text=packages.notice_for(bases.CONSENT, {}),
        notice_version=NOTICE_VERSION,
        records=[{"type": "claim", "id": str(claim.pk)}],
        requested_by=person,
    )
    if actor is None:
        entry.description += " (sent by the scheduled claims run)"
    entry.full_clean()
    entry.save()


def _next_number() -> str:
    return f"C{control_number()}"


def claims_build(
    *,
    actor,
    program,
    claim_format: str,
    out_dir: str | Path | None = None,
    through=None,
    refused=None,
    discloser=None,
) -> list[tuple[str, list[Claim]]]:
    """Write one 837 file per payer for the program's ready charges of that format.

    Returns (where each file went, its claims). A file pyx12 finds invalid raises X12Error and
    nothing is written or changed. A participant whose consent does not allow the release to the
    payer for payment gets no claim (the charges stay ready); `refused`, a list, collects
    (participant, reason) for them. With no `actor` (the console, the nightly job) `discloser` is the
    responsible person named in the accounting of disclosures (`console_discloser`); without one
    nothing is sent (ValidationError).
    """
    if actor is None and discloser is None:
        discloser = console_discloser(program)
    institutional = claim_format == ClaimFormat.INSTITUTIONAL
    profile = profile_for(program)
    ready = Charge.objects.filter(
        program=program, status=Charge.Status.READY, coverage__plan__payer__claim_format=claim_format
    )
    if through is not None:
        ready = ready.filter(service_date__lte=through)
    charges = list(
        ready.select_related("coverage__plan__payer", "coverage__participant").order_by(
            "coverage_id", "service_date"
        )
    )
    by_coverage: dict = defaultdict(list)
    for c in charges:
        by_coverage[c.coverage_id].append(c)
    by_payer: dict = defaultdict(list)
    decisions: dict = {}
    for lines in by_coverage.values():
        decision = _released(actor, lines[0].coverage)
        decisions[lines[0].coverage_id] = decision
        if not decision.permit:
            if refused is not None:
                refused.append(
                    (lines[0].coverage.participant, decision.reasons[0] if decision.reasons else "")
                )
            continue
        by_payer[lines[0].coverage.plan.payer_id].append(lines)
    written: list[tuple[str, list[Claim]]] = []
    now = timezone.now()
    when = timezone.localtime(now, program.tz)
    with transaction.atomic():
        for groups in by_payer.values():
            claims: list[Claim] = []
            data: list[ClaimData] = []
            for lines in groups:
                coverage = lines[0].coverage
                claim = Claim.objects.create(
                    program=program,
                    participant=coverage.participant,
                    coverage=coverage,
                    claim_format=claim_format,
                    number=_next_number(),
                    total=sum(c.amount for c in lines),
                )
                claims.append(claim)
                data.append(_claim_data(claim, coverage, lines))
                _account(
                    actor,
                    claim,
                    decisions[coverage.pk],
                    Channel.ELECTRONIC,
                    [c.service_date for c in lines],
                    discloser,
                )
                Charge.objects.filter(pk__in=[c.pk for c in lines]).update(
                    status=Charge.Status.BILLED, claim=claim
                )
            where = _send(
                actor=actor,
                profile=profile,
                claims=claims,
                data=data,
                institutional=institutional,
                out_dir=out_dir,
                now=now,
                when=when,
            )
            written.append((where, claims))
    return written


def _send(*, actor, profile, claims, data, institutional: bool, out_dir, now, when) -> str:
    """Write one 837 for `claims`, validate it with pyx12 (X12Error: nothing leaves), send it to the
    clearinghouse (or `out_dir`), and mark the claims submitted, each audited. Returns where it went."""
    control = control_number()
    name = f"837{'I' if institutional else 'P'}-{control}.x12"
    folder = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="bridge-837-"))
    folder.mkdir(parents=True, exist_ok=True)
    # Streamed to a partial file segment by segment (memory does not grow with the batch), validated
    # by pyx12 from the file, and only then put in place or handed to the clearinghouse.
    partial = folder / f".{name}.partial"
    try:
        with open(partial, "w", encoding="ascii") as out:
            write_837(
                out,
                provider=_provider(profile),
                claims=data,
                institutional=institutional,
                control=control,
                when=when,
            )
        found = file_problems(partial)
        if found:
            raise X12Error(found)
        if out_dir is not None:
            path = folder / name
            partial.replace(path)
            where = str(path)
        else:
            where = send_file(f"837{'i' if institutional else 'p'}", name, partial)
    finally:
        partial.unlink(missing_ok=True)
        if out_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    for claim in claims:
        claim.status = Claim.Status.SUBMITTED
        claim.submitted_at = now
        claim.file_name = name
        claim.save(update_fields=["status", "submitted_at", "file_name"])
        detail = {"file": name, "payer": claim.coverage.plan.payer.name, "total": str(claim.total)}
        if claim.replaces_id:
            detail |= {"frequency": claim.frequency, "replaces": str(claim.replaces_id)}
        audit_record(
            action=Action.CLAIM_SUBMIT,
            actor=actor,
            participant=claim.participant,
            object_type="claim",
            object_id=str(claim.pk),
            detail=detail,
        )
    return where


def claim_paper(*, actor, claim: Claim) -> bytes:
    """The claim as a CMS-1500-style PDF for a payer that takes paper: released only when the Part 2
    decision point permits it for payment (ValidationError with the reason otherwise); audited."""
    coverage = claim.coverage
    decision = _released(actor, coverage, channel="paper")
    if not decision.permit:
        raise ValidationError(list(decision.reasons) or ["The consent does not allow this release."])
    profile = profile_for(claim.program)
    p = claim.participant
    lines = list(claim.lines.order_by("service_date"))
    insured = (
        p.display_name
        if coverage.relationship == Coverage.Relationship.SELF
        else f"{coverage.subscriber_first_name} {coverage.subscriber_last_name}"
    )
    paper = PaperClaim(
        number=claim.number,
        insurance_type=coverage.plan.payer.get_kind_display(),
        payer_name=coverage.plan.payer.name,
        member_id=coverage.member_id,
        patient_name=f"{p.last_name}, {p.first_name}",
        patient_birth=p.date_of_birth,
        insured_name=insured,
        relationship=coverage.get_relationship_display(),
        group_number=coverage.group_number,
        diagnosis=lines[0].diagnosis if lines else "",
        lines=tuple(
            PaperLine(
                c.service_date, c.place_of_service, c.code, c.modifiers, "A", c.amount, c.units, profile.npi
            )
            for c in lines
        ),
        tax_id=profile.tax_id,
        provider_name=profile.organization_name,
        provider_address=f"{profile.address}, {profile.city} {profile.state} {profile.zip_code}",
        provider_npi=profile.npi,
        paid=claim.paid,
        prepared_on=timezone.localdate(),
    )
    pdf = cms1500_pdf(paper)
    with transaction.atomic():
        _account(actor, claim, decision, Channel.MAIL, [c.service_date for c in lines] or [paper.prepared_on])
        audit_record(
            action=Action.EXPORT,
            actor=actor,
            participant=p,
            object_type="claim",
            object_id=str(claim.pk),
            detail={"format": "cms1500-pdf", "payer": coverage.plan.payer.name},
        )
    return pdf
