"""Reads used by more than one view: the figures a discharge summary is drafted from, and outcomes.

Hours attended are the minutes of attended statuses; the floor of each week is the hours ledger's
(bridge/scheduling/ledger.py `hours_for`: the level's floor, a step-down exception, or a planned
taper week), pro rata for the first and last, partial weeks of the stay.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Sum

from bridge.aftercare.models import CheckIn, Discharge, TaperPlan
from bridge.core.weeks import monday_of
from bridge.participants.models import EpisodeOfCare, LevelOfCare, Participant
from bridge.scheduling.models import Attendance


def attended_minutes(participant: Participant, start: date, end: date) -> int:
    """Minutes attended between two days (inclusive), from attended statuses only."""
    total = Attendance.objects.filter(
        participant=participant,
        status__in=Attendance.ATTENDED,
        session__starts_at__date__gte=start,
        session__starts_at__date__lte=end,
    ).aggregate(total=Sum("minutes"))["total"]
    return int(total or 0)


def required_minutes(episode: EpisodeOfCare, end: date, floors: dict | None = None) -> int:
    """The ledger's floors of every week of the episode up to `end`, pro rata for partial weeks.

    `floors` ({(participant id, Monday): floor minutes or None}, from `weekly_floors`) saves asking
    the ledger week by week when many summaries are drafted at once (the demo)."""
    from bridge.scheduling.ledger import hours_for

    participant = episode.participant
    total = 0.0
    monday = monday_of(episode.admitted_on)
    while monday <= end:
        first = max(monday, episode.admitted_on)
        last = min(monday + timedelta(days=6), end)
        if floors is not None:
            floor = floors.get((participant.pk, monday)) or 0
        else:
            floor = hours_for(participant, monday).floor_minutes or 0
        total += floor * ((last - first).days + 1) / 7
        monday += timedelta(days=7)
    return round(total)


def _measures(participant: Participant, start: date, end: date) -> list[dict]:
    """First and last score of each instrument given from intake up to discharge (mbc adds to this)."""
    from bridge.intake.models import InstrumentAdministration

    found: dict[str, list] = defaultdict(list)
    given = (
        InstrumentAdministration.objects.filter(
            participant=participant,
            entered_in_error_at__isnull=True,
            administered_at__date__lte=end,
        )
        .order_by("administered_at")
        .only("instrument", "total", "band", "sex", "scoring_settings", "administered_at")
    )
    for a in given:
        found[a.instrument].append(a)
    rows = []
    for code, items in sorted(found.items()):
        first, last = items[0], items[-1]
        rows.append(
            {
                "instrument": code,
                "count": len(items),
                "first": {
                    "on": first.administered_at.date().isoformat(),
                    "score": first.total_label,
                    "band": first.band_label,
                },
                "last": {
                    "on": last.administered_at.date().isoformat(),
                    "score": last.total_label,
                    "band": last.band_label,
                },
            }
        )
    return rows


def _screens(participant: Participant, start: date, end: date) -> dict:
    from bridge.clinical.models import DrugScreen

    screens = list(
        DrugScreen.objects.filter(
            participant=participant, error_at__isnull=True, collected_on__gte=start, collected_on__lte=end
        )
        .prefetch_related("results")
        .order_by("collected_on")
    )
    unexpected = []
    for s in screens:
        for r in s.results.all():
            if r.result == "positive" and not r.expected and r.confirmation != "confirmed_negative":
                unexpected.append(f"{s.collected_on.isoformat()} {r.get_substance_display()}")
    return {
        "count": len(screens),
        "unexpected_positive": len({u.split(" ")[0] for u in unexpected}),
        "unexpected": unexpected,
        "last_on": screens[-1].collected_on.isoformat() if screens else None,
    }


def _meds(participant: Participant, day: date) -> list[str]:
    from bridge.clinical.models import MedicationOrder

    orders = MedicationOrder.objects.filter(participant=participant, start_on__lte=day).select_related(
        "prescriber"
    )
    return [
        f"{o.get_drug_display()} {format(o.dose.normalize(), 'f')} {o.unit} "
        f"{o.get_frequency_display().lower()} "
        f"(prescriber {o.prescriber.get_full_name() or o.prescriber.username})"
        for o in orders
        if o.stop_on is None or o.stop_on > day
    ]


def goals_for(episode: EpisodeOfCare) -> list[dict]:
    from bridge.clinical.models import Goal, TreatmentPlan

    plan = TreatmentPlan.objects.filter(episode=episode).first()
    if plan is None or plan.current_version_id is None:
        return []
    return [
        {"statement": g.statement, "outcome": ""}
        for g in Goal.objects.filter(version_id=plan.current_version_id).order_by("position")
    ]


def weekly_floors(program, spans: list[tuple[Participant, date, date]]) -> dict:
    """{(participant id, Monday): the ledger's floor minutes (None: no floor)} for every week of each
    (participant, first day, last day) span: one ledger call per week for everyone, the same figures
    as `hours_for` week by week."""
    from bridge.scheduling.ledger import week_ledger

    weeks: dict[date, list] = defaultdict(list)
    for participant, first, last in spans:
        monday = monday_of(first)
        while monday <= last:
            weeks[monday].append(participant.pk)
            monday += timedelta(days=7)
    floors: dict = {}
    for monday, ids in sorted(weeks.items()):
        for line in week_ledger(program, monday, participants=ids):
            floors[(line.participant_id, monday)] = line.floor_minutes
    return floors


def summary_figures(discharge: Discharge, floors: dict | None = None) -> dict:
    """What the record says about the episode that `discharge` ended (JSON-ready; stored on the draft).

    `floors`: the weekly floors from `weekly_floors`, when many summaries are drafted at once."""
    # The level history once, for the levels list and every week's floor.
    episode = EpisodeOfCare.objects.prefetch_related("level_changes").get(pk=discharge.episode_id)
    participant = discharge.participant
    episode.participant = participant
    start, end = episode.admitted_on, discharge.discharged_on
    levels = [
        {
            "level": c.level_of_care,
            "label": LevelOfCare(c.level_of_care).label,
            "from": c.effective_on.isoformat(),
        }
        for c in sorted(episode.level_changes.all(), key=lambda c: (c.effective_on, c.created_at))
    ]
    tapers = list(TaperPlan.objects.filter(episode=episode))
    attended = attended_minutes(participant, start, end)
    required = required_minutes(episode, end, floors)
    return {
        "admitted_on": start.isoformat(),
        "discharged_on": end.isoformat(),
        "length_days": (end - start).days + 1,
        "type": discharge.get_type_display(),
        "destination": discharge.destination,
        "levels": levels,
        "taper": [
            {"week_of": w.isoformat(), "hours": round(m / 60, 1)} for t in tapers for w, m in t.weeks()
        ],
        "hours": {
            "attended": round(attended / 60, 1),
            "required": round(required / 60, 1),
            "percent": round(100 * attended / required) if required else None,
        },
        "measures": _measures(participant, start, end),
        "screens": _screens(participant, start, end),
        "medications": _meds(participant, end),
    }


def discharges_for(participant: Participant) -> list[Discharge]:
    return list(
        Discharge.objects.filter(participant=participant)
        .select_related("episode", "recorded_by", "summary")
        .order_by("-discharged_on")
    )


def checkins_for(participant: Participant) -> list[CheckIn]:
    return list(
        CheckIn.objects.filter(participant=participant).select_related("recorded_by").order_by("due_on")
    )


def trouble_signs(participant: Participant, today: date, days: int = 60) -> dict:
    """What a step-up decision looks at: recent check-in warnings, unexpected screens, latest measures."""
    from bridge.clinical.models import DrugScreenResult
    from bridge.intake.models import InstrumentAdministration

    since = today - timedelta(days=days)
    warned = [
        c
        for c in CheckIn.objects.filter(
            participant=participant, status=CheckIn.Status.COMPLETED, completed_at__date__gte=since
        ).order_by("-completed_at")
        if c.warnings()
    ]
    unexpected = list(
        DrugScreenResult.objects.filter(
            screen__participant=participant,
            screen__error_at__isnull=True,
            screen__collected_on__gte=since,
            result="positive",
            expected=False,
        )
        .exclude(confirmation="confirmed_negative")
        .select_related("screen")
        .order_by("-screen__collected_on")
    )
    latest: dict[str, InstrumentAdministration] = {}
    for a in InstrumentAdministration.objects.filter(
        participant=participant, entered_in_error_at__isnull=True
    ).order_by("administered_at"):
        latest[a.instrument] = a
    return {
        "checkins": warned,
        "screens": unexpected,
        "measures": sorted(latest.values(), key=lambda a: a.instrument),
    }
