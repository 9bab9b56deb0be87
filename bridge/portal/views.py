"""The participant's app: views validate, services write, every page read is audited."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridge import instruments
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.instruments.spanish import spanish_version
from bridge.intake.models import IntakeSettings
from bridge.intake.throttle import ClientRateThrottle
from bridge.measures import services as measures
from bridge.measures.forms import InstrumentForm
from bridge.measures.models import MeasureLink
from bridge.portal import services
from bridge.portal.access import (
    SESSION_ENDED,
    SESSION_PENDING,
    PortalHttpRequest,
    PortalPageRequest,
    is_alumni,
    own_measure_link,
    own_session,
    portal_forget,
    portal_page,
    portal_public,
    portal_read,
    portal_sign_in,
    staff_refused,
)
from bridge.portal.checkin_views import due_checkin
from bridge.portal.forms import CodeForm, ExcusedForm, LanguageForm, RescheduleForm, SignInForm
from bridge.portal.models import PortalRequest, SignInCode
from bridge.scheduling.models import Attendance, Session

CHECK_IN_OPENS = timedelta(hours=1)


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("portal:home")


def _throttled(request: HttpRequest, scope: str) -> bool:
    return not ClientRateThrottle(scope, "BRIDGE_PORTAL_SIGNIN_RATE").allow_request(request)


# --- Sign-in ---------------------------------------------------------------------------------------


@portal_public
@require_http_methods(["GET", "POST"])
def sign_in(request: PortalHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return staff_refused(request)
    if request.portal_account is not None:
        return redirect("portal:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(request, "portal_sign_in"):
            form.add_error("contact", _("Too many tries from here. Wait a while, or call your program."))
        else:
            contact = form.cleaned_data["contact"]
            account = services.account_for_contact(contact)
            row = services.code_send(account=account, identifier=contact) if account else None
            if account is None:
                audit_record(
                    action=Action.LOGIN_FAILED,
                    actor_label="participant app",
                    object_type="portal_account",
                    outcome=Outcome.DENIED,
                    detail={"reason": "no account for this contact"},
                )
            # The same answer whether or not the contact is known, so the page tells no one who is in care.
            request.session[SESSION_PENDING] = str(row.pk) if row else ""
            request.session["portal_next"] = _safe_next(request, request.GET.get("next"))
            return redirect("portal:code")
    ended = {
        "idle": _("You were signed out after %(minutes)s minutes without activity.")
        % {"minutes": settings.BRIDGE_PORTAL_IDLE_MINUTES},
        "ended": _("You were signed out."),
    }.get(request.session.pop(SESSION_ENDED, ""), "")
    status = 400 if form.errors else 200
    return render(request, "portal/sign_in.html", {"form": form, "ended": ended}, status=status)


@portal_public
@require_http_methods(["GET", "POST"])
def code(request: PortalHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return staff_refused(request)
    if SESSION_PENDING not in request.session:
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pending = request.session[SESSION_PENDING]
        row = SignInCode.objects.filter(pk=pending).first() if pending else None
        if _throttled(request, "portal_code"):
            form.add_error("code", _("Too many tries from here. Wait a while, or call your program."))
        elif row is None:
            form.add_error("code", _("That code is not right, or it has expired."))
        else:
            with refusal.on_form(form, field="code"):
                account = services.code_verify(code_row=row, code=form.cleaned_data["code"])
                next_url = request.session.get("portal_next")
                portal_sign_in(request, account)
                return HttpResponseRedirect(_safe_next(request, next_url))
    status = 400 if form.errors else 200
    return render(request, "portal/code.html", {"form": form}, status=status)


@portal_public
@require_POST
def sign_out(request: PortalHttpRequest) -> HttpResponse:
    account = request.portal_account
    if account is not None:
        audit_record(
            action=Action.LOGOUT,
            actor=services.PortalActor(account),
            participant=account.participant,
            object_type="portal_account",
            object_id=str(account.pk),
        )
        portal_forget(request)
        if not request.user.is_authenticated:
            request.session.cycle_key()
    messages.info(request, _("You are signed out."))
    response = redirect("portal:sign_in")
    response["Clear-Site-Data"] = SIGN_OUT_CLEARS
    return response


@portal_page
@require_POST
def sign_out_all(request: PortalPageRequest) -> HttpResponse:
    services.sign_out_everywhere(account=request.portal_account)
    portal_forget(request)
    request.session.cycle_key()
    messages.info(request, _("You are signed out on every phone and computer."))
    response = redirect("portal:sign_in")
    response["Clear-Site-Data"] = SIGN_OUT_CLEARS
    return response


# --- Today and this week -----------------------------------------------------------------------------


def _check_in_open(session: Session, row: Attendance, now: datetime) -> bool:
    return (
        session.status == Session.Status.SCHEDULED
        and row.status == Attendance.Status.EXPECTED
        and session.starts_at - CHECK_IN_OPENS <= now <= session.ends_at
    )


def _hours(minutes: int) -> str:
    return f"{round(minutes / 60, 1):g}"


def _hours_progress(participant, today) -> dict | None:
    """This week's hours against their plan, in plain words (the scheduling ledger's own figures)."""
    from bridge.scheduling.ledger import hours_for

    line = hours_for(participant, today)
    if not line.floor_minutes:
        return None
    done, goal = line.attended_minutes, line.floor_minutes
    return {
        "done": _hours(done),
        "goal": _hours(goal),
        "reached": done >= goal,
        "ahead_gets_there": done + line.scheduled_minutes >= goal,
    }


@portal_page
@require_GET
def home(request: PortalPageRequest) -> HttpResponse:
    account = request.portal_account
    participant = account.participant
    now = timezone.now()
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    rows = list(
        Attendance.objects.filter(
            participant=participant,
            session__starts_at__gte=start,
            session__starts_at__lt=start + timedelta(days=7),
        )
        .select_related("session", "session__room", "session__staff", "session__program")
        .order_by("session__starts_at")
    )
    asked = {
        (r.session_id, r.kind): r
        for r in PortalRequest.objects.filter(
            participant=participant, session_id__in=[a.session_id for a in rows]
        )
    }
    days: list[dict] = []
    for row in rows:
        session = row.session
        day = timezone.localdate(session.starts_at)
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "today": day == today, "items": []})
        days[-1]["items"].append(
            {
                "session": session,
                "attendance": row,
                "check_in": _check_in_open(session, row, now),
                "requests": [r for (sid, _k), r in asked.items() if sid == session.pk],
            }
        )
    progress = _hours_progress(participant, today)
    questionnaires = MeasureLink.objects.filter(
        participant=participant, completed_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    portal_read(request, object_type="schedule")
    return render(
        request,
        "portal/home.html",
        {
            "participant": participant,
            "alumni": is_alumni(participant),
            "days": days,
            "questionnaires": questionnaires,
            "today": today,
            "progress": progress,
            "checkin": due_checkin(participant),
        },
    )


def _session_context(request: PortalPageRequest, session: Session) -> dict:
    participant = request.portal_account.participant
    row = Attendance.objects.get(session=session, participant=participant)
    asked = list(
        PortalRequest.objects.filter(participant=participant, session=session).select_related("work_item")
    )
    future = session.starts_at > timezone.now() and session.status == Session.Status.SCHEDULED
    return {
        "session": session,
        "attendance": row,
        "program": session.program,
        "check_in": _check_in_open(session, row, timezone.now()),
        "requests": asked,
        "can_reschedule": future and session.kind in services.RESCHEDULABLE and not asked,
        "can_excuse": future and session.kind in services.EXCUSABLE and not asked,
    }


@portal_page
@require_GET
def session_detail(request: PortalPageRequest, session_id: uuid.UUID) -> HttpResponse:
    session = own_session(request, session_id)
    context = _session_context(request, session)
    context |= {"reschedule_form": RescheduleForm(), "excused_form": ExcusedForm()}
    portal_read(request, object_type="session", object_id=str(session.pk))
    return render(request, "portal/session.html", context)


@portal_page
@require_POST
def check_in(request: PortalPageRequest, session_id: uuid.UUID) -> HttpResponse:
    session = own_session(request, session_id)
    with refusal.as_message(request):
        result = services.check_in(account=request.portal_account, session=session)
        if result.already:
            messages.info(request, _("You were already checked in."))
        else:
            messages.success(request, _("You are checked in. Welcome!"))
        return redirect("portal:home")
    return redirect("portal:session", session_id=session.pk)


def _request_view(request: PortalPageRequest, session_id: uuid.UUID, form_class, action) -> HttpResponse:
    session = own_session(request, session_id)
    form = form_class(request.POST)
    page_errors: list[str] = []
    if form.is_valid():
        with refusal.on_form(form, unplaced=page_errors):
            action(session=session, **form.cleaned_data)
            messages.success(request, _("Sent. The front desk will get back to you."))
            return redirect("portal:session", session_id=session.pk)
    context = _session_context(request, session)
    key = "reschedule_form" if form_class is RescheduleForm else "excused_form"
    context |= {"reschedule_form": RescheduleForm(), "excused_form": ExcusedForm(), key: form}
    context["page_errors"] = page_errors
    return render(request, "portal/session.html", context, status=400)


@portal_page
@require_POST
def reschedule(request: PortalPageRequest, session_id: uuid.UUID) -> HttpResponse:
    account = request.portal_account
    return _request_view(
        request,
        session_id,
        RescheduleForm,
        lambda **kw: services.reschedule_request(account=account, **kw),
    )


@portal_page
@require_POST
def excused(request: PortalPageRequest, session_id: uuid.UUID) -> HttpResponse:
    account = request.portal_account
    return _request_view(
        request, session_id, ExcusedForm, lambda **kw: services.excused_request(account=account, **kw)
    )


# --- Questionnaires ---------------------------------------------------------------------------------


@portal_page
@require_GET
def questionnaires(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    links = [
        (link, instruments.get(link.instrument))
        for link in MeasureLink.objects.filter(
            participant=participant,
            completed_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).order_by("expires_at")
    ]
    portal_read(request, object_type="measure_link")
    return render(request, "portal/questionnaires.html", {"links": links})


@portal_page
@require_http_methods(["GET", "POST"])
def questionnaire(request: PortalPageRequest, link_id: uuid.UUID) -> HttpResponse:
    from bridge.measures.public_views import LEAD_IN

    link = own_measure_link(request, link_id)
    participant = request.portal_account.participant
    definition = instruments.get(link.instrument)
    scoring = IntakeSettings.for_program(participant.program).scoring()
    form = InstrumentForm(request.POST or None, instrument=definition, scoring=scoring)
    # The published Spanish version where there is one (i19p); otherwise the questions stay in English.
    spanish = spanish_version(definition.code) if translation.get_language() == "es" else None
    for item in definition.items:
        form.fields[item.key].label = item.ask or item.text
        if spanish is not None:
            form.fields[item.key].label = spanish.items[item.key]
            field = form.fields[item.key]
            assert isinstance(field, forms.ChoiceField)  # an item is a TypedChoiceField (InstrumentForm)
            field.choices = [(o.value, spanish.options[o.value]) for o in item.options]
        form.fields[item.key].error_messages["required"] = _("Please choose an answer.")
    if request.method == "POST" and form.is_valid():
        with refusal.silently():
            row = measures.measure_link_complete(
                link=link, responses=form.responses, sex=form.cleaned_data.get("sex")
            )
            safety = bool(measures.safety_alerts(row))
            return render(
                request, "portal/questionnaire_done.html", {"safety": safety, "program": participant.program}
            )
        messages.error(request, _("This questionnaire was already answered or has closed."))
        return redirect("portal:questionnaires")
    if request.method == "GET":
        portal_read(request, object_type="measure_link", object_id=str(link.pk))
    context = {
        "definition": definition,
        "lead_in": spanish.stem if spanish else LEAD_IN.get(definition.code, ""),
        "form": form,
        "english_only": translation.get_language() != "en" and spanish is None,
        "questions_language": "es" if spanish else "en",
    }
    return render(request, "portal/questionnaire.html", context, status=400 if form.errors else 200)


# --- Privacy: who opened their record --------------------------------------------------------------

# Plain `gettext_lazy` (not an alias): `makemessages` only finds the names it knows.
ROLE_NAMES = {
    "director": gettext_lazy("Program director"),
    "intake": gettext_lazy("Intake coordinator"),
    "therapist": gettext_lazy("Therapist or counselor"),
    "prescriber": gettext_lazy("Prescriber"),
    "nurse": gettext_lazy("Nurse"),
    "front_desk": gettext_lazy("Front desk"),
    "peer": gettext_lazy("Peer support specialist"),
    "auditor": gettext_lazy("Compliance auditor"),
    "billing": gettext_lazy("Billing office"),
}
ACCESS_DAYS = 90


@portal_page
@require_GET
def privacy(request: PortalPageRequest) -> HttpResponse:
    """Who at the program opened their record, from the audit log: staff names, roles and days."""
    from bridge.accounts.models import StaffRole
    from bridge.audit.models import AuditEvent

    participant = request.portal_account.participant
    since = timezone.now() - timedelta(days=ACCESS_DAYS)
    events = (
        AuditEvent.objects.filter(
            participant=participant,
            actor__isnull=False,
            outcome=Outcome.SUCCESS,
            action__in=[Action.READ, Action.EXPORT, Action.DISCLOSE],
            occurred_at__gte=since,
        )
        .select_related("actor")
        .order_by("-occurred_at")
    )
    visits: dict[tuple, dict] = {}
    for event in events[:2000]:
        day = timezone.localdate(event.occurred_at)
        entry = visits.setdefault((event.actor_id, day), {"staff": event.actor, "day": day, "count": 0})
        entry["count"] += 1
    roles: dict = {}
    for row in StaffRole.objects.filter(
        user_id__in={k[0] for k in visits}, program=participant.program
    ).order_by("role"):
        roles.setdefault(row.user_id, []).append(str(ROLE_NAMES.get(row.role, row.role)))
    rows = [v | {"roles": roles.get(v["staff"].pk, [])} for v in visits.values()]
    portal_read(request, object_type="access_history")
    return render(request, "portal/privacy.html", {"rows": rows, "days": ACCESS_DAYS})


# --- Installable: manifest and service worker ---------------------------------------------------------

SIGN_OUT_CLEARS = '"cache", "storage"'  # the offline copies and the service worker go with the session


@portal_public
@require_GET
def manifest(request: PortalHttpRequest) -> HttpResponse:
    data = {
        "name": "Bridge",
        "short_name": "Bridge",
        "start_url": reverse("portal:home"),
        "scope": reverse("portal:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "lang": translation.get_language(),
        "icons": [{"src": static("bridge/portal-icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@portal_public
@require_GET
def service_worker(request: PortalHttpRequest) -> HttpResponse:
    path = finders.find("bridge/portal-sw.js")
    assert isinstance(path, str)  # a static file of the app (find(…, find_all=False) is one path)
    response = HttpResponse(Path(path).read_text(encoding="utf-8"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response


# --- Help, account, language --------------------------------------------------------------------------


@portal_public
@require_GET
def help_page(request: PortalHttpRequest) -> HttpResponse:
    """Crisis numbers for anyone, always; the signed-in participant's safety plan and program too."""
    account = request.portal_account
    context: dict = {"plan": None, "program": None, "aftercare": None, "coping": []}
    if account is not None and not request.user.is_authenticated:
        from bridge.aftercare.models import AftercarePlan
        from bridge.safety.models import SafetyPlan

        participant = account.participant
        context["program"] = participant.program
        context["plan"] = SafetyPlan.objects.filter(participant=participant).first()
        # Their aftercare plan's people to call and coping steps, one tap from every page ("Help now").
        aftercare = AftercarePlan.objects.filter(participant=participant).first()
        if aftercare is not None:
            context["aftercare"] = aftercare
            context["coping"] = [line.strip() for line in aftercare.coping.splitlines() if line.strip()]
        portal_read(request, object_type="safety_plan")
    return render(request, "portal/help.html", context)


@portal_page
@require_GET
def account_page(request: PortalPageRequest) -> HttpResponse:
    account = request.portal_account
    portal_read(request, object_type="portal_account", object_id=str(account.pk))
    form = LanguageForm(initial={"language": account.participant.language})
    return render(
        request,
        "portal/account.html",
        {"account": account, "language_form": form, "idle_minutes": settings.BRIDGE_PORTAL_IDLE_MINUTES},
    )


@portal_public
@require_POST
def language(request: PortalHttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        return redirect(next_url)
    choice = form.cleaned_data["language"]
    account = request.portal_account
    if account is not None and not request.user.is_authenticated:
        services.language_set(account=account, language=choice)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        choice,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
