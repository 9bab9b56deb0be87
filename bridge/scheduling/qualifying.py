"""Which attended minutes count, for whom: the qualifying services of a participant.

Each session type carries, per payer (with a program default), whether it counts toward the level
of care's weekly hours, whether it is a billable IOP service, and which modalities count
(ServiceRule). Without a row the built-in defaults apply:
  * group therapy, individual therapy, family sessions and psychoeducation count toward hours and
    are billable IOP services, in person and by video (not audio only);
  * life-skills groups count toward hours but are not billable IOP services;
  * medication visits and drug screens are not therapeutic services: they count toward neither;
  * alumni events never count (whatever a rule says);
  * Medicare counts in-person services only (42 CFR 410.44: no virtual IOP) unless a
    Medicare-specific row says otherwise.

For billing (issue 17) and anyone else, the documented entry points are:
  * `qualifying_services(participant, day)` — one participant's services on one local day;
  * `qualifying_week(participant, week_start)` — the same for an ISO week;
  * `evaluate(program, rows, payers)` — the batch form the hours ledger uses.
Each returns `Qualifying`: every attended `Service` with `counts_toward_hours`, `billable` and, for
what did not count, a `reason` such as "Drug-screen visit, 15 min: not a therapeutic service".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridge.scheduling.hours import format_minutes
from bridge.scheduling.models import (
    Attendance,
    EpisodePayer,
    PayerRule,
    ServiceRule,
    Session,
    SessionKind,
    SessionType,
)

Cat = SessionType.Category
M = Session.Modality
THERAPEUTIC = {Cat.GROUP_THERAPY, Cat.PSYCHOEDUCATION, Cat.FAMILY, Cat.INDIVIDUAL}
CATEGORY_OF_KIND = {
    SessionKind.GROUP: Cat.GROUP_THERAPY,
    SessionKind.INDIVIDUAL: Cat.INDIVIDUAL,
    SessionKind.FAMILY: Cat.FAMILY,
    SessionKind.MEDICATION: Cat.MEDICAL,
    SessionKind.DRUG_SCREEN: Cat.MEDICAL,
    SessionKind.ALUMNI: Cat.ALUMNI,
}
MODALITY_WORDS = {
    M.IN_PERSON: "in person",
    M.TELEHEALTH: "by video",
    M.AUDIO_ONLY: "by telephone (audio only)",
}
# Medicare's IOP per diem: 3 services a day, or 4 and more (a higher rate).
MEDICARE_LOW, MEDICARE_HIGH = 3, 4


@dataclass(frozen=True)
class Counting:
    """How one session type counts for one payer."""

    counts_toward_hours: bool
    billable_service: bool
    modalities: frozenset
    source: str  # "payer", "program" or "default"


def default_counting(category: str, payer_kind: str | None) -> Counting:
    """The built-in rule for a category of session (see the module docstring)."""
    if category in THERAPEUTIC:
        counting = Counting(True, True, frozenset({M.IN_PERSON, M.TELEHEALTH}), "default")
    elif category == Cat.LIFE_SKILLS:
        counting = Counting(True, False, frozenset({M.IN_PERSON, M.TELEHEALTH}), "default")
    else:
        counting = Counting(False, False, frozenset(), "default")
    return counting


def _from_row(row: ServiceRule, source: str) -> Counting:
    modalities = {M.IN_PERSON} if row.in_person else set()
    modalities |= {M.TELEHEALTH} if row.video else set()
    modalities |= {M.AUDIO_ONLY} if row.audio_only else set()
    return Counting(row.counts_toward_hours, row.billable_service, frozenset(modalities), source)


@dataclass(frozen=True)
class Service:
    """One attended session of one participant and whether (and why not) it counts."""

    attendance_id: uuid.UUID
    session_id: uuid.UUID
    participant_id: uuid.UUID
    day: date
    starts_at: datetime
    title: str
    kind: str
    modality: str
    minutes: int
    counts_toward_hours: bool
    billable: bool
    reason: str = ""  # why it does not count toward hours ("" when it does)
    billing_reason: str = ""  # why it is not a billable IOP service ("" when it is)

    def as_dict(self) -> dict:
        return {
            "session": str(self.session_id),
            "title": self.title,
            "day": self.day.isoformat(),
            "minutes": self.minutes,
            "reason": self.reason or self.billing_reason,
        }


@dataclass
class Qualifying:
    """A participant's attended services over a span, with what counted and what did not."""

    services: list[Service] = field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.services)

    @property
    def qualifying_minutes(self) -> int:
        return sum(s.minutes for s in self.services if s.counts_toward_hours)

    @property
    def not_counted(self) -> list[Service]:
        return [s for s in self.services if not s.counts_toward_hours]

    @property
    def billable(self) -> list[Service]:
        return [s for s in self.services if s.billable]

    @property
    def qualifying_by_day(self) -> dict[date, int]:
        found: dict[date, int] = {}
        for s in self.services:
            if s.counts_toward_hours:
                found[s.day] = found.get(s.day, 0) + s.minutes
        return found

    @property
    def billable_by_day(self) -> dict[date, int]:
        found: dict[date, int] = {}
        for s in self.billable:
            found[s.day] = found.get(s.day, 0) + s.minutes
        return found

    @property
    def services_per_day(self) -> dict[date, int]:
        """Billable IOP services a day (Medicare's per diem: 3, or 4 and more)."""
        found: dict[date, int] = {}
        for s in self.billable:
            found[s.day] = found.get(s.day, 0) + 1
        return found


def medicare_tier(services: int) -> str:
    """Which Medicare IOP per diem a day's count of qualifying services reaches."""
    if services >= MEDICARE_HIGH:
        return "4+ services"
    if services >= MEDICARE_LOW:
        return "3 services"
    return "below 3: no IOP day"


class Rules:
    """The program's ServiceRule rows, resolved per session type and payer (one query)."""

    def __init__(self, program):
        self.rows: dict = {}
        for row in ServiceRule.objects.filter(program=program):
            self.rows[(row.session_type_id, row.payer_id)] = row

    def counting(self, session_type_id, category: str, payer: PayerRule | None) -> Counting:
        if category == Cat.ALUMNI:
            return Counting(False, False, frozenset(), "default")
        medicare = payer is not None and payer.kind == PayerRule.Kind.MEDICARE
        row = self.rows.get((session_type_id, payer.pk)) if payer is not None else None
        if row is not None:
            return _from_row(row, "payer")
        row = self.rows.get((session_type_id, None))
        counting = _from_row(row, "program") if row is not None else default_counting(category, None)
        if medicare:
            counting = Counting(
                counting.counts_toward_hours,
                counting.billable_service,
                counting.modalities & {M.IN_PERSON},
                counting.source,
            )
        return counting


def _judge(row: Mapping, counting: Counting, payer: PayerRule | None, category: str) -> tuple[str, str]:
    """(reason it does not count toward hours, reason it is not billable) for one attended session."""
    head = f"{row['title']}, {format_minutes(row['minutes'])}"
    who = payer.name if payer is not None else "the program"
    if category == Cat.ALUMNI:
        reason = f"{head}: alumni events never count"
        return reason, reason
    if category == Cat.MEDICAL and counting.source == "default":
        reason = f"{head}: not a therapeutic service"
        return reason, reason
    modality_reason = ""
    if row["modality"] not in counting.modalities:
        how = MODALITY_WORDS.get(row["modality"], row["modality"])
        if payer is not None and payer.kind == PayerRule.Kind.MEDICARE and counting.source != "payer":
            modality_reason = f"{head}: {how}; Medicare counts in-person services only"
        else:
            modality_reason = f"{head}: {how} does not count for {who}"
    hours_reason = modality_reason or (
        "" if counting.counts_toward_hours else f"{head}: does not count toward hours for {who}"
    )
    billing_reason = modality_reason or (
        "" if counting.billable_service else f"{head}: not a billable IOP service for {who}"
    )
    return hours_reason, billing_reason


def evaluate(program, rows: Iterable[Mapping], payers: Mapping) -> dict:
    """participant id -> Qualifying, for attendance rows (dicts with the ROW_FIELDS keys, plus
    `minutes`) and each participant's payer (a PayerRule or None)."""
    tz = program.tz
    rules = Rules(program)
    found: dict = {}
    for row in rows:
        pid = row["participant_id"]
        payer = payers.get(pid)
        kind = row["session__kind"]
        category = row["session__session_type__category"] or CATEGORY_OF_KIND.get(kind, Cat.MEDICAL)
        counting = rules.counting(row["session__session_type_id"], category, payer)
        title = row["session__title"] or row["session__session_type__name"] or SessionKind(kind).label
        judged = {**row, "title": title, "modality": row["session__modality"]}
        reason, billing_reason = _judge(judged, counting, payer, category)
        service = Service(
            attendance_id=row["id"],
            session_id=row["session_id"],
            participant_id=pid,
            day=timezone.localtime(row["session__starts_at"], tz).date(),
            starts_at=row["session__starts_at"],
            title=title,
            kind=row["session__kind"],
            modality=row["session__modality"],
            minutes=row["minutes"],
            counts_toward_hours=not reason,
            billable=not billing_reason,
            reason=reason,
            billing_reason=billing_reason,
        )
        found.setdefault(pid, Qualifying()).services.append(service)
    for q in found.values():
        q.services.sort(key=lambda s: s.starts_at)
    return found


ROW_FIELDS = (
    "id",
    "participant_id",
    "session_id",
    "session__starts_at",
    "session__kind",
    "session__title",
    "session__modality",
    "session__session_type_id",
    "session__session_type__name",
    "session__session_type__category",
)


def attended_rows(participant_ids: Iterable, start: datetime, end: datetime):
    """Attended rows with minutes of non-cancelled sessions starting in [start, end), as dicts."""
    return (
        Attendance.objects.filter(
            participant_id__in=list(participant_ids),
            session__starts_at__gte=start,
            session__starts_at__lt=end,
            status__in=Attendance.ATTENDED,
            minutes__isnull=False,
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .values(*ROW_FIELDS, "minutes")
    )


def payer_on(participant, day: date) -> PayerRule | None:
    """The payer rule of the participant's episode of care in effect on `day` (None: no payer)."""
    row = (
        EpisodePayer.objects.filter(episode__participant=participant, episode__admitted_on__lte=day)
        .select_related("rule")
        .order_by("-episode__admitted_on")
        .first()
    )
    return row.rule if row else None


def qualifying_between(participant, first: date, days: int) -> Qualifying:
    tz = participant.program.tz
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(first + timedelta(days=days), time(0), tzinfo=tz)
    rows = attended_rows([participant.pk], start, end)
    payers = {participant.pk: payer_on(participant, first)}
    return evaluate(participant.program, rows, payers).get(participant.pk, Qualifying())


def qualifying_services(participant, day: date) -> Qualifying:
    """A participant's attended services on one local day: what counts toward hours, what is a
    billable IOP service, and for the rest the reason (for the participant's payer that day)."""
    return qualifying_between(participant, day, 1)


def qualifying_week(participant, week_start: date) -> Qualifying:
    """The same for the ISO week starting on Monday `week_start`."""
    return qualifying_between(participant, week_start, 7)
