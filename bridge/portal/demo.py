"""Demo: the app is on for every participant in care or in aftercare who has a phone or email.

The first three in care (by name) also get their language set: one of them reads the app in Spanish.
The first of them has asked, in the app, for a copy of their records (on the compliance page).
"""

from __future__ import annotations

from bridge.participants.models import Participant
from bridge.portal.models import ParticipantAccount
from bridge.portal.services import contacts, copy_request

ON = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN, Participant.Status.ALUMNI)


def build(ctx) -> None:
    frontdesk = ctx.staff["frontdesk"]
    people = sorted(
        (p for p in ctx.participants if p.status in ON and contacts(p)),
        key=lambda p: (p.last_name, p.first_name),
    )
    ParticipantAccount.objects.bulk_create(
        ParticipantAccount(participant=p, opened_by=frontdesk) for p in people
    )
    spanish = [p for p in people if p.status == Participant.Status.ACTIVE][2:3]
    Participant.objects.filter(pk__in=[p.pk for p in spanish]).update(language="es")
    in_care = [p for p in people if p.status == Participant.Status.ACTIVE]
    if in_care:
        account = ParticipantAccount.objects.get(participant=in_care[0])
        copy_request(account=account, request_text="Everything since I started, for my new doctor.")
    build_messages(ctx)  # i19m


# --- i19m: a conversation with the care team, for the tour ------------------------------------------------


def build_messages(ctx) -> None:
    """Sean (the first in care) asked his care team something yesterday and has his answer; the second
    in care wrote this morning and waits, so their clinician has it on the work list."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from bridge.portal import messaging

    people = sorted(
        (p for p in ctx.participants if p.status == Participant.Status.ACTIVE and contacts(p)),
        key=lambda p: (p.last_name, p.first_name),
    )
    accounts = {a.participant_id: a for a in ParticipantAccount.objects.filter(participant__in=people[:2])}
    if len(people) < 2 or len(accounts) < 2:
        return
    tz = people[0].program.tz
    day = timezone.localdate(timezone.now(), tz) - timedelta(days=1)
    while day.weekday() >= 5:  # a weekday, in office hours: no automatic reply
        day -= timedelta(days=1)
    asked = datetime.combine(day, time(12, 10), tzinfo=tz)
    messaging.message_send_participant(
        account=accounts[people[0].pk],
        body="Can my sister come to the family session next week? She can only make evenings.",
        now=asked,
    )
    answerer = messaging.message_answerer(people[0])
    if answerer is not None:
        messaging.message_send_staff(
            actor=answerer,
            participant=people[0],
            body="Yes, she is welcome. I will ask the front desk for an evening slot and let you know here.",
        )
    messaging.message_send_participant(
        account=accounts[people[1].pk],
        body="I had a hard weekend. Can we talk about it at my next session?",
        now=asked + timedelta(hours=1),
    )
