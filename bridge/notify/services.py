"""Calendar feed links (made, revoked, used) and reminder preferences. All audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.tokens import new_token, token_hash
from bridge.notify.models import CalendarFeed, ReminderPreference


def feed_create(*, actor, participant=None, staff=None) -> tuple[CalendarFeed, str]:
    """Make a new feed link (revoking any live one). Returns the feed and its token, shown once."""
    if (participant is None) == (staff is None):
        raise ValidationError("A feed belongs to one participant or one staff member.")
    token = new_token()
    with transaction.atomic():
        live = CalendarFeed.objects.select_for_update().filter(
            participant=participant, staff=staff, revoked_at__isnull=True
        )
        for old in live:
            _revoke(actor=actor, feed=old, replaced=True)
        feed = CalendarFeed(
            participant=participant,
            staff=staff,
            token_hash=token_hash(token),
            hint=token[-6:],
            created_by=actor,
        )
        feed.full_clean()
        feed.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="calendar_feed",
            object_id=str(feed.pk),
            detail={"owner": "participant" if participant else "staff"},
        )
    return feed, token


def _revoke(*, actor, feed: CalendarFeed, replaced: bool = False) -> None:
    feed.revoked_at = timezone.now()
    feed.revoked_by = actor
    feed.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.FEED_REVOKE,
        actor=actor,
        participant=feed.participant,
        object_type="calendar_feed",
        object_id=str(feed.pk),
        detail={"replaced": replaced},
    )


def feed_revoke(*, actor, feed: CalendarFeed) -> CalendarFeed:
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        if feed.revoked_at is None:
            _revoke(actor=actor, feed=feed)
    return feed


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("participant", "staff")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def feed_used(*, feed: CalendarFeed, events: int) -> None:
    """Record a fetch: in the audit log (with the participant) and on the feed."""
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(
            last_used_at=timezone.now(), use_count=F("use_count") + 1
        )
        audit_record(
            action=Action.READ,
            actor=None,
            actor_label="calendar feed",
            participant=feed.participant,
            object_type="calendar_feed",
            object_id=str(feed.pk),
            detail={"events": events, "owner": "participant" if feed.participant_id else "staff"},
        )


def reminder_preference_set(*, actor, participant, channel: str, opted_out: bool) -> ReminderPreference:
    with transaction.atomic():
        pref = ReminderPreference.objects.filter(participant=participant).first()
        pref = pref or ReminderPreference(participant=participant, recorded_by=actor)
        pref.channel = channel
        pref.opted_out = opted_out
        pref.recorded_by = actor
        pref.updated_at = timezone.now()
        pref.full_clean()
        pref.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=participant,
            object_type="reminder_preference",
            object_id=str(pref.pk),
            detail={"channel": channel, "opted_out": opted_out},
        )
    return pref


def staff_alert_contact_set(*, actor, mobile_phone: str, channel: str):
    """How the signed-in staff member is told about urgent safety items (their own choice)."""
    from bridge.notify.models import StaffAlertContact

    with transaction.atomic():
        row = StaffAlertContact.objects.filter(staff=actor).first() or StaffAlertContact(staff=actor)
        row.mobile_phone, row.channel, row.updated_at = mobile_phone.strip(), channel, timezone.now()
        row.full_clean()
        row.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="staff_alert_contact",
            object_id=str(row.pk),
            detail={"channel": channel},
        )
    return row
