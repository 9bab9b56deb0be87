"""Reads used by more than one privacy view: consents, disclosures, the accounting window, reviews."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet

from bridge.audit.models import AuditEvent
from bridge.privacy.bases import ACCOUNTING_YEARS as YEARS
from bridge.privacy.models import Consent, Disclosure, EmergencyAccess
from bridge.privacy.vocab import Accountable

ACCOUNTING_YEARS = YEARS[Accountable.PART2]  # 42 CFR 2.25
HIPAA_ACCOUNTING_YEARS = YEARS[Accountable.HIPAA]  # 45 CFR 164.528


def accounting_window_start(as_of: date, years: int = ACCOUNTING_YEARS) -> date:
    """The first day an accounting requested on `as_of` covers: the same date `years` earlier."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February in a leap year: years back there may be no such day
        return as_of.replace(year=as_of.year - years, day=28)


def accounting_for(participant, as_of: date) -> QuerySet[Disclosure]:
    """Every accountable disclosure before `as_of`, oldest first: those made with consent in the 3 years
    before (42 CFR 2.25) and those HIPAA makes accountable in the 6 years before (45 CFR 164.528).

    Days are the program's days: a disclosure at 23:30 local time on the first day is in.
    """
    tz = participant.program.tz
    start = datetime.combine(accounting_window_start(as_of), time.min, tzinfo=tz)
    hipaa_start = datetime.combine(
        accounting_window_start(as_of, HIPAA_ACCOUNTING_YEARS), time.min, tzinfo=tz
    )
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=tz)
    return (
        Disclosure.objects.filter(
            Q(accountable=Accountable.PART2, created_at__gte=start)
            | Q(accountable=Accountable.HIPAA, created_at__gte=hipaa_start),
            participant=participant,
            outcome=Disclosure.Outcome.RELEASED,
            created_at__lt=end,
        )
        .select_related("consent")
        .order_by("created_at")
    )


def consents_for(participant) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(participant=participant)
        .prefetch_related("recipients")
        .select_related("recorded_by", "ended_by")
        .order_by("-signed_on", "-recorded_at")
    )


def disclosures_for(participant) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(participant=participant)
        .select_related("consent", "requested_by")
        .order_by("-created_at")
    )


def emergency_accesses(program_ids) -> QuerySet[EmergencyAccess]:
    return (
        EmergencyAccess.objects.filter(program_id__in=program_ids)
        .select_related("user", "participant", "reviewed_by")
        .order_by("reviewed_at", "-started_at")
    )


def reads_per_grant(grant_ids) -> dict[str, int]:
    """How many chart pages were opened under each emergency grant (one query for all of them)."""
    rows = (
        AuditEvent.objects.filter(action="read", detail__grant__in=[str(g) for g in grant_ids])
        .values("detail__grant")
        .annotate(n=Count("id"))
    )
    return {row["detail__grant"]: row["n"] for row in rows}
