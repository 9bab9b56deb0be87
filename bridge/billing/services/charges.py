"""The daily charge builder: attended, qualifying services become charge lines only when nothing a
payer would reject is missing; everything else is held with the exact reason and a link to fix it.

A service becomes (part of) a charge only when
  * the attendance is recorded and the service is a billable IOP service for the payer
    (`bridge.scheduling.qualifying.evaluate`: session type, payer, modality);
  * the session's note is signed (and co-signed when required); for a group, the participant's own
    individualized part of the signed group note exists;
  * the rendering clinician held a current credential that qualifies for the session on that date;
  * the participant's level of care on that date is 2.1 (intensive outpatient);
  * a diagnosis is on the signed treatment plan;
  * the payer has a fee for it; for a per-diem payer the day meets the payer's day rule (H0015:
    3 h; Medicare: 3 services, with the 4-or-more tier);
  * it is inside an approved authorization with units left (when the payer needs one), and inside
    a current physician certification (when the payer needs one: Medicare).
Held items are not stored: the work list recomputes them from the records, so fixing the record
(signing the note, adding the authorization) is all it takes; the next build makes the charge.
Reads are batched per build (a fixed number of queries whatever the number of participant-days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from bridge.accounts.models import Credential
from bridge.accounts.qualify import qualifications
from bridge.audit.actions import Action
from bridge.audit.services import audit_record, audit_records
from bridge.billing.models import (
    Authorization,
    Certification,
    Charge,
    Coverage,
    FeeLine,
    HouseholdIncome,
    PayerKind,
    SlidingFeeScale,
)
from bridge.billing.services.selfpay import tier_from
from bridge.clinical.models import GroupNoteEntry, Note, Problem
from bridge.participants.models import EpisodeOfCare, LevelOfCare, Participant
from bridge.scheduling.models import Session
from bridge.scheduling.qualifying import (
    CATEGORY_OF_KIND,
    MEDICARE_HIGH,
    MEDICARE_LOW,
    attended_rows,
    evaluate,
)

# Grant-funded services are not billed to anyone (the grant reports them); self-pay services become
# self-pay charges: the participant's bill, priced from the self-pay fee schedule less the
# sliding-fee discount of their tier on the date, never on a claim.
NO_CHARGE_KINDS = (PayerKind.GRANT,)
FOREIGN_KEYS = ["program", "participant", "coverage", "authorization", "attendance", "rendering", "claim"]


class Reason:
    NO_COVERAGE = "no_coverage"
    NOT_SIGNED = "not_signed"
    NO_INDIVIDUAL_PART = "no_individualized_part"
    NO_CREDENTIAL = "no_credential"
    LEVEL_OF_CARE = "level_of_care"
    NO_DIAGNOSIS = "no_diagnosis"
    NO_FEE = "no_fee"
    BELOW_DAY_RULE = "below_day_rule"
    NO_AUTHORIZATION = "no_authorization"
    AUTHORIZATION_USED_UP = "authorization_used_up"
    NO_CERTIFICATION = "no_certification"

    CLINICAL = frozenset({NOT_SIGNED, NO_INDIVIDUAL_PART, NO_CREDENTIAL, NO_DIAGNOSIS})

    LABELS = {
        NO_COVERAGE: "No coverage on the date",
        NOT_SIGNED: "Note not signed",
        NO_INDIVIDUAL_PART: "Group note has no individualized part for the participant",
        NO_CREDENTIAL: "Rendering clinician had no current credential",
        LEVEL_OF_CARE: "Level of care on the date is not IOP (2.1)",
        NO_DIAGNOSIS: "No diagnosis on a signed treatment plan",
        NO_FEE: "No fee for the service in the payer's schedule",
        BELOW_DAY_RULE: "Day below the payer's minimum",
        NO_AUTHORIZATION: "No authorization covers the date",
        AUTHORIZATION_USED_UP: "Authorization has no units left",
        NO_CERTIFICATION: "No current Medicare certification",
    }


@dataclass(frozen=True)
class Held:
    participant_id: object
    participant_name: str
    day: date
    what: str
    reason: str  # a Reason code
    detail: str  # the exact reason in words
    fix_url: str
    fix_label: str

    @property
    def label(self) -> str:
        return Reason.LABELS[self.reason]

    @property
    def clinical_fix(self) -> bool:
        """Fixed in the chart or the staff record (a clinician's or the director's page, not billing's)."""
        return self.reason in Reason.CLINICAL


@dataclass
class BuildResult:
    created: list[Charge] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)

    def held_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for h in self.held:
            counts[h.reason] += 1
        return dict(sorted(counts.items()))


class _Records:
    """Everything the builder reads for a span, in a fixed number of queries."""

    def __init__(self, program, first: date, through: date, participant_ids=None):
        tz = program.tz
        self.first, self.through = first, through
        start = datetime.combine(first, time(0), tzinfo=tz)
        end = datetime.combine(through + timedelta(days=1), time(0), tzinfo=tz)
        coverages = Coverage.objects.filter(participant__program=program, effective_on__lte=through).exclude(
            ends_on__lt=first
        )
        if participant_ids is not None:
            coverages = coverages.filter(participant_id__in=participant_ids)
        self.coverages: dict = defaultdict(list)
        self.names: dict = {}
        for c in coverages.select_related("plan__payer__rule", "participant"):
            self.coverages[c.participant_id].append(c)
            self.names[c.participant_id] = c.participant.display_name
        pids = list(self.coverages)
        payers = {}
        for pid, covs in self.coverages.items():
            live = [c for c in covs if c.covers(through)] or covs
            payers[pid] = min(live, key=lambda c: c.order).plan.payer.rule
        self.qualifying = evaluate(program, attended_rows(pids, start, end), payers)
        session_ids = {s.session_id for q in self.qualifying.values() for s in q.services}
        self.sessions = {
            row["id"]: row
            for row in Session.objects.filter(pk__in=session_ids).values(
                "id", "staff_id", "session_type__required_credential", "session_type__category", "kind"
            )
        }
        notes = Note.objects.filter(session_id__in=session_ids, error_at__isnull=True).values(
            "id", "session_id", "participant_id", "kind", "signed_at", "cosign_required", "cosigned_at"
        )
        self.individual: dict = {}
        self.group: dict = {}
        for n in notes:
            if n["kind"] == Note.Kind.GROUP:
                self.group[n["session_id"]] = n
            else:
                self.individual[(n["session_id"], n["participant_id"])] = n
        self.entries = {
            (e.note.session_id, e.participant_id)
            for e in GroupNoteEntry.objects.filter(
                note_id__in=[n["id"] for n in self.group.values()], participant_id__in=pids
            ).select_related("note")
            if e.text.strip()
        }
        self.credentials: dict = defaultdict(list)
        for cred in Credential.objects.filter(
            user_id__in={s["staff_id"] for s in self.sessions.values()}
        ).select_related("user"):
            self.credentials[cred.user_id].append(cred)
        self.episodes: dict = defaultdict(list)
        for e in EpisodeOfCare.objects.filter(participant_id__in=pids).prefetch_related("level_changes"):
            self.episodes[e.participant_id].append(e)
        self.diagnosis: dict = {}
        for row in (
            Problem.objects.filter(version__plan__participant_id__in=pids, version__signed_at__isnull=False)
            .order_by("version__plan__participant_id", "-version__number", "position")
            .values("version__plan__participant_id", "code")
        ):
            self.diagnosis.setdefault(row["version__plan__participant_id"], row["code"].replace(".", ""))
        self.authorizations: dict = defaultdict(list)
        for a in Authorization.objects.filter(
            participant_id__in=pids,
            status=Authorization.Status.APPROVED,
            starts_on__lte=through,
            ends_on__gte=first,
        ).order_by("starts_on"):
            self.authorizations[a.participant_id].append(a)
        self.used: dict = defaultdict(int)
        for auth_id, units in (
            Charge.objects.filter(
                authorization_id__in=[a.pk for auths in self.authorizations.values() for a in auths]
            )
            .exclude(status=Charge.Status.VOID)
            .values_list("authorization_id", "units")
        ):
            self.used[auth_id] += units
        self.certifications: dict = defaultdict(list)
        for cert in Certification.objects.filter(
            participant_id__in=pids, valid_from__lte=through, valid_through__gte=first
        ):
            self.certifications[cert.participant_id].append(cert)
        self.fees: dict = defaultdict(list)
        for fee in FeeLine.objects.filter(
            payer_id__in={c.plan.payer_id for covs in self.coverages.values() for c in covs},
            effective_on__lte=through,
        ).order_by("-effective_on"):
            self.fees[fee.payer_id].append(fee)
        self_pay = [
            pid
            for pid, covs in self.coverages.items()
            if any(c.plan.payer.kind == PayerKind.SELF_PAY for c in covs)
        ]
        self.scales = list(SlidingFeeScale.objects.filter(program=program).order_by("-effective_on"))
        self.incomes: dict = defaultdict(list)
        for income in HouseholdIncome.objects.filter(participant_id__in=self_pay).order_by(
            "-attested_on", "-recorded_at"
        ):
            self.incomes[income.participant_id].append(income)
        live = Charge.objects.filter(
            participant_id__in=pids, service_date__gte=first, service_date__lte=through
        ).exclude(status=Charge.Status.VOID)
        self.charged_attendance = set(
            live.filter(attendance__isnull=False).values_list("attendance_id", flat=True)
        )
        self.charged_days = set(live.filter(per_diem=True).values_list("participant_id", "service_date"))

    def fee(self, payer_id, applies_to: str, day: date, tier: str = "") -> FeeLine | None:
        for fee in self.fees.get(payer_id, ()):
            if fee.applies_to == applies_to and fee.effective_on <= day and fee.tier == tier:
                return fee
        return None

    def level_on(self, pid, day: date) -> str | None:
        for e in self.episodes.get(pid, ()):
            if e.admitted_on <= day and (e.discharged_on is None or day <= e.discharged_on):
                return e.level_on(day)
        return None

    def credential_on(self, staff_id, needed: str, day: date) -> str:
        current = [c for c in self.credentials.get(staff_id, ()) if c.expires_on >= day]
        if (needed or "clinician") in qualifications(c.kind for c in current):
            return current[0].kind
        return ""


def _note_problem(records: _Records, service, pid) -> tuple[str, str]:
    kind = records.sessions[service.session_id]["kind"]
    if kind == "group":
        note = records.group.get(service.session_id)
        if note is None or note["signed_at"] is None:
            return Reason.NOT_SIGNED, f"{service.title}: the group note is not signed"
        if note["cosign_required"] and note["cosigned_at"] is None:
            return Reason.NOT_SIGNED, f"{service.title}: the group note awaits co-signature"
        if (service.session_id, pid) not in records.entries:
            return Reason.NO_INDIVIDUAL_PART, f"{service.title}: no individualized part for this participant"
        return "", ""
    note = records.individual.get((service.session_id, pid))
    if note is None or note["signed_at"] is None:
        return Reason.NOT_SIGNED, f"{service.title}: the note is not signed"
    if note["cosign_required"] and note["cosigned_at"] is None:
        return Reason.NOT_SIGNED, f"{service.title}: the note awaits co-signature"
    return "", ""


def _fix(reason: str, pid, service=None, records=None) -> tuple[str, str]:
    if reason in (Reason.NOT_SIGNED, Reason.NO_INDIVIDUAL_PART):
        if service is not None and records.sessions[service.session_id]["kind"] == "group":
            return reverse("clinical:group", args=[service.session_id]), "Open the group note"
        return reverse("clinical:notes", args=[pid]), "Open the notes"
    if reason == Reason.NO_CREDENTIAL and service is not None:
        return reverse("accounts:staff_detail", args=[records.sessions[service.session_id]["staff_id"]]), (
            "Open the clinician's credentials"
        )
    if reason == Reason.NO_DIAGNOSIS:
        return reverse("clinical:plan", args=[pid]), "Open the treatment plan"
    return reverse("billing:participant", args=[pid]), "Open coverage and billing"


def charges_build(*, actor, program, first: date, through: date, commit: bool = True, participant_ids=None):
    """Build the charges of `program` for services in [first, through]. With `commit=False` nothing is
    written (the held-charges work list uses that)."""
    records = _Records(program, first, through, participant_ids)
    result = BuildResult()
    with transaction.atomic():
        for pid, q in records.qualifying.items():
            by_day: dict = defaultdict(list)
            for s in q.billable:
                if s.attendance_id not in records.charged_attendance:
                    by_day[s.day].append(s)
            for day, services in sorted(by_day.items()):
                _build_day(records, result, program, actor, pid, day, services, commit)
        if commit and result.created:
            # Field checks only: the foreign keys are rows just read, and the database enforces the
            # constraints (one live charge per attendance, one per-diem line per day). Validating them
            # in Python would cost about ten queries per charge; this way a month costs a fixed number
            # of reads, and the charges and their audit events are inserted in batches (one read of
            # the audit chain's tail for the whole build).
            for charge in result.created:
                charge.full_clean(exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False)
            Charge.objects.bulk_create(result.created, batch_size=500)
            people = Participant.objects.in_bulk({c.participant_id for c in result.created})
            audit_records(
                {
                    "action": Action.CHARGE_BUILD,
                    "actor": actor,
                    "participant": people[charge.participant_id],
                    "object_type": "charge",
                    "object_id": str(charge.pk),
                    "detail": {"code": charge.code, "date": str(charge.service_date), "units": charge.units},
                }
                for charge in result.created
            )
    return result


def _build_day(
    records: _Records, result: BuildResult, program, actor, pid, day: date, services, commit
) -> None:
    name = records.names[pid]

    def hold(reason: str, detail: str, service=None) -> None:
        url, label = _fix(reason, pid, service, records)
        what = service.title if service is not None else f"IOP day {day:%b %-d}"
        result.held.append(Held(pid, name, day, what, reason, detail, url, label))

    live = [c for c in records.coverages[pid] if c.covers(day)]
    if not live:
        for s in services:
            hold(Reason.NO_COVERAGE, f"No coverage on {day:%b %-d}", s)
        return
    coverage = min(live, key=lambda c: c.order)
    payer = coverage.plan.payer
    if payer.kind in NO_CHARGE_KINDS or (records.charged_days and (pid, day) in records.charged_days):
        return
    self_pay = payer.kind == PayerKind.SELF_PAY
    level = records.level_on(pid, day)
    diagnosis = records.diagnosis.get(pid, "")
    ready = []
    for s in services:
        reason, detail = _note_problem(records, s, pid)
        session = records.sessions[s.session_id]
        credential = records.credential_on(
            session["staff_id"], session["session_type__required_credential"], day
        )
        if reason:
            hold(reason, detail, s)
        elif not credential:
            hold(
                Reason.NO_CREDENTIAL,
                f"{s.title}: the clinician held no current qualifying credential on {day}",
                s,
            )
        elif level != LevelOfCare.INTENSIVE_OUTPATIENT:
            hold(
                Reason.LEVEL_OF_CARE,
                f"{s.title}: level of care on {day} is {level or 'no episode'}, not 2.1",
                s,
            )
        elif not diagnosis:
            hold(Reason.NO_DIAGNOSIS, "Claims need a diagnosis: sign a treatment plan with a problem", s)
        else:
            ready.append((s, session, credential))
    if not ready:
        return
    lines: list[tuple[list, FeeLine, int]] = []
    if any(f.applies_to == "per_diem" for f in records.fees.get(payer.pk, ())):
        tier = ""
        if payer.kind == PayerKind.MEDICARE:
            n = len(ready)
            if n < MEDICARE_LOW:
                hold(
                    Reason.BELOW_DAY_RULE,
                    f"{n} qualifying service{'s' if n != 1 else ''}: Medicare's IOP day needs 3",
                )
                return
            tier = "4+" if n >= MEDICARE_HIGH else "3"
        else:
            minutes = sum(s.minutes for s, _, _ in ready)
            needed = payer.rule.min_minutes_per_day if payer.rule else 180
            if minutes < needed:
                hold(
                    Reason.BELOW_DAY_RULE,
                    f"{minutes // 60} h {minutes % 60:02d} of signed, billable services; {payer.name} "
                    f"needs {needed // 60} h {needed % 60:02d} for the per diem",
                )
                return
        fee = records.fee(payer.pk, "per_diem", day, tier) or records.fee(payer.pk, "per_diem", day)
        if fee is None:
            hold(Reason.NO_FEE, f"No per-diem fee for {payer.name} on {day}")
            return
        lines.append((ready, fee, 1))
    else:
        for item in ready:
            s, session, _ = item
            category = session["session_type__category"] or CATEGORY_OF_KIND.get(s.kind, "")
            fee = records.fee(payer.pk, category, day)
            if fee is None:
                hold(Reason.NO_FEE, f"{s.title}: {payer.name} has no fee for {category or s.kind}", s)
                continue
            units = 1
            if fee.unit_rule == FeeLine.UnitRule.PER_15_MIN:
                units = max(1, min(fee.max_units_per_day, (s.minutes + 7) // 15))
            lines.append(([item], fee, units))
    for items, fee, units in lines:
        auth = None
        if payer.requires_authorization and not self_pay:
            covering = [a for a in records.authorizations.get(pid, ()) if a.covers(day, fee.code)]
            if not covering:
                hold(
                    Reason.NO_AUTHORIZATION,
                    f"No approved {payer.name} authorization covers {day:%b %-d} ({fee.code})",
                )
                continue
            auth = next((a for a in covering if a.units_approved - records.used[a.pk] >= units), None)
            if auth is None:
                a = covering[0]
                hold(
                    Reason.AUTHORIZATION_USED_UP,
                    f"Authorization {a.reference_number}: all {a.units_approved} {a.unit} used",
                )
                continue
        if (
            payer.requires_certification
            and not self_pay
            and not any(c.valid_from <= day <= c.valid_through for c in records.certifications.get(pid, ()))
        ):
            hold(
                Reason.NO_CERTIFICATION,
                f"No Medicare IOP certification covers {day:%b %-d}: the claim is held",
            )
            continue
        if auth is not None:
            records.used[auth.pk] += units
        s, session, credential = max(items, key=lambda item: item[0].minutes)
        per_diem = fee.applies_to == "per_diem"
        if per_diem:
            records.charged_days.add((pid, day))
        amount = (fee.rate * units).quantize(Decimal("0.01"))
        discount, tier_label = Decimal("0.00"), ""
        if self_pay:
            on = tier_from(records.scales, records.incomes.get(pid, ()), day)
            discount, tier_label = amount - on.tier.price(amount), on.label[:80]
        result.created.append(
            Charge(
                program=program,
                participant_id=pid,
                coverage=coverage,
                authorization=auth,
                service_date=day,
                per_diem=per_diem,
                attendance_id=None if per_diem else s.attendance_id,
                sessions=[str(i[0].session_id) for i in items],
                code=fee.code,
                modifiers=fee.modifiers,
                revenue_code=fee.revenue_code,
                place_of_service=fee.place_of_service,
                units=units,
                amount=amount,
                self_pay=self_pay,
                status=Charge.Status.SELF_PAY if self_pay else Charge.Status.READY,
                discount=discount,
                fee_tier=tier_label,
                diagnosis=records.diagnosis[pid],
                level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
                rendering_id=session["staff_id"],
                rendering_credential=credential,
            )
        )


def charge_void(*, actor, charge: Charge, reason: str) -> Charge:
    """Void a charge not on a claim (ready, or a self-pay bill) with the reason; never deleted. A
    charge on a claim is corrected through the claim (a replacement or a void), not here."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the charge is voided."})
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(pk=charge.pk)
        if charge.status == Charge.Status.VOID:
            raise ValidationError("This charge is already voided.")
        if charge.claim_id is not None:
            raise ValidationError(
                "This charge is on a claim: correct the claim (replace or void it) instead."
            )
        charge.status = Charge.Status.VOID
        charge.void_reason = reason[:200]
        charge.save(update_fields=["status", "void_reason"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=charge.participant,
            object_type="charge",
            object_id=str(charge.pk),
            detail={"voided": True},
        )
    return charge
