"""Attendance at sessions, for disclosures: one record per session the participant was on the roster of."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridge.privacy import fhir
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass
from bridge.scheduling.models import Attendance


def attendance(participant, date_from: date, date_to: date) -> Iterable[Record]:
    tz = participant.program.tz
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        Attendance.objects.filter(
            participant=participant, session__starts_at__gte=start, session__starts_at__lt=end
        )
        .select_related("session", "session__session_type")
        .order_by("session__starts_at")
    )
    for row in rows:
        session = row.session
        local = timezone.localtime(session.starts_at, tz)
        title = session.title or (
            session.session_type.name if session.session_type else session.get_kind_display()
        )
        yield Record(
            data_class=DataClass.ATTENDANCE,
            object_type="attendance",
            object_id=str(row.pk),
            title=f"{local:%Y-%m-%d %H:%M} {title}",
            when=local.date(),
            lines=(
                ("Session", f"{session.get_kind_display()}: {title}"),
                ("Attendance", row.get_status_display()),
                ("Minutes attended", str(row.minutes) if row.minutes is not None else "—"),
            ),
            resource=fhir.appointment(
                row.pk,
                participant.pk,
                status=row.status,
                start=session.starts_at,
                end=session.ends_at,
                title=title,
                kind=session.get_kind_display(),
                minutes=row.minutes,
                status_label=row.get_status_display(),
            ),
        )


PROVIDERS = {DataClass.ATTENDANCE: attendance}
