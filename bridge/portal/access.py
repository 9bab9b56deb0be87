"""Who may see what in the participant's app: the signed-in participant, only their own records.

The rule, written once:
  * a portal page needs a signed-in participant (`request.portal_account`, set by the middleware
    from the session; never a staff `User`);
  * a staff member signed in in the same browser cannot use the app (staff never act as a
    participant): the page says so, with status 403;
  * a record reached by id (a session, a questionnaire) must be the participant's own, else 404,
    the same answer as for an id that does not exist;
  * every page read is audited (`portal_read`), every action by its service.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from bridge.accounts.http import StaffRequest
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.portal.models import ParticipantAccount
from bridge.portal.services import PortalActor

SESSION_ACCOUNT = "portal_account"
SESSION_EPOCH = "portal_epoch"
SESSION_SEEN = "portal_seen"
SESSION_PENDING = "portal_pending_code"
SESSION_ENDED = "portal_ended"  # why the last session ended, for the sign-in page to say
KEYS = (SESSION_ACCOUNT, SESSION_EPOCH, SESSION_SEEN, SESSION_PENDING)


class PortalHttpRequest(HttpRequest):
    """For type checking: a request past PortalMiddleware, which sets `portal_account` (None when
    no participant is signed in)."""

    portal_account: ParticipantAccount | None


class PortalPageRequest(HttpRequest):
    """For type checking: a request to a `portal_page` view, which refuses it unless a participant is
    signed in."""

    portal_account: ParticipantAccount


def portal_sign_in(request: HttpRequest, account: ParticipantAccount) -> None:
    # A new session key at sign-in, so a key planted before it (session fixation) is worth nothing.
    request.session.cycle_key()
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_ACCOUNT] = str(account.pk)
    request.session[SESSION_EPOCH] = account.session_epoch
    request.session[SESSION_SEEN] = time.time()
    request.portal_account = account  # type: ignore[attr-defined]


def portal_forget(request: HttpRequest) -> None:
    for key in KEYS:
        request.session.pop(key, None)
    request.portal_account = None  # type: ignore[attr-defined]


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the app that needs the participant signed in."""

    @login_not_required
    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return staff_refused(request)
        if getattr(request, "portal_account", None) is None:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('portal:sign_in')}?{query}")
        return view(request, *args, **kwargs)

    wrapper.portal_page = True  # type: ignore[attr-defined]
    return wrapper


def portal_public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the app anyone may open (sign-in, help, language)."""
    return login_not_required(never_cache(view))


def staff_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff_refused.html", status=403)


def portal_read(request: HttpRequest, *, object_type: str = "portal_page", object_id: str = "") -> None:
    """Record that the participant opened a page of their app (as staff reads are recorded)."""
    account = request.portal_account  # type: ignore[attr-defined]
    match = request.resolver_match
    audit_record(
        action=Action.READ,
        actor=PortalActor(account),
        participant=account.participant,
        object_type=object_type,
        object_id=object_id,
        detail={"view": match.view_name if match else request.path},
    )


def own_session(request: HttpRequest, session_id: uuid.UUID):
    """One of the participant's own sessions (they are on its roster), else 404."""
    from bridge.scheduling.models import Session

    account = request.portal_account  # type: ignore[attr-defined]
    session = (
        Session.objects.select_related("room", "staff", "program", "session_type")
        .filter(pk=session_id, attendance__participant_id=account.participant_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def own_measure_link(request: HttpRequest, link_id: uuid.UUID):
    """One of the participant's own questionnaires that is still open, else 404."""
    from bridge.measures.models import MeasureLink

    account = request.portal_account  # type: ignore[attr-defined]
    link = MeasureLink.objects.filter(pk=link_id, participant_id=account.participant_id).first()
    if link is None or not link.is_open:
        raise Http404("No such questionnaire.")
    return link


def own_consent(request: HttpRequest, consent_id: uuid.UUID):
    """One of the participant's own consents, else 404."""
    from bridge.privacy.models import Consent

    account = request.portal_account  # type: ignore[attr-defined]
    consent = (
        Consent.objects.select_related("program")
        .filter(pk=consent_id, participant_id=account.participant_id)
        .first()
    )
    if consent is None:
        raise Http404("No such consent.")
    return consent


def directed_program(request: StaffRequest, program_id: uuid.UUID | str):
    """A program `request.user` directs (for its participant-app settings), else 404 (audited), the
    same answer as for a program that does not exist."""
    from bridge.accounts.models import Role
    from bridge.audit.actions import Outcome
    from bridge.programs.models import Program

    program = Program.objects.filter(pk=program_id).first()
    if program is None or not request.user.has_role(Role.DIRECTOR, program.pk):
        audit_record(
            action=Action.ACCESS_DENIED,
            actor=request.user,
            object_type="participant_app_settings",
            object_id=str(program_id),
            outcome=Outcome.DENIED,
            detail={"found": program is not None},
        )
        raise Http404("No such program.")
    return program


def is_alumni(participant) -> bool:
    """In the alumni community: enrolled and not opted out."""
    from bridge.aftercare.models import AlumniEnrollment

    return AlumniEnrollment.objects.filter(participant=participant, opted_out_at__isnull=True).exists()


def alumni_event(request: HttpRequest, session_id: uuid.UUID):
    """An upcoming alumni event of the participant's program, for an alumni member; else 404."""
    from django.utils import timezone

    from bridge.scheduling.models import Session, SessionKind

    account = request.portal_account  # type: ignore[attr-defined]
    participant = account.participant
    session = (
        Session.objects.select_related("room", "staff", "program")
        .filter(
            pk=session_id,
            program_id=participant.program_id,
            kind=SessionKind.ALUMNI,
            status=Session.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .first()
    )
    if session is None or not is_alumni(participant):
        raise Http404("No such event.")
    return session
