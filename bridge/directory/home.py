"""The director's home panel about the public listing: what expired and dropped off it, what expires soon."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.core.panels import Panel
from bridge.directory.access import programs_directed
from bridge.directory.models import ProgramAccreditation, ProgramLicense, ProgramProfile


def panels(request) -> list[Panel]:
    programs = list(programs_directed(request.user))
    if not programs:
        return []
    today = timezone.localdate()
    soon = today + timedelta(days=ProgramAccreditation.EXPIRING_SOON_DAYS)
    flagged = [
        *ProgramAccreditation.objects.filter(
            program__in=programs, ended_at__isnull=True, expires_on__lte=soon
        ).select_related("program"),
        *ProgramLicense.objects.filter(
            program__in=programs, ended_at__isnull=True, expires_on__lte=soon
        ).select_related("program"),
    ]
    flagged.sort(key=lambda item: item.expires_on)
    published = set(
        ProgramProfile.objects.filter(program__in=programs, published=True).values_list(
            "program_id", flat=True
        )
    )
    context = {
        "flagged": flagged,
        "expired": [item for item in flagged if item.expires_on < today],
        "programs": [(p, p.pk in published) for p in programs],
    }
    return [Panel("directory/panels/listing.html", context, order=45)]
