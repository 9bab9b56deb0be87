"""The director's outcomes report: retention in recovery at 30/90/180 days and re-admissions.

For a window of N days, the discharges counted are those at least N days ago. Someone is *in
recovery at N days* when their latest completed check-in due within N days reports no use and they
were not re-admitted within N days. *Reached* counts those with such a check-in at all; the share in
recovery is given of both (everyone discharged, and those reached), so missing follow-up is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bridge.aftercare.models import CheckIn, Discharge
from bridge.participants.models import EpisodeOfCare

WINDOWS = (30, 90, 180)


@dataclass(frozen=True)
class OutcomeRow:
    days: int
    discharged: int
    reached: int
    in_recovery: int
    readmitted: int

    @property
    def percent_of_discharged(self) -> int | None:
        return round(100 * self.in_recovery / self.discharged) if self.discharged else None

    @property
    def percent_of_reached(self) -> int | None:
        return round(100 * self.in_recovery / self.reached) if self.reached else None


def outcomes(program_ids: list, today: date, windows=WINDOWS) -> list[OutcomeRow]:
    """One row per window, in three queries whatever the number of discharges."""
    discharges = list(
        Discharge.objects.filter(participant__program_id__in=program_ids, discharged_on__lte=today).values(
            "pk", "participant_id", "discharged_on"
        )
    )
    ids = [d["pk"] for d in discharges]
    checkins: dict = {}
    for c in (
        CheckIn.objects.filter(discharge_id__in=ids, status=CheckIn.Status.COMPLETED)
        .order_by("day_offset")
        .values("discharge_id", "day_offset", "any_use")
    ):
        checkins.setdefault(c["discharge_id"], []).append(c)
    admissions: dict = {}
    for e in EpisodeOfCare.objects.filter(
        participant_id__in={d["participant_id"] for d in discharges}
    ).values("participant_id", "admitted_on"):
        admissions.setdefault(e["participant_id"], []).append(e["admitted_on"])
    rows = []
    for days in windows:
        counted = reached = well = readmitted = 0
        for d in discharges:
            if d["discharged_on"] + timedelta(days=days) > today:
                continue
            counted += 1
            until = d["discharged_on"] + timedelta(days=days)
            back = any(d["discharged_on"] < a <= until for a in admissions.get(d["participant_id"], []))
            readmitted += back
            done = [c for c in checkins.get(d["pk"], []) if c["day_offset"] <= days]
            if done:
                reached += 1
                if done[-1]["any_use"] is False and not back:
                    well += 1
        rows.append(OutcomeRow(days, counted, reached, well, readmitted))
    return rows
