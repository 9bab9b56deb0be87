"""A participant's status must agree with their episodes of care (see bridge/core/records.py).

Status changes only through the workflows that mean it: admission opens an episode (Active), a
step-down keeps it open (Step-down), a hold pauses it (On hold, with one open hold) and the return
ends the hold, the discharge closes it (Discharged), alumni enrolment follows a discharge. So "in
care" means exactly one open episode, and every other status means none; "On hold" means one open
hold, on the open episode, and any other status means none.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from bridge.core.records import RecordFinding
from bridge.participants.models import CareHold, EpisodeOfCare, Participant

S = Participant.Status
IN_CARE = (S.ACTIVE, S.STEP_DOWN, S.ON_HOLD)


def checks() -> Iterator[RecordFinding]:
    open_episode = EpisodeOfCare.objects.filter(
        participant=OuterRef("pk"), status=EpisodeOfCare.Status.ACTIVE
    )
    holding = CareHold.objects.filter(participant=OuterRef("pk"), ended_on__isnull=True)
    rows = Participant.objects.annotate(has_open=Exists(open_episode), on_hold=Exists(holding)).values_list(
        "pk", "status", "has_open", "on_hold"
    )
    for pk, status, has_open, on_hold in rows.iterator():
        label = S(status).label
        if status == S.ON_HOLD and not on_hold:
            yield RecordFinding(
                app="participants",
                model="Participant",
                pk=str(pk),
                problem="Status is “On hold” but no hold is recorded (why they are away, when back).",
                fix="Use “Put on hold” on the participant page to record the hold, or record their return "
                "there if they are back.",
            )
        elif status != S.ON_HOLD and on_hold:
            yield RecordFinding(
                app="participants",
                model="Participant",
                pk=str(pk),
                problem=f"Status is “{label}” but a hold is still open.",
                fix="Use “Record their return” on the participant page to end the hold.",
            )
        if status in IN_CARE and not has_open:
            yield RecordFinding(
                app="participants",
                model="Participant",
                pk=str(pk),
                problem=f"Status is “{label}” but there is no open episode of care.",
                fix="Admit them through intake (which opens the episode), or record the discharge "
                "that ended their care on the aftercare page.",
            )
        elif status not in IN_CARE and has_open:
            yield RecordFinding(
                app="participants",
                model="Participant",
                pk=str(pk),
                problem=f"Status is “{label}” but an episode of care is still open.",
                fix="Record the discharge on the aftercare page (it closes the episode and sets the "
                "status), or, if they are still in care, correct the status through admission.",
            )
    finished_open = EpisodeOfCare.objects.filter(
        status=EpisodeOfCare.Status.FINISHED, discharged_on__isnull=True
    ).values_list("pk", flat=True)
    for pk in finished_open.iterator():
        yield RecordFinding(
            app="participants",
            model="EpisodeOfCare",
            pk=str(pk),
            problem="The episode is finished but has no discharge date.",
            fix="Record the discharge on the aftercare page so the episode has its end date.",
        )
    orphan_holds = (
        CareHold.objects.filter(ended_on__isnull=True)
        .exclude(episode__status=EpisodeOfCare.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    for pk in orphan_holds.iterator():
        yield RecordFinding(
            app="participants",
            model="CareHold",
            pk=str(pk),
            problem="The hold is open but its episode of care has ended.",
            fix="Use “Record their return” on the participant page to end the hold on the day the episode "
            "ended.",
        )
