"""Messages between a participant and their care team, and "let my peer support specialist know".

Every write here is one transaction with its audit event (as bridge/portal/services.py). Messages are
Part 2 data: kept for good (no delete, no edit), read and written only through these services and the
access rules of bridge/portal/access.py (the participant) and bridge/participants/access.py (staff,
who need Cap.FOLLOW_UP: care-team clinicians, peers and directors; never the front desk or billing).

Nothing that leaves the building (a work-list title, a text message) carries a message's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dates, formats, timezone, translation
from django.utils.translation import gettext as _

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.access import Cap, capabilities, visible
from bridge.participants.models import CareTeamMember, Participant
from bridge.portal.limits import within_limit
from bridge.portal.models import (
    MESSAGE_MAX_CHARS,
    Message,
    MessageThread,
    ParticipantAccount,
    ParticipantAppSettings,
    PeerAlert,
)
from bridge.portal.services import PortalActor
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

MESSAGE_KIND = "portal_message"  # the work item "answer this participant's message"
HELP_KIND = "portal_help_now"  # the urgent work item "this participant asked for their peer now"
THREAD_SOURCE = "message_thread"
# One automatic reply per quiet spell: a second message an hour later does not get another.
AUTO_REPLY_QUIET = timedelta(hours=12)
# A second tap on "let my peer know" within this time is the same request (a double tap, a reload).
PEER_ALERT_SAME = timedelta(minutes=30)


# --- Office hours --------------------------------------------------------------------------------------


def office_hours(program) -> ParticipantAppSettings:
    return ParticipantAppSettings.for_program(program)


def _days_text(days: list[int]) -> str:
    names = [str(dates.WEEKDAYS[d]) for d in sorted(set(days))]
    if not names:
        return ""
    ordered = sorted(set(days))
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return _("%(first)s to %(last)s") % {"first": names[0], "last": names[-1]}
    if len(names) == 1:
        return names[0]
    return _("%(some)s and %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def office_hours_text(hours: ParticipantAppSettings) -> str:
    """ "Monday to Friday, 9:00 to 17:00", in the active language."""
    if not hours.office_days:
        return _("no set office hours")
    return _("%(days)s, %(opens)s to %(closes)s") % {
        "days": _days_text(hours.office_days),
        "opens": formats.time_format(hours.opens_at, "TIME_FORMAT"),
        "closes": formats.time_format(hours.closes_at, "TIME_FORMAT"),
    }


def automatic_reply_text(participant: Participant, hours: ParticipantAppSettings) -> str:
    """The out-of-hours answer, in the participant's language: when we read it, and 988, 911, us."""
    program = participant.program
    with translation.override(participant.language or "en"):
        text = _(
            "Thank you for your message. Our office is closed now, so nobody is reading messages. "
            "Your care team will read it when we open (%(hours)s)."
        ) % {"hours": office_hours_text(hours)}
        text += " " + _(
            "If you need help now, call or text 988 (Suicide and Crisis Lifeline), day or night. "
            "In an emergency, call 911."
        )
        if program.phone:
            text += " " + _("You can also call %(program)s at %(phone)s.") % {
                "program": program.name,
                "phone": program.phone,
            }
    return text


# --- Reading -------------------------------------------------------------------------------------------


def thread_for(participant: Participant) -> MessageThread | None:
    return MessageThread.objects.filter(participant=participant).first()


def messages_in(thread: MessageThread | None, limit: int = 200) -> list[Message]:
    """The newest `limit` messages of the thread, oldest first."""
    if thread is None:
        return []
    newest = list(thread.messages.select_related("staff").order_by("-sent_at")[:limit])
    return list(reversed(newest))


def messages_read_by_participant(*, account: ParticipantAccount) -> int:
    """The participant opened their messages: the care team's (and automatic) ones are now read.
    The page read itself is audited by the view (`portal_read`)."""
    return (
        Message.objects.filter(thread__participant_id=account.participant_id, read_at__isnull=True)
        .exclude(author=Message.Author.PARTICIPANT)
        .update(read_at=timezone.now())
    )


def messages_read_by_staff(*, participant: Participant) -> int:
    """A care-team member opened the conversation: the participant's messages are now read.
    The read is audited by `participant_for` (bridge/participants/access.py)."""
    return Message.objects.filter(
        thread__participant=participant, read_at__isnull=True, author=Message.Author.PARTICIPANT
    ).update(read_at=timezone.now())


def awaiting_answer(messages: list[Message]) -> bool:
    """Whether the participant's last word has not been answered by a person yet."""
    for message in reversed(messages):
        if message.author == Message.Author.STAFF:
            return False
        if message.author == Message.Author.PARTICIPANT:
            return True
    return False


@dataclass(frozen=True)
class Unread:
    """A conversation with messages from the participant that no one on the care team has opened."""

    participant_id: str
    name: str
    count: int


def unread_for_staff(user: User) -> list[Unread]:
    """The conversations with new messages from participants on whose care team `user` is and may
    read them (Cap.FOLLOW_UP), most waiting first: one query. Opening the conversation clears them
    (`messages_read_by_staff`)."""
    from django.db.models import Count, Min

    may_read = visible(Participant.objects.all(), user, Cap.FOLLOW_UP).filter(
        care_team__staff=user, care_team__ended_at__isnull=True
    )
    rows = (
        Message.objects.filter(
            author=Message.Author.PARTICIPANT,
            read_at__isnull=True,
            thread__participant__in=may_read.values("pk"),
        )
        .values(
            "thread__participant_id",
            "thread__participant__first_name",
            "thread__participant__preferred_name",
            "thread__participant__last_name",
        )
        .annotate(count=Count("pk"), first=Min("sent_at"))
        .order_by("first")
    )
    return [
        Unread(
            participant_id=str(row["thread__participant_id"]),
            name=f"{row['thread__participant__preferred_name'] or row['thread__participant__first_name']} "
            f"{row['thread__participant__last_name']}",
            count=row["count"],
        )
        for row in rows
    ]


def unread_for_participant(participant_id) -> int:
    """How many answers (from the care team, or automatic) the participant has not opened: one query."""
    return (
        Message.objects.filter(thread__participant_id=participant_id, read_at__isnull=True)
        .exclude(author=Message.Author.PARTICIPANT)
        .count()
    )


# --- Who answers -----------------------------------------------------------------------------------------


def message_answerer(participant: Participant) -> User | None:
    """Who gets "answer this message" on their work list: the primary clinician, else another
    care-team member who may answer, else the program's director."""
    members = (
        CareTeamMember.objects.filter(participant=participant, ended_at__isnull=True, staff__is_active=True)
        .select_related("staff")
        .order_by("started_at")
    )
    ordered = sorted(members, key=lambda m: m.team_role != CareTeamMember.TeamRole.PRIMARY_CLINICIAN)
    for member in ordered:
        if Cap.FOLLOW_UP in capabilities(member.staff, participant):
            return member.staff
    return (
        User.objects.filter(
            roles__program=participant.program,
            roles__role=Role.DIRECTOR,
            is_active=True,
            deactivated_at__isnull=True,
        )
        .order_by("username")
        .first()
    )


# --- Writing ---------------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your message first.")})
    if len(body) > MESSAGE_MAX_CHARS:
        raise ValidationError(
            {"body": _("Keep it under %(n)s characters, or send two messages.") % {"n": MESSAGE_MAX_CHARS}}
        )
    return body


def _thread(participant: Participant) -> MessageThread:
    thread, _created = MessageThread.objects.get_or_create(participant=participant)
    return thread


@dataclass(frozen=True)
class Sent:
    message: Message
    automatic_reply: Message | None


def message_send_participant(*, account: ParticipantAccount, body: str, now: datetime | None = None) -> Sent:
    """The participant writes to their care team.

    The care team's answerer gets one open work item per conversation ("answer the message"); outside
    office hours the app answers at once with 988, 911 and the program's number, in the
    participant's language. More than the hourly share of messages is refused (and audited).
    """
    body = _clean_body(body)
    participant = account.participant
    now = now or timezone.now()
    with transaction.atomic():
        # One writer at a time per participant, so the hourly count and the automatic reply hold.
        ParticipantAccount.objects.select_for_update().filter(pk=account.pk).first()
        thread = _thread(participant)
        allowed = within_limit(
            Message.objects.filter(thread=thread, author=Message.Author.PARTICIPANT),
            field="sent_at",
            window=timedelta(hours=1),
            limit=settings.BRIDGE_PORTAL_MESSAGES_PER_HOUR,
            now=now,
            action=Action.CREATE,
            actor=PortalActor(account),
            participant=participant,
            object_type="portal_message",
            reason="hourly limit",
        )
        if not allowed:
            refused = _(
                "You have sent many messages in the last hour. Your care team will read them. "
                "If you need help now, call or text 988."
            )
        else:
            refused = ""
            message = Message(thread=thread, author=Message.Author.PARTICIPANT, body=body, sent_at=now)
            message.full_clean()
            message.save()
            audit_record(
                action=Action.CREATE,
                actor=PortalActor(account),
                participant=participant,
                object_type="portal_message",
                object_id=str(message.pk),
                detail={"thread": str(thread.pk), "chars": len(body)},
            )
            reply = None
            hours = office_hours(participant.program)
            if not hours.is_open(now):
                already = Message.objects.filter(
                    thread=thread, author=Message.Author.AUTOMATIC, sent_at__gt=now - AUTO_REPLY_QUIET
                ).exists()
                if not already:
                    reply = Message(
                        thread=thread,
                        author=Message.Author.AUTOMATIC,
                        body=automatic_reply_text(participant, hours),
                        sent_at=now + timedelta(microseconds=1),
                    )
                    reply.full_clean()
                    reply.save()
                    audit_record(
                        action=Action.CREATE,
                        actor_label="participant app",
                        participant=participant,
                        object_type="portal_message",
                        object_id=str(reply.pk),
                        detail={"thread": str(thread.pk), "automatic": "outside office hours"},
                    )
            answerer = message_answerer(participant)
            if answerer is not None:
                work_item_open(
                    participant=participant,
                    assigned_to=answerer,
                    kind=MESSAGE_KIND,
                    # The title names no words of the message (Part 2: it shows on lists and exports).
                    title=f"{participant.display_name} sent a message in the app"[:200],
                    detail="Open the conversation to read and answer it.",
                    due_on=timezone.localdate(now, participant.program.tz),
                    source_type=THREAD_SOURCE,
                    source_id=str(thread.pk),
                    actor=PortalActor(account),
                )
    if refused:
        raise ValidationError({"body": refused})
    return Sent(message=message, automatic_reply=reply)


def message_send_staff(*, actor: User, participant: Participant, body: str) -> Message:
    """A care-team member answers; the participant's messages are then read, and the open "answer the
    message" work item is resolved by it."""
    if Cap.FOLLOW_UP not in capabilities(actor, participant):
        raise ValidationError({"body": "Only the participant's care team may write to them here."})
    body = _clean_body(body)
    with transaction.atomic():
        thread = _thread(participant)
        message = Message(thread=thread, author=Message.Author.STAFF, staff=actor, body=body)
        message.full_clean()
        message.save()
        # An answer means what it answers was read: the participant must not see "Not read yet" beside it.
        messages_read_by_staff(participant=participant)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="portal_message",
            object_id=str(message.pk),
            detail={"thread": str(thread.pk), "chars": len(body)},
        )
        for item in WorkItem.objects.filter(
            kind=MESSAGE_KIND,
            source_type=THREAD_SOURCE,
            source_id=str(thread.pk),
            status=WorkItem.Status.OPEN,
        ):
            work_item_resolve(actor=actor, item=item, resolution=f"Answered in the app by {actor}.")
    return message


# --- "I need help now": let my peer know ---------------------------------------------------------------


def peer_alert_recipients(participant: Participant) -> list[User]:
    """The peers on the care team; without one, the primary clinician."""
    members = list(
        CareTeamMember.objects.filter(
            participant=participant, ended_at__isnull=True, staff__is_active=True
        ).select_related("staff")
    )
    peers = [
        m.staff
        for m in members
        if m.staff.has_role(Role.PEER, participant.program_id)
        and Cap.VIEW in capabilities(m.staff, participant)
    ]
    if peers:
        return sorted(set(peers), key=lambda u: u.username)
    primary = [m.staff for m in members if m.team_role == CareTeamMember.TeamRole.PRIMARY_CLINICIAN]
    return primary[:1]


@dataclass(frozen=True)
class PeerAlertResult:
    alert: PeerAlert
    already: bool  # a double tap: the request of a moment ago stands


def peer_alert(*, account: ParticipantAccount, now: datetime | None = None) -> PeerAlertResult:
    """The participant asks, from the help page, that their peer support specialist reach out now.

    An urgent work item for each recipient; a second tap within half an hour is the same request;
    more than the day's share is refused (their team already knows; 988 and 911 are on the page).
    """
    participant = account.participant
    now = now or timezone.now()
    with transaction.atomic():
        ParticipantAccount.objects.select_for_update().filter(pk=account.pk).first()
        latest = PeerAlert.objects.filter(participant=participant).order_by("-created_at").first()
        if latest is not None and latest.created_at > now - PEER_ALERT_SAME:
            return PeerAlertResult(latest, already=True)
        if not within_limit(
            PeerAlert.objects.filter(participant=participant),
            field="created_at",
            window=timedelta(days=1),
            limit=settings.BRIDGE_PORTAL_PEER_ALERTS_PER_DAY,
            now=now,
            action=Action.CREATE,
            actor=PortalActor(account),
            participant=participant,
            object_type="peer_alert",
            reason="daily limit",
        ):
            over_limit = True
        else:
            over_limit = False
            alert = _peer_alert_create(account, participant, now)
    # Raised once the refusal's audit event is committed (inside the transaction it would roll back).
    if over_limit:
        raise ValidationError(
            {
                "__all__": _(
                    "Your team already knows you asked for help today. If you need help now, "
                    "call or text 988, or call the program."
                )
            }
        )
    return PeerAlertResult(alert, already=False)


def _peer_alert_create(account: ParticipantAccount, participant: Participant, now: datetime) -> PeerAlert:
    """The alert and an urgent work item for each recipient (in the caller's transaction)."""
    recipients = peer_alert_recipients(participant)
    if not recipients:
        raise ValidationError(
            {"__all__": _("There is nobody on your care team to tell here yet. Please call the program.")}
        )
    alert = PeerAlert.objects.create(participant=participant, created_at=now)
    alert.notified.set(recipients)
    local = timezone.localtime(now, participant.program.tz)
    for staff in recipients:
        work_item_open(
            participant=participant,
            assigned_to=staff,
            kind=HELP_KIND,
            title=f"{participant.display_name} asked for help now: reach out today"[:200],
            detail=(
                f"From the app's help page at {local:%H:%M} on {local:%a %b} {local.day}, "
                "they chose to let their peer support specialist know. Call or text them."
            ),
            due_on=local.date(),
            source_type="peer_alert",
            source_id=f"{alert.pk}/{staff.pk}",
            actor=PortalActor(account),
            urgent=True,
        )
    audit_record(
        action=Action.CREATE,
        actor=PortalActor(account),
        participant=participant,
        object_type="peer_alert",
        object_id=str(alert.pk),
        detail={"notified": [str(u.pk) for u in recipients]},
    )
    return alert
