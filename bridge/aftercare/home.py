"""Home-page panel for peer support (and directors): check-ins to make by phone, upcoming alumni events.

Outreach work items already show in the work list panel (bridge/worklist/home.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from bridge.accounts.models import Role
from bridge.aftercare.models import AlumniEnrollment, CheckIn
from bridge.core.panels import Panel
from bridge.participants.models import Participant
from bridge.scheduling.models import Session, SessionKind

LIMIT = 50


def panels(request) -> list[Panel]:
    user = request.user
    programs = user.programs_with_role(Role.PEER, Role.DIRECTOR)
    if not programs:
        return []
    today = timezone.localdate()
    visible = Participant.objects.visible_to(user).filter(program_id__in=programs)
    by_phone = AlumniEnrollment.objects.filter(
        participant=OuterRef("participant"),
        opted_out_at__isnull=True,
        contact_consent=True,
        channel=AlumniEnrollment.Channel.PHONE,
    )
    due = list(
        CheckIn.objects.filter(
            participant__in=visible, status=CheckIn.Status.PENDING, due_on__lte=today + timedelta(days=2)
        )
        .filter(Exists(by_phone))
        .select_related("participant")
        .order_by("due_on")[:LIMIT]
    )
    events = list(
        Session.objects.filter(
            program_id__in=programs,
            kind=SessionKind.ALUMNI,
            starts_at__gte=timezone.now(),
            status=Session.Status.SCHEDULED,
        ).order_by("starts_at")[:5]
    )
    if not due and not events:
        return []
    return [Panel("aftercare/panels/peer.html", {"due": due, "events": events, "today": today}, order=8)]
