"""Named personas, one per role, shared by every test module (loaded as a pytest plugin).

Each xdist worker builds them once and rolls back each test's writes (bridge/testing/snapshots.py);
a test with committed data, or one that moves the clock first, builds its own.

Two programs: Harbor (where everyone works) and Elsewhere (the outsider's). In Harbor:
  - `alex` is on therapist A's caseload (prescriber and nurse on the team too);
  - `blair` is on therapist B's caseload;
  - `casey` is a prospect waiting for intake, with no care team.
Every participant is in a state the workflows allow: alex, blair and Elsewhere's Eli were admitted
today through `episode_open` (so "Active" has its open episode of care) and `bridge check-records`
finds nothing in the world. A test that needs an admission on its own terms (another day or level)
first calls `unadmit(...)`, which takes the world's admission back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bridge.accounts.models import Credential, Role, StaffRole, User
from bridge.participants.models import CareTeamMember, EpisodeOfCare, LevelOfCareChange, Participant
from bridge.programs.models import Organization, Program, Track
from bridge.testing import snapshots

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["bridge.testing.hashers.FastArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_staff(username: str, program: Program, *roles: str, credentials: tuple[str, ...] = ()) -> User:
    user = User.objects.create(
        username=username,
        first_name=username.capitalize(),
        last_name="Test",
        password=make_password(PASSWORD),
        email=f"{username}@example.org",
    )
    for role in roles:
        StaffRole.objects.create(user=user, program=program, role=role)
    for i, kind in enumerate(credentials):
        Credential.objects.create(
            user=user,
            kind=kind,
            number=f"{username}-{i}",
            issuing_state="CA",
            expires_on=timezone.localdate() + timedelta(days=365),
        )
    return user


def make_participant(
    program: Program, first: str, status: str = Participant.Status.ACTIVE, **extra
) -> Participant:
    return Participant.objects.create(
        program=program,
        first_name=first,
        last_name="Sample",
        date_of_birth=date(1990, 5, 17),
        status=status,
        **extra,
    )


def admit(
    participant: Participant,
    *,
    actor: User | None = None,
    admitted_on: date | None = None,
    level_of_care: str = "2.1",
    **extra,
) -> EpisodeOfCare:
    """Admit through the workflow (participants.services.episode_open): an open episode, status Active."""
    from bridge.participants.services import episode_open

    return episode_open(
        actor=actor,
        participant=participant,
        level_of_care=level_of_care,
        admitted_on=admitted_on or timezone.localdate(),
        **extra,
    )


def unadmit(participant: Participant) -> None:
    """Test set-up only: take back the world's admission of `participant` (nothing rests on it yet) so
    the test can admit them on its own terms right after. The status is left as it was."""
    episodes = EpisodeOfCare.objects.filter(participant=participant, status=EpisodeOfCare.Status.ACTIVE)
    LevelOfCareChange.objects.filter(episode__in=episodes).delete()
    episodes.delete()


def add_to_team(participant: Participant, staff: User, team_role: str) -> CareTeamMember:
    return CareTeamMember.objects.create(participant=participant, staff=staff, team_role=team_role)


@dataclass
class World:
    organization: Organization
    program: Program
    other_program: Program
    director: User  # sees every participant of Harbor, may manage care teams and staff
    intake: User  # sees Harbor's prospects and people in screening
    therapist_a: User  # sees alex (primary clinician)
    therapist_b: User  # sees blair (primary clinician)
    prescriber: User  # sees alex (on the team), may prescribe
    nurse: User  # sees alex (on the team)
    frontdesk: User  # sees Harbor's participants' details, never the chart
    peer: User  # sees alex only as a team member, read-only
    auditor: User  # sees the audit log, never a participant
    outsider: User  # a director at Elsewhere: sees nothing in Harbor
    billing: User  # sees Harbor's coverage, authorizations, charges and claims; never the chart
    alex: Participant
    blair: Participant
    casey: Participant
    elsewhere_participant: Participant

    @property
    def staff(self) -> dict[str, User]:
        names = [
            "director",
            "intake",
            "therapist_a",
            "therapist_b",
            "prescriber",
            "nurse",
            "frontdesk",
            "peer",
            "auditor",
            "outsider",
            "billing",
        ]
        return {n: getattr(self, n) for n in names}


def build_world() -> World:
    """Build the personas and their programs in the database (see the module's docstring)."""
    org = Organization.objects.create(name="Harbor Test Org")
    harbor = Program.objects.create(
        organization=org,
        name="Harbor",
        city="Oakland",
        state="CA",
        zip_code="94607",
        time_zone="America/Los_Angeles",
    )
    other_org = Organization.objects.create(name="Elsewhere Org")
    elsewhere = Program.objects.create(
        organization=other_org,
        name="Elsewhere",
        city="Denver",
        state="CO",
        zip_code="80202",
        time_zone="America/Denver",
    )
    Track.objects.create(
        program=harbor,
        name="Evening",
        weekdays=[0, 1, 3],
        start_time=time(18),
        end_time=time(21),
        target_hours_per_week=9,
    )
    w = World(
        organization=org,
        program=harbor,
        other_program=elsewhere,
        director=make_staff("director", harbor, Role.DIRECTOR, credentials=("LMFT",)),
        intake=make_staff("intake", harbor, Role.INTAKE, credentials=("CADC",)),
        therapist_a=make_staff("therapist_a", harbor, Role.THERAPIST, credentials=("LCSW",)),
        therapist_b=make_staff("therapist_b", harbor, Role.THERAPIST, credentials=("CADC",)),
        prescriber=make_staff("prescriber", harbor, Role.PRESCRIBER, credentials=("MD",)),
        nurse=make_staff("nurse", harbor, Role.NURSE, credentials=("RN",)),
        frontdesk=make_staff("frontdesk", harbor, Role.FRONT_DESK),
        peer=make_staff("peer", harbor, Role.PEER, credentials=("CPRS",)),
        auditor=make_staff("auditor", harbor, Role.AUDITOR),
        outsider=make_staff("outsider", elsewhere, Role.DIRECTOR, Role.THERAPIST, credentials=("LCSW",)),
        billing=make_staff("billing", harbor, Role.BILLING),
        alex=make_participant(harbor, "Alex"),
        blair=make_participant(harbor, "Blair"),
        casey=make_participant(harbor, "Casey", status=Participant.Status.PROSPECT),
        elsewhere_participant=make_participant(elsewhere, "Eli"),
    )
    T = CareTeamMember.TeamRole
    add_to_team(w.alex, w.therapist_a, T.PRIMARY_CLINICIAN)
    add_to_team(w.alex, w.prescriber, T.PRESCRIBER)
    add_to_team(w.alex, w.nurse, T.NURSE)
    add_to_team(w.alex, w.peer, T.PEER)
    add_to_team(w.blair, w.therapist_b, T.PRIMARY_CLINICIAN)
    add_to_team(w.elsewhere_participant, w.outsider, T.PRIMARY_CLINICIAN)
    # "Active" means admitted: each gets the open episode the admission workflow gives.
    for participant, admitted_by in (
        (w.alex, w.intake),
        (w.blair, w.intake),
        (w.elsewhere_participant, w.outsider),
    ):
        admit(participant, actor=admitted_by)
    return w


def pytest_configure(config: pytest.Config) -> None:
    snapshots.register(config, "world", build_world)


@pytest.fixture
def world(_snapshots_session, db) -> World:
    """The personas: built once per worker and copied for each test (bridge/testing/snapshots.py), or
    built inside the test when it runs with committed data or moves the clock first."""
    snapshot = snapshots.current(_snapshots_session, "world")
    if snapshot is None:
        return build_world()
    if timezone.localdate() != snapshot.built_on:
        pytest.fail(
            f"This test moved the clock to {timezone.localdate()} before asking for `world`, which was "
            f"built on {snapshot.built_on}. Add the fixture that moves it to CLOCK_FIXTURES in "
            "bridge/testing/snapshots.py, so that the test builds its own world on its day.",
            pytrace=False,
        )
    # Each test gets its own objects, as the database is rolled back for it: what one test changes on
    # them in memory (a status, a cached relation) never reaches the next.
    return copy.deepcopy(snapshot.value)


@pytest.fixture
def login(client):
    """`login(user)` signs the test client in as `user` (second factor treated as passed)."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login
