"""The participant app's records for disclosures and the participant's own copy (bridge/privacy/providers.py):
messages with the care team, as part of the progress notes class (they are the care team's
communication with the participant, documented in the record). Automatic replies are included too:
they are what the participant was told."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bridge.portal.models import Message
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass

AUTHOR_TITLES: dict[str, str] = {
    Message.Author.PARTICIPANT: "Message from the participant",
    Message.Author.STAFF: "Message from the care team",
    Message.Author.AUTOMATIC: "Automatic reply (outside office hours)",
}


def messages(participant, date_from: date, date_to: date) -> Iterable[Record]:
    tz = participant.program.tz
    start = datetime.combine(date_from, time(0), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
    rows = (
        Message.objects.filter(thread__participant=participant, sent_at__gte=start, sent_at__lt=end)
        .select_related("staff")
        .order_by("sent_at")
    )
    for m in rows:
        sent = m.sent_at.astimezone(tz)
        lines = [("Sent", f"{sent:%Y-%m-%d %H:%M}")]
        if m.staff_id:
            lines.append(("From", str(m.staff)))
        lines.append(("Message", m.body))
        yield Record(
            data_class=DataClass.PROGRESS_NOTES,
            object_type="portal_message",
            object_id=str(m.pk),
            title=AUTHOR_TITLES.get(m.author, "Message"),
            when=sent.date(),
            lines=tuple(lines),
        )


PROVIDERS = {DataClass.PROGRESS_NOTES: messages}
