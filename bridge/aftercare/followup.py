"""Follow-up after discharge: alumni enrollment and opt-out, check-ins, the daily sweep, outreach.

Contact rule: Bridge contacts someone after discharge (check-in links, outreach work) only while
they hold an active alumni enrollment with consent to be contacted. Opting out cancels the
check-ins still due and the outreach still open, at once.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.aftercare.models import AftercareSettings, AlumniEnrollment, CheckIn, Outreach
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.dates import Span
from bridge.core.tokens import new_token, token_hash
from bridge.participants.models import CareTeamMember, Participant
from bridge.scheduling.models import Attendance, Session, SessionKind
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

S = Participant.Status
OUTREACH = "outreach"
CHECKIN_ANSWERS = (
    "any_use",
    "cravings",
    "meetings_attended",
    "housing",
    "work",
    "phq2_interest",
    "phq2_mood",
    "notes",
)


def _audit(action: Action, *, actor, participant, obj, detail: dict | None = None, label: str | None = None):
    audit_record(
        action=action,
        actor=actor,
        participant=participant,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        detail=detail,
        actor_label=label,
    )


def active_enrollment(participant: Participant) -> AlumniEnrollment | None:
    return AlumniEnrollment.objects.filter(participant=participant, opted_out_at__isnull=True).first()


def contact_allowed(participant: Participant) -> bool:
    enrollment = active_enrollment(participant)
    return enrollment is not None and enrollment.contact_consent


def alumni_enroll(
    *, actor: User, participant: Participant, enrolled_on: date, contact_consent: bool, channel: str
) -> AlumniEnrollment:
    """Opt in to the alumni community at or after discharge, with or without consent to be contacted."""
    if participant.status not in (S.DISCHARGED, S.ALUMNI):
        raise ValidationError({"enrolled_on": "Alumni enrollment is at or after discharge."})
    if active_enrollment(participant) is not None:
        raise ValidationError({"enrolled_on": "Already enrolled as an alumnus."})
    if enrolled_on > timezone.localdate():
        raise ValidationError({"enrolled_on": "The enrollment date cannot be in the future."})
    if channel in (AlumniEnrollment.Channel.PHONE, AlumniEnrollment.Channel.SMS) and not participant.phone:
        raise ValidationError({"channel": "No phone number on file: add one or choose email."})
    if channel == AlumniEnrollment.Channel.EMAIL and not participant.email:
        raise ValidationError({"channel": "No email address on file: add one or choose phone."})
    with transaction.atomic(durable=True):
        enrollment = AlumniEnrollment(
            participant=participant,
            enrolled_on=enrolled_on,
            contact_consent=contact_consent,
            channel=channel,
            recorded_by=actor,
        )
        enrollment.full_clean()
        enrollment.save()
        participant.status = S.ALUMNI
        participant.save(update_fields=["status", "updated_at"])
        _audit(
            Action.CREATE,
            actor=actor,
            participant=participant,
            obj=enrollment,
            detail={"contact_consent": contact_consent, "channel": channel},
        )
    return enrollment


def alumni_opt_out(*, actor: User, enrollment: AlumniEnrollment, reason: str = "") -> AlumniEnrollment:
    """Stop contact at once: pending check-ins are cancelled and open outreach closed."""
    if enrollment.opted_out_at is not None:
        raise ValidationError("Already opted out.")
    participant = enrollment.participant
    with transaction.atomic(durable=True):
        enrollment.opted_out_at = timezone.now()
        enrollment.opt_out_reason = reason.strip()[:200]
        enrollment.save(update_fields=["opted_out_at", "opt_out_reason"])
        cancelled = CheckIn.objects.filter(participant=participant, status=CheckIn.Status.PENDING).update(
            status=CheckIn.Status.CANCELLED, token_hash=None
        )
        # A missed check-in stays missed in the history, but its link stops working too.
        CheckIn.objects.filter(participant=participant, status=CheckIn.Status.MISSED).update(token_hash=None)
        for item in WorkItem.objects.filter(
            participant=participant, kind=OUTREACH, status=WorkItem.Status.OPEN
        ):
            work_item_resolve(
                actor=actor, item=item, resolution="Opted out of contact", status=WorkItem.Status.CANCELLED
            )
        if participant.status == S.ALUMNI:  # someone re-admitted since stays active
            participant.status = S.DISCHARGED
            participant.save(update_fields=["status", "updated_at"])
        _audit(
            Action.OPT_OUT,
            actor=actor,
            participant=participant,
            obj=enrollment,
            detail={"checkins_cancelled": cancelled},
        )
    return enrollment


# Check-ins ---------------------------------------------------------------------------------------


def checkin_record(
    *, actor: User | None, checkin: CheckIn, method: str, label: str | None = None, **answers
) -> CheckIn:
    """Record a completed check-in (staff by phone, or the alumnus by link). Warning signs raise outreach."""
    unknown = set(answers) - set(CHECKIN_ANSWERS)
    if unknown:
        raise TypeError(f"checkin_record got unknown fields {sorted(unknown)}")
    if checkin.status not in (CheckIn.Status.PENDING, CheckIn.Status.MISSED):
        raise ValidationError("This check-in is already closed.")
    if method not in CheckIn.Method.values:
        raise ValidationError({"method": "Say how the check-in was done."})
    with transaction.atomic():
        for name, value in answers.items():
            setattr(checkin, name, value)
        checkin.status = CheckIn.Status.COMPLETED
        checkin.method = method
        checkin.completed_at = timezone.now()
        checkin.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        checkin.token_hash = None  # a link answers once
        checkin.full_clean()
        checkin.save()
        warnings = checkin.warnings()
        _audit(
            Action.CHECKIN,
            actor=actor,
            participant=checkin.participant,
            obj=checkin,
            detail={"method": method, "warnings": len(warnings)},
            label=label,
        )
        if warnings:
            _outreach_open(
                checkin,
                title=f"Check-in day {checkin.day_offset}: warning signs",
                detail=_sentence("; ".join(warnings)),
                source_type="checkin_warning",
            )
            _clinician_told(checkin, warnings, actor)
    return checkin


def _clinician_told(checkin: CheckIn, warnings: list[str], actor) -> None:
    """Warning signs go to the primary clinician as well as the peer (one safety signal, one way).

    Reported use after discharge is a same-day task (overdose risk is highest after a period of
    abstinence); the other warning signs are routine follow-up on the clinician's work list.
    """
    from bridge.safety.models import Source
    from bridge.safety.services import primary_clinician, safety_signal_raise

    clinician = primary_clinician(checkin.participant)
    safety_signal_raise(
        participant=checkin.participant,
        source=Source.CHECKIN,
        code="checkin_warning_signs",
        urgency="same_day" if checkin.any_use else "routine",
        title=f"Check-in day {checkin.day_offset}: warning signs",
        detail=_sentence("; ".join(warnings)),
        route="Call them; consider a step-up (Aftercare → Step up) and a naloxone kit if they use opioids.",
        dedup_key=f"checkin:{checkin.pk}",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label="check-in",
        assign_to=[clinician] if clinician else [],
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def checkin_link_create(*, checkin: CheckIn) -> str:
    """A private one-time link for the alumnus to answer a check-in; only its hash is kept."""
    token = new_token()
    checkin.token_hash = token_hash(token)
    checkin.link_sent_at = timezone.now()
    checkin.save(update_fields=["token_hash", "link_sent_at"])
    return token


CHECKIN_LINK_DAYS = 30  # days after a check-in falls due that its link still takes answers


def checkin_for_token(token: str) -> CheckIn | None:
    if not token or len(token) > 100:
        return None
    return (
        CheckIn.objects.filter(
            token_hash=token_hash(token),
            status__in=[CheckIn.Status.PENDING, CheckIn.Status.MISSED],
            # A late answer is welcome for a while; after that the link stops working.
            due_on__gte=timezone.localdate() - timedelta(days=CHECKIN_LINK_DAYS),
        )
        .select_related("participant__program")
        .first()
    )


def outreach_owner(participant: Participant) -> User | None:
    """The peer specialist on the care team, else one of the program's peers, else the primary clinician."""
    from bridge.clinical.services.common import review_owner

    member = (
        CareTeamMember.objects.filter(
            participant=participant, team_role=CareTeamMember.TeamRole.PEER, ended_at__isnull=True
        )
        .select_related("staff")
        .first()
    )
    if member is not None and member.staff.is_active:
        return member.staff
    peer = (
        User.objects.filter(is_active=True, roles__program_id=participant.program_id, roles__role=Role.PEER)
        .order_by("last_name", "username")
        .first()
    )
    return peer or review_owner(participant)


def _outreach_open(checkin: CheckIn, *, title: str, detail: str, source_type: str) -> WorkItem | None:
    if not contact_allowed(checkin.participant):
        return None
    owner = outreach_owner(checkin.participant)
    if owner is None:
        return None
    return work_item_open(
        participant=checkin.participant,
        assigned_to=owner,
        kind=OUTREACH,
        title=title,
        detail=detail,
        due_on=timezone.localdate() + timedelta(days=2),
        source_type=source_type,
        source_id=str(checkin.pk),
    )


def _send_link(request_base: str, checkin: CheckIn, enrollment: AlumniEnrollment) -> bool:
    from bridge.notify.sms import sms_sender

    participant = checkin.participant
    email = enrollment.channel == AlumniEnrollment.Channel.EMAIL and participant.email
    sms = enrollment.channel == AlumniEnrollment.Channel.SMS and participant.phone
    if not (email or sms):
        return False  # by phone: the peer calls; the participant's aftercare page shows it as due
    token = checkin_link_create(checkin=checkin)
    url = request_base.rstrip("/") + reverse("aftercare:public_checkin", args=[token])
    body = f"{participant.program.name}: how are you doing? A 2-minute check-in: {url}"
    if email:
        send_mail("Your check-in", body, settings.DEFAULT_FROM_EMAIL, [participant.email])
    else:
        sms_sender().send(participant.phone, body)
    return True


def checkins_sweep(*, today: date | None = None, base_url: str = "") -> dict[str, int]:
    """The daily job: send links for check-ins falling due; turn missed ones into outreach work items.

    Idempotent: a link is sent once per check-in, a check-in is marked missed once, and
    work_item_open never raises a twin for the same check-in.
    """
    base_url = base_url or getattr(settings, "BRIDGE_BASE_URL", "") or "http://127.0.0.1:8000"
    counts = {"links_sent": 0, "missed": 0, "outreach": 0}
    grace: dict = {}
    local_today: dict = {}
    # Without a given day, each program's own date counts (a day ahead of UTC at most, UTC+14).
    latest = today or (timezone.now() + timedelta(days=1)).date()
    pending = (
        CheckIn.objects.filter(status=CheckIn.Status.PENDING, due_on__lte=latest)
        .select_related("participant__program")
        .order_by("due_on")
    )
    for checkin in pending:
        participant = checkin.participant
        if participant.program_id not in grace:
            grace[participant.program_id] = AftercareSettings.for_program(participant.program).grace_days
            local_today[participant.program_id] = today or timezone.localdate(timezone=participant.program.tz)
        today_here = local_today[participant.program_id]
        if checkin.due_on > today_here:
            continue
        enrollment = active_enrollment(participant)
        with transaction.atomic():
            if checkin.due_on + timedelta(days=grace[participant.program_id]) < today_here:
                checkin.status = CheckIn.Status.MISSED
                checkin.save(update_fields=["status"])
                counts["missed"] += 1
                audit_record(
                    action=Action.UPDATE,
                    actor=None,
                    actor_label="aftercare sweep",
                    participant=participant,
                    object_type="checkin",
                    object_id=str(checkin.pk),
                    detail={"status": "missed", "day_offset": checkin.day_offset},
                )
                item = _outreach_open(
                    checkin,
                    title=f"Missed day-{checkin.day_offset} check-in",
                    detail=f"The check-in due {checkin.due_on:%b %-d, %Y} was not completed. Reach out.",
                    source_type="checkin",
                )
                counts["outreach"] += item is not None
            elif enrollment is not None and enrollment.contact_consent and checkin.link_sent_at is None:
                counts["links_sent"] += _send_link(base_url, checkin, enrollment)
    return counts


def outreach_record(
    *, actor: User, participant: Participant, outcome: str, note: str = "", work_item: WorkItem | None = None
) -> Outreach:
    """Record how outreach went; it resolves the work item that asked for it."""
    if outcome not in Outreach.Outcome.values:
        raise ValidationError({"outcome": "Choose how the outreach went."})
    checkin = None
    if work_item is not None:
        if work_item.participant_id != participant.pk or work_item.kind != OUTREACH:
            raise ValidationError({"work_item": "Choose an outreach item of this participant."})
        checkin = CheckIn.objects.filter(pk=work_item.source_id).first() if work_item.source_id else None
    with transaction.atomic(durable=True):
        record = Outreach(
            participant=participant,
            checkin=checkin,
            work_item=work_item,
            outcome=outcome,
            note=note.strip(),
            recorded_by=actor,
        )
        record.full_clean()
        record.save()
        if work_item is not None and work_item.status == WorkItem.Status.OPEN:
            label = Outreach.Outcome(outcome).label
            work_item_resolve(actor=actor, item=work_item, resolution=f"{label}. {note.strip()}".strip())
        _audit(Action.OUTREACH, actor=actor, participant=participant, obj=record, detail={"outcome": outcome})
    return record


# Alumni events -----------------------------------------------------------------------------------


def alumni_event_create(
    *,
    actor: User,
    program,
    title: str,
    starts_at,
    minutes: int,
    room=None,
    confirm_reason: str = "",
) -> Session:
    """Put an alumni group or event on the calendar, with every current alumnus on its roster.

    It goes through the one conflict check (bridge/scheduling/conflicts/) like every booking: the
    leader already leading or sitting in another session, the room already booked or too small, or a
    program closure refuse it (BookingConflict, naming who and what); outside the leader's working
    hours needs `confirm_reason`, recorded. The invited alumni's own calendars are not checked:
    an invitation is not a booking of their time (coming is their choice).

    Attendance is then recorded on the session like any other (the roster rows are the expected ones);
    alumni who opted out are not invited.
    """
    from bridge.scheduling import conflicts as cc
    from bridge.scheduling.services.sessions import lock_people

    if not title.strip():
        raise ValidationError({"title": "Name the event."})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "An event is planned for a time still to come."})
    try:
        Span.PLANNED.check(starts_at)  # and not years away (9999-12-31 would break pages)
    except ValidationError as exc:
        raise ValidationError({"starts_at": exc.messages}) from None
    if not 15 <= minutes <= 480:
        raise ValidationError({"minutes": "Between 15 minutes and 8 hours."})
    if room is not None and room.program_id != program.pk:
        raise ValidationError({"room": "That room belongs to another program."})
    with transaction.atomic(durable=True):
        session = Session(
            program=program,
            kind=SessionKind.ALUMNI,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            staff=actor,
            room=room,
        )
        session.full_clean()
        invited = list(
            Participant.objects.filter(
                program=program,
                alumni_enrollments__opted_out_at__isnull=True,
                alumni_enrollments__isnull=False,
            ).distinct()
        )
        lock_people(staff_ids=[actor.pk], participant_ids=[])
        slot = cc.Slot(
            session.starts_at,
            session.ends_at,
            session.display_title,
            staff_id=actor.pk,
            room_id=room.pk if room is not None else None,
            seats=len(invited) + 1,
        )
        accepted = cc.require_clear(cc.booking_conflicts(program, [slot]), confirm_reason)
        session.save()
        Attendance.objects.bulk_create(Attendance(session=session, participant=p) for p in invited)
        cc.accept(actor=actor, conflicts=accepted, reason=confirm_reason, session=session)
        detail = {"kind": SessionKind.ALUMNI, "invited": len(invited)}
        if accepted:
            detail["conflicts_confirmed"] = [c.as_dict() for c in accepted]
            detail["confirm_reason"] = confirm_reason.strip()[:300]
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="session",
            object_id=str(session.pk),
            detail=detail,
        )
    return session
