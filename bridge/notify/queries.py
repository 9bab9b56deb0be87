"""What a calendar feed shows: sessions from two months back to six months ahead."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from bridge.notify.models import CalendarFeed
from bridge.scheduling.models import Session

PAST = timedelta(days=60)
FUTURE = timedelta(days=180)


def feed_sessions(feed: CalendarFeed) -> QuerySet[Session]:
    now = timezone.now()
    sessions = Session.objects.filter(starts_at__gte=now - PAST, starts_at__lte=now + FUTURE)
    if feed.participant_id:
        # Removed from a session's roster means gone from the feed (cancelled sessions stay, marked).
        sessions = sessions.filter(attendance__participant_id=feed.participant_id)
    else:
        sessions = sessions.filter(staff_id=feed.staff_id)
    return sessions.select_related("program", "room").order_by("starts_at").distinct()
