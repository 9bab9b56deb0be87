"""Staff members, the roles they hold in programs, and their licenses and certifications."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from bridge.accounts import credentials
from bridge.core.dates import dates_in_range, in_db_range
from bridge.core.roles import Role  # re-exported: the roles are defined in core, below audit

if TYPE_CHECKING:
    from bridge.programs.models import Program


class User(AbstractUser):
    """A person who signs in to Bridge. Staff hold roles in programs through StaffRole."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Set for accounts created with a temporary password; the first sign-in must replace it.
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Roles are read on nearly every request; cache them on the instance (one query per request).
    def role_pairs(self) -> frozenset[tuple[uuid.UUID, str]]:
        cached = getattr(self, "_bridge_role_pairs", None)
        if cached is None:
            cached = frozenset(self.roles.values_list("program_id", "role"))
            self._bridge_role_pairs = cached
        return cached

    def roles_in(self, program_id: uuid.UUID) -> set[str]:
        return {role for pid, role in self.role_pairs() if pid == program_id}

    def has_role(self, role: str, program_id: uuid.UUID | None = None) -> bool:
        return any(r == role and (program_id is None or pid == program_id) for pid, r in self.role_pairs())

    def programs_with_role(self, *roles: str) -> set[uuid.UUID]:
        return {pid for pid, r in self.role_pairs() if r in roles}

    def program_ids(self) -> set[uuid.UUID]:
        return {pid for pid, _ in self.role_pairs()}

    def role_names(self) -> set[str]:
        return {r for _, r in self.role_pairs()}

    def primary_program(self) -> Program | None:
        from bridge.programs.models import Program

        ids = self.program_ids()
        return Program.objects.filter(pk__in=ids).order_by("name").first() if ids else None

    @property
    def is_auditor_only(self) -> bool:
        return self.role_names() == {Role.AUDITOR}


class StaffRole(models.Model):
    """One role a staff member holds in one program. A person may hold several."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="roles")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "program", "role"], name="staff_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.program}"


class Credential(models.Model):
    """A license or certification a staff member holds: type, number, issuing state, expiry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="credentials")
    kind = models.CharField("type", max_length=12, choices=credentials.CHOICES)
    number = models.CharField(max_length=40)
    issuing_state = models.CharField(max_length=2, help_text="Two-letter state code")
    expires_on = models.DateField(validators=[in_db_range])
    verified_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the program checked it against the issuing board",
        validators=[in_db_range],
    )

    EXPIRING_SOON_DAYS = 60

    class Meta:
        ordering = ["expires_on"]
        constraints = [
            dates_in_range("accounts_credential_dates_in_range", dates=["expires_on", "verified_on"]),
            models.UniqueConstraint(
                fields=["kind", "issuing_state", "number"], name="credential_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.issuing_state} #{self.number}"

    @property
    def short_name(self) -> str:
        """The credential as written on a badge: "CADC-II", not its code "CADC_II"."""
        return self.kind.replace("_", "-")

    @property
    def type(self) -> credentials.CredentialType:
        return credentials.BY_CODE[self.kind]

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on < (today or timezone.localdate())

    def expires_soon(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_expired(today) and self.expires_on <= today + timedelta(
            days=self.EXPIRING_SOON_DAYS
        )

    @property
    def status(self) -> str:
        if self.is_expired():
            return "expired"
        if self.expires_soon():
            return "expiring"
        return "current"


class UserSession(models.Model):
    """A server-side session opened by a sign-in; lets deactivation end every session at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"session of {self.user} since {self.started_at:%Y-%m-%d %H:%M}"


class Draft(models.Model):
    """What one staff member has typed into one form of one page and not saved yet.

    A draft is the author's own unsaved typing, kept so an idle sign-out or a closed tab loses
    nothing: it is not a record, is never signed, released, exported or shown to anyone but its
    author, and is deleted once the form it belongs to is saved. `page` is the path of the page
    the form is on; `form_key` tells apart several forms on one page.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="drafts")
    page = models.CharField(max_length=300)
    form_key = models.CharField(max_length=100)
    fields = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "page", "form_key"], name="draft_one_per_author_form"),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.page} ({self.form_key})"
