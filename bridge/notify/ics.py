"""The iCalendar (RFC 5545) text of a feed. Events carry no clinical detail and no other names.

Every event says only "Bridge: group session" or "Bridge: appointment", its time, and where: the
program's street address (and room), or the telehealth link. No program name either: the name of
a treatment program on a shared calendar would itself disclose treatment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from bridge.scheduling.models import Session, SessionKind

PRODID = "-//Bridge//Bridge IOP calendar//EN"
GROUP_KINDS = (SessionKind.GROUP, SessionKind.ALUMNI)


def summary(session: Session) -> str:
    return "Bridge: group session" if session.kind in GROUP_KINDS else "Bridge: appointment"


def location(session: Session) -> str:
    if session.modality == Session.Modality.TELEHEALTH:
        return session.telehealth_url or "Telehealth"
    where = session.program.address_line
    if session.room is not None:
        where = f"{where}, {session.room.name}" if where else session.room.name
    return where


def calendar_text(sessions: Iterable[Session], *, now: datetime | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Bridge")
    stamp = now or timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.pk}@bridge")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", summary(session))
        event.add("location", location(session))
        if session.modality == Session.Modality.TELEHEALTH and session.telehealth_url:
            event.add("url", session.telehealth_url)
        event.add("status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()
