"""Part 2 consents, the recipients they name, disclosures made under them, and emergency access.

Nothing here is ever deleted: a consent ends by revocation, expiry or being replaced; a disclosure
row is the permanent record of a release (or of a refused attempt); an emergency-access grant
expires and is reviewed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import cast

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.privacy import rules
from bridge.privacy.vocab import (
    Accountable,
    Channel,
    ConsentType,
    DataClass,
    LegalBasis,
    Purpose,
    RecipientKind,
)


class Recipient(models.Model):
    """Someone outside the program who may receive records: a provider, plan, employer, court, relative."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="recipients")
    name = models.CharField(max_length=200, help_text="A person or an organization, as it should be printed")
    kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    address = models.TextField(help_text="Postal address, fax number or secure email the records go to")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="recipient_name_unique_in_program"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_tpo_class(self) -> bool:
        from bridge.privacy.vocab import TPO_RECIPIENT_KINDS

        return self.kind in TPO_RECIPIENT_KINDS


class SignatureMethod(models.TextChoices):
    STAFF_RECORDED = "staff", "Signed on paper, recorded by staff"
    ELECTRONIC = "electronic", "Signed electronically by the participant"
    PAPER_SCAN = "scan", "Signed on paper, scan attached"


def signed_document_path(instance, filename: str) -> str:
    return f"privacy/consents/{instance.program_id}/{instance.pk}/{filename}"


class Consent(models.Model):
    """A participant's signed written consent to disclose Part 2 records (42 CFR 2.31).

    Each field below is one required element. `status` is what happened to it: active until revoked
    in writing, ended by its expiry event, or replaced by a newer consent of the same type (only the
    single TPO consent is replaced). A consent with an expiry date stops applying on that date
    without any write (see `is_active_on`).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"
        SUPERSEDED = "superseded", "Replaced by a newer consent"

    class Signer(models.TextChoices):
        PARTICIPANT = "participant", "The participant"
        REPRESENTATIVE = "representative", "An authorized representative"

    class RevocationReceived(models.TextChoices):
        SIGNED_FORM = "signed_form", "Signed revocation form"
        LETTER = "letter", "Signed letter"
        SECURE_EMAIL = "secure_email", "Secure email from the participant"
        PORTAL = "portal", "Written message through the participant portal"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Not a column: the consent's state on the day a list shows it (`state_on`), set by that view.
    state: str
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="consents"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    consent_type = models.CharField(max_length=20, choices=ConsentType.choices)
    # (1) the patient, with the name as printed on the form
    patient_name = models.CharField(max_length=200)
    # (2) who may make the disclosure
    discloser = models.CharField(max_length=300)
    # (3) what information, as enumerated data classes
    data_classes = models.JSONField(default=list)
    # (4)(i) recipients: by name (recipients) or, for a TPO consent, as the TPO class
    tpo_class = models.BooleanField(default=False)
    recipients = models.ManyToManyField(Recipient, blank=True, related_name="consents")
    # (4)(ii) an intermediary (e.g. a health information exchange) and who behind it may receive
    intermediary_name = models.CharField(max_length=200, blank=True)
    intermediary_members = models.TextField(blank=True)
    intermediary_treating_providers_only = models.BooleanField(default=False)
    # purposes of the disclosure
    purposes = models.JSONField(default=list)
    # expiry: a date, an event or condition, or both
    expires_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    expiry_event = models.CharField(max_length=300, blank=True)
    # a criminal-justice consent (42 CFR 2.35): who referred the participant and for how long; it may be
    # revoked only when `expiry_event` (the final disposition) happens
    cj_agency = models.CharField(max_length=200, blank=True)
    cj_period = models.CharField(max_length=300, blank=True)
    # a proceedings consent: the one proceeding the records may be used in
    proceeding = models.CharField(max_length=300, blank=True)
    # the right to revoke and the other fixed statements, as printed on this consent
    statements = models.JSONField(default=list)
    statements_version = models.CharField(max_length=20)
    # signature of the participant or an authorized representative, and date
    signer = models.CharField(max_length=20, choices=Signer.choices, default=Signer.PARTICIPANT)
    signature_name = models.CharField(max_length=200)
    representative_authority = models.CharField(max_length=200, blank=True)
    # a minor's parent or guardian who signs too, where state law requires a parent (42 CFR 2.14(b))
    parent_signature_name = models.CharField(max_length=200, blank=True)
    parent_relationship = models.CharField(max_length=100, blank=True)
    signed_on = models.DateField(validators=[in_db_range])
    # how the signature was given: recorded by staff from a signed paper, signed on a screen by the
    # participant (a SignatureRequest holds the ESIGN event), or a scan of the signed paper form
    signature_method = models.CharField(
        max_length=12, choices=SignatureMethod.choices, default=SignatureMethod.STAFF_RECORDED
    )
    signed_document = models.FileField(upload_to=signed_document_path, blank=True, max_length=300)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(
        null=True, blank=True, help_text="Revocation received, or expiry event", validators=[in_db_range]
    )
    revocation_received = models.CharField(max_length=20, choices=RevocationReceived.choices, blank=True)
    end_note = models.TextField(blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "-recorded_at"]
        indexes = [models.Index(fields=["participant", "status"], name="consent_participant_status")]
        constraints = [
            dates_in_range("privacy_consent_dates_in_range", dates=["expires_on", "signed_on", "ended_on"]),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(consent_type="tpo", status="active"),
                name="one_active_tpo_consent",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiry_event=""), name="consent_has_expiry"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("signed_on")),
                name="consent_expires_after_signature",
                violation_error_message="The consent expires on or before the day it was signed.",
            ),
            models.CheckConstraint(
                condition=Q(signer="participant") | ~Q(representative_authority=""),
                name="consent_representative_has_authority",
            ),
            models.CheckConstraint(
                condition=Q(tpo_class=False) | Q(consent_type="tpo"), name="consent_tpo_class_only_for_tpo"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | (Q(ended_at__isnull=False) & Q(ended_on__isnull=False)),
                name="consent_end_is_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | ~Q(revocation_received=""),
                name="consent_revocation_says_how",
            ),
            models.CheckConstraint(condition=~Q(signature_name=""), name="consent_is_signed"),
            models.CheckConstraint(
                condition=Q(parent_signature_name="") | ~Q(parent_relationship=""),
                name="consent_parent_says_relationship",
            ),
            models.CheckConstraint(
                condition=~Q(consent_type="criminal_justice")
                | (~Q(cj_agency="") & ~Q(cj_period="") & ~Q(expiry_event="")),
                name="criminal_justice_consent_complete",
            ),
            models.CheckConstraint(
                condition=~Q(consent_type="proceedings") | ~Q(proceeding=""),
                name="proceedings_consent_names_proceeding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_consent_type_display()} consent signed {self.signed_on}"

    def draft(self, recipient_count: int | None = None) -> rules.ConsentDraft:
        return rules.ConsentDraft(
            consent_type=self.consent_type,
            patient_name=self.patient_name,
            discloser=self.discloser,
            data_classes=frozenset(self.data_classes),
            tpo_class=self.tpo_class,
            recipient_count=recipient_count if recipient_count is not None else self.recipients.count(),
            intermediary_name=self.intermediary_name,
            intermediary_members=self.intermediary_members,
            intermediary_treating_providers_only=self.intermediary_treating_providers_only,
            purposes=frozenset(self.purposes),
            expires_on=self.expires_on,
            expiry_event=self.expiry_event,
            signer=self.signer,
            signature_name=self.signature_name,
            representative_authority=self.representative_authority,
            signed_on=self.signed_on,
            cj_agency=self.cj_agency,
            cj_period=self.cj_period,
            proceeding=self.proceeding,
        )

    def is_active_on(self, day: date) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and self.signed_on <= day
            and (self.expires_on is None or day < self.expires_on)
        )

    def state_on(self, day: date) -> str:
        """ "active", or why not: revoked / expired / superseded (a passed expiry date reads as expired)."""
        if self.status != self.Status.ACTIVE:
            return self.status
        if self.expires_on is not None and self.expires_on <= day:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def terms(self, recipient_ids: frozenset[str] | None = None) -> rules.ConsentTerms:
        if recipient_ids is None:
            recipient_ids = frozenset(str(r.pk) for r in self.recipients.all())
        return rules.ConsentTerms(
            id=str(self.pk),
            consent_type=self.consent_type,
            label=f"{self.get_consent_type_display()} consent signed {self.signed_on.isoformat()}",
            status=self.status,
            status_on=self.ended_on,
            signed_on=self.signed_on,
            expires_on=self.expires_on,
            tpo_class=self.tpo_class,
            recipient_ids=recipient_ids,
            purposes=frozenset(self.purposes),
            data_classes=frozenset(self.data_classes),
        )

    @property
    def data_class_labels(self) -> list[str]:
        return [DataClass(c).label for c in self.data_classes if c in DataClass.values]

    @property
    def purpose_labels(self) -> list[str]:
        return [Purpose(p).label for p in self.purposes if p in Purpose.values]

    @property
    def expiry_label(self) -> str:
        parts = []
        if self.expires_on:
            parts.append(f"on {self.expires_on:%B %-d, %Y}")
        if self.expiry_event:
            parts.append(f"when {self.expiry_event}" if self.expires_on else self.expiry_event)
        return ", or ".join(parts)


def basis_document_path(instance: Disclosure, filename: str) -> str:
    return f"privacy/disclosures/{instance.program_id}/{instance.pk}/{filename}"


class Disclosure(models.Model):
    """One release of a participant's records outside the program, or a refused attempt.

    Every release records its legal basis (`legal_basis`): the participant's consent, or one of the
    disclosures the rule allows without consent, with that basis's required facts (`basis_details`,
    see bases.py) and, for a court order or an agreement, a copy of the document (`basis_document`,
    through Django's storage API). `accountable` is fixed when the release is made: whether the row is
    an entry of the Part 2 accounting (42 CFR 2.25, 3 years), of the HIPAA accounting (45 CFR 164.528,
    6 years), or of neither. An entry holds the date, recipient name and address, a brief description
    of the information, the purpose and the consent or basis.
    `package` is exactly what was released (the sections shown in the PDF and the FHIR Bundle), so the
    same package can be handed over again while the consent still allows it.
    """

    class Outcome(models.TextChoices):
        RELEASED = "released", "Released"
        REFUSED = "refused", "Refused"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="disclosures"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="disclosures")
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    data_classes = models.JSONField(default=list)
    date_from = models.DateField(validators=[in_db_range])
    date_to = models.DateField(validators=[in_db_range])
    description = models.TextField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT)
    basis_details = models.JSONField(default=dict, blank=True)
    basis_document = models.FileField(upload_to=basis_document_path, blank=True, max_length=300)
    accountable = models.CharField(max_length=8, choices=Accountable.choices, default=Accountable.NONE)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    consent_summary = models.TextField(blank=True)
    notice_text = models.TextField(blank=True)
    notice_version = models.CharField(max_length=40, blank=True)
    records = models.JSONField(default=list, blank=True)
    package = models.JSONField(null=True, blank=True)
    refusal_reasons = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["participant", "outcome", "created_at"], name="disclosure_accounting"),
            models.Index(fields=["program", "created_at"], name="disclosure_program_time"),
        ]
        constraints = [
            dates_in_range("privacy_disclosure_dates_in_range", dates=["date_from", "date_to"]),
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="disclosure_range_ordered"),
            models.CheckConstraint(
                condition=Q(outcome="refused")
                | ~Q(legal_basis="consent")
                | (Q(consent__isnull=False) & ~Q(notice_text="") & ~Q(consent_summary="")),
                name="released_disclosure_has_consent_and_notice",
            ),
            models.CheckConstraint(
                condition=Q(legal_basis="consent") | (Q(consent__isnull=True) & ~Q(basis_details={})),
                name="disclosure_without_consent_has_its_facts",
            ),
            models.CheckConstraint(
                condition=Q(outcome="released") | Q(accountable="none"),
                name="refused_disclosure_is_not_accountable",
            ),
            models.CheckConstraint(
                condition=Q(outcome="released") | Q(consent__isnull=True),
                name="refused_disclosure_uses_no_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} to {self.recipient_name} on {self.created_at:%Y-%m-%d}"

    @property
    def data_class_labels(self) -> list[str]:
        return [DataClass(c).label for c in self.data_classes if c in DataClass.values]

    @property
    def basis_lines(self) -> list[str]:
        from bridge.privacy import bases

        return bases.detail_lines(self.legal_basis, self.basis_details or {})

    @property
    def basis_label(self) -> str:
        if self.legal_basis == LegalBasis.CONSENT:
            return str(self.consent) if self.consent_id else self.get_legal_basis_display()
        return self.get_legal_basis_display()


class EmergencyAccess(models.Model):
    """A break-the-glass grant: a clinician outside the care team opened a chart in an emergency.

    It adds view and chart access for `user` to `participant` from `started_at` until `expires_at`
    (or until ended early); the one access rule in participants/access.py reads it. The program's
    director reviews every grant afterwards.
    """

    class Review(models.TextChoices):
        APPROPRIATE = "appropriate", "Appropriate"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate (follow up)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(validators=[in_db_range])
    ended_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.CharField(max_length=20, choices=Review.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "participant", "expires_at"], name="emergency_access_lookup"),
            models.Index(fields=["program", "reviewed_at"], name="emergency_access_review"),
        ]
        constraints = [
            dates_in_range("privacy_emergencyaccess_dates_in_range", moments=["expires_at"]),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("started_at")), name="emergency_access_expires"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="emergency_access_has_reason"),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | (Q(reviewed_by__isnull=False) & ~Q(review="")),
                name="emergency_access_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Emergency access by {self.user_id} to {self.participant_id} at {self.started_at:%Y-%m-%d %H:%M}"
        )

    def is_active_at(self, moment) -> bool:
        return self.ended_at is None and self.started_at <= moment < self.expires_at

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())

    @property
    def closed_at(self):
        """When access actually stopped (ended early, or the expiry)."""
        return min(self.ended_at, self.expires_at) if self.ended_at else self.expires_at


class SignatureRequest(models.Model):
    """A document the participant signs on a screen, and (once signed) its ESIGN/UETA signature event.

    Staff prepare the document; the participant opens it through a private link (a tablet at the desk,
    or their own phone), identifies themself with their date of birth, reads it, types their name and
    ticks their consent. The row then records who signed, how they were identified, when, from which
    device, and the SHA-256 of the exact document shown (`document_hash` of `document`). Only the
    token's hash is kept. A signed consent is created at that moment (`consent`); an unsigned request
    expires. Never deleted.
    """

    class Kind(models.TextChoices):
        CONSENT = "consent", "Consent to disclose"
        NOTICE = "notice", "Acknowledgement of the notice of privacy practices"
        AFTERCARE = "aftercare", "Aftercare and relapse-prevention plan"
        PLAN = "plan", "Treatment plan"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the signature"
        SIGNED = "signed", "Signed"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        DESK = "desk", "A tablet at the front desk"
        PHONE = "phone", "The participant's phone (private link)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="signature_requests"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    payload = models.JSONField(default=dict)  # what the signed document creates (the consent's fields)
    document = models.JSONField(default=dict)  # the exact text the participant reads
    document_hash = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(validators=[in_db_range])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    identified_how = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    consent = models.OneToOneField(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="signature"
    )
    # A signed notice acknowledgement: the row it created (the notice's version is on it).
    acknowledgement = models.OneToOneField(
        "NoticeAcknowledgement", null=True, blank=True, on_delete=models.PROTECT, related_name="signature"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            dates_in_range("privacy_signaturerequest_dates_in_range", moments=["expires_at"]),
            models.CheckConstraint(
                condition=~Q(status="signed")
                | (Q(signed_at__isnull=False) & ~Q(signer_name="") & ~Q(identified_how="")),
                name="signature_event_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed")
                | (Q(kind="consent") & Q(consent__isnull=False))
                | (Q(kind="notice") & Q(acknowledgement__isnull=False))
                # a plan's signature is the event itself; `payload` names the plan and its version
                | Q(kind__in=["aftercare", "plan"]),
                name="signature_made_its_record",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="signature_request_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for signature ({self.get_status_display()})"

    def is_open_at(self, moment) -> bool:
        return self.status == self.Status.PENDING and moment < self.expires_at


class Restriction(models.Model):
    """A participant's request to restrict disclosures of their records, and the program's decision
    (42 CFR 2.26; 45 CFR 164.522(a)).

    A restriction covers a recipient (one named recipient, or every recipient of a kind such as
    health plans), some purposes (none listed: every purpose) and some kinds of information (none
    listed: all). Once agreed, the policy decision point refuses every release it covers, naming it;
    only a disclosure in a medical emergency may still go (164.522(a)(1)(iv)). A request about care
    the participant paid out of pocket in full, not to go to their health plan, must be agreed
    (164.522(a)(1)(vi)). Ended by termination, never deleted.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested, waiting for a decision"
        AGREED = "agreed", "Agreed"
        DENIED = "denied", "Not agreed"
        TERMINATED = "terminated", "Ended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="restrictions"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(validators=[in_db_range])
    request_text = models.TextField(help_text="The participant's request, in their words")
    recipient = models.ForeignKey(
        Recipient, null=True, blank=True, on_delete=models.PROTECT, related_name="restrictions"
    )
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices, blank=True)
    purposes = models.JSONField(default=list, blank=True)
    data_classes = models.JSONField(default=list, blank=True)
    self_paid = models.BooleanField(
        default=False, help_text="About care the participant paid for out of pocket, in full"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    decided_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True, validators=[in_db_range])

    class Meta:
        ordering = ["-requested_on", "-recorded_at"]
        indexes = [models.Index(fields=["participant", "status"], name="restriction_participant_status")]
        constraints = [
            dates_in_range(
                "privacy_restriction_dates_in_range", dates=["requested_on", "decided_on", "ended_on"]
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_kind=""),
                name="restriction_names_recipient",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | (Q(decided_on__isnull=False) & Q(decided_by__isnull=False)),
                name="restriction_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(decision_note=""), name="restriction_denial_says_why"
            ),
            models.CheckConstraint(
                condition=~(Q(self_paid=True) & Q(recipient_kind="health_plan") & Q(status="denied")),
                name="self_paid_restriction_to_plan_not_denied",
            ),
        ]

    def __str__(self) -> str:
        return f"Restriction requested {self.requested_on}: {self.scope_label}"

    @property
    def scope_label(self) -> str:
        who = (
            cast(Recipient, self.recipient).name
            if self.recipient_id
            else RecipientKind(self.recipient_kind).label.lower()
        )
        what = ", ".join(DataClass(c).label.lower() for c in self.data_classes) or "all information"
        why = ", ".join(Purpose(p).label.lower() for p in self.purposes) or "any purpose"
        return f"not to {who}: {what}, for {why}"

    def terms(self) -> rules.RestrictionTerms:
        return rules.RestrictionTerms(
            id=str(self.pk),
            label=f"Restriction agreed on {self.decided_on} ({self.scope_label})",
            recipient_id=str(self.recipient_id) if self.recipient_id else "",
            recipient_kind=self.recipient_kind,
            purposes=frozenset(self.purposes),
            data_classes=frozenset(self.data_classes),
        )


class PrivacyNotice(models.Model):
    """One version of a program's notice of privacy practices (42 CFR 2.22; 45 CFR 164.520).

    Published versions are never edited: a change is a new version. The newest published version is
    the one on the program's public page and the one given at admission.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="privacy_notices")
    version = models.CharField(max_length=20)
    effective_on = models.DateField(validators=[in_db_range])
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_on", "-published_at"]
        constraints = [
            dates_in_range("privacy_privacynotice_dates_in_range", dates=["effective_on"]),
            models.UniqueConstraint(fields=["program", "version"], name="privacy_notice_version_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="privacy_notice_has_text"),
        ]

    def __str__(self) -> str:
        return f"Notice of privacy practices, version {self.version} (effective {self.effective_on})"


class NoticeAcknowledgement(models.Model):
    """The participant received a version of the notice and acknowledged it in writing, or the program
    recorded its good-faith attempt and why it failed (45 CFR 164.520(c)(2)(ii)). Never deleted."""

    class Outcome(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "Acknowledged in writing"
        GOOD_FAITH = "good_faith", "Given; acknowledgement not obtained (good-faith attempt recorded)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="notice_acknowledgements"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="acknowledgements")
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    given_on = models.DateField(validators=[in_db_range])
    signer_name = models.CharField(max_length=200, blank=True)
    attempt_note = models.TextField(blank=True, help_text="What was tried and why no acknowledgement")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-recorded_at"]
        constraints = [
            dates_in_range("privacy_noticeacknowledgement_dates_in_range", dates=["given_on"]),
            models.CheckConstraint(
                condition=~Q(outcome="acknowledged") | ~Q(signer_name=""), name="notice_ack_is_signed"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="good_faith") | ~Q(attempt_note=""), name="notice_good_faith_says_what"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.notice} on {self.given_on}"


class AccessRequest(models.Model):
    """The participant asked for a copy of their records (42 CFR 2.23; 45 CFR 164.524): a 30-day clock
    from the request, the copy produced from the record (PDF and FHIR Bundle, the same providers as a
    disclosure), and its delivery. Never deleted."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PRODUCED = "produced", "Copy produced"
        DELIVERED = "delivered", "Delivered"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="access_requests"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField(validators=[in_db_range])
    due_on = models.DateField(validators=[in_db_range])
    request_text = models.TextField()
    data_classes = models.JSONField(default=list)
    date_from = models.DateField(validators=[in_db_range])
    date_to = models.DateField(validators=[in_db_range])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    package = models.JSONField(null=True, blank=True)
    produced_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    # How the copy reached them: the disclosure channels, or downloaded by the participant in their app.
    DELIVERED_IN_APP = "app"
    delivered_how = models.CharField(
        max_length=20,
        choices=[*Channel.choices, (DELIVERED_IN_APP, "Downloaded in the participant app")],
        blank=True,
    )
    # Staff record a request made at the desk or by letter; a request the participant made in their own
    # app has no staff recorder.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_in_app = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            dates_in_range(
                "privacy_accessrequest_dates_in_range",
                dates=["requested_on", "due_on", "date_from", "date_to", "delivered_on"],
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("requested_on")),
                name="access_due_after_request",
                violation_error_message="The answer is due before the request was made: check the dates.",
            ),
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="access_range_ordered"),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False) | Q(requested_in_app=True),
                name="access_request_has_a_source",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(package__isnull=False) & Q(produced_at__isnull=False)),
                name="access_copy_produced",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | (Q(delivered_on__isnull=False) & ~Q(delivered_how="")),
                name="access_delivery_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Request for a copy, {self.requested_on} (due {self.due_on})"


class BreachIncident(models.Model):
    """A possible breach of unsecured records (42 CFR 2.16; 45 CFR 164.400-414): discovery, the risk
    assessment, the people affected (drawn from the audit log's access review of the user and time
    range), the 60-day notice clock, the HHS and media thresholds, and the notices sent. Never deleted."""

    class Assessment(models.TextChoices):
        PENDING = "pending", "Risk assessment not finished"
        BREACH = "breach", "Breach: notify"
        LOW_PROBABILITY = "low", "Low probability of compromise: not a breach (documented)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    discovered_on = models.DateField(validators=[in_db_range])
    # 60 days after discovery at the latest (164.404(b))
    notice_due_on = models.DateField(validators=[in_db_range])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member whose access is in question",
    )
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    affected = models.ManyToManyField("participants.Participant", blank=True, related_name="+")
    assessment = models.CharField(max_length=10, choices=Assessment.choices, default=Assessment.PENDING)
    risk_assessment = models.TextField(
        blank=True,
        help_text="The four factors: the information, who received it, whether it was viewed, mitigation",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discovered_on"]
        constraints = [
            dates_in_range("privacy_breachincident_dates_in_range", dates=["discovered_on", "notice_due_on"]),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="breach_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(notice_due_on__gte=F("discovered_on")),
                name="breach_notice_after_discovery",
                violation_error_message="The notice is due before the breach was discovered.",
            ),
            models.CheckConstraint(
                condition=Q(assessment="pending") | ~Q(risk_assessment=""), name="breach_assessment_written"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (discovered {self.discovered_on})"


class BreachNotice(models.Model):
    """A notice sent about a breach: to an affected participant, to HHS, or to the media."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Affected participant"
        HHS = "hhs", "Secretary of HHS"
        MEDIA = "media", "Prominent media outlets"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(BreachIncident, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(validators=[in_db_range])
    method = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_on"]
        constraints = [
            dates_in_range("privacy_breachnotice_dates_in_range", dates=["sent_on"]),
            models.CheckConstraint(
                condition=~Q(kind="individual") | Q(participant__isnull=False),
                name="breach_notice_names_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} notified on {self.sent_on}"


class Complaint(models.Model):
    """A privacy complaint to the program (42 CFR 2.4; 45 CFR 164.530(d)): when it came, from whom,
    what it says, what was done and when it was closed. Never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(validators=[in_db_range])
    complainant = models.CharField(max_length=200, help_text="Who complained (a name, or “anonymous”)")
    received_how = models.CharField(max_length=100)
    summary = models.TextField()
    action_taken = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True, validators=[in_db_range])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            dates_in_range("privacy_complaint_dates_in_range", dates=["received_on", "closed_on"]),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(action_taken=""),
                name="complaint_closed_says_what_was_done",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("received_on")),
                name="complaint_closed_after_received",
                violation_error_message="The complaint is closed before it was received: check the dates.",
            ),
        ]

    def __str__(self) -> str:
        return f"Complaint received {self.received_on}"
