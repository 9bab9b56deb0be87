"""Every write of the participant's app, each in one transaction with its audit event.

The participant is the actor here, not a staff member: services take their `ParticipantAccount`
and record `PortalActor(account)`, which the audit log names "participant app" (with the
participant on the event), on the "portal" channel.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.notify.sms import sms_sender
from bridge.participants.models import Participant
from bridge.portal.limits import (
    lock_minutes,
    sign_in_failed,
    sign_in_refused_locked,
    sign_in_succeeded,
    within_limit,
)
from bridge.portal.models import (
    CodeChannel,
    EventReply,
    ParticipantAccount,
    PortalRequest,
    SignInCode,
)
from bridge.scheduling.models import Attendance, Session, SessionKind
from bridge.scheduling.services.attendance import CheckIn, attendance_check_in
from bridge.worklist.services import work_item_open

CODE_DIGITS = 6
# Individual appointments are moved by the front desk on request; group sessions are not moved for
# one person, so for those the participant asks to be excused instead.
RESCHEDULABLE = {SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.MEDICATION, SessionKind.DRUG_SCREEN}
EXCUSABLE = {SessionKind.GROUP, SessionKind.ALUMNI}


@dataclass(frozen=True)
class PortalActor:
    """The participant acting in their own app. Never authenticated as staff."""

    account: ParticipantAccount
    is_authenticated: bool = False
    audit_label: str = "participant app"

    @property
    def participant(self) -> Participant:
        return self.account.participant


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")[-10:]


def _hint(channel: str, address: str) -> str:
    if channel == CodeChannel.SMS:
        return f"•••-{_digits(address)[-4:]}"
    name, _at, domain = address.partition("@")
    return f"{name[:1]}•••@{domain}"


def contacts(participant: Participant) -> list[tuple[str, str]]:
    """Where a code can go: the mobile phone, then the email on their record."""
    found = []
    if len(_digits(participant.phone)) == 10:
        found.append((CodeChannel.SMS.value, participant.phone))
    if participant.email:
        found.append((CodeChannel.EMAIL.value, participant.email))
    return found


def portal_account_open(*, actor: User, participant: Participant) -> ParticipantAccount:
    """Staff turn the app on for a participant (again, if it was closed)."""
    if not contacts(participant):
        raise ValidationError(
            {"participant": "Add a mobile phone or an email first: the sign-in code goes there."}
        )
    with transaction.atomic():
        account = ParticipantAccount.objects.select_for_update().filter(participant=participant).first()
        if account is not None and account.is_open:
            return account
        if account is None:
            account = ParticipantAccount(participant=participant, opened_by=actor)
        account.opened_by, account.opened_at = actor, timezone.now()
        account.closed_at = account.closed_by = None
        account.session_epoch += 1
        account.full_clean()
        account.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="portal_account",
            object_id=str(account.pk),
        )
    return account


def portal_account_close(*, actor: User, account: ParticipantAccount) -> ParticipantAccount:
    """Staff turn the app off: every session ends at its next request."""
    with transaction.atomic():
        account = ParticipantAccount.objects.select_for_update().get(pk=account.pk)
        if account.is_open:
            account.closed_at, account.closed_by = timezone.now(), actor
            account.session_epoch += 1
            account.save(update_fields=["closed_at", "closed_by", "session_epoch"])
            audit_record(
                action=Action.DEACTIVATE,
                actor=actor,
                participant=account.participant,
                object_type="portal_account",
                object_id=str(account.pk),
            )
    return account


def account_for_contact(identifier: str) -> ParticipantAccount | None:
    """The one open account whose participant has this phone number or email, or None."""
    identifier = identifier.strip()
    qs = ParticipantAccount.objects.select_related("participant", "participant__program").filter(
        closed_at__isnull=True
    )
    if "@" in identifier:
        matches = list(qs.filter(participant__email__iexact=identifier))
    else:
        digits = _digits(identifier)
        if len(digits) != 10:
            return None
        candidates = qs.filter(participant__phone__endswith=digits[-4:])
        matches = [a for a in candidates if _digits(a.participant.phone) == digits]
    # Two people sharing a phone (a family) cannot tell the code apart: nobody gets one.
    return matches[0] if len(matches) == 1 else None


def _code_hash(account: ParticipantAccount, code: str) -> str:
    return salted_hmac("bridge.portal.sign-in-code", f"{account.pk}:{code}").hexdigest()


def code_send(*, account: ParticipantAccount, identifier: str) -> SignInCode | None:
    """Send a new one-time code to the contact the participant typed (which is on their record).

    Returns None when this account has had its hourly share of codes (recorded, nothing sent).
    """
    participant = account.participant
    channel = CodeChannel.EMAIL if "@" in identifier else CodeChannel.SMS
    address = participant.email if channel == CodeChannel.EMAIL else participant.phone
    now = timezone.now()
    with transaction.atomic():
        account = ParticipantAccount.objects.select_for_update().get(pk=account.pk)
        if not within_limit(
            SignInCode.objects.filter(account=account),
            field="created_at",
            window=timedelta(hours=1),
            limit=settings.BRIDGE_PORTAL_CODES_PER_HOUR,
            now=now,
            action=Action.PORTAL_CODE_SENT,
            actor_label="participant app",
            participant=participant,
            object_type="portal_account",
            object_id=str(account.pk),
            reason="hourly limit",
        ):
            return None
        SignInCode.objects.filter(account=account, used_at__isnull=True, replaced=False).update(replaced=True)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = SignInCode(
            account=account,
            code_hash=_code_hash(account, code),
            channel=channel,
            sent_to_hint=_hint(channel, address),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.BRIDGE_PORTAL_CODE_MINUTES),
        )
        row.full_clean()
        row.save()
        audit_record(
            action=Action.PORTAL_CODE_SENT,
            actor_label="participant app",
            participant=participant,
            object_type="portal_account",
            object_id=str(account.pk),
            detail={"channel": channel, "to": row.sent_to_hint},
        )
        # The message names neither the program nor treatment: a phone's lock screen shows it.
        with translation.override(participant.language):
            body = _("Your Bridge sign-in code is %(code)s. It works for %(minutes)s minutes.") % {
                "code": code,
                "minutes": settings.BRIDGE_PORTAL_CODE_MINUTES,
            }
            subject = _("Your Bridge sign-in code")
        # Sent when the row is committed, so a rolled-back request never leaves a working code out.
        if channel == CodeChannel.SMS:
            transaction.on_commit(lambda: sms_sender().send(address, body))
        else:
            transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return row


def code_verify(*, code_row: SignInCode, code: str) -> ParticipantAccount:
    """Check a typed code. Wrong codes count toward the account's lockout, shared with passkeys
    (bridge/portal/limits.py: as staff sign-in locks), then it unlocks.

    A failure is committed (the count, the lock, its audit event) before the error is raised.
    """
    now = timezone.now()
    locked_message = _("Too many wrong codes. Try again in %(minutes)s minutes.") % {
        "minutes": lock_minutes()
    }
    error = ""
    with transaction.atomic():
        account = (
            ParticipantAccount.objects.select_for_update()
            .select_related("participant")
            .get(pk=code_row.account_id)
        )
        row = SignInCode.objects.select_for_update().get(pk=code_row.pk)
        right = constant_time_compare(row.code_hash, _code_hash(account, code.strip()))
        if not account.is_open:
            error = _("This code no longer works. Ask for a new one.")
        elif account.is_locked(now):
            sign_in_refused_locked(account=account, method="code")
            error = locked_message
        elif not right or not row.is_usable(now):
            reason = "wrong code" if not right else "code used or expired"
            locked = sign_in_failed(account=account, method="code", reason=reason, now=now)
            error = locked_message if locked else _("That code is not right, or it has expired.")
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            sign_in_succeeded(
                account=account, actor=PortalActor(account), detail={"method": "code", "channel": row.channel}
            )
    if error:
        raise ValidationError({"code": error})
    return account


def sign_out_everywhere(*, account: ParticipantAccount) -> ParticipantAccount:
    """End every session of this account, on every device (this one included)."""
    with transaction.atomic():
        ParticipantAccount.objects.filter(pk=account.pk).update(session_epoch=F("session_epoch") + 1)
        account.refresh_from_db(fields=["session_epoch"])
        audit_record(
            action=Action.PORTAL_SIGN_OUT_ALL,
            actor=PortalActor(account),
            participant=account.participant,
            object_type="portal_account",
            object_id=str(account.pk),
        )
    return account


def language_set(*, account: ParticipantAccount, language: str) -> Participant:
    """The participant's language, kept on their record (their app, links and reminders use it)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": "Choose English or Spanish."})
    participant = account.participant
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(language=language, updated_at=timezone.now())
        participant.language = language
        audit_record(
            action=Action.UPDATE,
            actor=PortalActor(account),
            participant=participant,
            object_type="participant",
            object_id=str(participant.pk),
            detail={"language": language},
        )
    return participant


def check_in(*, account: ParticipantAccount, session: Session) -> CheckIn:
    """The participant checks themself in (the scheduling service's own rules apply)."""
    return attendance_check_in(
        actor=PortalActor(account), session=session, participant_id=account.participant_id, channel="app"
    )


def front_desk_for(program) -> User | None:
    """Who answers requests from the app: the program's front desk, else its director."""
    for role in (Role.FRONT_DESK, Role.DIRECTOR):
        user = (
            User.objects.filter(
                roles__program=program, roles__role=role, is_active=True, deactivated_at__isnull=True
            )
            .order_by("username")
            .first()
        )
        if user is not None:
            return user
    return None


def _request(
    *, account: ParticipantAccount, session: Session, kind: str, times: str, reason: str
) -> PortalRequest:
    participant = account.participant
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"session": _("This session was cancelled.")})
    if session.starts_at <= timezone.now():
        raise ValidationError({"session": _("This session has already started.")})
    if PortalRequest.objects.filter(participant=participant, session=session, kind=kind).exists():
        raise ValidationError({"session": _("You already asked about this session.")})
    assignee = front_desk_for(participant.program)
    if assignee is None:
        raise ValidationError({"session": _("The program cannot take requests here yet. Please call them.")})
    local = timezone.localtime(session.starts_at)
    when = f"{local:%a %b} {local.day} {local:%H:%M}"
    with transaction.atomic():
        request = PortalRequest(
            participant=participant, session=session, kind=kind, times_available=times, reason=reason
        )
        request.full_clean()
        request.save()
        if kind == PortalRequest.Kind.RESCHEDULE:
            what = session.get_kind_display().lower()
            title = f"{participant.display_name} asks to reschedule {what} on {when}"
            detail = f"Times they can make: {times}" + (f"\nWhy: {reason}" if reason else "")
        else:
            title = f"{participant.display_name} cannot come to {session.title or 'group'} on {when}"
            detail = f"Excused-absence request. Why: {reason}" if reason else "Excused-absence request."
        request.work_item = work_item_open(
            participant=participant,
            assigned_to=assignee,
            kind=f"portal_{kind}",
            title=title[:200],
            detail=detail,
            due_on=timezone.localdate(),
            source_type="portal_request",
            source_id=str(request.pk),
            actor=PortalActor(account),
        )
        request.save(update_fields=["work_item"])
        audit_record(
            action=Action.PORTAL_REQUEST,
            actor=PortalActor(account),
            participant=participant,
            object_type="portal_request",
            object_id=str(request.pk),
            detail={"kind": kind, "session": str(session.pk)},
        )
    return request


def reschedule_request(
    *, account: ParticipantAccount, session: Session, times_available: str, reason: str = ""
) -> PortalRequest:
    """Ask the front desk to move an individual session, naming times they can make."""
    if session.kind not in RESCHEDULABLE:
        raise ValidationError(
            {"session": _("Group sessions are not moved for one person: say you cannot come instead.")}
        )
    if not times_available.strip():
        raise ValidationError({"times_available": _("Say which days and times you can make.")})
    return _request(
        account=account,
        session=session,
        kind=PortalRequest.Kind.RESCHEDULE,
        times=times_available.strip(),
        reason=reason.strip(),
    )


def excused_request(*, account: ParticipantAccount, session: Session, reason: str) -> PortalRequest:
    """Tell the program they cannot come to a group session (an excused-absence request)."""
    if session.kind not in EXCUSABLE:
        raise ValidationError({"session": _("For an individual session, ask to reschedule instead.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say in a few words why you cannot come.")})
    return _request(
        account=account, session=session, kind=PortalRequest.Kind.EXCUSED, times="", reason=reason.strip()
    )


# --- Privacy rights and alumni events ---------------------------------------------------------------


def consent_revoke(*, account: ParticipantAccount, consent, typed_name: str, reason: str = ""):
    """The participant revokes one of their consents in writing (the privacy service records it)."""
    from bridge.privacy import services as privacy
    from bridge.privacy.models import Consent
    from bridge.privacy.vocab import ConsentType

    if consent.participant_id != account.participant_id:
        raise ValidationError({"__all__": _("This is not your consent.")})
    if consent.status != Consent.Status.ACTIVE:
        raise ValidationError({"__all__": _("This consent has already ended.")})
    if consent.consent_type == ConsentType.CRIMINAL_JUSTICE:
        raise ValidationError(
            {
                "__all__": _("This consent ends when %(event)s happens; it cannot be revoked before that.")
                % {"event": consent.expiry_event}
            }
        )
    return privacy.consent_revoke_in_app(
        actor=PortalActor(account), consent=consent, typed_name=typed_name, reason=reason
    )


def copy_request(*, account: ParticipantAccount, request_text: str):
    """The participant asks for a copy of their records: the same request staff record, with its
    30-day clock on the director's work list. It covers everything the copy may hold (not counseling
    notes), from their first admission to today; staff may narrow it with them."""
    from bridge.participants.models import EpisodeOfCare
    from bridge.privacy.access_requests import access_request_record
    from bridge.privacy.models import AccessRequest
    from bridge.privacy.vocab import GENERAL_CLASSES

    participant = account.participant
    if AccessRequest.objects.filter(participant=participant, status=AccessRequest.Status.OPEN).exists():
        raise ValidationError(
            {"request_text": _("You already asked for a copy. The program is working on it.")}
        )
    today = timezone.localdate(timezone=participant.program.tz)
    first = (
        EpisodeOfCare.objects.filter(participant=participant)
        .order_by("admitted_on")
        .values_list("admitted_on", flat=True)
        .first()
    )
    start = min(first or today, today)
    return access_request_record(
        actor=PortalActor(account),
        participant=participant,
        requested_on=today,
        request_text=request_text,
        data_classes=list(GENERAL_CLASSES),
        date_from=start,
        date_to=today,
    )


def alumni_reply(*, account: ParticipantAccount, session: Session, coming: bool) -> EventReply:
    """An alumni member says whether they are coming to an alumni event (they may change their mind).

    Coming, and not yet on the roster (they joined the alumni group after the invitations): they are
    added to it, if the room has a seat. Not coming: the invitation stays on the roster; staff record
    attendance on the day as for any session.
    """
    participant = account.participant
    if session.kind != SessionKind.ALUMNI or session.program_id != participant.program_id:
        raise ValidationError({"session": _("This is not an alumni event of your program.")})
    if session.status != Session.Status.SCHEDULED or session.starts_at <= timezone.now():
        raise ValidationError({"session": _("This event has already started or was cancelled.")})
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).select_related("room").get(pk=session.pk)
        on_roster = Attendance.objects.filter(session=locked, participant=participant).exists()
        if coming and not on_roster:
            room = locked.room
            if room is not None and Attendance.objects.filter(session=locked).count() >= room.capacity:
                raise ValidationError({"session": _("This event is full.")})
            row = Attendance(session=locked, participant=participant)
            row.full_clean()
            row.save()
        reply = EventReply.objects.filter(participant=participant, session=locked).first()
        if reply is None:
            reply = EventReply(participant=participant, session=locked, coming=coming)
        reply.coming, reply.answered_at = coming, timezone.now()
        reply.full_clean()
        reply.save()
        audit_record(
            action=Action.UPDATE,
            actor=PortalActor(account),
            participant=participant,
            object_type="event_reply",
            object_id=str(reply.pk),
            detail={
                "session": str(session.pk),
                "coming": coming,
                "added_to_roster": coming and not on_roster,
            },
        )
    return reply
