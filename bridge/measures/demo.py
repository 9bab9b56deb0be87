"""Demo measures: PHQ-9 and GAD-7 every two weeks and BAM monthly since admission for every active
participant, most improving, a few flat or worse, some now due or overdue; one participant's latest
PHQ-9 has an unacknowledged item-9 alert, another an acknowledged one; a few answered by private link.

Deterministic (ctx.rng). Rows are written directly, as the other demos do (a fixture, not a workflow).
Safety alerts that intake's demo screenings raised for people since admitted are acknowledged as
handled at intake, so the only open alert is the one this demo means to show.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from bridge import instruments
from bridge.accounts.models import User
from bridge.core.tokens import token_hash
from bridge.intake.models import InstrumentAdministration
from bridge.measures.models import AlertAcknowledgement, MeasureLink, MeasureSchedule
from bridge.measures.services import safety_alerts
from bridge.participants.models import EpisodeOfCare

SCORING = instruments.DEFAULT_SETTINGS.as_dict()


def _spread(rng, total: int, n: int, top: int) -> list[int]:
    """n item values in 0..top that sum to `total` (capped at n * top)."""
    values = [0] * n
    for _ in range(min(total, n * top)):
        i = rng.choice([k for k in range(n) if values[k] < top])
        values[i] += 1
    return values


def _phq9(rng, total: int, item9: int = 0) -> list[int]:
    return [*_spread(rng, max(0, total - item9), 8, 3), item9]


def _bam(rng, use: int, risk: int, protective: int) -> list[int]:
    values = [0] * 17
    for items, target in (((4, 5, 6), use), ((1, 2, 3, 8, 11, 15), risk), ((9, 10, 12, 13, 16), protective)):
        for i, v in zip(items, _spread(rng, target, len(items), 4), strict=True):
            values[i - 1] = v
    values[13] = 4  # item 14: enough income (Yes = 4)
    values[6] = min(4, use)  # item 7 (drug types) is answered but never scored
    values[16] = rng.randint(0, 2)
    return values


def build(ctx) -> None:
    rng, today, program = ctx.rng, ctx.today, ctx.program
    tz = program.tz
    nurse = ctx.staff["nurse"]
    episodes = list(
        EpisodeOfCare.objects.filter(program=program, status=EpisodeOfCare.Status.ACTIVE).select_related(
            "participant"
        )
    )
    episodes.sort(key=lambda e: (e.participant.created_at, e.participant.last_name))
    rows: list[InstrumentAdministration] = []
    links: list[tuple[MeasureLink, int]] = []
    acks: list[tuple[int, User, str]] = []

    def give(p, code, responses, day, by, *, link: bool = False) -> int:
        result = instruments.score(code, responses)
        at = datetime.combine(day, time(18, 20) if by else time(21, 5), tzinfo=tz)
        rows.append(
            InstrumentAdministration(
                participant=p,
                instrument=code,
                responses=responses,
                total=result.total,
                band=result.band,
                alerts=list(result.alerts),
                scoring_settings=SCORING,
                source="staff" if by else "self_report",
                administered_at=min(at, timezone.now() - timedelta(minutes=5)),
                administered_by=by,
            )
        )
        if link:
            links.append(
                (
                    MeasureLink(
                        participant=p,
                        instrument=code,
                        token_hash=token_hash(f"demo-{p.pk}-{code}-{day}"),
                        hint="demo00",
                        created_by=ctx.primary_of(p) or nurse,
                        created_at=at - timedelta(days=1),
                        expires_at=at + timedelta(days=6),
                        completed_at=at,
                    ),
                    len(rows) - 1,
                )
            )
        return len(rows) - 1

    alert_shown = acknowledged_shown = False
    for k, episode in enumerate(episodes):
        p = episode.participant
        clinician = ctx.primary_of(p) or ctx.staff["therapist1"]
        weeks = (today - episode.admitted_on).days
        if weeks < 1:
            continue
        # Most improve; every fifth stays flat and every seventh gets worse.
        trend = "worse" if k % 7 == 3 else "flat" if k % 5 == 2 else "better"
        phq0, gad0 = rng.randint(12, 20), rng.randint(9, 17)
        # Stop early for a few so their measures are overdue now; the rest are due or just done.
        lag = 0 if k % 4 else rng.choice([4, 9])
        days = list(range(0, weeks - lag + 1, 14))
        for n, offset in enumerate(days):
            # Improvement levels off (to about a third of the baseline); worsening is capped at +7.
            factor = {"better": 0.35 + 0.65 * 0.8**n, "flat": 1 - 0.02 * min(n, 5), "worse": 1.0}[trend]
            extra = min(7.0, 1.3 * n) if trend == "worse" else 0.0
            phq = max(0, min(27, round(phq0 * factor + extra) + rng.randint(-1, 1)))
            gad = max(0, min(21, round(gad0 * factor + extra * 0.8) + rng.randint(-1, 1)))
            day = episode.admitted_on + timedelta(days=offset)
            last = n == len(days) - 1
            item9 = 0
            if last and not alert_shown and trend == "worse" and len(days) >= 2:
                item9, alert_shown = 1, True
            elif n == 1 and not acknowledged_shown and trend == "better":
                item9, acknowledged_shown = 1, True
            by_link = last and k % 3 == 1
            i = give(
                p,
                "PHQ-9",
                _phq9(rng, max(phq, item9), item9),
                day,
                None if by_link else clinician,
                link=by_link,
            )
            if item9 and not last:
                acks.append(
                    (i, clinician, "Safety plan reviewed with the participant; C-SSRS screen low risk.")
                )
            give(p, "GAD-7", _spread(rng, gad, 7, 3), day, None if by_link else clinician, link=by_link)
        for n, offset in enumerate(range(0, weeks - lag + 1, 30)):
            better = {"better": n, "flat": 0, "worse": -n}[trend]
            day = episode.admitted_on + timedelta(days=offset + 1)
            if day > today:
                break
            use = max(0, 6 - 3 * better + rng.randint(-1, 1))
            risk = max(0, min(24, 15 - 2 * better + rng.randint(-1, 1)))
            protective = max(0, min(20, 9 + 2 * better + rng.randint(-1, 1)))
            give(p, "BAM", _bam(rng, use, risk, protective), day, nurse)
        if k == 2:  # one participant's clinician wants the PHQ-9 weekly
            MeasureSchedule.objects.create(
                program=program, participant=p, instrument="PHQ-9", every_days=7, updated_by=clinician
            )

    InstrumentAdministration.objects.bulk_create(rows, batch_size=1000)
    for link, index in links:
        link.administration = rows[index]
    MeasureLink.objects.bulk_create([link for link, _ in links], batch_size=1000)
    ack_rows = [
        AlertAcknowledgement(
            administration=rows[i],
            participant_id=rows[i].participant_id,
            acknowledged_by=by,
            acknowledged_at=rows[i].administered_at + timedelta(hours=2),
            note=note,
        )
        for i, by, note in acks
    ]
    # Alerts from intake screenings of people admitted since: handled by intake at the time.
    admitted = [e.participant_id for e in episodes]
    for row in InstrumentAdministration.objects.filter(
        participant_id__in=admitted, screening__isnull=False, acknowledgement__isnull=True
    ).select_related("administered_by"):
        if safety_alerts(row):
            ack_rows.append(
                AlertAcknowledgement(
                    administration=row,
                    participant_id=row.participant_id,
                    acknowledged_by=row.administered_by or ctx.staff["intake"],
                    acknowledged_at=row.administered_at + timedelta(minutes=30),
                    note="Reviewed at intake; C-SSRS screen given and safety plan made.",
                )
            )
    AlertAcknowledgement.objects.bulk_create(ack_rows, batch_size=1000)
