from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.core.panels import participant_links, participant_sections
from bridge.participants import queries, services
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.forms import (
    CareTeamAddForm,
    HoldForm,
    ParticipantFilterForm,
    ParticipantForm,
    ResumeForm,
)
from bridge.participants.models import CareTeamMember, Participant
from bridge.programs.models import Program

FILTER_KEYS = ("q", "status", "clinician")
SESSION_FILTERS = "participant_list_filters"
CREATE_ROLES = (Role.DIRECTOR, Role.INTAKE, Role.FRONT_DESK)


@require_http_methods(["GET"])
def participant_list(request: StaffRequest) -> HttpResponse:
    # The page remembers its filters: a bare visit restores the last search; "clear" forgets it.
    if "clear" in request.GET:
        request.session.pop(SESSION_FILTERS, None)
        return redirect("participants:list")
    has_filters = any(k in request.GET for k in FILTER_KEYS)
    saved = request.session.get(SESSION_FILTERS)
    if not has_filters and saved and not request.headers.get("HX-Request"):
        return redirect(f"{request.path}?{urlencode(saved)}")

    program_ids = request.user.program_ids()
    clinicians = (
        User.objects.filter(is_active=True, roles__program_id__in=program_ids, roles__role=Role.THERAPIST)
        .distinct()
        .order_by("last_name", "first_name")
    )
    form = ParticipantFilterForm(request.GET or None, clinicians=clinicians)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {k: filters.get(k, "") for k in FILTER_KEYS}
    if has_filters:
        request.session[SESSION_FILTERS] = {k: v for k, v in filters.items() if v}
    page = Paginator(queries.participant_list(request.user, **filters), 50).get_page(request.GET.get("page"))
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="participant_list",
        detail={
            "filters": {k: v for k, v in filters.items() if v},
            "page": page.number,
            "shown": len(page.object_list),
        },
    )
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
        "can_create": bool(request.user.programs_with_role(*CREATE_ROLES)),
        "remembered": bool(saved) and has_filters,
    }
    template = (
        "participants/_list_results.html" if request.headers.get("HX-Request") else "participants/list.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def participant_create(request: StaffRequest) -> HttpResponse:
    programs = Program.objects.filter(pk__in=request.user.programs_with_role(*CREATE_ROLES))
    if not programs:
        raise PermissionDenied("Your role does not add participants.")
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program = programs.first()
        if len(programs) > 1:
            chosen = request.POST.get("program")
            program = next((p for p in programs if str(p.pk) == chosen), None)
            if program is None:
                form.add_error(None, "Choose the program this participant belongs to.")
        if program is not None and not form.errors:
            with refusal.on_form(form):
                participant = services.participant_create(
                    actor=request.user, program=program, **form.cleaned_data
                )
                messages.success(request, f"{participant.display_name} was added.")
                return redirect("participants:detail", participant_id=participant.pk)
    return render(request, "participants/form.html", {"form": form, "programs": programs, "creating": True})


@participant_view(Cap.VIEW)
def participant_detail(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    # The access check read the care team with the participant (access._with_team_roles).
    team = getattr(participant, "care_team_loaded", None)
    if team is None:
        team = list(participant.care_team.select_related("staff"))
    active = sorted((m for m in team if m.ended_at is None), key=lambda m: (m.team_role, m.started_at))
    past = sorted(
        (m for m in team if m.ended_at is not None), key=lambda m: (m.ended_at, m.team_role, m.started_at)
    )
    caps = request.participant_caps
    sections = participant_sections(request, participant)
    return render(
        request,
        "participants/detail.html",
        {
            "participant": participant,
            "active_team": active,
            "past_team": past,
            "caps": {c.value: (c in caps) for c in Cap},
            "sections": sections,
            "section_styles": list(dict.fromkeys(css for s in sections for css in s.styles)),
            "links": participant_links(request, participant),
        },
    )


@participant_view(Cap.VIEW)
def participant_section(request: ParticipantRequest, participant: Participant, key: str) -> HttpResponse:
    """One section of the participant page that loads after its first paint (a `Panel` with `lazy`).

    The same access check and audit as the page (participant_view); the section's own provider
    decides again whether this user sees it, so a section the page would not show is a 404 here.
    Without htmx (the placeholder's no-script link) it answers a whole page with the section.
    """
    section = next((s for s in participant_sections(request, participant) if s.lazy == key), None)
    if section is None:
        raise Http404("No such section.")
    ctx = section.resolved()
    template = (
        "participants/_section_part.html"
        if request.headers.get("HX-Request")
        else "participants/section.html"
    )
    return render(request, template, {"participant": participant, "section": section, "ctx": ctx})


@participant_view(Cap.EDIT, post=Cap.EDIT)
def participant_edit(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    fields = services.editable_fields_for(request.user, participant.program_id)
    form = ParticipantForm(request.POST or None, instance=participant, fields=fields)
    if request.method == "POST" and form.is_valid():
        # The form has already copied values onto `participant`; reload so the service sees what changed.
        fresh = Participant.objects.get(pk=participant.pk)
        changed = services.participant_update(actor=request.user, participant=fresh, **form.cleaned_data)
        messages.success(request, "Saved." if changed else "Nothing changed.")
        return redirect("participants:detail", participant_id=participant.pk)
    contact_only = fields == services.CONTACT_FIELDS
    return render(
        request,
        "participants/form.html",
        {"form": form, "participant": participant, "contact_only": contact_only},
    )


@participant_view(Cap.MANAGE_TEAM)
def care_team(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _care_team_page(request, participant, CareTeamAddForm(participant=participant))


def _care_team_page(request: HttpRequest, participant: Participant, form: CareTeamAddForm, status: int = 200):
    members = participant.care_team.select_related("staff").order_by("ended_at", "team_role")
    return render(
        request,
        "participants/care_team.html",
        {"participant": participant, "form": form, "members": members},
        status=status,
    )


@participant_view(post=Cap.MANAGE_TEAM, get=False)
def care_team_add(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = CareTeamAddForm(request.POST, participant=participant)
    if form.is_valid():
        with refusal.on_form(form):
            services.care_team_add(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, f"{form.cleaned_data['staff']} joined the care team.")
            return redirect("participants:care_team", participant_id=participant.pk)
    return _care_team_page(request, participant, form, status=400)


@participant_view(post=Cap.MANAGE_TEAM, get=False)
def care_team_end(
    request: ParticipantRequest, participant: Participant, member_id: uuid.UUID
) -> HttpResponse:
    member = CareTeamMember.objects.filter(
        pk=member_id, participant=participant, ended_at__isnull=True
    ).first()
    if member is None:
        raise Http404("No such care-team member.")
    services.care_team_end(actor=request.user, member=member)
    messages.success(request, f"{member.staff} left the care team; the history is kept.")
    return redirect("participants:care_team", participant_id=participant.pk)


# Hold and resume: care paused within the episode, and the return -----------------------------------


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def participant_hold(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    if participant.status not in services.HOLDABLE and services.open_hold(participant) is not None:
        return redirect("participants:resume", participant_id=participant.pk)
    if participant.status not in services.HOLDABLE and participant.status != Participant.Status.ON_HOLD:
        messages.info(request, "Only someone in care (Active or Step-down) can go on hold.")
        return redirect("participants:detail", participant_id=participant.pk)
    form = HoldForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.participant_hold(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, f"{participant.display_name} is on hold; their episode stays open.")
            return redirect("participants:detail", participant_id=participant.pk)
    return render(
        request,
        "participants/hold.html",
        {"participant": participant, "form": form, "resuming": False},
        status=400 if form.errors else 200,
    )


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
def participant_resume(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    hold = services.open_hold(participant)
    if hold is None:
        if participant.status == Participant.Status.ON_HOLD:  # no hold recorded: record it first
            messages.info(request, "No hold is recorded yet: say why they are away, then record the return.")
            return redirect("participants:hold", participant_id=participant.pk)
        messages.info(request, f"{participant.display_name} is not on hold.")
        return redirect("participants:detail", participant_id=participant.pk)
    form = ResumeForm(request.POST or None, initial={"resumed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.participant_resume(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, f"{participant.display_name} is back in care.")
            return redirect("participants:detail", participant_id=participant.pk)
    return render(
        request,
        "participants/hold.html",
        {"participant": participant, "form": form, "hold": hold, "resuming": True},
        status=400 if form.errors else 200,
    )
