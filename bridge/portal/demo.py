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
