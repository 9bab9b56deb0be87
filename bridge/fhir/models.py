"""API tokens for machines, and Bulk Data export jobs with their NDJSON files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from bridge.core.dates import dates_in_range, in_db_range


class ApiToken(models.Model):
    """A bearer token a program issued to a machine: for one staff member, or for an outside client.

    Only a SHA-256 hash of the secret is kept (the secret is shown once, at creation). A `user` token
    acts with exactly its staff member's access; a `system` token acts for its program as the
    `recipient` it was issued to, for `purpose`, so every release through it passes that program's
    consent gate. Revoked, never deleted: the audit log keeps pointing at it.
    """

    class Kind(models.TextChoices):
        USER = "user", "Staff member"
        SYSTEM = "system", "System client"
        PATIENT = "patient", "App a participant authorized"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, help_text="What it is for, e.g. 'County HIE nightly export'")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    recipient = models.ForeignKey(
        "privacy.Recipient", null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    purpose = models.CharField(max_length=20, blank=True)
    scopes = models.CharField(max_length=500)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it in lists")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    backend_client = models.ForeignKey(
        "fhir.BackendClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_tokens",
        help_text="Set on a 5-minute access token issued to a SMART Backend Services client.",
    )
    # A `patient` token: issued to an app the participant authorized (SMART App Launch), reading only
    # that participant's own records while the grant stands.
    participant = models.ForeignKey(
        "participants.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient_grant = models.ForeignKey(
        "fhir.PatientGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="access_tokens"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            dates_in_range("fhir_apitoken_dates_in_range", moments=["expires_at"]),
            models.CheckConstraint(
                condition=Q(backend_client__isnull=True) | Q(kind="system"),
                name="api_token_backend_client_is_system",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="user")
                    & Q(user__isnull=False)
                    & Q(recipient__isnull=True)
                    & Q(participant__isnull=True)
                )
                | (
                    Q(kind="patient")
                    & Q(user__isnull=True)
                    & Q(recipient__isnull=True)
                    & Q(participant__isnull=False)
                    & Q(patient_grant__isnull=False)
                )
                | (
                    Q(kind="system")
                    & Q(user__isnull=True)
                    & Q(program__isnull=False)
                    & Q(recipient__isnull=False)
                    & ~Q(purpose="")
                    & Q(participant__isnull=True)
                ),
                name="api_token_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | Q(revoked_by__isnull=False)
                | Q(created_by__isnull=True),
                name="api_token_revocation_says_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable_at(self, moment) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class BackendClient(models.Model):
    """A SMART Backend Services client: an outside system that proves itself with its private key.

    It is registered by a director with its public keys (a JWKS URL, or a pasted JWKS) and an
    OAuth client (django-oauth-toolkit's Application, for the client_id). At the token endpoint it
    signs a JWT assertion (RS384 or ES384) and receives a 5-minute access token for `system/` scopes
    within `scopes`. Like a static system token it acts for its program as `recipient` for `purpose`,
    so every release passes the consent gate. Revoked, never deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.PROTECT, related_name="bridge_client"
    )
    name = models.CharField(max_length=120)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="backend_clients")
    recipient = models.ForeignKey(
        "privacy.Recipient", on_delete=models.PROTECT, related_name="backend_clients"
    )
    purpose = models.CharField(max_length=20)
    scopes = models.CharField(max_length=500, help_text="The system/ scopes it may ask for.")
    jwks_url = models.URLField(max_length=500, blank=True)
    jwks = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_token_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(jwks_url="") & Q(jwks__isnull=False)) | (~Q(jwks_url="") & Q(jwks__isnull=True)),
                name="backend_client_one_key_source",
            ),
            models.CheckConstraint(condition=~Q(purpose=""), name="backend_client_has_purpose"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="backend_client_revocation_says_who",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def status(self) -> str:
        return "revoked" if self.revoked_at is not None else "active"


class AssertionUse(models.Model):
    """A client assertion's `jti`, kept until the assertion expires: the same one is refused again.

    The unique constraint is the replay check, so two racing requests cannot both pass it.
    """

    client = models.ForeignKey(BackendClient, on_delete=models.CASCADE, related_name="assertions")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(validators=[in_db_range])
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            dates_in_range("fhir_assertionuse_dates_in_range", moments=["expires_at"]),
            models.UniqueConstraint(fields=["client", "jti"], name="assertion_jti_once"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.jti}"


class PatientApp(models.Model):
    """An app registered for patient access (SMART App Launch, standalone launch).

    A public OAuth client (django-oauth-toolkit's Application: client_id and exact redirect URIs, no
    secret) that must use PKCE with S256. A participant signs in with their app sign-in, reads on the
    consent screen what it will read, and approves or refuses; the app then reads that participant's
    own records and nothing else. `scopes` is the most it may ask for. Revoked, never deleted.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.PROTECT, related_name="bridge_patient_app"
    )
    name = models.CharField(max_length=120, help_text="Shown to the participant on the consent screen.")
    publisher = models.CharField(max_length=120, blank=True, help_text="Who makes the app.")
    contact = models.CharField(
        max_length=200, blank=True, help_text="Who to reach about the app (an email address or a web page)."
    )
    # The program whose participants may authorize it (its director registered it); empty for an app
    # the operator registered at the console for every program on this server.
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="patient_apps"
    )
    scopes = models.CharField(max_length=500, help_text="The patient/ scopes it may ask for.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Disabled, never deleted: its grants and tokens stop at once, and the audit log keeps pointing at it.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | Q(revoked_by__isnull=False)
                | Q(created_by__isnull=True),
                name="patient_app_disabling_says_who",
            ),
            models.CheckConstraint(
                condition=Q(program__isnull=False) | Q(created_by__isnull=True),
                name="patient_app_director_names_program",
            ),
            # Participants choose apps by name: one active app of a name per program.
            models.UniqueConstraint(
                Lower("name"),
                "program",
                condition=Q(revoked_at__isnull=True),
                name="patient_app_one_active_name_per_program",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def status(self) -> str:
        return "disabled" if self.revoked_at is not None else "active"

    def offered_to(self, participant) -> bool:
        """May this participant authorize the app: it is active, and registered for their program."""
        return self.revoked_at is None and self.program_id in (None, participant.program_id)


class PatientGrant(models.Model):
    """A participant's permission for one app to read their own records: the scopes they approved.

    One standing grant per app and participant (approving again replaces its scopes). The participant
    revokes it in their app (/me/apps/); its tokens stop working at once. Kept after revocation: the
    audit log points at it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey(PatientApp, on_delete=models.PROTECT, related_name="grants")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="app_grants"
    )
    scopes = models.CharField(max_length=500)
    granted_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "participant"],
                condition=Q(revoked_at__isnull=True),
                name="patient_grant_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app_id} for {self.participant_id}"


class PatientAuthCode(models.Model):
    """An authorization code handed to an app after the participant approved: works once, for a minute.

    Kept as a hash, with the PKCE challenge (S256) and the redirect URI it was issued for; oauthlib
    checks the verifier and the URI at the token endpoint. `token` is what it was exchanged for, so a
    replayed code revokes that token (RFC 6749 4.1.2).
    """

    grant = models.ForeignKey(PatientGrant, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    scopes = models.CharField(max_length=500)
    expires_at = models.DateTimeField(validators=[in_db_range])
    used_at = models.DateTimeField(null=True, blank=True)
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [dates_in_range("fhir_patientauthcode_dates_in_range", moments=["expires_at"])]

    def __str__(self) -> str:
        return f"code for {self.grant_id}"


class ApiPolicy(models.Model):
    """A program's rules for API clients: whether new system clients must use SMART Backend Services."""

    program = models.OneToOneField("programs.Program", on_delete=models.PROTECT, related_name="api_policy")
    backend_services_required = models.BooleanField(
        default=False,
        help_text="New system clients must be registered with a public key; no new static system tokens.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"API policy of {self.program_id}"


class ExportJob(models.Model):
    """One Bulk Data `$export` request: what was asked, by which token, and how far the worker got."""

    class Level(models.TextChoices):
        SYSTEM = "system", "System"
        PATIENT = "patient", "All patients"
        GROUP = "group", "One group"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired (files deleted)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="exports")
    level = models.CharField(max_length=10, choices=Level.choices)
    group_id = models.CharField(max_length=64, blank=True)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True, validators=[in_db_range])
    request_url = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    transaction_time = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's lease: refreshed every batch while it runs. A running job whose heartbeat is older
    # than BRIDGE_JOB_LEASE_SECONDS lost its worker (killed, crashed, machine lost) and is recovered.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [dates_in_range("fhir_exportjob_dates_in_range", moments=["since"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"


class ExportFile(models.Model):
    """One NDJSON file of an export: a resource type's lines, written to disk by the worker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.ForeignKey(ExportJob, on_delete=models.PROTECT, related_name="files")
    resource_type = models.CharField(max_length=40)
    path = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["resource_type"]

    def __str__(self) -> str:
        return f"{self.resource_type}: {self.count}"
