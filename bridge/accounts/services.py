"""Sign-in, sign-out and staff changes; every one writes its audit event."""

from __future__ import annotations

import secrets
import time
from datetime import date

from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridge.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from bridge.accounts.models import Credential, Role, StaffRole, User, UserSession
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.programs.models import Program


def session_start(*, request: HttpRequest, user: User) -> None:
    """Sign `user` in: a new session key (login rotates it), the limits' clocks, the audit event."""
    with transaction.atomic():
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
        request.session.save()
        assert request.session.session_key is not None  # save() gave the session its key
        UserSession.objects.create(user=user, session_key=request.session.session_key)
        audit_record(action=Action.LOGIN, actor=user, object_type="session")


def session_failed(*, request: HttpRequest, username: str, locked: bool) -> None:
    audit_record(
        action=Action.LOGIN_LOCKED if locked else Action.LOGIN_FAILED,
        actor=None,
        actor_label="anonymous",
        object_type="session",
        outcome=Outcome.DENIED,
        detail={"username": username[:150]},
    )


def session_end(*, request: HttpRequest) -> None:
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            audit_record(action=Action.LOGOUT, actor=user, object_type="session")
            UserSession.objects.filter(session_key=request.session.session_key).delete()
        logout(request)  # flushes the server-side session


def mfa_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for enrollment; replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def mfa_device_confirm(*, request: HttpRequest, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        request.session.cycle_key()
        _track_session_key(request)
        audit_record(
            action=Action.MFA_ENROLLED, actor=request.user, object_type="mfa_device", object_id=str(device.pk)
        )


def mfa_verified(*, request: HttpRequest, device) -> None:
    with transaction.atomic():
        otp_login(request, device)
        request.session.cycle_key()
        _track_session_key(request)
        audit_record(
            action=Action.MFA_VERIFIED, actor=request.user, object_type="mfa_device", object_id=str(device.pk)
        )


def mfa_failed(*, request: HttpRequest) -> None:
    audit_record(
        action=Action.MFA_FAILED, actor=request.user, object_type="mfa_device", outcome=Outcome.DENIED
    )


def _track_session_key(request: HttpRequest) -> None:
    request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": request.user}
    )


def staff_deactivate(*, actor: User, user: User) -> None:
    """Deactivate a staff member and end every server-side session they hold, at once."""
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        for session in UserSession.objects.filter(user=user):
            SessionStore(session_key=session.session_key).delete()
        UserSession.objects.filter(user=user).delete()
        audit_record(action=Action.DEACTIVATE, actor=actor, object_type="user", object_id=str(user.pk))


def credential_add(
    *,
    actor: User,
    user: User,
    kind: str,
    number: str,
    issuing_state: str,
    expires_on: date,
    verified_on: date | None = None,
) -> Credential:
    with transaction.atomic():
        credential = Credential(
            user=user,
            kind=kind,
            number=number,
            issuing_state=issuing_state.upper(),
            expires_on=expires_on,
            verified_on=verified_on,
        )
        credential.full_clean()
        credential.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="credential",
            object_id=str(credential.pk),
            detail={"staff": str(user.pk), "kind": kind},
        )
    return credential


def temporary_password() -> str:
    """A one-time password a director hands over; the first sign-in must replace it."""
    words = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")
    return f"{words[:4]}-{words[4:8]}-{words[8:12]}-{words[12:16]}"


def staff_create(
    *,
    actor: User | None,
    program: Program,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[str],
) -> tuple[User, str]:
    """Create a staff account with roles in `program` and a one-time password (returned, never stored)."""
    if not roles:
        raise ValidationError({"roles": "Give the new staff member at least one role."})
    # One login per person: "Therapist1" beside "therapist1" would be two accounts nobody can tell apart.
    taken: dict[str, str] = {}
    same_name = User.objects.filter(username__iexact=username.strip()).first()
    if same_name is not None:
        taken["username"] = (
            f"The login “{same_name.username}” already exists (a login is the same in any case)."
        )
    same_email = User.objects.filter(email__iexact=email.strip()).exclude(email="").first() if email else None
    if same_email is not None:
        taken["email"] = (
            f"This email already belongs to the login “{same_email.username}”: each person has their own "
            "account and email."
        )
    if taken:
        raise ValidationError(taken)
    password = temporary_password()
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            must_change_password=True,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        for role in roles:
            StaffRole.objects.create(user=user, program=program, role=role)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="user",
            object_id=str(user.pk),
            detail={"program": str(program.pk), "roles": sorted(roles)},
        )
    return user, password


def staff_set_roles(*, actor: User, user: User, program: Program, roles: list[str]) -> None:
    """Make `user`'s roles in `program` exactly `roles` (granting and revoking), audited."""
    with transaction.atomic():
        current = set(StaffRole.objects.filter(user=user, program=program).values_list("role", flat=True))
        wanted = set(roles)
        if actor == user and Role.DIRECTOR in current and Role.DIRECTOR not in wanted:
            raise ValidationError({"roles": "You cannot remove your own director role."})
        StaffRole.objects.filter(user=user, program=program, role__in=current - wanted).delete()
        for role in sorted(wanted - current):
            StaffRole.objects.create(user=user, program=program, role=role)
        if current != wanted:
            audit_record(
                action=Action.UPDATE,
                actor=actor,
                object_type="staff_roles",
                object_id=str(user.pk),
                detail={
                    "program": str(program.pk),
                    "granted": sorted(wanted - current),
                    "revoked": sorted(current - wanted),
                },
            )


def password_changed(*, request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        update_session_auth_hash(request, user)
        _track_session_key(request)
        audit_record(action=Action.UPDATE, actor=user, object_type="password", object_id=str(user.pk))
