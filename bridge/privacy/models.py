"""Part 2 consents, the recipients they name, disclosures made under them, and emergency access.

Nothing here is ever deleted: a consent ends by revocation, expiry or being replaced; a disclosure
row is the permanent record of a release (or of a refused attempt); an emergency-access grant
expires and is reviewed.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range
from bridge.privacy import rules
from bridge.privacy.vocab import Channel, ConsentType, DataClass, Purpose, RecipientKind


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
    # the right to revoke and the other fixed statements, as printed on this consent
    statements = models.JSONField(default=list)
    statements_version = models.CharField(max_length=20)
    # signature of the participant or an authorized representative, and date
    signer = models.CharField(max_length=20, choices=Signer.choices, default=Signer.PARTICIPANT)
    signature_name = models.CharField(max_length=200)
    representative_authority = models.CharField(max_length=200, blank=True)
    signed_on = models.DateField(validators=[in_db_range])

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


class Disclosure(models.Model):
    """One release of a participant's records outside the program under a consent, or a refused attempt.

    A released row is an entry of the participant's accounting of disclosures (42 CFR 2.25): date,
    recipient name and address, a brief description of the information, the purpose and the consent.
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
                | (Q(consent__isnull=False) & ~Q(notice_text="") & ~Q(consent_summary="")),
                name="released_disclosure_has_consent_and_notice",
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
