"""The resource types this server offers, each written once: rows, access, search parameters, mapping.

A type has one or more sources (Observation has drug-screen results and instrument totals). Every
source is a queryset annotated with `fhir_participant` (whose data it is; None for a program's own
resources such as Organization), `fhir_program` and `fhir_updated` (meta.lastUpdated), so the views
and the export task treat every type alike. The CapabilityStatement is generated from this table,
so it lists exactly what is implemented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.fields import UUIDField

from bridge.fhir import mapping
from bridge.participants.access import Cap
from bridge.privacy.vocab import DataClass

COMMON_PARAMS = ("_id", "_lastUpdated", "_count")


@dataclass(frozen=True)
class Source:
    rows: Callable[[], QuerySet]
    to_fhir: Callable[[Any, Any], dict[str, Any]]  # (row, principal) -> resource
    participant: str | None  # path to the participant's id; None for the program's own resources
    program: str  # path to the program's id
    updated: str  # path to when the row last changed
    date: str | None = None
    date_is_datetime: bool = False
    code: str | None = None
    status: dict[str, Q] = field(default_factory=dict)  # FHIR status -> filter
    order: tuple[str, ...] = ("pk",)
    # Narrows a program-level source further for a caller: (queryset, principal) -> queryset.
    restrict: Callable[[QuerySet, Any], QuerySet] | None = None
    # Other codes a client may search by (a LOINC code) -> the value stored in `code`.
    code_aliases: Callable[[], dict[str, str]] | None = None
    # Rows with their own access rule (the audit log's): principal -> queryset, used instead of `rows`.
    scoped_rows: Callable[[Any], QuerySet] | None = None
    # Ids are numbers, not UUIDs (the audit log's events, numbered in their hash chain's order).
    numbered_ids: bool = False

    def queryset(self, principal: Any = None) -> QuerySet:
        qs = self.scoped_rows(principal) if self.scoped_rows is not None else self.rows()
        if self.participant is None or self.scoped_rows is not None:
            # A program's own resource; `program` may cross a many-valued relation (staff roles), so it
            # is only filtered on, never annotated (that would repeat the row once per program).
            return qs.annotate(
                fhir_participant=F(self.participant)
                if self.participant
                else Value(None, output_field=UUIDField()),
                fhir_program=Value(None, output_field=UUIDField()),
                fhir_updated=F(self.updated),
            ).order_by(*self.order)
        return qs.annotate(
            fhir_participant=F(self.participant), fhir_program=F(self.program), fhir_updated=F(self.updated)
        ).order_by(*self.order)


@dataclass(frozen=True)
class ResourceType:
    name: str
    sources: tuple[Source, ...]
    data_class: str | None  # the Part 2 data class it releases; None: not participant data
    cap: Cap = Cap.CHART
    params: tuple[str, ...] = ()  # search parameters beyond COMMON_PARAMS
    description: str = ""
    # Resources that are definitions, not rows (Questionnaire): every program's caller may read them.
    static: Callable[[], list[dict[str, Any]]] | None = None
    # _include values offered (all name the Patient a resource is about).
    includes: tuple[str, ...] = ()

    @property
    def is_participant_data(self) -> bool:
        return self.data_class is not None


def _patient_rows():
    from bridge.participants.models import Participant

    return Participant.objects.all()


def _episode_rows():
    from bridge.participants.models import EpisodeOfCare

    return EpisodeOfCare.objects.prefetch_related("level_changes")


def _condition_rows():
    from bridge.clinical.models import Problem

    # The problems of each plan's version in force, once it is signed: drafts are not the record yet.
    return Problem.objects.filter(
        version__signed_at__isnull=False, version__plan__current_version=F("version")
    ).select_related("version__plan")


def _note_rows():
    from bridge.clinical.models import Note

    # Signed notes about one participant. Group notes (a shared part plus each person's entry) and
    # SUD counseling notes are not offered: counseling notes never leave through the API.
    return (
        Note.objects.filter(participant__isnull=False, signed_at__isnull=False)
        .exclude(kind="group")
        .prefetch_related("addenda")
    )


def _medication_request_rows():
    from bridge.clinical.models import MedicationOrder

    return MedicationOrder.objects.prefetch_related("dose_changes")


def _administration_rows():
    from bridge.clinical.models.meds import Administration

    return Administration.objects.select_related("order")


def _screen_result_rows():
    from bridge.clinical.models.screens import DrugScreenResult

    return DrugScreenResult.objects.select_related("screen")


def _instrument_rows():
    from bridge.intake.models import InstrumentAdministration

    return InstrumentAdministration.objects.all()


def _instrument_loinc() -> dict[str, str]:
    from bridge import instruments

    return {i.loinc_total: i.code for i in instruments.INSTRUMENTS.values() if i.loinc_total}


def _screen_loinc() -> dict[str, str]:
    # A LOINC screen code finds that analyte's results (whatever the specimen: the code names urine
    # or oral fluid, the stored result only the analyte).
    tables = (mapping.URINE_SCREEN_LOINC, mapping.ORAL_FLUID_SCREEN_LOINC)
    return {loinc: substance for table in tables for substance, (loinc, _) in table.items()}


def _instrument_observation(admin, principal) -> dict[str, Any]:
    from bridge import instruments

    return mapping.instrument_observation(admin, instruments.get(admin.instrument))


def _consent_rows():
    from bridge.privacy.models import Consent

    return Consent.objects.select_related("program").prefetch_related("recipients")


def _organization_rows():
    from bridge.programs.models import Program

    return Program.objects.select_related("organization")


def _practitioner_rows():
    from bridge.accounts.models import User

    # Staff who hold a role; the program filter (roles__program_id) keeps those of the caller's programs.
    return User.objects.filter(roles__isnull=False).distinct()


def _group_rows():
    from bridge.scheduling.models import GroupSeries, SeriesMembership

    return GroupSeries.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=SeriesMembership.objects.exclude(status="waitlisted").order_by("requested_at"),
            to_attr="fhir_members",
        )
    )


def _group(series, principal) -> dict[str, Any]:
    # Membership of a group at an SUD program is itself Part 2 data: list only the members this caller
    # may see attendance data of, account for each one listed (a disclosure for a system client, a
    # read for staff), and label the resource as Part 2 data when it names anyone.
    allowed = {str(p) for p in principal.participant_ids(DataClass.ATTENDANCE, Cap.VIEW)}
    members = [m for m in series.fhir_members if str(m.participant_id) in allowed]
    resource = mapping.group(series, members)
    if not members:
        return resource
    _account_for_members(series, members, principal)
    from bridge.privacy import labels
    from bridge.privacy.notice import REDISCLOSURE_NOTICE

    resource = labels.label_resource(resource, program_id=series.program_id)
    if principal.is_system:
        resource = labels.with_must_display(resource, REDISCLOSURE_NOTICE)
    return resource


def _account_for_members(series, members: list[Any], principal) -> None:
    from bridge.audit.actions import Action
    from bridge.audit.services import audit_record
    from bridge.fhir import services
    from bridge.participants.models import Participant

    for m in members:
        pid = str(m.participant_id)
        detail = {"token": str(principal.token.pk), "group": str(series.pk)}
        if principal.is_system:
            consent_id = principal.consents_for(DataClass.ATTENDANCE)[pid]
            disclosure = services.disclosure_record(
                token=principal.token,
                participant_id=pid,
                consent_id=consent_id,
                data_class=DataClass.ATTENDANCE,
                refs=[{"data_class": DataClass.ATTENDANCE, "type": "Group", "id": str(series.pk)}],
            )
            detail |= {"consent": consent_id, "disclosure": str(disclosure.pk)}
        audit_record(
            action=Action.DISCLOSE if principal.is_system else Action.READ,
            participant=Participant(pk=m.participant_id),
            object_type="fhir:Group",
            object_id=str(series.pk),
            detail=detail,
            **principal.audit_actor(),
        )


def _questionnaires() -> list[dict[str, Any]]:
    from bridge import instruments

    return [mapping.questionnaire(instruments.get(code)) for code in instruments.CODES]


def _questionnaire_response(admin, principal) -> dict[str, Any]:
    from bridge import instruments

    return mapping.questionnaire_response(admin, instruments.get(admin.instrument))


def _plan_version_rows():
    from bridge.clinical.models import PlanVersion

    return (
        PlanVersion.objects.filter(signed_at__isnull=False)
        .select_related("plan")
        .prefetch_related("goals", "interventions", "problems")
    )


def _goal_rows():
    from bridge.clinical.models import Goal

    return (
        Goal.objects.filter(version__signed_at__isnull=False, version__plan__current_version=F("version"))
        .select_related("version__plan")
        .prefetch_related("objectives")
    )


def _attendance_rows():
    from bridge.scheduling.models import Attendance

    return Attendance.objects.select_related("session")


def _attended_rows():
    return _attendance_rows().filter(status__in=mapping.ATTENDED)


def _session_rows():
    from bridge.scheduling.models import Session

    return Session.objects.all()


def _sessions_of_visible_attendees(qs, principal):
    """A system client sees a session only when it may see the attendance of someone who was there."""
    if not principal.is_system:
        return qs
    return qs.filter(
        attendance__participant_id__in=principal.participant_filter(DataClass.ATTENDANCE, Cap.VIEW)
    ).distinct()


def _staff_role_rows():
    from bridge.accounts.models import StaffRole

    return StaffRole.objects.select_related("user")


def _room_rows():
    from bridge.scheduling.models import Room

    return Room.objects.all()


def _track_rows():
    from bridge.programs.models import Track

    return Track.objects.all()


def _audit_rows(principal):
    """The audit log through the API: what the token's auditor may review on the screens; nothing else."""
    from bridge.audit.models import AuditEvent
    from bridge.audit.queries import audit_events_visible_to

    if principal.is_system:
        return AuditEvent.objects.none()
    return audit_events_visible_to(principal.user)


PATIENT_PARAMS = ("patient", "subject")

TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        ResourceType(
            "Patient",
            (
                Source(
                    _patient_rows,
                    lambda p, _: mapping.patient(p),
                    participant="pk",
                    program="program_id",
                    updated="updated_at",
                    status={
                        "active": Q(status__in=["prospect", "screening", "active", "step_down", "on_hold"]),
                        "inactive": Q(status__in=["discharged", "alumni", "referred"]),
                    },
                    order=("last_name", "first_name", "pk"),
                ),
            ),
            DataClass.DEMOGRAPHICS,
            cap=Cap.VIEW,
            params=("active",),
            description="Participants. `active=true`: in care or being screened; `active=false`: not.",
        ),
        ResourceType(
            "EpisodeOfCare",
            (
                Source(
                    _episode_rows,
                    lambda e, _: mapping.episode_of_care(e),
                    participant="participant_id",
                    program="program_id",
                    updated="created_at",
                    date="admitted_on",
                    status={"active": Q(status="active"), "finished": Q(status="finished")},
                    order=("admitted_on", "pk"),
                ),
            ),
            DataClass.EPISODES,
            cap=Cap.VIEW,
            params=("patient", "date", "status"),
        ),
        ResourceType(
            "Condition",
            (
                Source(
                    _condition_rows,
                    lambda c, _: mapping.condition(c),
                    participant="version__plan__participant_id",
                    program="version__plan__participant__program_id",
                    updated="version__signed_at",
                    date="version__signed_at",
                    date_is_datetime=True,
                    code="code",
                    order=("version__signed_at", "position", "pk"),
                ),
            ),
            DataClass.DIAGNOSES,
            params=(*PATIENT_PARAMS, "date", "code"),
            description="Problems (ICD-10-CM) of the signed treatment plan in force.",
        ),
        ResourceType(
            "DocumentReference",
            (
                Source(
                    _note_rows,
                    lambda n, _: mapping.document_reference(n),
                    participant="participant_id",
                    program="program_id",
                    updated="updated_at",
                    date="signed_at",
                    date_is_datetime=True,
                    status={
                        "current": Q(error_at__isnull=True),
                        "entered-in-error": Q(error_at__isnull=False),
                    },
                    order=("signed_at", "pk"),
                ),
            ),
            DataClass.PROGRESS_NOTES,
            params=(*PATIENT_PARAMS, "date", "status"),
            description="Signed progress notes (individual, family, case management) as text attachments.",
        ),
        ResourceType(
            "MedicationRequest",
            (
                Source(
                    _medication_request_rows,
                    lambda o, _: mapping.medication_request(o),
                    participant="participant_id",
                    program="participant__program_id",
                    updated="created_at",
                    date="start_on",
                    code="drug",
                    status={"active": Q(stop_on__isnull=True), "stopped": Q(stop_on__isnull=False)},
                    order=("start_on", "pk"),
                ),
            ),
            DataClass.MEDICATIONS,
            params=(*PATIENT_PARAMS, "date", "code", "status"),
            description="Medication orders (MOUD/MAT).",
        ),
        ResourceType(
            "MedicationAdministration",
            (
                Source(
                    _administration_rows,
                    lambda a, _: mapping.medication_administration(a),
                    participant="participant_id",
                    program="participant__program_id",
                    updated="recorded_at",
                    date="given_at",
                    date_is_datetime=True,
                    code="order__drug",
                    status={
                        "completed": Q(error_at__isnull=True),
                        "entered-in-error": Q(error_at__isnull=False),
                    },
                    order=("given_at", "pk"),
                ),
            ),
            DataClass.MEDICATIONS,
            params=(*PATIENT_PARAMS, "date", "code", "status"),
            description="Doses given in clinic (injections).",
        ),
        ResourceType(
            "Observation",
            (
                Source(
                    _screen_result_rows,
                    lambda r, _: mapping.drug_screen_observation(r),
                    participant="screen__participant_id",
                    program="screen__participant__program_id",
                    updated="screen__recorded_at",
                    date="screen__collected_on",
                    code="substance",
                    code_aliases=_screen_loinc,
                    status={
                        "final": Q(screen__error_at__isnull=True),
                        "entered-in-error": Q(screen__error_at__isnull=False),
                    },
                    order=("screen__collected_on", "substance", "pk"),
                ),
                Source(
                    _instrument_rows,
                    _instrument_observation,
                    participant="participant_id",
                    program="participant__program_id",
                    updated="administered_at",
                    date="administered_at",
                    date_is_datetime=True,
                    code="instrument",
                    status={
                        "final": Q(entered_in_error_at__isnull=True),
                        "entered-in-error": Q(entered_in_error_at__isnull=False),
                    },
                    order=("administered_at", "pk"),
                    code_aliases=_instrument_loinc,
                ),
            ),
            DataClass.DRUG_SCREENS,
            params=(*PATIENT_PARAMS, "date", "code", "status"),
            includes=("Observation:patient", "Observation:subject"),
            description=(
                "Drug-screen results (one per substance) and instrument total scores (LOINC where the "
                "instrument has a total code). Instrument totals are released under the assessments class."
            ),
        ),
        ResourceType(
            "Consent",
            (
                Source(
                    _consent_rows,
                    lambda c, _: mapping.consent(c),
                    participant="participant_id",
                    program="program_id",
                    updated="recorded_at",
                    date="signed_on",
                    status={
                        "active": Q(status="active"),
                        "inactive": ~Q(status="active"),
                    },
                    order=("signed_on", "pk"),
                ),
            ),
            # A client sees the consents that name it (below); staff see the consents on the chart.
            DataClass.DEMOGRAPHICS,
            cap=Cap.VIEW,
            params=("patient", "date", "status"),
            description="Part 2 consents. A system client sees only the consents that release to it.",
        ),
        ResourceType(
            "Organization",
            (Source(_organization_rows, lambda p, _: mapping.organization(p), None, "pk", "created_at"),),
            None,
            description="Programs (sites).",
        ),
        ResourceType(
            "Practitioner",
            (
                Source(
                    _practitioner_rows,
                    lambda u, _: mapping.practitioner(u),
                    None,
                    "roles__program_id",
                    "date_joined",
                    order=("last_name", "first_name", "pk"),
                ),
            ),
            None,
            description="Staff members.",
        ),
        ResourceType(
            "Group",
            (Source(_group_rows, _group, None, "program_id", "program__created_at", order=("name", "pk")),),
            None,
            description="Group series with the members the caller may see.",
        ),
        ResourceType(
            "CarePlan",
            (
                Source(
                    _plan_version_rows,
                    lambda v, _: mapping.care_plan(v),
                    participant="plan__participant_id",
                    program="plan__participant__program_id",
                    updated="signed_at",
                    date="signed_at",
                    date_is_datetime=True,
                    status={
                        "active": Q(plan__current_version=F("pk")),
                        "revoked": ~Q(plan__current_version=F("pk")),
                    },
                    order=("signed_at", "pk"),
                ),
            ),
            DataClass.TREATMENT_PLAN,
            params=(*PATIENT_PARAMS, "date", "status"),
            description="Signed treatment-plan versions; the one in force is active, earlier ones revoked.",
        ),
        ResourceType(
            "Goal",
            (
                Source(
                    _goal_rows,
                    lambda g, _: mapping.goal(g),
                    participant="version__plan__participant_id",
                    program="version__plan__participant__program_id",
                    updated="version__signed_at",
                    status={"active": Q()},
                    order=("version__signed_at", "position", "pk"),
                ),
            ),
            DataClass.TREATMENT_PLAN,
            params=(*PATIENT_PARAMS, "status"),
            description="Goals (in the participant's words) of the plan in force, objectives as targets.",
        ),
        ResourceType(
            "QuestionnaireResponse",
            (
                Source(
                    _instrument_rows,
                    _questionnaire_response,
                    participant="participant_id",
                    program="participant__program_id",
                    updated="administered_at",
                    date="administered_at",
                    date_is_datetime=True,
                    status={
                        "completed": Q(entered_in_error_at__isnull=True),
                        "entered-in-error": Q(entered_in_error_at__isnull=False),
                    },
                    order=("administered_at", "pk"),
                ),
            ),
            DataClass.ASSESSMENTS,
            params=(*PATIENT_PARAMS, "date", "status"),
            description="Instrument answers, against the Questionnaire of the instrument.",
        ),
        ResourceType(
            "Appointment",
            (
                Source(
                    _attendance_rows,
                    lambda a, _: mapping.appointment(a),
                    participant="participant_id",
                    program="session__program_id",
                    updated="session__created_at",
                    date="session__starts_at",
                    date_is_datetime=True,
                    status={
                        "booked": Q(status="expected") & ~Q(session__status="cancelled"),
                        "fulfilled": Q(status__in=["present", "late", "left_early"]),
                        "noshow": Q(status__in=["unexcused", "no_show"]),
                        "cancelled": Q(status="excused") | Q(session__status="cancelled"),
                    },
                    order=("session__starts_at", "pk"),
                ),
            ),
            DataClass.ATTENDANCE,
            cap=Cap.VIEW,
            params=("patient", "date", "status"),
            description="Each participant's place at a session (one per participant and session).",
        ),
        ResourceType(
            "Encounter",
            (
                Source(
                    _session_rows,
                    lambda s, _: mapping.session_encounter(s),
                    None,
                    "program_id",
                    "created_at",
                    date="starts_at",
                    date_is_datetime=True,
                    status={
                        "planned": Q(status="scheduled"),
                        "finished": Q(status="completed"),
                        "cancelled": Q(status="cancelled"),
                    },
                    order=("starts_at", "pk"),
                    restrict=_sessions_of_visible_attendees,
                ),
                Source(
                    _attended_rows,
                    lambda a, _: mapping.participant_encounter(a),
                    participant="participant_id",
                    program="session__program_id",
                    updated="session__created_at",
                    date="session__starts_at",
                    date_is_datetime=True,
                    status={"finished": Q()},
                    order=("session__starts_at", "pk"),
                ),
            ),
            DataClass.ATTENDANCE,
            cap=Cap.VIEW,
            params=(*PATIENT_PARAMS, "date", "status"),
            includes=("Encounter:patient", "Encounter:subject"),
            description=(
                "Sessions (the shared encounter) and each participant's attendance at one, partOf it, "
                "with the minutes attended."
            ),
        ),
        ResourceType(
            "Questionnaire",
            (),
            None,
            params=("code", "status"),
            description="The validated instruments, generated from their definitions (code: PHQ-9, ...).",
            static=_questionnaires,
        ),
        ResourceType(
            "AuditEvent",
            (
                Source(
                    lambda: None,  # type: ignore[arg-type,return-value]
                    lambda e, _: mapping.audit_event(e),
                    participant="participant_id",
                    program="participant__program_id",
                    updated="occurred_at",
                    date="occurred_at",
                    date_is_datetime=True,
                    code="action",
                    order=("seq",),
                    scoped_rows=_audit_rows,
                    numbered_ids=True,
                ),
            ),
            None,
            params=("patient", "date", "code"),
            description=(
                "The tamper-evident audit log, for auditors (user tokens of staff with the auditor role); "
                "code is the action (read, search, disclose, ...)."
            ),
        ),
        ResourceType(
            "PractitionerRole",
            (
                Source(
                    _staff_role_rows,
                    lambda r, _: mapping.practitioner_role(r),
                    None,
                    "program_id",
                    "granted_at",
                ),
            ),
            None,
            description="Each role a staff member holds in a program.",
        ),
        ResourceType(
            "Location",
            (
                Source(
                    _room_rows, lambda r, _: mapping.location(r), None, "program_id", "program__created_at"
                ),
            ),
            None,
            description="Rooms of a program.",
        ),
        ResourceType(
            "HealthcareService",
            (
                Source(
                    _track_rows,
                    lambda t, _: mapping.healthcare_service(t),
                    None,
                    "program_id",
                    "program__created_at",
                ),
            ),
            None,
            description="A program's tracks (weekly timetables).",
        ),
    )
}

# Which data class each Observation source releases (the drug screens' and the instruments').
SOURCE_DATA_CLASS: dict[int, str] = {id(TYPES["Observation"].sources[1]): DataClass.ASSESSMENTS}


def source_data_class(rtype: ResourceType, source: Source) -> str | None:
    return SOURCE_DATA_CLASS.get(id(source), rtype.data_class)
