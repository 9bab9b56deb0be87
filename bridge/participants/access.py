"""Who may see or change a participant: the one access rule, written once.

A staff member sees a participant when
  * they hold a program-wide role in the participant's program that covers the participant's
    status (a director sees everyone; intake sees prospects and people in screening; front desk
    sees everyone for scheduling, not the chart), or
  * they are on the participant's care team and hold a clinical role in that program, or
  * they hold a clinical role in that program and an unexpired emergency-access grant for the
    participant (break-the-glass, bridge/privacy): that adds VIEW and CHART, for a limited time.
The auditor sees the audit log, never charts.

What they may then do is a set of capabilities (Cap). Missing the participant and not being
allowed to see it look the same (404); seeing it but lacking the capability for an action is 403.
Every view that takes a participant id goes through `participant_for` (usually via the
`participant_view` decorator) and every list through `Participant.objects.visible_to(user)`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.participants.models import CareTeamMember, Participant

if TYPE_CHECKING:
    from bridge.privacy.models import EmergencyAccess

S = Participant.Status


class ParticipantRequest(StaffRequest):
    """For type checking: the request a `participant_view` passes to its view, once `participant_for`
    has found the signed-in staff user's capabilities on the participant (`participant_caps`)."""

    participant_caps: frozenset[Cap]


class Cap(enum.StrEnum):
    VIEW = "view"  # demographics, contact, care team, schedule
    EDIT = "edit"  # change demographics, contact, status, schedule
    CHART = "chart"  # read the clinical record
    DOCUMENT = "document"  # write to the clinical record
    PRESCRIBE = "prescribe"  # medication orders
    MANAGE_TEAM = "manage_team"  # assign and end care-team members
    FOLLOW_UP = "follow_up"  # recovery support: aftercare plan, check-ins, outreach (peers, clinicians)
    BILLING = "billing"  # coverage, authorizations, charges and claims (bridge/billing); not the notes
    # Household size and income, the sliding-fee tier, payment reversals, making good-faith estimates:
    # billing staff and the director. Front desk takes payments and sees the balance, not the income.
    FINANCES = "finances"


_ALL_CLINICAL = frozenset({Cap.VIEW, Cap.EDIT, Cap.CHART, Cap.DOCUMENT, Cap.FOLLOW_UP})

# Role -> (statuses covered, or None for every status; capabilities), for the role's whole program.
PROGRAM_WIDE: dict[str, tuple[frozenset[str] | None, frozenset[Cap]]] = {
    Role.DIRECTOR: (None, _ALL_CLINICAL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES}),
    Role.INTAKE: (frozenset({S.PROSPECT, S.SCREENING}), _ALL_CLINICAL),
    # Front desk captures and corrects insurance (coverage) for everyone.
    Role.FRONT_DESK: (None, frozenset({Cap.VIEW, Cap.EDIT, Cap.BILLING})),
    # Billing staff see who a person is (for the claim) and the billing record, never the chart.
    Role.BILLING: (None, frozenset({Cap.VIEW, Cap.BILLING, Cap.FINANCES})),
}

# Role -> capabilities when the staff member is on the participant's care team.
CARE_TEAM: dict[str, frozenset[Cap]] = {
    Role.DIRECTOR: _ALL_CLINICAL | {Cap.MANAGE_TEAM, Cap.BILLING, Cap.FINANCES},
    Role.INTAKE: _ALL_CLINICAL,
    Role.THERAPIST: _ALL_CLINICAL,
    Role.PRESCRIBER: frozenset({Cap.VIEW, Cap.CHART, Cap.DOCUMENT, Cap.PRESCRIBE, Cap.FOLLOW_UP}),
    Role.NURSE: frozenset({Cap.VIEW, Cap.CHART, Cap.DOCUMENT, Cap.FOLLOW_UP}),
    Role.PEER: frozenset({Cap.VIEW, Cap.FOLLOW_UP}),
    Role.FRONT_DESK: frozenset({Cap.VIEW, Cap.EDIT, Cap.BILLING}),
    Role.BILLING: frozenset({Cap.VIEW, Cap.BILLING, Cap.FINANCES}),
    # Role.AUDITOR: deliberately absent.
}

# Clinicians of the participant's program who may open the chart in an emergency ("break the glass"):
# a stated reason opens an EmergencyAccess grant that adds exactly these capabilities until it expires.
BREAK_GLASS_ROLES = frozenset({Role.THERAPIST, Role.PRESCRIBER, Role.NURSE, Role.INTAKE})
BREAK_GLASS_CAPS = frozenset({Cap.VIEW, Cap.CHART})

# The primary clinician also manages the team.
TEAM_ROLE_EXTRA: dict[str, frozenset[Cap]] = {
    CareTeamMember.TeamRole.PRIMARY_CLINICIAN: frozenset({Cap.MANAGE_TEAM}),
}


def _active_membership(user) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(staff=user, ended_at__isnull=True)


def _active_grants(user) -> QuerySet[EmergencyAccess]:
    # Break-glass grants are the privacy app's records; the access helper reads them by model label
    # so that participants (below privacy) does not import privacy.
    grants = apps.get_model("privacy", "EmergencyAccess")
    now = timezone.now()
    return grants.objects.filter(user=user, ended_at__isnull=True, started_at__lte=now, expires_at__gt=now)


def emergency_grant(user, participant: Participant) -> EmergencyAccess | None:
    """The user's unexpired emergency-access grant for `participant`, if the rule lets it count."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not (user.roles_in(participant.program_id) & BREAK_GLASS_ROLES):
        return None
    return _active_grants(user).filter(participant=participant).order_by("-expires_at").first()


def may_break_glass(user) -> bool:
    """Whether `user` holds a role that may ask for emergency access at all (in any program)."""
    return getattr(user, "is_authenticated", False) and bool(user.role_names() & BREAK_GLASS_ROLES)


def emergency_access_allowed(user, participant: Participant) -> bool:
    """May `user` break the glass for `participant`: a clinician of its program who cannot read the chart."""
    if not (user.roles_in(participant.program_id) & BREAK_GLASS_ROLES):
        return False
    return Cap.CHART not in capabilities(user, participant)


@dataclass(frozen=True)
class Access:
    caps: frozenset[Cap]
    emergency: EmergencyAccess | None = None  # the grant, when it is what lets the user in


def access_for(user, participant: Participant, team_roles: Iterable[str] | None = None) -> Access:
    """Everything `user` may do with `participant`, and whether an emergency grant provides it."""
    caps = capabilities(user, participant, team_roles, emergency=False)
    if not caps >= BREAK_GLASS_CAPS:
        grant = emergency_grant(user, participant)
        if grant is not None:
            return Access(caps | BREAK_GLASS_CAPS, grant)
    return Access(caps)


def capabilities(
    user, participant: Participant, team_roles: Iterable[str] | None = None, *, emergency: bool = True
) -> frozenset[Cap]:
    """Everything `user` may do with `participant`. `team_roles` may be passed to save a query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if emergency:
        return access_for(user, participant, team_roles).caps
    roles = user.roles_in(participant.program_id)
    caps: set[Cap] = set()
    for role in roles:
        rule = PROGRAM_WIDE.get(role)
        if rule is not None:
            statuses, granted = rule
            if statuses is None or participant.status in statuses:
                caps |= granted
    if team_roles is None:
        team_roles = list(
            _active_membership(user).filter(participant=participant).values_list("team_role", flat=True)
        )
    team_roles = list(team_roles)
    if team_roles:
        for role in roles:
            caps |= CARE_TEAM.get(role, frozenset())
        if caps:  # team roles only add to someone the program already lets in clinically
            for team_role in team_roles:
                caps |= TEAM_ROLE_EXTRA.get(team_role, frozenset())
    return frozenset(caps)


def visible(qs: QuerySet[Participant], user, cap: Cap = Cap.VIEW) -> QuerySet[Participant]:
    """Filter `qs` to the participants `user` may see and holds `cap` on (the list form of `capabilities`).

    `cap=Cap.CHART` gives the participants whose clinical record the user may read (the FHIR API's
    clinical resources use it); the default is the ordinary "may see" rule.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    rule = Q(pk__in=[])
    for role, (statuses, role_caps) in PROGRAM_WIDE.items():
        if Cap.VIEW not in role_caps or cap not in role_caps:
            continue
        programs = user.programs_with_role(role)
        if programs:
            clause = Q(program_id__in=programs)
            if statuses is not None:
                clause &= Q(status__in=statuses)
            rule |= clause
    team_programs = user.programs_with_role(
        *[r for r, caps in CARE_TEAM.items() if Cap.VIEW in caps and cap in caps]
    )
    if team_programs:
        on_team = _active_membership(user).filter(participant=OuterRef("pk"))
        rule |= Q(program_id__in=team_programs) & Q(Exists(on_team))
    emergency_programs = user.programs_with_role(*BREAK_GLASS_ROLES) if cap in BREAK_GLASS_CAPS else set()
    if emergency_programs:
        granted = _active_grants(user).filter(participant=OuterRef("pk"))
        rule |= Q(program_id__in=emergency_programs) & Q(Exists(granted))
    return qs.filter(rule)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else request.path


def _with_team_roles(pid: uuid.UUID, user) -> Participant | None:
    """The participant (with its program), its care team (each member with the staff member) and
    `user`'s active care-team roles on it, in ONE query: the care team LEFT JOINed (one row per
    member, or one row). The participant page shows the team (`participant.care_team_loaded`)."""
    rows = list(
        Participant.objects.filter(pk=pid)
        .annotate(member=FilteredRelation("care_team"))
        # django-stubs does not know a FilteredRelation's alias as a select_related lookup.
        .select_related("program", "member__staff")  # type: ignore[misc]
    )
    if not rows:
        return None
    participant = rows[0]
    # A participant with no care team is one row whose join is empty: Django then sets no `member`.
    team = [m for row in rows if (m := getattr(row, "member", None)) is not None]
    participant.care_team_loaded = team  # type: ignore[attr-defined]
    viewer = user.pk if getattr(user, "is_authenticated", False) else None
    participant.viewer_team_roles = [  # type: ignore[attr-defined]
        m.team_role for m in team if viewer is not None and m.staff_id == viewer and m.ended_at is None
    ]
    return participant


def participant_for(
    request: HttpRequest,
    participant_id: uuid.UUID | str,
    *,
    cap: Cap = Cap.VIEW,
    object_type: str = "participant",
    object_id: str | None = None,
) -> Participant:
    """Return the participant if `request.user` holds `cap` on it; audit the read or the denial.

    Raises Http404 when the participant is missing or not visible (the two look alike) and
    PermissionDenied (403) when it is visible but `cap` is not granted. A GET or HEAD that
    passes is recorded as a read of `object_type`/`object_id`; writes are audited by the service.
    """
    from bridge.audit.actions import Action, Outcome
    from bridge.audit.services import audit_record

    user = request.user
    try:
        pid = uuid.UUID(str(participant_id))
    except ValueError:
        pid = None
    participant = _with_team_roles(pid, user) if pid is not None else None
    access = (
        access_for(user, participant, participant.viewer_team_roles)  # type: ignore[attr-defined]
        if participant is not None
        else Access(frozenset())
    )
    caps = access.caps
    detail = {"view": _view_name(request), "needed": str(cap)}
    if Cap.VIEW not in caps or cap not in caps:
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=user,
            # The log links the participant even when the user may not see them: auditors need
            # "who tried to open this chart". Only the user's response hides that it exists.
            participant=participant,
            object_type=object_type,
            object_id=object_id or str(participant_id),
            outcome=Outcome.DENIED,
            detail={**detail, "found": participant is not None},
        )
        if Cap.VIEW not in caps:
            if may_break_glass(user) and pid is not None:
                # Offered to every clinician on every "not found" participant page, so the offer itself
                # never tells whether the participant exists; asking is what gets checked and audited.
                request.emergency_access_url = reverse(  # type: ignore[attr-defined]
                    "privacy:emergency_access", args=[pid]
                )
            raise Http404("No participant here.")
        raise PermissionDenied("Your role does not allow this for this participant.")
    assert participant is not None  # a missing participant has no capabilities: refused above
    read_detail = {"view": detail["view"]}
    if access.emergency is not None:
        read_detail |= {"purpose": "BTG", "grant": str(access.emergency.pk)}
    if request.method in ("GET", "HEAD"):
        audit_record(
            action=Action.READ,
            actor=user,
            participant=participant,
            object_type=object_type,
            object_id=object_id or str(participant.pk),
            detail=read_detail,
        )
    request.participant_caps = caps  # type: ignore[attr-defined]
    request.emergency_access = access.emergency  # type: ignore[attr-defined]
    return participant


def participant_view(cap: Cap = Cap.VIEW, *, post: Cap | None = None, get: bool = True) -> Callable:
    """Decorate a view taking `participant_id`: it receives the checked Participant instead.

    GET needs `cap`; POST (allowed only when `post` is given) needs `post`; `get=False` makes a
    POST-only action. The capabilities are kept on the view so the generated access-matrix test
    knows what each URL requires.
    """

    allowed = (("GET", "HEAD") if get else ()) + (("POST",) if post is not None else ())

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, participant_id: uuid.UUID, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            needed = post if request.method == "POST" and post is not None else cap
            participant = participant_for(request, participant_id, cap=needed)
            return view(request, participant, *args, **kwargs)

        wrapper.participant_cap = cap if get else None  # type: ignore[attr-defined]
        wrapper.participant_post_cap = post  # type: ignore[attr-defined]
        return wrapper

    return decorator
