"""Demo reminder choices: most by email (the default), some by text or both, a few opted out."""

from __future__ import annotations

from bridge.notify.models import ReminderChannel, ReminderPreference
from bridge.participants.models import Participant


def build(ctx) -> None:
    frontdesk = ctx.staff["frontdesk"]
    rows = []
    for i, participant in enumerate(p for p in ctx.participants if p.status == Participant.Status.ACTIVE):
        if i % 5 == 1:
            rows.append(
                ReminderPreference(
                    participant=participant, channel=ReminderChannel.SMS, recorded_by=frontdesk
                )
            )
        elif i % 5 == 2:
            rows.append(
                ReminderPreference(
                    participant=participant, channel=ReminderChannel.BOTH, recorded_by=frontdesk
                )
            )
        elif i % 9 == 4:
            rows.append(ReminderPreference(participant=participant, opted_out=True, recorded_by=frontdesk))
    ReminderPreference.objects.bulk_create(rows)
