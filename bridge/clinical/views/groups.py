"""Group notes, written from the group session: the shared part and one part per attendee.

Only the facilitator and the program's directors open this page (clinical/access.py); each read is
audited once for every participant whose part is shown.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.clinical.access import group_session_for
from bridge.clinical.forms import AddendumForm, ErrorForm, GroupEntryForm, GroupSharedForm
from bridge.clinical.models import Goal, GroupNoteEntry, Note
from bridge.clinical.services import notes as services
from bridge.clinical.services.common import can_cosign
from bridge.clinical.views.common import apply_errors
from bridge.participants.models import EpisodeOfCare
from bridge.scheduling.models import Attendance, Session, SessionKind

LIST_DAYS = 14


@require_http_methods(["GET"])
def group_list(request: HttpRequest) -> HttpResponse:
    """Group sessions of the last two weeks the signed-in person led (directors: their programs')."""
    since = timezone.now() - timedelta(days=LIST_DAYS)
    directed = request.user.programs_with_role(Role.DIRECTOR)
    sessions = (
        Session.objects.filter(kind=SessionKind.GROUP, starts_at__gte=since, starts_at__lte=timezone.now())
        .filter(Q(staff=request.user, program_id__in=request.user.program_ids()) | Q(program_id__in=directed))
        .exclude(status=Session.Status.CANCELLED)
        .select_related("staff", "session_type")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=Note.objects.filter(kind=Note.Kind.GROUP, error_at__isnull=True),
                to_attr="live_notes",
            )
        )
        .order_by("-starts_at")[:200]
    )
    return render(request, "clinical/groups.html", {"sessions": sessions})


def _page(request, session: Session, status=200, **bound):
    note = (
        Note.objects.filter(session=session, kind=Note.Kind.GROUP, error_at__isnull=True)
        .select_related("author", "cosigned_by")
        .first()
    )
    roster = list(
        Attendance.objects.filter(session=session)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )
    entries = {}
    goals_by_participant: dict = {}
    if note is not None:
        entries = {e.participant_id: e for e in note.entries.prefetch_related("goals")}
    participant_ids = [a.participant_id for a in roster]
    for goal in Goal.objects.filter(
        version__plan__participant_id__in=participant_ids,
        version__plan__episode__status=EpisodeOfCare.Status.ACTIVE,
        version__plan__current_version_id=F("version_id"),
    ).select_related("version__plan"):
        goals_by_participant.setdefault(goal.version.plan.participant_id, []).append(goal.pk)
    editing = note is not None and note.status == "draft" and note.author_id == request.user.pk
    rows = []
    for a in roster:
        entry = entries.get(a.participant_id)
        form = bound.get(f"entry_{a.participant_id}")
        if form is None and editing:
            initial = {"participation": "", "response": "", "progress": "", "goals": []}
            if entry:
                initial = {
                    "participation": entry.participation,
                    "response": entry.response,
                    "progress": entry.progress,
                    "goals": [g.pk for g in entry.goals.all()],
                }
            form = GroupEntryForm(
                initial=initial,
                goals=Goal.objects.filter(pk__in=goals_by_participant.get(a.participant_id, [])),
                prefix=f"p{a.participant_id.hex[:8]}",
            )
        rows.append({"attendance": a, "entry": entry, "form": form})
    shared_form = bound.get("shared_form")
    if shared_form is None and editing:
        shared_form = GroupSharedForm(
            initial={
                "topic": note.topic,
                "shared_text": note.shared_text,
                "interventions": note.interventions,
            }
        )
    for a in roster:
        if a.participant_id in entries or editing or note is None:
            audit_record(
                action=Action.READ,
                actor=request.user,
                participant=a.participant,
                object_type="group_note",
                object_id=str(note.pk if note else session.pk),
                detail={"view": "clinical:group"},
            )
    context = {
        "session": session,
        "note": note,
        "rows": rows,
        "editing": editing,
        "shared_form": shared_form,
        "problems": services.group_note_problems(note) if editing else [],
        "addendum_form": bound.get("addendum_form", AddendumForm()),
        "error_form": bound.get("error_form", ErrorForm()),
        "addenda": list(note.addenda.select_related("author", "entry__participant")) if note else [],
        "may_cosign": note is not None
        and note.status == "awaiting_cosign"
        and note.author_id != request.user.pk
        and can_cosign(request.user, session.program_id),
    }
    return render(request, "clinical/group.html", context, status=status)


@require_http_methods(["GET", "POST"])
def group_note(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    """GET shows the note (starting it on first POST); POST saves the shared part."""
    session = group_session_for(request, session_id)
    if request.method == "GET":
        return _page(request, session)
    note = services.group_note_start(actor=request.user, session=session)
    if "start" in request.POST:
        return redirect("clinical:group", session.pk)
    form = GroupSharedForm(request.POST)
    if form.is_valid():
        try:
            services.group_note_update_shared(
                actor=request.user, note=note, curriculum=session.session_type, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Shared part saved.")
            return redirect("clinical:group", session.pk)
    return _page(request, session, status=400, shared_form=form)


def _live_note(session) -> Note:
    note = Note.objects.filter(session=session, kind=Note.Kind.GROUP, error_at__isnull=True).first()
    if note is None:
        raise Http404("This group has no note yet.")
    return note


@require_http_methods(["POST"])
def group_entry(request: HttpRequest, session_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    attendance = (
        Attendance.objects.filter(session=session, participant_id=member_id)
        .select_related("participant")
        .first()
    )
    if attendance is None:
        raise Http404("Not on this session's roster.")
    participant = attendance.participant
    goals = Goal.objects.filter(
        version__plan__participant=participant, version__plan__episode__status=EpisodeOfCare.Status.ACTIVE
    ).filter(version__plan__current_version_id=F("version_id"))
    form = GroupEntryForm(request.POST, goals=goals, prefix=f"p{participant.pk.hex[:8]}")
    if form.is_valid():
        try:
            services.group_entry_save(
                actor=request.user, note=note, participant=participant, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Part for {participant.display_name} saved.")
            return redirect(reverse("clinical:group", args=[session.pk]) + f"#part-{participant.pk}")
    return _page(request, session, status=400, **{f"entry_{participant.pk}": form})


@require_http_methods(["POST"])
def group_sign(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    try:
        services.note_sign(actor=request.user, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _page(request, session, status=400)
    messages.success(
        request,
        "Signed and locked." + (" A licensed supervisor will co-sign it." if note.cosign_required else ""),
    )
    return redirect("clinical:group", session.pk)


@require_http_methods(["POST"])
def group_cosign(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    try:
        services.note_cosign(actor=request.user, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Co-signed.")
    return redirect("clinical:group", session.pk)


@require_http_methods(["POST"])
def group_addendum(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    form = AddendumForm(request.POST)
    entry = None
    if request.POST.get("entry"):
        entry = GroupNoteEntry.objects.filter(note=note, pk=request.POST["entry"]).first()
        if entry is None:
            raise Http404("No such part.")
    if form.is_valid():
        try:
            services.note_addendum_add(actor=request.user, note=note, entry=entry, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Addendum added.")
            return redirect("clinical:group", session.pk)
    return _page(request, session, status=400, addendum_form=form)


@require_http_methods(["POST"])
def group_error(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    form = ErrorForm(request.POST)
    if form.is_valid():
        try:
            services.note_mark_error(actor=request.user, note=note, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Marked entered in error; it stays in the record.")
            return redirect("clinical:group", session.pk)
    return _page(request, session, status=400, error_form=form)
