"""Every change to a participant's core record or care team, each with its audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import CareHold, CareTeamMember, EpisodeOfCare, LevelOfCareChange, Participant
from bridge.programs.models import Program

# Status is not here: it changes only through the workflows that mean it (admission in intake, hold
# and resume below, step-down, discharge and alumni enrolment in aftercare); `bridge check-records`
# finds any disagreement, and participants/tests/test_status_writes.py lists every place that writes it.
CONTACT_FIELDS = (
    "preferred_name",
    "pronouns",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
)
EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "pronouns",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "gender",
    "sex_at_birth",
    "race",
    "ethnicity",
)

# Staff who may be put on a care team, by the role they hold in the participant's program.
TEAM_ELIGIBLE_ROLES = {
    Role.DIRECTOR,
    Role.INTAKE,
    Role.THERAPIST,
    Role.PRESCRIBER,
    Role.NURSE,
    Role.PEER,
    Role.FRONT_DESK,
}


def participant_create(*, actor: User, program: Program, **fields: Any) -> Participant:
    """A new person starts as a prospect; admission and the other workflows move them on."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"participant_create got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        participant = Participant(program=program, status=Participant.Status.PROSPECT, **fields)
        participant.full_clean()
        participant.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="participant",
            object_id=str(participant.pk),
        )
    return participant


def editable_fields_for(user: User, program_id) -> tuple[str, ...]:
    """Front desk edits contact details; roles with clinical or intake duties edit identity too."""
    roles = user.roles_in(program_id)
    if roles and roles <= {Role.FRONT_DESK}:
        return CONTACT_FIELDS
    return EDITABLE_FIELDS


def participant_update(*, actor: User, participant: Participant, **changes: Any) -> list[str]:
    """Apply `changes`; returns the names of fields that really changed (audited, values are not)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"participant_update got unknown fields {sorted(unknown)}")
    allowed = editable_fields_for(actor, participant.program_id)
    changed = [name for name, value in changes.items() if getattr(participant, name) != value]
    if not changed:
        return []
    if set(changed) - set(allowed):
        raise PermissionDenied("Front desk staff change contact details only.")
    with transaction.atomic():
        for name in changed:
            setattr(participant, name, changes[name])
        participant.full_clean()
        participant.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=participant,
            object_type="participant",
            object_id=str(participant.pk),
            detail={"fields": sorted(changed)},
        )
    return changed


def care_team_add(*, actor: User, participant: Participant, staff: User, team_role: str) -> CareTeamMember:
    """Add `staff` to the team. A new primary clinician replaces the current one (ended, not deleted)."""
    if not staff.is_active:
        raise ValidationError({"staff": "This staff member is deactivated."})
    if not (staff.roles_in(participant.program_id) & TEAM_ELIGIBLE_ROLES):
        raise ValidationError({"staff": "Only staff of this participant's program can join the care team."})
    with transaction.atomic():
        now = timezone.now()
        current = CareTeamMember.objects.select_for_update().filter(
            participant=participant, ended_at__isnull=True
        )
        if current.filter(staff=staff).exists():
            raise ValidationError({"staff": f"{staff} is already on the care team."})
        if team_role == CareTeamMember.TeamRole.PRIMARY_CLINICIAN:
            for previous in current.filter(team_role=team_role):
                _end(actor=actor, member=previous, when=now)
        member = CareTeamMember(participant=participant, staff=staff, team_role=team_role, started_at=now)
        member.full_clean()
        member.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="care_team_member",
            object_id=str(member.pk),
            detail={"staff": str(staff.pk), "team_role": team_role},
        )
    return member


def care_team_end(*, actor: User, member: CareTeamMember) -> None:
    with transaction.atomic():
        _end(actor=actor, member=member, when=timezone.now())


def _end(*, actor: User, member: CareTeamMember, when) -> None:
    member.ended_at = when
    member.save(update_fields=["ended_at"])
    audit_record(
        action=Action.UPDATE,
        actor=actor,
        participant=member.participant,
        object_type="care_team_member",
        object_id=str(member.pk),
        detail={"ended": True, "staff": str(member.staff_id)},
    )


def episode_open(
    *,
    actor: User | None,
    participant: Participant,
    level_of_care: str,
    admitted_on,
    reason: str = "Admission",
    consent_to_treatment_signed_on=None,
    edition: str = "3",
) -> EpisodeOfCare:
    """Admit: open an episode of care at `level_of_care` and make the participant active."""
    with transaction.atomic():
        if participant.episodes.filter(status=EpisodeOfCare.Status.ACTIVE).exists():
            raise ValidationError({"participant": "This participant already has an active episode of care."})
        episode = EpisodeOfCare(
            participant=participant,
            program=participant.program,
            level_of_care=level_of_care,
            edition=edition,
            admitted_on=admitted_on,
            created_by=actor,
            consent_to_treatment_signed_on=consent_to_treatment_signed_on,
        )
        episode.full_clean()
        episode.save()
        LevelOfCareChange.objects.create(
            episode=episode,
            level_of_care=level_of_care,
            edition=edition,
            effective_on=admitted_on,
            reason=reason,
            changed_by=actor,
        )
        if participant.status != Participant.Status.ACTIVE:
            participant.status = Participant.Status.ACTIVE
            participant.save(update_fields=["status", "updated_at"])
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="episode_of_care",
            object_id=str(episode.pk),
            detail={"level_of_care": level_of_care, "edition": edition},
        )
    return episode


def episode_change_level(
    *,
    actor: User | None,
    episode: EpisodeOfCare,
    level_of_care: str,
    effective_on,
    reason: str,
    edition: str | None = None,
) -> LevelOfCareChange:
    """Step down or up within an episode; the history of levels is kept."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the level changes."})
    if episode.status != EpisodeOfCare.Status.ACTIVE:
        raise ValidationError({"episode": "This episode of care has ended."})
    edition = edition or episode.edition
    with transaction.atomic():
        change = LevelOfCareChange.objects.create(
            episode=episode,
            level_of_care=level_of_care,
            edition=edition,
            effective_on=effective_on,
            reason=reason,
            changed_by=actor,
        )
        episode.level_of_care = level_of_care
        episode.edition = edition
        episode.save(update_fields=["level_of_care", "edition"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=episode.participant,
            object_type="episode_of_care",
            object_id=str(episode.pk),
            detail={"level_of_care": level_of_care, "effective_on": effective_on, "edition": edition},
        )
    return change


# Hold and resume ---------------------------------------------------------------------------------

HOLDABLE = (Participant.Status.ACTIVE, Participant.Status.STEP_DOWN)


def open_hold(participant: Participant) -> CareHold | None:
    return CareHold.objects.filter(participant=participant, ended_on__isnull=True).first()


def _hold_missing(participant: Participant) -> bool:
    return participant.status == Participant.Status.ON_HOLD and open_hold(participant) is None


def participant_hold(
    *,
    actor: User,
    participant: Participant,
    kind: str,
    reason: str,
    starts_on: date,
    expected_return_on: date,
) -> CareHold:
    """Pause care: the episode stays open, the status becomes On hold until they resume or are discharged.

    Someone already "On hold" with no hold recorded (a record `bridge check-records` lists) gets
    the hold recorded here, and returns to Active when they resume.
    """
    if participant.status not in HOLDABLE and not _hold_missing(participant):
        raise ValidationError(
            {
                "kind": f"Only someone in care can go on hold; {participant.display_name} is "
                f"“{participant.get_status_display()}”."
            }
        )
    episode = participant.episodes.filter(status=EpisodeOfCare.Status.ACTIVE).first()
    if episode is None:
        raise ValidationError({"kind": "There is no open episode of care to pause."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why they are away."})
    if starts_on > timezone.localdate():
        raise ValidationError({"starts_on": "Record the hold on the day it begins, not ahead of time."})
    if starts_on < episode.admitted_on:
        raise ValidationError({"starts_on": "The hold cannot begin before the admission."})
    if expected_return_on < starts_on:
        raise ValidationError(
            {"expected_return_on": "The expected return is on or after the first day away."}
        )
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if open_hold(locked) is not None:
            raise ValidationError({"kind": "This participant is already on hold."})
        hold = CareHold(
            participant=locked,
            episode=episode,
            kind=kind,
            reason=reason.strip(),
            starts_on=starts_on,
            expected_return_on=expected_return_on,
            status_before=locked.status if locked.status in HOLDABLE else Participant.Status.ACTIVE,
            created_by=actor,
        )
        hold.full_clean()
        hold.save()
        locked.status = Participant.Status.ON_HOLD
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            action=Action.HOLD,
            actor=actor,
            participant=locked,
            object_type="care_hold",
            object_id=str(hold.pk),
            detail={"kind": kind, "starts_on": starts_on, "expected_return_on": expected_return_on},
        )
    participant.status = locked.status
    return hold


def participant_resume(
    *, actor: User, participant: Participant, resumed_on: date, note: str = ""
) -> CareHold:
    """Back in care: the hold ends and the status returns to what it was (Active, or Step-down)."""
    hold = open_hold(participant)
    if hold is None:
        raise ValidationError({"resumed_on": "This participant is not on hold."})
    if resumed_on > timezone.localdate():
        raise ValidationError({"resumed_on": "Record the return on the day it happens, not ahead of time."})
    if resumed_on < hold.starts_on:
        raise ValidationError({"resumed_on": f"The hold began on {hold.starts_on:%b %-d, %Y}."})
    with transaction.atomic():
        _hold_end(hold, ending=CareHold.Ending.RESUMED, ended_on=resumed_on, actor=actor, note=note)
        # A hold left open under another status (check-records lists it) just ends; the status stays.
        if participant.status == Participant.Status.ON_HOLD:
            participant.status = hold.status_before
            participant.save(update_fields=["status", "updated_at"])
        audit_record(
            action=Action.RESUME,
            actor=actor,
            participant=participant,
            object_type="care_hold",
            object_id=str(hold.pk),
            detail={"resumed_on": resumed_on, "status": participant.status},
        )
    return hold


def hold_end_at_discharge(*, actor: User, participant: Participant, discharged_on: date) -> CareHold | None:
    """The discharge (aftercare) ends an open hold; it writes the status and the audit event itself."""
    hold = open_hold(participant)
    if hold is not None:
        _hold_end(
            hold,
            ending=CareHold.Ending.DISCHARGED,
            ended_on=max(discharged_on, hold.starts_on),
            actor=actor,
            note="",
        )
    return hold


def _hold_end(hold: CareHold, *, ending: str, ended_on: date, actor: User, note: str) -> None:
    hold.ended_on = ended_on
    hold.ending = ending
    hold.ended_by = actor
    hold.end_note = note.strip()
    hold.full_clean()
    hold.save(update_fields=["ended_on", "ending", "ended_by", "end_note"])
