"""A participant's passkeys (WebAuthn credentials) for signing in to their app without a code.

Kept apart from django-otp-webauthn's own credential model on purpose: that model is a django-otp
`Device` tied to the staff `User`, and a participant's account is not a staff user (see
`ParticipantAccount`). The columns follow the WebAuthn credential record the library keeps.
"""

from __future__ import annotations

import hashlib
import uuid

from django.db import models
from django.utils import timezone


class ParticipantPasskey(models.Model):
    """One passkey a participant added in their app, after signing in by one-time code.

    Only the public key is kept. Signing in with it proves the person holds the device (and its
    screen lock); removing it (or closing the account) ends its use at once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(
        "portal.ParticipantAccount", on_delete=models.CASCADE, related_name="passkeys"
    )
    name = models.CharField(max_length=60, blank=True)
    credential_id = models.BinaryField(max_length=1023)
    credential_id_sha256 = models.CharField(max_length=64, unique=True)
    public_key = models.BinaryField(max_length=1023)
    sign_count = models.PositiveIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)
    discoverable = models.BooleanField(null=True)
    backup_eligible = models.BooleanField(default=False)
    backup_state = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"passkey of {self.account_id}"

    @staticmethod
    def hash_of(credential_id: bytes) -> str:
        return hashlib.sha256(credential_id).hexdigest()
