"""The directory's MOUD signal, measured from treatment-plan diagnoses and medication records.

Who counts: participants of the program with opioid use disorder (an F11 code on any version of
their treatment plan) whose first medication for it — buprenorphine, naltrexone (oral or
extended-release) or methadone dispensed by an opioid treatment program — started in the twelve
months that end 180 days before the day measured, so that every one of them has reached day 180.
Continuing: some medication for opioid use disorder was in force on day 180 after that first start
(a switch between medications counts as continuing).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from bridge.clinical import medication
from bridge.clinical.models import MedicationOrder, OtpEnrollment, Problem
from bridge.core import measures as m
from bridge.core.measures import LABELS, MOUD_METHOD, YEAR, Measure, MeasureContext

CONTINUE_DAYS = 180
OUD_CODE_PREFIX = "F11"
MOUD_DRUGS = tuple(code for code, drug in medication.DRUGS.items() if drug.opioid_agonist or drug.naltrexone)

Interval = tuple[date, date | None]


def _oud_participants(program) -> set:
    return set(
        Problem.objects.filter(
            code__startswith=OUD_CODE_PREFIX, version__plan__episode__program=program
        ).values_list("version__plan__participant_id", flat=True)
    )


def _moud_intervals(participant_ids: set) -> dict[object, list[Interval]]:
    intervals: dict[object, list[Interval]] = defaultdict(list)
    orders = MedicationOrder.objects.filter(participant_id__in=participant_ids, drug__in=MOUD_DRUGS)
    for pid, start, stop in orders.values_list("participant_id", "start_on", "stop_on"):
        intervals[pid].append((start, stop))
    otp = OtpEnrollment.objects.filter(participant_id__in=participant_ids)
    for pid, start, stop in otp.values_list("participant_id", "started_on", "ended_on"):
        intervals[pid].append((start, stop))
    return intervals


def _in_force(intervals: list[Interval], day: date) -> bool:
    return any(start <= day and (stop is None or stop >= day) for start, stop in intervals)


def _moud_180(ctx: MeasureContext) -> m.Figure:
    end = ctx.today - timedelta(days=CONTINUE_DAYS)
    start = end - YEAR
    oud = _oud_participants(ctx.program)
    started = continuing = 0
    for intervals in _moud_intervals(oud).values():
        first = min(s for s, _ in intervals)
        if not start <= first <= end:
            continue
        started += 1
        continuing += _in_force(intervals, first + timedelta(days=CONTINUE_DAYS))
    return m.share(
        key="moud_180",
        label=LABELS["moud_180"],
        method=METHOD,
        numerator=continuing,
        denominator=started,
        counted="people with opioid use disorder who started medication",
        period=(start, end),
    )


METHOD = (
    f"{MOUD_METHOD} Opioid use disorder is an F11 diagnosis on the person's treatment plan; the "
    "medication is buprenorphine, naltrexone (by mouth or monthly injection) or methadone from an "
    "opioid treatment program. People whose first medication started in the 12 months shown (so "
    "that each has reached day 180) are counted as continuing if a medication for opioid use "
    "disorder was in force 180 days after that start; switching medications counts as continuing."
)


def measures() -> list[Measure]:
    return [Measure("moud_180", LABELS["moud_180"], METHOD, _moud_180, 50)]
