"""The demo program: one organization, one program, three tracks, nine staff logins, participants.

Deterministic: the same seed gives the same people and history (dates are relative to today so
the demo always looks current). Other apps add their own demo data by defining `demo.py` with
`build(ctx: DemoContext)`; they run after this, in INSTALLED_APPS order.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from bridge.accounts.models import Credential, Role, StaffRole, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core.registry import app_modules
from bridge.participants.models import (
    CareTeamMember,
    EpisodeOfCare,
    LevelOfCare,
    LevelOfCareChange,
    Participant,
)
from bridge.programs.models import Organization, Program, Track

DEMO_ORGANIZATION = "Harbor Light Recovery Services"
DEMO_PROGRAM = "Harbor Light IOP — Oakland"
SEED = 2026

# Participants per 40 at each stage.
STATUS_MIX = (
    [Participant.Status.PROSPECT] * 4
    + [Participant.Status.SCREENING] * 4
    + [Participant.Status.ACTIVE] * 18
    + [Participant.Status.STEP_DOWN] * 4
    + [Participant.Status.DISCHARGED] * 5
    + [Participant.Status.ALUMNI] * 5
)


@dataclass
class DemoContext:
    scale: int
    rng: random.Random
    faker: Faker
    today: date
    organization: Organization
    program: Program
    tracks: dict[str, Track]
    staff: dict[str, User]
    therapists: list[User]
    prescribers: list[User]
    participants: list[Participant]
    episodes: list[EpisodeOfCare] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def primary_of(self, participant: Participant) -> User | None:
        return self.extra.get("primary", {}).get(participant.pk)


def demo_loaded() -> bool:
    return Organization.objects.filter(name=DEMO_ORGANIZATION).exists()


def other_data() -> dict[str, int]:
    """What the database holds that is not the demo, e.g. {"staff accounts": 3} (empty when none).

    Ask it when the demo is not loaded (`demo_loaded()`): then every such record is someone else's.
    The demo creates logins with a published password and API tokens with published secrets, so it
    loads only into a database with none of a real program's records. Counted: organizations, staff
    accounts, participants, API tokens, audit events and imported directory facilities (the records
    everything else hangs from; migrations create none of them).
    """
    from bridge.audit.models import AuditEvent
    from bridge.directory.models import Facility
    from bridge.fhir.models import ApiToken

    counts = {
        ("organization", "organizations"): Organization.objects.count(),
        ("staff account", "staff accounts"): User.objects.count(),
        ("participant", "participants"): Participant.objects.count(),
        ("API token", "API tokens"): ApiToken.objects.count(),
        ("audit event", "audit events"): AuditEvent.objects.count(),
        ("directory facility", "directory facilities"): Facility.objects.count(),
    }
    return {(one if n == 1 else many): n for (one, many), n in counts.items() if n}


def _one_on_hold(ctx: DemoContext) -> None:
    """One participant in care goes on hold (a hospital stay) through the hold workflow, after every
    app has built its records, so their groups and notes are there as for anyone in care."""
    from bridge.participants.models import CareHold
    from bridge.participants.services import participant_hold

    today = ctx.today
    for p in reversed(ctx.participants):  # the last, so tests that take the first person in care keep them
        p.refresh_from_db(fields=["status"])
        episode = p.episodes.filter(status=EpisodeOfCare.Status.ACTIVE).first()
        actor = ctx.primary_of(p)
        if p.status != Participant.Status.ACTIVE or episode is None or actor is None:
            continue
        if episode.admitted_on > today - timedelta(days=21):
            continue
        participant_hold(
            actor=actor,
            participant=p,
            kind=CareHold.Kind.HOSPITAL,
            reason="Admitted to hospital for pneumonia; the family will call when discharge is planned.",
            starts_on=today - timedelta(days=3),
            expected_return_on=today + timedelta(days=10),
        )
        return


def _staff_spec(scale: int) -> list[tuple[str, str, str, list[Role], list[tuple[str, int]]]]:
    """(username, first, last, roles, [(credential kind, days until expiry)])."""
    spec = [
        ("director", "Avery", "Castillo", [Role.DIRECTOR], [("LMFT", 400), ("CADC", -20)]),
        ("intake", "Marcus", "Bell", [Role.INTAKE], [("CADC", 300)]),
        ("therapist1", "Priya", "Natarajan", [Role.THERAPIST], [("LCSW", 500)]),
        ("therapist2", "Jordan", "Reyes", [Role.THERAPIST], [("CADC_II", 35), ("LPCC", -90)]),
        ("prescriber", "Elena", "Okafor", [Role.PRESCRIBER], [("MD", 700), ("DEA", 600)]),
        ("nurse", "Sam", "Lindqvist", [Role.NURSE], [("RN", 250)]),
        ("frontdesk", "Tasha", "Greene", [Role.FRONT_DESK], []),
        ("peer", "Luis", "Moreno", [Role.PEER], [("CPRS", 200)]),
        ("auditor", "Grace", "Kim", [Role.AUDITOR], []),
        ("billing", "Robin", "Ortiz", [Role.BILLING], []),
    ]
    # Larger demos (benchmarks) need caseloads a real program would have: ~20 per therapist.
    for k in range(3, 2 * scale + 1):
        spec.append((f"therapist{k}", f"Therapist{k}", "Demo", [Role.THERAPIST], [("LMFT", 365)]))
    for k in range(2, max(1, scale // 2) + 1):
        spec.append((f"prescriber{k}", f"Prescriber{k}", "Demo", [Role.PRESCRIBER], [("NP", 365)]))
    return spec


@transaction.atomic
def build(*, scale: int = 1, stdout=None) -> DemoContext:
    rng = random.Random(SEED)
    faker = Faker("en_US")
    faker.seed_instance(SEED)
    today = timezone.localdate()

    org = Organization.objects.create(name=DEMO_ORGANIZATION)
    program = Program.objects.create(
        organization=org,
        name=DEMO_PROGRAM,
        street="1450 Harbor Way, Suite 200",
        city="Oakland",
        state="CA",
        zip_code="94607",
        phone="(510) 555-0142",
        time_zone="America/Los_Angeles",
    )
    tracks = {
        "evening": Track(
            program=program,
            name="Weekday evening",
            weekdays=[0, 1, 3],
            start_time=time(18),
            end_time=time(21),
            modality=Track.Modality.IN_PERSON,
            target_hours_per_week=9,
        ),
        "daytime": Track(
            program=program,
            name="Weekday daytime",
            weekdays=[0, 2, 4],
            start_time=time(9, 30),
            end_time=time(12, 30),
            modality=Track.Modality.HYBRID,
            target_hours_per_week=9,
        ),
        "weekend": Track(
            program=program,
            name="Weekend mornings",
            weekdays=[5, 6],
            start_time=time(9),
            end_time=time(12, 30),
            modality=Track.Modality.IN_PERSON,
            target_hours_per_week=7,
        ),
    }
    for track in tracks.values():
        track.full_clean()
        track.save()

    password = make_password(settings.BRIDGE_DEMO_PASSWORD)
    staff: dict[str, User] = {}
    credential_numbers = itertools.count(104_729, 7919)
    for username, first, last, roles, creds in _staff_spec(scale):
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            password=password,
            email=f"{username}@harborlight.example",
        )
        for role in roles:
            StaffRole.objects.create(user=user, program=program, role=role)
        for kind, days in creds:
            Credential.objects.create(
                user=user,
                kind=kind,
                number=f"{kind[:3]}{next(credential_numbers)}",
                issuing_state="CA",
                expires_on=today + timedelta(days=days),
                verified_on=today - timedelta(days=rng.randint(10, 200)),
            )
        staff[username] = user
    therapists = [u for name, u in staff.items() if name.startswith("therapist")]
    prescribers = [u for name, u in staff.items() if name.startswith("prescriber")]

    participants: list[Participant] = []
    team: list[CareTeamMember] = []
    primary: dict = {}
    now = timezone.now()
    for i in range(40 * scale):
        status = STATUS_MIX[i % len(STATUS_MIX)]
        sex = rng.choice(["female", "male", "male", "female", "nonbinary"])
        first = (
            faker.first_name_female()
            if sex == "female"
            else faker.first_name_male()
            if sex == "male"
            else faker.first_name_nonbinary()
        )
        pronouns = {"female": "she/her", "male": "he/him", "nonbinary": "they/them"}[sex]
        age_days = rng.randint(19 * 365, 64 * 365) if i % 13 else rng.randint(15 * 365, 17 * 365)
        days_ago = {"prospect": rng.randint(0, 6), "screening": rng.randint(1, 10)}.get(
            status, rng.randint(20, 400)
        )
        participant = Participant(
            program=program,
            first_name=first,
            last_name=faker.last_name(),
            preferred_name=first[:3] if rng.random() < 0.08 else "",
            date_of_birth=today - timedelta(days=age_days),
            pronouns=pronouns,
            phone=f"(510) 555-{rng.randint(1000, 9999)}",
            email=f"{first.lower()}.{i}@example.org",
            address=faker.street_address() + ", Oakland, CA",
            emergency_contact_name=faker.name(),
            emergency_contact_phone=f"(510) 555-{rng.randint(1000, 9999)}",
            emergency_contact_relationship=rng.choice(
                ["Partner", "Mother", "Father", "Sister", "Brother", "Friend"]
            ),
            status=status,
            created_at=now - timedelta(days=days_ago, hours=rng.randint(0, 20)),
        )
        participants.append(participant)
    Participant.objects.bulk_create(participants, batch_size=500)

    for i, p in enumerate(participants):
        if p.status in (Participant.Status.PROSPECT, Participant.Status.SCREENING):
            continue
        start = p.created_at + timedelta(days=3)
        therapist = therapists[i % len(therapists)]
        primary[p.pk] = therapist
        team.append(
            CareTeamMember(
                participant=p,
                staff=therapist,
                team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
                started_at=start,
            )
        )
        if i % 3 == 0:
            team.append(
                CareTeamMember(
                    participant=p,
                    # i is a multiple of 3 here: spread by i // 3, or every visit lands on one prescriber.
                    staff=prescribers[(i // 3) % len(prescribers)],
                    team_role=CareTeamMember.TeamRole.PRESCRIBER,
                    started_at=start,
                )
            )
            team.append(
                CareTeamMember(
                    participant=p,
                    staff=staff["nurse"],
                    team_role=CareTeamMember.TeamRole.NURSE,
                    started_at=start,
                )
            )
        if p.status in (
            Participant.Status.STEP_DOWN,
            Participant.Status.DISCHARGED,
            Participant.Status.ALUMNI,
        ):
            team.append(
                CareTeamMember(
                    participant=p,
                    staff=staff["peer"],
                    team_role=CareTeamMember.TeamRole.PEER,
                    started_at=start + timedelta(days=30),
                )
            )
    CareTeamMember.objects.bulk_create(team, batch_size=1000)

    episodes: list[EpisodeOfCare] = []
    for p in participants:
        if p.status in (Participant.Status.PROSPECT, Participant.Status.SCREENING):
            continue
        admitted = timezone.localtime(p.created_at).date() + timedelta(days=3)
        finished = p.status in (Participant.Status.DISCHARGED, Participant.Status.ALUMNI)
        discharged = (
            min(admitted + timedelta(days=rng.randint(56, 120)), today - timedelta(days=1))
            if finished
            else None
        )
        episodes.append(
            EpisodeOfCare(
                participant=p,
                program=program,
                level_of_care=LevelOfCare.INTENSIVE_OUTPATIENT,
                status=EpisodeOfCare.Status.FINISHED if finished else EpisodeOfCare.Status.ACTIVE,
                admitted_on=admitted,
                discharged_on=max(discharged, admitted) if discharged else None,
                consent_to_treatment_signed_on=admitted,
                created_by=staff["intake"],
            )
        )
    EpisodeOfCare.objects.bulk_create(episodes, batch_size=1000)
    LevelOfCareChange.objects.bulk_create(
        [
            LevelOfCareChange(
                episode=e,
                level_of_care=e.level_of_care,
                effective_on=e.admitted_on,
                reason="Admission",
                changed_by=staff["intake"],
            )
            for e in episodes
        ],
        batch_size=1000,
    )

    ctx = DemoContext(
        scale=scale,
        rng=rng,
        faker=faker,
        today=today,
        organization=org,
        program=program,
        tracks=tracks,
        staff=staff,
        therapists=therapists,
        prescribers=prescribers,
        participants=participants,
        extra={"primary": primary},
    )

    for config, module in app_modules("demo"):
        if config.name == "bridge.demo":
            continue
        if stdout:
            stdout.write(f"  {config.verbose_name} …")
        module.build(ctx)
    _one_on_hold(ctx)

    audit_record(
        action=Action.DEMO_LOADED,
        actor_label="system",
        object_type="organization",
        object_id=str(org.pk),
        detail={"scale": scale, "participants": len(participants)},
    )
    return ctx
