"""A small clinic for billing tests: an admitted participant with a signed plan, group sessions
attended, and notes signed (or not)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridge.clinical.models import GroupNoteEntry, Note, PlanVersion, Problem, TreatmentPlan
from bridge.participants.models import EpisodeOfCare
from bridge.scheduling.models import Attendance, GroupSeries, Session, SessionKind, SessionType
from bridge.testing.personas import unadmit

MONDAY = date(2026, 11, 2)


def admit(participant, clinician, on=date(2026, 10, 1), diagnosis="F10.20") -> EpisodeOfCare:
    unadmit(participant)  # replaces the world's admission of today
    episode = EpisodeOfCare.objects.create(
        participant=participant, program=participant.program, admitted_on=on, created_by=clinician
    )
    plan = TreatmentPlan.objects.create(participant=participant, episode=episode, created_by=clinician)
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=clinician)
    Problem.objects.create(version=version, code=diagnosis, description="Alcohol use disorder, moderate")
    PlanVersion.objects.filter(pk=version.pk).update(
        signed_at=timezone.now(), signed_by=clinician, clinician_signature=str(clinician)
    )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    return episode


def group(
    program, staff, day: date, hours: int = 3, participants=(), signed=True, parts=True, series=None
) -> Session:
    tz = program.tz
    start = datetime.combine(day, time(18), tzinfo=tz)
    session = Session.objects.create(
        program=program,
        kind=SessionKind.GROUP,
        title="Evening group",
        staff=staff,
        series=series,
        session_type=series.session_type if series is not None else None,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
    )
    note = Note.objects.create(
        program=program,
        kind=Note.Kind.GROUP,
        template=Note.Template.GROUP,
        session=session,
        author=staff,
        topic="Relapse prevention",
        shared_text="Triggers and plans",
        participant_count=len(participants),
    )
    for p in participants:
        Attendance.objects.create(
            session=session,
            participant=p,
            status=Attendance.Status.PRESENT,
            minutes=hours * 60,
            recorded_by=staff,
            recorded_at=timezone.now(),
        )
        if parts:
            GroupNoteEntry.objects.create(note=note, participant=p, author=staff, participation="Took part")
    if signed:
        Note.objects.filter(pk=note.pk).update(signed_at=timezone.now())
    return session


def series(program, facilitator) -> GroupSeries:
    kind = SessionType.objects.create(
        program=program, name="Relapse prevention", category="group_therapy", default_minutes=180
    )
    return GroupSeries.objects.create(
        program=program,
        track=program.tracks.first(),
        name="Evening recovery group",
        session_type=kind,
        facilitator=facilitator,
        starts_on=MONDAY - timedelta(days=90),
    )
