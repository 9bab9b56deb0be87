"""Demo data for privacy: recipients, consents (TPO for everyone in care, a named employer consent, a
revoked and an expired one), disclosures and a refusal, and one emergency access awaiting review."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.participants.models import Participant
from bridge.privacy import services
from bridge.privacy.models import Disclosure, EmergencyAccess
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose, RecipientKind

RECIPIENTS = [
    (
        "East Bay Family Medicine (Dr. Ana Ruiz)",
        RecipientKind.TREATING_PROVIDER,
        "2100 Webster St, Oakland, CA 94612",
    ),
    ("Golden State Health Plan", RecipientKind.HEALTH_PLAN, "Claims, PO Box 4410, Sacramento, CA 95812"),
    ("Bayside Logistics — Human Resources", RecipientKind.EMPLOYER, "hr@bayside-logistics.example"),
    ("Alameda County Superior Court — Drug Court", RecipientKind.COURT, "1225 Fallon St, Oakland, CA 94612"),
    ("Maria Lopez (sister)", RecipientKind.FAMILY, "(510) 555-0199"),
]


def build(ctx) -> None:
    intake = ctx.staff["intake"]
    program = ctx.program
    discloser = f"{program.name} ({ctx.organization.name})"
    rec = {
        kind: services.recipient_create(actor=intake, program=program, name=name, kind=kind, address=address)
        for name, kind, address in RECIPIENTS
    }
    in_care = [
        p for p in ctx.participants if p.status in (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)
    ]
    for p in in_care:
        admitted = p.created_at.date() + timedelta(days=3)
        services.consent_record(
            actor=intake,
            participant=p,
            consent_type=ConsentType.TPO,
            patient_name=p.legal_name,
            discloser=discloser,
            data_classes=[c for c in DataClass.values if c != DataClass.COUNSELING_NOTES],
            recipients=[],
            purposes=[Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
            expiry_event="when I revoke it in writing",
            signature_name=p.legal_name,
            signed_on=min(admitted, ctx.today),
        )
    employed, court, family = in_care[0], in_care[1], in_care[2]
    today = ctx.today

    def named(p, recipient, purposes, classes, signed_days_ago, expires_in_days, event=""):
        return services.consent_record(
            actor=intake,
            participant=p,
            consent_type=ConsentType.NAMED,
            patient_name=p.legal_name,
            discloser=discloser,
            data_classes=classes,
            recipients=[recipient],
            purposes=purposes,
            expires_on=today + timedelta(days=expires_in_days),
            expiry_event=event,
            signature_name=p.legal_name,
            signed_on=today - timedelta(days=signed_days_ago),
        )

    named(
        employed,
        rec[RecipientKind.EMPLOYER],
        [Purpose.EMPLOYMENT],
        [DataClass.ATTENDANCE, DataClass.EPISODES],
        20,
        160,
    )
    court_consent = named(
        court,
        rec[RecipientKind.COURT],
        [Purpose.LEGAL],
        [DataClass.ATTENDANCE, DataClass.EPISODES],
        60,
        300,
        "when probation ends",
    )
    services.consent_revoke(
        actor=intake,
        consent=court_consent,
        received_on=today - timedelta(days=10),
        received_how="letter",
        note="Participant asked to stop reports to the court.",
    )
    expired = named(family, rec[RecipientKind.FAMILY], [Purpose.FAMILY], [DataClass.ATTENDANCE], 200, 30)
    expired.__class__.objects.filter(pk=expired.pk).update(expires_on=today - timedelta(days=30))

    therapist = ctx.primary_of(employed) or ctx.therapists[0]
    made = [
        services.disclosure_prepare(
            actor=therapist,
            participant=employed,
            recipient=rec[RecipientKind.EMPLOYER],
            purpose=Purpose.EMPLOYMENT,
            data_classes=[DataClass.ATTENDANCE, DataClass.EPISODES],
            date_from=today - timedelta(days=30),
            date_to=today,
            channel=Channel.SECURE_EMAIL,
        ),
        services.disclosure_prepare(
            actor=therapist,
            participant=employed,
            recipient=rec[RecipientKind.HEALTH_PLAN],
            purpose=Purpose.PAYMENT,
            data_classes=[DataClass.EPISODES, DataClass.ATTENDANCE],
            date_from=today - timedelta(days=60),
            date_to=today,
            channel=Channel.ELECTRONIC,
        ),
        services.disclosure_prepare(
            actor=ctx.primary_of(court) or therapist,
            participant=court,
            recipient=rec[RecipientKind.COURT],
            purpose=Purpose.LEGAL,
            data_classes=[DataClass.ATTENDANCE],
            date_from=today - timedelta(days=30),
            date_to=today,
            channel=Channel.MAIL,
        ),
    ]
    for days_ago, d in zip((12, 5, 2), made, strict=True):
        Disclosure.objects.filter(pk=d.pk).update(created_at=timezone.now() - timedelta(days=days_ago))

    _rule_demo(ctx, rec, in_care, employed, family, therapist, today)

    # therapist2 opened, in an emergency two hours ago, the chart of someone on another therapist's caseload.
    other = ctx.staff["therapist2"]
    target = next(p for p in in_care if ctx.primary_of(p) not in (None, other))
    grant = services.emergency_access_open(
        actor=other,
        participant=target,
        reason="Participant called the after-hours line in crisis; I needed the safety plan and medications.",
    )
    started = timezone.now() - timedelta(hours=2)
    EmergencyAccess.objects.filter(pk=grant.pk).update(
        started_at=started, expires_at=started + timedelta(hours=1)
    )


def _rule_demo(ctx, rec, in_care, employed, family, therapist, today) -> None:
    """The rest of the rule: a notice of privacy practices (acknowledged by most people in care), a
    disclosure in a medical emergency, a court-order disclosure with the order attached, an agreed
    self-pay restriction, and a restriction request waiting for the director."""
    from django.core.files.base import ContentFile

    from bridge.privacy import bases, notices, restrictions
    from bridge.privacy.models import Recipient

    director = ctx.staff["director"]
    notice = notices.notice_publish(
        actor=director,
        program=ctx.program,
        version="2026-02",
        effective_on=today - timedelta(days=400),
        text=notices.DEFAULT_TEXT,
    )
    for p in in_care[3:]:
        notices.notice_acknowledge(
            actor=ctx.staff["frontdesk"],
            participant=p,
            outcome="acknowledged",
            given_on=max(notice.effective_on, p.created_at.date()),
            signer_name=p.legal_name,
        )
    hospital = Recipient.objects.create(
        program=ctx.program,
        name="Highland Hospital Emergency Department",
        kind=RecipientKind.TREATING_PROVIDER,
        address="1411 E 31st St, Oakland, CA 94602",
    )
    services.disclosure_prepare(
        actor=ctx.staff["nurse"],
        participant=family,
        recipient=hospital,
        purpose=Purpose.EMERGENCY,
        data_classes=[DataClass.MEDICATIONS, DataClass.DIAGNOSES],
        date_from=today - timedelta(days=90),
        date_to=today,
        channel=Channel.FAX,
        legal_basis=bases.MEDICAL_EMERGENCY,
        basis_details={
            "personnel_name": "Dr. Sam Okafor",
            "personnel_affiliation": "Highland Hospital Emergency Department",
            "disclosed_by": ctx.staff["nurse"].get_full_name() or "Nurse",
            "disclosed_at": (timezone.now() - timedelta(days=3)).isoformat(timespec="minutes"),
            "emergency": "Brought in unresponsive; the ED asked for current medications and diagnoses.",
            "consent_unobtainable": "The participant was unconscious.",
        },
    )
    order = ContentFile(b"%PDF-1.4\n% Demo court order FL-2026-0042\n", name="order-FL-2026-0042.pdf")
    services.disclosure_prepare(
        actor=therapist,
        participant=employed,
        recipient=rec[RecipientKind.COURT],
        purpose=Purpose.LEGAL,
        data_classes=[DataClass.ATTENDANCE],
        date_from=today - timedelta(days=60),
        date_to=today,
        channel=Channel.MAIL,
        legal_basis=bases.COURT_ORDER,
        basis_details={
            "order_section": "2.64",
            "court": "Alameda County Superior Court",
            "case_number": "FL-2026-0042",
            "order_date": (today - timedelta(days=5)).isoformat(),
            "order_limits": "Attendance only, for the last 60 days, to the court under seal.",
            "notice_given": "The participant and the program were served and heard in chambers.",
        },
        basis_document=order,
    )
    restrictions.restriction_request(
        actor=ctx.staff["frontdesk"],
        participant=employed,
        requested_on=today - timedelta(days=20),
        request_text="I paid for my individual sessions myself; do not send them to my health plan.",
        recipient_kind=RecipientKind.HEALTH_PLAN,
        purposes=[Purpose.PAYMENT, Purpose.OPERATIONS],
        self_paid=True,
    )
    _breach_demo(ctx, director)
    restrictions.restriction_request(
        actor=therapist,
        participant=family,
        requested_on=today - timedelta(days=2),
        request_text="Please do not tell my sister anything about my drug screens.",
        recipient=rec[RecipientKind.FAMILY],
        data_classes=[DataClass.DRUG_SCREENS],
    )


def _breach_demo(ctx, director) -> None:
    """A breach in the register: the front desk emailed a list to a wrong address this morning. The
    people affected come from the audit log (whose records the front desk touched in those hours);
    it is assessed as a breach, and the first person has been told."""
    from bridge.privacy import breaches
    from bridge.privacy.models import BreachNotice

    now = timezone.now()
    incident = breaches.breach_record(
        actor=director,
        program=ctx.program,
        title="Check-in list emailed to a wrong address",
        description=(
            "The front desk emailed this week's check-in list to a similarly named outside address "
            "instead of the program's own; the recipient replied to say so."
        ),
        discovered_on=ctx.today,
        user=ctx.staff["frontdesk"],
        window_start=now - timedelta(hours=3),
        window_end=now,
    )
    breaches.breach_assess(
        actor=director,
        incident=incident,
        assessment="breach",
        risk_assessment=(
            "Names and attendance of people in SUD treatment (Part 2 records); the recipient is unknown "
            "to the program; they say they deleted it unread, but that cannot be verified; no encryption."
        ),
    )
    first = incident.affected.order_by("last_name", "first_name").first()
    if first is not None:
        breaches.breach_notice_record(
            actor=director,
            incident=incident,
            kind=BreachNotice.Kind.INDIVIDUAL,
            sent_on=ctx.today,
            method="First-class mail",
            participant=first,
        )
