"""The participant's identity and contact details, care team and episodes of care, for disclosures.

These are the participants app's records, provided by privacy (which sits above participants)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from bridge.participants.models import CareTeamMember, EpisodeOfCare, LevelOfCare, Participant
from bridge.privacy import fhir
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass


def demographics(participant: Participant, date_from: date, date_to: date) -> Iterable[Record]:
    p = participant
    contact = p.emergency_contact_name
    if contact and p.emergency_contact_relationship:
        contact += f" ({p.emergency_contact_relationship})"
    if contact and p.emergency_contact_phone:
        contact += f", {p.emergency_contact_phone}"
    lines = [
        ("Legal name", p.legal_name),
        ("Preferred name", p.preferred_name),
        ("Date of birth", p.date_of_birth.isoformat()),
        ("Phone", p.phone),
        ("Email", p.email),
        ("Address", p.address),
        ("Emergency contact", contact),
    ]
    yield Record(
        data_class=DataClass.DEMOGRAPHICS,
        object_type="participant",
        object_id=str(p.pk),
        title=p.legal_name,
        lines=tuple((k, v) for k, v in lines if v),
        resource=fhir.patient(
            p.pk,
            family=p.last_name,
            given=p.first_name,
            preferred=p.preferred_name,
            birth_date=p.date_of_birth,
            phone=p.phone,
            email=p.email,
            address=p.address,
            contact_name=p.emergency_contact_name,
            contact_phone=p.emergency_contact_phone,
            contact_relationship=p.emergency_contact_relationship,
        ),
    )


def care_team(participant: Participant, date_from: date, date_to: date) -> Iterable[Record]:
    tz = participant.program.tz
    members = []
    for m in (
        CareTeamMember.objects.filter(participant=participant).select_related("staff").order_by("started_at")
    ):
        start = timezone.localtime(m.started_at, tz).date()
        end = timezone.localtime(m.ended_at, tz).date() if m.ended_at else None
        if start <= date_to and (end is None or end >= date_from):
            members.append((str(m.staff), m.get_team_role_display(), start, end))
    if not members:
        return
    yield Record(
        data_class=DataClass.CARE_TEAM,
        object_type="care_team",
        object_id=fhir.derived_id(participant.pk, "care-team"),
        title="Care team",
        lines=tuple(
            (name, f"{role}, {start.isoformat()} to {end.isoformat() if end else 'now'}")
            for name, role, start, end in members
        ),
        resource=fhir.care_team(participant.pk, members, active=any(end is None for *_, end in members)),
    )


def episodes(participant: Participant, date_from: date, date_to: date) -> Iterable[Record]:
    found = (
        EpisodeOfCare.objects.filter(participant=participant, admitted_on__lte=date_to)
        .exclude(discharged_on__lt=date_from)
        .prefetch_related("level_changes")
        .order_by("admitted_on")
    )
    for episode in found:
        changes = sorted(episode.level_changes.all(), key=lambda c: (c.effective_on, c.created_at))
        levels = [(LevelOfCare(c.level_of_care).label, c.effective_on) for c in changes] or [
            (LevelOfCare(episode.level_of_care).label, episode.admitted_on)
        ]
        finished = episode.status == EpisodeOfCare.Status.FINISHED
        yield Record(
            data_class=DataClass.EPISODES,
            object_type="episode_of_care",
            object_id=str(episode.pk),
            title=f"Episode of care from {episode.admitted_on.isoformat()}",
            when=episode.admitted_on,
            lines=(
                ("Admitted", episode.admitted_on.isoformat()),
                (
                    "Discharged",
                    episode.discharged_on.isoformat() if episode.discharged_on else "still in care",
                ),
                *((f"Level from {day.isoformat()}", label) for label, day in levels),
            ),
            resource=fhir.episode_of_care(
                episode.pk,
                participant.pk,
                finished=finished,
                start=episode.admitted_on,
                end=episode.discharged_on,
                levels=levels,
                organization_id=episode.program_id,
            ),
        )


PROVIDERS = {
    DataClass.DEMOGRAPHICS: demographics,
    DataClass.CARE_TEAM: care_team,
    DataClass.EPISODES: episodes,
}
