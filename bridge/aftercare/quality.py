"""The directory's completion and 7-day follow-up signals, measured from recorded discharges and check-ins.

Completion replaces the directory's stand-in (alumni status) with how each stay ended: completing
the program or stepping down to outpatient counts as finishing; leaving early, a transfer to a
more intensive level and an administrative discharge do not. An episode that ended before Bridge
recorded discharge types still counts by the stand-in. Follow-up: of the people discharged in the
12 months shown (each at least 7 days ago), the share with a completed check-in or a reached
outreach contact within 7 days of leaving.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridge.aftercare.models import CheckIn, Discharge, Outreach
from bridge.core import measures as m
from bridge.core.measures import LABELS, YEAR, Measure, MeasureContext
from bridge.participants.models import Participant

FOLLOWUP_DAYS = 7
FINISHED = {Discharge.Type.COMPLETED, Discharge.Type.STEPPED_DOWN}
REACHED = {Outreach.Outcome.REACHED_WELL, Outreach.Outcome.REACHED_SUPPORT, Outreach.Outcome.STEP_UP}

COMPLETION_METHOD = (
    "Everyone discharged in the last 12 months, counted as finishing if they completed the program or "
    "stepped down to outpatient care; leaving early, a transfer to a more intensive level of care and "
    "an administrative discharge count as not finishing."
)
FOLLOWUP_METHOD = (
    "Everyone discharged in the 12 months shown (each at least 7 days ago), counted if a check-in was "
    "completed with them, or staff reached them, within 7 days of leaving."
)


def _completion(ctx: MeasureContext) -> m.Figure:
    start, end = ctx.today - YEAR, ctx.today
    ended = [e for e in ctx.episodes() if e.discharged_on is not None and start <= e.discharged_on <= end]
    types = dict(
        Discharge.objects.filter(episode__in=[e.pk for e in ended]).values_list("episode_id", "type")
    )
    finished = sum(
        1
        for e in ended
        if (types[e.pk] in FINISHED if e.pk in types else e.participant.status == Participant.Status.ALUMNI)
    )
    return m.share(
        key="completion",
        label=LABELS["completion"],
        method=COMPLETION_METHOD,
        numerator=finished,
        denominator=len(ended),
        counted="people who left the program",
        period=(start, end),
    )


def _followup(ctx: MeasureContext) -> m.Figure:
    end = ctx.today - timedelta(days=FOLLOWUP_DAYS)
    start = end - YEAR
    tz = ctx.program.tz
    discharges = list(
        Discharge.objects.filter(episode__program=ctx.program, discharged_on__range=(start, end)).values_list(
            "participant_id", "discharged_on"
        )
    )
    people = {pid for pid, _ in discharges}
    contacts: dict[object, list] = {}
    checkins = CheckIn.objects.filter(participant_id__in=people, status=CheckIn.Status.COMPLETED)
    outreach = Outreach.objects.filter(participant_id__in=people, outcome__in=REACHED)
    for pid, when in [
        *checkins.values_list("participant_id", "completed_at"),
        *outreach.values_list("participant_id", "recorded_at"),
    ]:
        if when is not None:
            contacts.setdefault(pid, []).append(timezone.localtime(when, tz).date())
    followed = sum(
        1
        for pid, left in discharges
        if any(left <= day <= left + timedelta(days=FOLLOWUP_DAYS) for day in contacts.get(pid, ()))
    )
    return m.share(
        key="followup_7d",
        label=LABELS["followup_7d"],
        method=FOLLOWUP_METHOD,
        numerator=followed,
        denominator=len(discharges),
        counted="people discharged",
        period=(start, end),
    )


def measures() -> list[Measure]:
    return [
        Measure("completion", LABELS["completion"], COMPLETION_METHOD, _completion, 30),
        Measure("followup_7d", LABELS["followup_7d"], FOLLOWUP_METHOD, _followup, 60),
    ]
