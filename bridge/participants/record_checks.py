"""A participant's status must agree with their episodes of care (see bridge/core/records.py).

Status changes only through the workflows that mean it: admission opens an episode (Active), the
discharge closes it (Discharged), alumni enrolment follows a discharge. So "in care" means exactly
one open episode, and every other status means none.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef

from bridge.core.records import RecordFinding
from bridge.participants.models import EpisodeOfCare, Participant

S = Participant.Status
IN_CARE = (S.ACTIVE, S.STEP_DOWN)


def checks() -> Iterator[RecordFinding]:
    open_episode = EpisodeOfCare.objects.filter(
        participant=OuterRef("pk"), status=EpisodeOfCare.Status.ACTIVE
    )
    rows = Participant.objects.annotate(has_open=Exists(open_episode)).values_list("pk", "status", "has_open")
    for pk, status, has_open in rows.iterator():
        label = S(status).label
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
