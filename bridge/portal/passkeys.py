"""Passkeys for the participant app, through django-otp-webauthn's ceremony helper.

django-otp-webauthn is built for staff-style accounts: its credential model is a django-otp `Device`
tied to `AUTH_USER_MODEL`, and its views sign in through `django.contrib.auth`. A participant's
account is deliberately not a staff `User` (bridge/portal/models.py), so Bridge uses the library
where it is meant to be extended, its `WebAuthnHelper` (settings.OTP_WEBAUTHN_HELPER_CLASS), with the
participant's account in place of the user, keeps the credentials in `ParticipantPasskey`, and drives
the library's own browser script against the app's endpoints (bridge/portal/passkey_views.py).

The services here write and audit: adding a passkey (`mfa_enrolled`), removing one (`update`),
signing in with one (`login`, or `login_failed`, which counts toward the account's lockout as a wrong
code does: bridge/portal/limits.py).
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import as_credential_descriptors
from django_otp_webauthn.settings import app_settings
from django_otp_webauthn.utils import rewrite_exceptions
from webauthn import base64url_to_bytes, verify_authentication_response
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    CredentialDeviceType,
    PublicKeyCredentialUserEntity,
    RegistrationCredential,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.portal.limits import lock_minutes, sign_in_failed, sign_in_refused_locked, sign_in_succeeded
from bridge.portal.models import ParticipantAccount
from bridge.portal.passkey_models import ParticipantPasskey
from bridge.portal.services import PortalActor

MAX_PASSKEYS = 5
# What a malformed or forged sign-in answer raises from py_webauthn's parsing and checks.
NOT_VERIFIED = (WebAuthnException, ValueError, KeyError, TypeError)


class PasskeyRefused(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "refused"


def relying_party_id(request: HttpRequest) -> str:
    """The host the app is served from (without a port): a passkey works on that site only."""
    return request.get_host().rsplit(":", 1)[0] if not request.get_host().startswith("[") else "localhost"


def user_handle(account: ParticipantAccount) -> bytes:
    """The WebAuthn user handle: stable for the account, random-looking, and saying nothing about the
    person (W3C WebAuthn: a handle must not contain personal information)."""
    return salted_hmac("bridge.portal.passkey-handle", str(account.pk), algorithm="sha256").digest()


class ParticipantPasskeyHelper(WebAuthnHelper):
    """The library's ceremony helper with a participant's account where it expects a user."""

    def get_user_entity(self, user) -> PublicKeyCredentialUserEntity:
        account: ParticipantAccount = user
        # What the phone shows in its passkey list: the first name, nothing about the program.
        first = account.participant.first_name or "Bridge"
        return PublicKeyCredentialUserEntity(id=user_handle(account), name=first, display_name=first)

    def get_generate_registration_options_kwargs(self, *, user) -> dict:
        account: ParticipantAccount = user
        rp = self.get_relying_party()
        entity = self.get_user_entity(account)
        options = {
            "attestation": self.get_attestation_conveyance_preference(),
            "authenticator_selection": AuthenticatorSelectionCriteria(
                user_verification=UserVerificationRequirement.PREFERRED,
                resident_key=self.get_discoverable_credentials_preference(),
            ),
            "challenge": self.generate_challenge(),
            # Not the same passkey twice on one phone.
            "exclude_credentials": as_credential_descriptors(account.passkeys.all()),
            "rp_id": rp.id,
            "rp_name": rp.name,
            "user_display_name": entity.display_name,
            "user_id": entity.id,
            "user_name": entity.name,
            "timeout": app_settings.OTP_WEBAUTHN_TIMEOUT_SECONDS * 1000,
        }
        algorithms = self.get_supported_key_algorithms()
        if algorithms:
            options["supported_pub_key_algs"] = algorithms
        return options

    def create_credential(
        self,
        user,
        response: VerifiedRegistration,
        parsed_credential: RegistrationCredential,
        original_data: dict,
    ) -> ParticipantPasskey:
        transports = [t.value for t in parsed_credential.response.transports or []]
        return ParticipantPasskey(
            account=user,
            credential_id=response.credential_id,
            credential_id_sha256=ParticipantPasskey.hash_of(response.credential_id),
            public_key=response.credential_public_key,
            sign_count=response.sign_count,
            transports=transports,
            aaguid=str(response.aaguid),
            discoverable=self._check_discoverable(original_data),
            backup_eligible=response.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
            backup_state=response.credential_backed_up,
        )

    def create_attestation(self, credential, attestation_object, client_data_json):
        # Attestation is not asked for ("none"): there is nothing to keep.
        return None

    def authenticate_complete(self, user, state: dict, data: dict) -> ParticipantPasskey:
        credential = parse_authentication_credential_json(data)
        passkey = (
            ParticipantPasskey.objects.select_related("account", "account__participant")
            .filter(credential_id_sha256=ParticipantPasskey.hash_of(credential.raw_id))
            .first()
        )
        if passkey is None:
            raise exceptions.CredentialNotFound()
        if user is not None and passkey.account_id != user.pk:
            raise exceptions.CredentialUserMismatch()
        response = verify_authentication_response(
            credential=credential,
            credential_current_sign_count=passkey.sign_count,
            credential_public_key=bytes(passkey.public_key),
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=self.get_relying_party_domain(),
            expected_origin=self.get_allowed_origins(),
            require_user_verification=state["require_user_verification"],
        )
        passkey.sign_count = response.new_sign_count
        passkey.backup_state = response.credential_backed_up
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "backup_state", "last_used_at"])
        return passkey


def helper(request: HttpRequest) -> ParticipantPasskeyHelper:
    return ParticipantPasskeyHelper(request=request)


def passkey_add(
    *, request: HttpRequest, account: ParticipantAccount, state: dict, data: dict
) -> ParticipantPasskey:
    """Verify the new passkey's registration and keep it (audited as a second factor enrolled)."""
    if account.passkeys.count() >= MAX_PASSKEYS:
        raise PasskeyRefused(detail="You have the most passkeys the app keeps. Remove one first.")
    with transaction.atomic():
        with rewrite_exceptions():
            passkey = helper(request).register_complete(account, state, data)
        audit_record(
            action=Action.MFA_ENROLLED,
            actor=PortalActor(account),
            participant=account.participant,
            object_type="portal_passkey",
            object_id=str(passkey.pk),
            detail={"discoverable": passkey.discoverable},
        )
    return passkey


def passkey_remove(*, account: ParticipantAccount, passkey: ParticipantPasskey) -> None:
    """A passkey is a way in, not a record: removing it deletes it (and the removal is audited)."""
    with transaction.atomic():
        audit_record(
            action=Action.UPDATE,
            actor=PortalActor(account),
            participant=account.participant,
            object_type="portal_passkey",
            object_id=str(passkey.pk),
            detail={"removed": True},
        )
        passkey.delete()


def _known_passkey(data: dict) -> ParticipantPasskey | None:
    """The stored passkey the sign-in answer names (before anything is verified), or None."""
    try:
        credential = parse_authentication_credential_json(data)
    except NOT_VERIFIED:
        return None
    return (
        ParticipantPasskey.objects.select_related("account", "account__participant")
        .filter(credential_id_sha256=ParticipantPasskey.hash_of(credential.raw_id))
        .first()
    )


def passkey_sign_in(*, request: HttpRequest, state: dict, data: dict) -> ParticipantAccount:
    """Verify a passkey sign-in; the account must be open and not locked. Audited either way.

    A passkey of the account that does not verify counts toward the same lockout as a wrong code
    (bridge/portal/limits.py); an answer naming no passkey Bridge keeps has no account to count
    against (the sign-in pages' per-client rate limit covers it).
    """
    known = _known_passkey(data)
    if known is None:
        audit_record(
            action=Action.LOGIN_FAILED,
            actor_label="participant app",
            object_type="portal_account",
            outcome=Outcome.DENIED,
            detail={"reason": "passkey not recognised"},
        )
        raise exceptions.CredentialNotFound()
    failure: exceptions.OTPWebAuthnApiError | None = None
    with transaction.atomic():
        account = (
            ParticipantAccount.objects.select_for_update()
            .select_related("participant")
            .get(pk=known.account_id)
        )
        if not account.is_open:
            audit_record(
                action=Action.LOGIN_FAILED,
                actor=PortalActor(account),
                participant=account.participant,
                object_type="portal_account",
                object_id=str(account.pk),
                outcome=Outcome.DENIED,
                detail={"reason": "account closed", "with": "passkey"},
            )
            failure = PasskeyRefused(detail="This account cannot sign in now. Call your program.")
        elif account.is_locked():
            sign_in_refused_locked(account=account, method="passkey")
            failure = PasskeyRefused(detail=_locked_text())
        else:
            try:
                with rewrite_exceptions():
                    helper(request).authenticate_complete(account, state, data)
            except (exceptions.OTPWebAuthnApiError, *NOT_VERIFIED) as exc:
                # Whatever the reason it did not verify, it is one failed sign-in of this account.
                locked = sign_in_failed(account=account, method="passkey", reason="passkey did not verify")
                failure = (
                    PasskeyRefused(detail=_locked_text())
                    if locked
                    else exc
                    if isinstance(exc, exceptions.OTPWebAuthnApiError)
                    else exceptions.UnprocessableEntity(detail="The passkey's answer could not be checked.")
                )
            else:
                sign_in_succeeded(account=account, actor=PortalActor(account), detail={"with": "passkey"})
    # Raised once the failure's count and audit event are committed.
    if failure is not None:
        raise failure
    return account


def _locked_text() -> str:
    return f"Too many sign-in tries that did not work. Try again in {lock_minutes()} minutes."
