"""Writes of the planner: availability, clinician hours, requirements, and schedule runs.

A run is proposed (the solver's answer stored with every placement and every reason), then
committed once: sessions and roster rows are created in one transaction, each audited. Committing
a week that is already committed changes nothing.

The availability, hours, requirement and rule writes are entry points (only views call them), so they
run in `transaction.atomic(durable=True)`: nesting one in another transaction raises instead of
silently joining it (bridge/core/tests/test_durable_services.py). The run writes are not durable yet:
the `schedule` command and the demo call them too.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.weeks import iso_week, moment_at
from bridge.planner import problem as pm
from bridge.planner.adapter import build_plan
from bridge.planner.greedy import greedy
from bridge.planner.models import (
    TAKEN_SINCE_PREVIEW,
    AppointmentRule,
    ClinicianHours,
    ClinicianSchedule,
    Modality,
    ParticipantRequirement,
    ParticipantTimeBlock,
    PlannedAppointment,
    ScheduleRun,
)
from bridge.planner.solver import solve
from bridge.scheduling.models import Attendance, Session

# --- Availability -----------------------------------------------------------------------------------


def time_block_add(
    *, actor, participant, kind: str, weekdays: list[int], start_time: time, end_time: time
) -> list[ParticipantTimeBlock]:
    """Add the same span on several weekdays (e.g. work Mon-Fri 9-5) in one go."""
    with transaction.atomic(durable=True):
        blocks = []
        for weekday in sorted(set(weekdays)):
            block = ParticipantTimeBlock(
                participant=participant, kind=kind, weekday=weekday, start_time=start_time, end_time=end_time
            )
            block.full_clean()
            block.save()
            blocks.append(block)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="time_block",
            object_id=",".join(str(b.pk) for b in blocks)[:80],
            detail={"kind": kind, "weekdays": sorted(set(weekdays))},
        )
    return blocks


def time_block_remove(*, actor, block: ParticipantTimeBlock) -> None:
    # Availability is scheduling data, not a clinical record: removing it is an ordinary edit.
    with transaction.atomic(durable=True):
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=block.participant,
            object_type="time_block",
            object_id=str(block.pk),
            detail={"removed": True, "kind": block.kind, "weekday": block.weekday},
        )
        block.delete()


def clinician_hours_add(
    *, actor, staff, program, weekdays: list[int], start_time: time, end_time: time
) -> list[ClinicianHours]:
    with transaction.atomic(durable=True):
        rows = []
        for weekday in sorted(set(weekdays)):
            row = ClinicianHours(
                staff=staff, program=program, weekday=weekday, start_time=start_time, end_time=end_time
            )
            row.full_clean()
            row.save()
            rows.append(row)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="clinician_hours",
            object_id=str(staff.pk),
            detail={"weekdays": sorted(set(weekdays)), "program": str(program.pk)},
        )
    return rows


def clinician_hours_remove(*, actor, row: ClinicianHours) -> None:
    with transaction.atomic(durable=True):
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="clinician_hours",
            object_id=str(row.staff_id),
            detail={"removed": str(row.pk), "weekday": row.weekday},
        )
        row.delete()


def clinician_schedule_update(
    *, actor, staff, program, weekly_capacity_minutes: int, telehealth_url: str
) -> ClinicianSchedule:
    with transaction.atomic(durable=True):
        schedule, _ = ClinicianSchedule.objects.get_or_create(staff=staff, program=program)
        schedule.weekly_capacity_minutes = weekly_capacity_minutes
        schedule.telehealth_url = telehealth_url
        schedule.full_clean()
        schedule.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="clinician_schedule",
            object_id=str(staff.pk),
            detail={"fields": ["weekly_capacity_minutes", "telehealth_url"], "program": str(program.pk)},
        )
    return schedule


def requirement_set(
    *,
    actor,
    participant,
    rule: AppointmentRule,
    status: str,
    every_weeks: int | None = None,
    minutes: int | None = None,
    modality: str = "",
) -> ParticipantRequirement:
    if rule.program_id != participant.program_id:
        raise ValidationError({"rule": "That requirement belongs to another program."})
    with transaction.atomic(durable=True):
        row = ParticipantRequirement.objects.filter(participant=participant, rule=rule).first()
        row = row or ParticipantRequirement(participant=participant, rule=rule)
        row.status = status
        row.every_weeks = every_weeks
        row.minutes = minutes
        row.modality = modality
        row.updated_by = actor
        row.full_clean()
        row.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=participant,
            object_type="appointment_requirement",
            object_id=str(row.pk),
            detail={"rule": rule.kind, "status": status},
        )
    return row


def rule_create(*, actor, program, **fields) -> AppointmentRule:
    with transaction.atomic(durable=True):
        rule = AppointmentRule(program=program, **fields)
        rule.full_clean()  # includes "one active rule per kind"
        rule.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            object_type="appointment_rule",
            object_id=str(rule.pk),
            detail={"kind": rule.kind},
        )
    return rule


def rule_update(*, actor, rule: AppointmentRule, **fields) -> AppointmentRule:
    with transaction.atomic(durable=True):
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.full_clean()
        rule.save()
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="appointment_rule",
            object_id=str(rule.pk),
            detail={"fields": sorted(fields)},
        )
    return rule


# --- Schedule runs ------------------------------------------------------------------------------------


def committed_run(program, week_start: date) -> ScheduleRun | None:
    return ScheduleRun.objects.filter(
        program=program, week_start=week_start, status=ScheduleRun.Status.COMMITTED
    ).first()


def _loads(plan, solution: pm.Solution) -> list[dict]:
    """Each clinician who has or gets appointments: minutes booked before, added, and capacity."""
    added: dict[str, int] = {}
    for p in solution.placements:
        added[p.clinician] = added.get(p.clinician, 0) + plan.problem.request(p.request).minutes
    rows = []
    for c in plan.problem.clinicians.values():
        if c.booked or c.id in added:
            rows.append(
                {
                    "staff": c.id,
                    "name": c.name,
                    "booked": c.booked,
                    "added": added.get(c.id, 0),
                    "capacity": c.capacity,
                }
            )
    return sorted(rows, key=lambda r: (-(r["booked"] + r["added"]), r["name"]))


def schedule_run_create(
    *,
    actor,
    program,
    week_start: date,
    time_limit: float | None = None,
    use_greedy: bool = False,
    actor_label: str | None = None,
    top_up: bool = False,
) -> ScheduleRun:
    """Solve the week and store the proposal: every placement and every unplaced reason.

    `top_up` is for a week already committed: the proposal places only what is still due (the
    adapter counts every session already on the calendar as done and as busy time).
    """
    if week_start.weekday() != 0:
        raise ValidationError({"week": "A week starts on a Monday."})
    committed = committed_run(program, week_start) is not None
    if committed and not top_up:
        raise ValidationError({"week": f"{iso_week(week_start)} is already committed."})
    if top_up and not committed:
        raise ValidationError(
            {"week": f"{iso_week(week_start)} is not committed yet: preview the whole week."}
        )
    plan = build_plan(program, week_start)
    limit = float(time_limit if time_limit is not None else settings.BRIDGE_SCHEDULE_TIME_LIMIT)
    solution = greedy(plan.problem) if use_greedy else solve(plan.problem, time_limit=limit)
    broken = pm.violations(plan.problem, solution)
    if broken:  # a solver bug must never reach the calendar
        raise RuntimeError("the schedule breaks its own rules: " + "; ".join(broken[:5]))
    tz = program.tz
    with transaction.atomic():
        run = ScheduleRun(
            program=program,
            week_start=week_start,
            solver=solution.solver,
            solver_status=solution.status,
            seconds=round(solution.seconds, 3),
            objective=solution.objective,
            requested=len(plan.problem.requests),
            placed=len(solution.placements),
            notes=solution.notes,
            loads=_loads(plan, solution),
            created_by=actor,
            is_top_up=top_up,
        )
        run.full_clean()
        run.save()
        rows = []
        for p in solution.placements:
            request = plan.problem.request(p.request)
            pid, rid = plan.request_rule[p.request]
            rows.append(
                PlannedAppointment(
                    run=run,
                    participant_id=pid,
                    rule_id=rid,
                    kind=request.kind,
                    minutes=request.minutes,
                    staff_id=p.clinician,
                    starts_at=moment_at(p.start, week_start, tz),
                    ends_at=moment_at(p.start + request.minutes, week_start, tz),
                    modality=p.modality.value,
                    room_id=p.room,
                    preferred_time=p.preferred,
                    same_as_last_time=p.continuity,
                )
            )
        for u in solution.unplaced:
            request = plan.problem.request(u.request)
            pid, rid = plan.request_rule[u.request]
            rows.append(
                PlannedAppointment(
                    run=run,
                    participant_id=pid,
                    rule_id=rid,
                    kind=request.kind,
                    minutes=request.minutes,
                    reason=u.reason.value,
                    reason_detail=u.detail[:300],
                )
            )
        PlannedAppointment.objects.bulk_create(rows, batch_size=500)
        audit_record(
            action=Action.CREATE,
            actor=actor,
            actor_label=actor_label,
            object_type="schedule_run",
            object_id=str(run.pk),
            detail={
                "week": run.iso_week,
                "requested": run.requested,
                "placed": run.placed,
                "solver": run.solver,
                "status": run.solver_status,
                "top_up": top_up,
            },
        )
    return run


def _conflict(appointment: PlannedAppointment, starts_at: datetime, ends_at: datetime) -> str:
    """What, if anything, took this time since the proposal was made (the one conflict check)."""
    from bridge.scheduling import conflicts as cc

    telehealth = appointment.modality == Modality.TELEHEALTH
    found = cc.booking_conflicts(
        appointment.run.program,
        [
            cc.Slot(
                starts_at,
                ends_at,
                appointment.get_kind_display(),
                staff_id=appointment.staff_id,
                room_id=None if telehealth else appointment.room_id,
                participant_ids=(appointment.participant_id,),
                seats=0,  # the solver sized the room
            )
        ],
    )
    # The solver placed around every busy time; anything found now was booked since the preview.
    return "; ".join(c.message for c in found)[:300]


def schedule_run_commit(
    *, actor, run: ScheduleRun, actor_label: str | None = None
) -> tuple[ScheduleRun, int]:
    """Create the run's sessions and roster rows. Returns (the committed run, sessions created).

    Idempotent: a run already committed (or added), or a week that another run committed, creates
    nothing — except a top-up, which adds its placements to the committed week (status "added").
    A placement whose time was taken since the preview is not created; it is kept as unplaced
    with that reason.
    """
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status in (ScheduleRun.Status.COMMITTED, ScheduleRun.Status.ADDED):
            return run, 0
        existing = committed_run(run.program, run.week_start)
        if existing is not None and not run.is_top_up:
            return existing, 0
        if run.status != ScheduleRun.Status.PROPOSED:
            raise ValidationError({"run": "This proposal was discarded; make a new one."})
        urls = {str(s.staff_id): s.telehealth_url for s in run.program.clinician_schedules.all()}
        created = 0
        for appointment in run.appointments.filter(starts_at__isnull=False).select_related(
            "rule", "participant", "run__program"
        ):
            starts_at, ends_at, staff_id = appointment.starts_at, appointment.ends_at, appointment.staff_id
            if starts_at is None or ends_at is None or staff_id is None:
                continue  # only placed ones were read (planned_is_placed_or_has_reason: all three set)
            problem = _conflict(appointment, starts_at, ends_at)
            if problem:
                PlannedAppointment.objects.filter(pk=appointment.pk).update(
                    starts_at=None, ends_at=None, room=None, reason=TAKEN_SINCE_PREVIEW, reason_detail=problem
                )
                continue
            telehealth = appointment.modality == Modality.TELEHEALTH
            session = Session(
                program=run.program,
                kind=appointment.kind,
                session_type=appointment.rule.session_type if appointment.rule else None,
                title=appointment.rule.name if appointment.rule else "",
                starts_at=starts_at,
                ends_at=ends_at,
                modality=Session.Modality.TELEHEALTH if telehealth else Session.Modality.IN_PERSON,
                room_id=None if telehealth else appointment.room_id,
                telehealth_url=urls.get(str(staff_id), "") if telehealth else "",
                staff_id=staff_id,
            )
            session.full_clean()
            session.save()
            Attendance.objects.create(session=session, participant_id=appointment.participant_id)
            appointment.session = session
            appointment.save(update_fields=["session"])
            created += 1
            audit_record(
                action=Action.CREATE,
                actor=actor,
                actor_label=actor_label,
                participant=appointment.participant,
                object_type="session",
                object_id=str(session.pk),
                detail={"kind": session.kind, "schedule_run": str(run.pk)},
            )
        run.status = ScheduleRun.Status.ADDED if run.is_top_up else ScheduleRun.Status.COMMITTED
        run.committed_by = actor if getattr(actor, "is_authenticated", False) else None
        run.committed_at = timezone.now()
        run.placed = created
        run.save(update_fields=["status", "committed_by", "committed_at", "placed"])
        # Other proposals for the same week are now stale.
        ScheduleRun.objects.filter(
            ~Q(pk=run.pk), program=run.program, week_start=run.week_start, status=ScheduleRun.Status.PROPOSED
        ).update(status=ScheduleRun.Status.DISCARDED)
        audit_record(
            action=Action.SCHEDULE_COMMIT,
            actor=actor,
            actor_label=actor_label,
            object_type="schedule_run",
            object_id=str(run.pk),
            detail={"week": run.iso_week, "sessions": created, "top_up": run.is_top_up},
        )
    return run, created


def schedule_run_discard(*, actor, run: ScheduleRun) -> ScheduleRun:
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ScheduleRun.Status.PROPOSED:
            raise ValidationError({"run": "Only a proposal can be discarded."})
        run.status = ScheduleRun.Status.DISCARDED
        run.save(update_fields=["status"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            object_type="schedule_run",
            object_id=str(run.pk),
            detail={"status": run.status},
        )
    return run
