"""Reads of the revenue cycle used by more than one page: a participant's billing record, the
authorization work list (usage computed from charges and scheduled sessions), the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from bridge.billing.models import (
    Authorization,
    Certification,
    Charge,
    Claim,
    Coverage,
    Denial,
    EligibilityCheck,
    PayerKind,
)
from bridge.participants.models import Participant
from bridge.programs.models import Program
from bridge.scheduling.models import Attendance, AttendanceChange, Session

NEAR_DAYS = 5
NEAR_FRACTION = 0.2


@dataclass
class Usage:
    authorization: Authorization
    used: int
    scheduled: int
    today: date

    @property
    def remaining(self) -> int:
        return self.authorization.units_approved - self.used

    @property
    def remaining_after_scheduled(self) -> int:
        return self.remaining - self.scheduled

    @property
    def days_left(self) -> int:
        return (self.authorization.ends_on - self.today).days

    @property
    def warnings(self) -> list[str]:
        a = self.authorization
        if a.status != Authorization.Status.APPROVED or a.ends_on < self.today:
            return []
        found = []
        if self.days_left <= NEAR_DAYS:
            found.append(
                f"ends in {self.days_left} day{'s' if self.days_left != 1 else ''} ({a.ends_on:%b %-d})"
            )
        if self.remaining <= a.units_approved * NEAR_FRACTION:
            found.append(f"{self.remaining} of {a.units_approved} {a.unit} left")
        elif self.remaining_after_scheduled < 0:
            found.append(f"sessions already scheduled need {-self.remaining_after_scheduled} more {a.unit}")
        return found

    @property
    def review_due(self) -> bool:
        a = self.authorization
        return a.next_review_on is not None and a.next_review_on <= self.today + timedelta(days=2)


def usage_for(authorizations: list[Authorization], today: date | None = None) -> list[Usage]:
    """Units used (live charges against each authorization) and scheduled (future billable days of
    the participant inside its span), in two queries for the whole list."""
    today = today or timezone.localdate()
    ids = [a.pk for a in authorizations]
    used = dict(
        Charge.objects.filter(authorization_id__in=ids)
        .exclude(status=Charge.Status.VOID)
        .values_list("authorization_id")
        .annotate(n=Sum("units"))
    )
    scheduled: dict = {}
    if authorizations:
        tz = authorizations[0].participant.program.tz
        last = max(a.ends_on for a in authorizations)
        days = _scheduled_days({a.participant_id for a in authorizations}, tz, today, last)
        for a in authorizations:
            inside = [d for d in days.get(a.participant_id, ()) if a.starts_on <= d <= a.ends_on]
            scheduled[a.pk] = len(inside)  # one unit, visit or day per scheduled day
    return [Usage(a, used.get(a.pk) or 0, scheduled.get(a.pk, 0), today) for a in authorizations]


@dataclass(frozen=True)
class OutsideAuthorization:
    """A planned or scheduled service no authorization would pay for, and why in words."""

    participant_id: object
    participant_name: str
    day: date
    what: str
    detail: str


def outside_authorization(items, tz, today: date | None = None) -> list[OutsideAuthorization]:
    """Which of `items` ((participant, day, what) for services being planned or on the calendar) fall
    outside every authorization: the participant's payer on that day needs one and no approved one
    covers the day, or the covering ones have no units left once the days already billed and the
    days on the calendar before it are counted.

    Days are counted as `usage_for` counts them: one unit per distinct day of service. Each day is
    given, in date order, to the first covering authorization with units left; a day already on the
    calendar costs nothing more. Four queries whatever the number of items.
    """
    today = today or timezone.localdate()
    items = [(p, d, what) for p, d, what in items if d >= today]
    if not items:
        return []
    people = {p.pk: p for p, _, _ in items}
    coverages: dict = {}
    for c in Coverage.objects.filter(participant_id__in=people).select_related("plan__payer"):
        coverages.setdefault(c.participant_id, []).append(c)
    auths: dict = {}
    for a in Authorization.objects.filter(
        participant_id__in=people, status=Authorization.Status.APPROVED, ends_on__gte=today
    ).order_by("starts_on"):
        auths.setdefault(a.participant_id, []).append(a)
    left = dict(
        Charge.objects.filter(authorization_id__in=[a.pk for group in auths.values() for a in group])
        .exclude(status=Charge.Status.VOID)
        .values_list("authorization_id")
        .annotate(n=Sum("units"))
    )
    left = {a.pk: a.units_approved - (left.get(a.pk) or 0) for group in auths.values() for a in group}
    last = max(d for _, d, _ in items)
    calendar = _scheduled_days(people, tz, today, last)
    wanted: dict = {}
    for p, d, _ in items:
        wanted.setdefault(p.pk, set()).add(d)
    problems: dict = {}
    for pid, days in wanted.items():
        for day in sorted(days | calendar.get(pid, set())):
            primary = primary_coverage_on(coverages.get(pid, []), day)
            if primary is None or not primary.payer.requires_authorization:
                continue
            if primary.payer.kind in (PayerKind.SELF_PAY, PayerKind.GRANT):
                continue
            covering = [a for a in auths.get(pid, ()) if a.covers(day)]
            if not covering:
                spans = "; ".join(
                    f"{a.reference_number} runs {a.starts_on:%b %-d} to {a.ends_on:%b %-d}"
                    for a in auths.get(pid, ())
                )
                problems[(pid, day)] = (
                    f"No approved {primary.payer.name} authorization covers {day:%b %-d}"
                    + (f" ({spans})" if spans else "")
                )
                continue
            auth = next((a for a in covering if left[a.pk] > 0), None)
            if auth is None:
                a = covering[0]
                problems[(pid, day)] = (
                    f"Beyond authorization {a.reference_number}: its {a.units_approved} {a.unit} are "
                    f"used by charges and sessions already scheduled before {day:%b %-d}"
                )
                continue
            left[auth.pk] -= 1
    return [
        OutsideAuthorization(p.pk, p.display_name, d, what, problems[(p.pk, d)])
        for p, d, what in sorted(items, key=lambda i: (i[1], i[0].display_name))
        if (p.pk, d) in problems
    ]


def calendar_outside_authorization(program_ids, today: date | None = None, days: int = 14):
    """Sessions on the calendar in the next `days` days that fall outside any authorization.

    Only the people with a coverage whose payer asks for authorizations are looked at, and their
    roster rows are read as plain values (a large program has tens of thousands in two weeks)."""
    today = today or timezone.localdate()
    needs_one = Coverage.objects.filter(
        participant_id=OuterRef("participant_id"), plan__payer__requires_authorization=True
    ).exclude(plan__payer__kind__in=[PayerKind.SELF_PAY, PayerKind.GRANT])
    rows = (
        Attendance.objects.filter(
            Exists(needs_one),
            session__program_id__in=program_ids,
            session__starts_at__gte=timezone.now(),
            session__starts_at__lt=timezone.now() + timedelta(days=days),
            session__status=Session.Status.SCHEDULED,
            status=Attendance.Status.EXPECTED,
        )
        .order_by("session__starts_at")
        .values_list("participant_id", "session__program_id", "session__starts_at", "session__title")
    )
    by_program: dict = {}
    for pid, program_id, starts_at, title in rows:
        by_program.setdefault(program_id, []).append((pid, starts_at, title))
    if not by_program:
        return []
    people = Participant.objects.only("id", "first_name", "last_name", "preferred_name").in_bulk(
        {pid for group in by_program.values() for pid, _, _ in group}
    )
    found: list[OutsideAuthorization] = []
    for program in Program.objects.filter(pk__in=by_program):
        items = []
        for pid, starts_at, title in by_program[program.pk]:
            starts = timezone.localtime(starts_at, program.tz)
            items.append((people[pid], starts.date(), f"{title} {starts:%H:%M}"))
        found += outside_authorization(items, program.tz, today)
    return found


def _scheduled_days(participant_ids, tz, first: date, last: date) -> dict:
    """Days with a scheduled session the participant is expected at, per participant."""
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    rows = Attendance.objects.filter(
        participant_id__in=participant_ids,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
        session__status=Session.Status.SCHEDULED,
        status=Attendance.Status.EXPECTED,
    ).values_list("participant_id", "session__starts_at")
    days: dict = {}
    for pid, starts in rows:
        days.setdefault(pid, set()).add(timezone.localtime(starts, tz).date())
    return days


def authorization_worklist(program_ids, today: date | None = None) -> list[Usage]:
    """Approved, current authorizations that need attention: near their end, near their units, or due
    for review."""
    auths = list(
        Authorization.objects.filter(
            participant__program_id__in=program_ids,
            status=Authorization.Status.APPROVED,
            ends_on__gte=today or timezone.localdate(),
        ).select_related("participant__program", "coverage__plan__payer")
    )
    return [u for u in usage_for(auths, today) if u.warnings or u.review_due]


def current_certification(participant, day: date) -> Certification | None:
    return participant.certifications.filter(valid_from__lte=day, valid_through__gte=day).first()


def participant_billing(participant) -> dict:
    today = timezone.localdate()
    coverages = list(participant.coverages.select_related("plan__payer").order_by("ends_on", "order"))
    auths = list(
        participant.authorizations.select_related(
            "participant__program", "coverage__plan__payer"
        ).prefetch_related("reviews")
    )
    certs = list(participant.certifications.select_related("signed_by"))
    medicare = any(c.plan.payer.requires_certification and c.covers(today) for c in coverages)
    current = next((c for c in certs if c.valid_from <= today <= c.valid_through), None)
    return {
        "coverages": coverages,
        "usages": usage_for(auths, today),
        "certifications": certs,
        "needs_certification": medicare,
        "current_certification": current,
        "eligibility": list(
            EligibilityCheck.objects.filter(coverage__participant=participant).select_related(
                "coverage__plan"
            )[:10]
        ),
        "charges": list(
            participant.charges.select_related("claim", "rendering").order_by("-service_date")[:60]
        ),
        "claims": list(
            participant.claims.select_related("coverage__plan__payer").annotate(n=Count("lines"))[:20]
        ),
        "today": today,
    }


def open_denials(program_ids):
    return (
        Denial.objects.filter(claim__program_id__in=program_ids, resolved_at__isnull=True)
        .select_related("claim__participant", "claim__coverage__plan__payer", "charge")
        .order_by("created_at")
    )


def claims_by_status(program_ids) -> dict[str, int]:
    return dict(
        Claim.objects.filter(program_id__in=program_ids).values_list("status").annotate(n=Count("id"))
    )


def primary_coverage_on(coverages: list[Coverage], day: date) -> Coverage | None:
    live = [c for c in coverages if c.covers(day)]
    return min(live, key=lambda c: c.order) if live else None


@dataclass(frozen=True)
class ChangedAfterCharge:
    """A live charge whose attendance was corrected afterwards to not attended: the line stands for a
    service that, by the record, did not happen."""

    charge: Charge
    change: AttendanceChange  # the correction made after the charge


def attendance_changed_after_charge(program_ids) -> list[ChangedAfterCharge]:
    """Live charges (ready, on a claim, or a self-pay bill) with a session whose attendance was
    corrected to not attended (no-show, excused…) after the charge was made, oldest first. A fixed
    number of queries: the corrections, then the charges of the people they concern."""
    latest: dict = {}
    # Older than a claim can still be filed or corrected (a year and a month) is history, not work.
    since = timezone.now() - timedelta(days=400)
    for change in (
        AttendanceChange.objects.filter(
            attendance__session__program_id__in=program_ids, changed_at__gte=since
        )
        .select_related("attendance", "changed_by")
        .order_by("changed_at")
    ):
        latest[change.attendance_id] = change
    wrong = {
        (c.attendance.participant_id, str(c.attendance.session_id)): c
        for c in latest.values()
        if c.attendance.status not in Attendance.ATTENDED
    }
    if not wrong:
        return []
    found = []
    for charge in (
        Charge.objects.filter(program_id__in=program_ids, participant_id__in={pid for pid, _s in wrong})
        .exclude(status=Charge.Status.VOID)
        .select_related("participant", "claim")
        .order_by("service_date", "created_at")
    ):
        for session_id in charge.sessions:
            corrected = wrong.get((charge.participant_id, str(session_id)))
            if corrected is not None and corrected.changed_at > charge.created_at:
                found.append(ChangedAfterCharge(charge, corrected))
                break
    return found
