"""Group notes, written from the group session: the shared part and one part per attendee.

Only the facilitator and the program's directors open this page (clinical/access.py); each read is
audited once for every participant whose part is shown.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge.accounts.drafts import draft_discard
from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.clinical.access import group_session_for
from bridge.clinical.forms import AddendumForm, ErrorForm, GroupEntryForm, GroupSharedForm
from bridge.clinical.models import Goal, GroupNoteEntry, Note
from bridge.clinical.services import notes as services
from bridge.clinical.services.common import can_cosign
from bridge.core import refusal
from bridge.participants.models import EpisodeOfCare
from bridge.scheduling.models import Attendance, Session, SessionKind

LIST_DAYS = 14


@require_http_methods(["GET"])
def group_list(request: StaffRequest) -> HttpResponse:
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


def _goals_by_participant(participant_ids) -> dict:
    goals: dict = {}
    for goal in Goal.objects.filter(
        version__plan__participant_id__in=participant_ids,
        version__plan__episode__status=EpisodeOfCare.Status.ACTIVE,
        version__plan__current_version_id=F("version_id"),
    ).select_related("version__plan"):
        goals.setdefault(goal.version.plan.participant_id, []).append(goal.pk)
    return goals


def _prefix(participant_id) -> str:
    return f"p{participant_id.hex[:8]}"


def _entry_form(participant_id, goal_ids, data=None, entry=None) -> GroupEntryForm:
    initial = {"participation": "", "response": "", "progress": "", "goals": []}
    if entry is not None:
        initial = {
            "participation": entry.participation,
            "response": entry.response,
            "progress": entry.progress,
            "goals": [g.pk for g in entry.goals.all()],
        }
    return GroupEntryForm(
        data,
        initial=initial,
        goals=Goal.objects.filter(pk__in=goal_ids),
        prefix=_prefix(participant_id),
    )


def _roster(session: Session) -> list[Attendance]:
    return list(
        Attendance.objects.filter(session=session)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def _page(request, session: Session, status=200, **bound):
    note = (
        Note.objects.filter(session=session, kind=Note.Kind.GROUP, error_at__isnull=True)
        .select_related("author", "cosigned_by")
        .first()
    )
    roster = _roster(session)
    entries = {}
    if note is not None:
        entries = {e.participant_id: e for e in note.entries.prefetch_related("goals")}
    goals_by_participant = _goals_by_participant([a.participant_id for a in roster])
    editing = note is not None and note.status == "draft" and note.author_id == request.user.pk
    rows = []
    for a in roster:
        entry = entries.get(a.participant_id)
        form = bound.get(f"entry_{a.participant_id}")
        if form is None and editing:
            form = _entry_form(a.participant_id, goals_by_participant.get(a.participant_id, []), entry=entry)
        rows.append({"attendance": a, "entry": entry, "form": form})
    shared_form = bound.get("shared_form")
    if shared_form is None and editing and note is not None:
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
        "problems": services.group_note_problems(note) if editing and note is not None else [],
        "sign_errors": bound.get("sign_errors", []),
        "addendum_form": bound.get("addendum_form", AddendumForm()),
        "error_form": bound.get("error_form", ErrorForm()),
        "addenda": list(note.addenda.select_related("author", "entry__participant")) if note else [],
        "may_cosign": note is not None
        and note.status == "awaiting_cosign"
        and note.author_id != request.user.pk
        and can_cosign(request.user, session.program_id),
    }
    return render(request, "clinical/group.html", context, status=status)


def _save_shared(request, session: Session, note: Note) -> GroupSharedForm:
    form = GroupSharedForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.group_note_update_shared(
                actor=request.user, note=note, curriculum=session.session_type, **form.cleaned_data
            )
    return form


def _save_entry(request, note: Note, attendance: Attendance, goal_ids, entry) -> GroupEntryForm:
    form = _entry_form(attendance.participant_id, goal_ids, data=request.POST, entry=entry)
    if not form.is_valid():
        return form
    data = form.cleaned_data
    blank = not any(data[f].strip() for f in ("participation", "response", "progress")) and not data["goals"]
    if entry is None and blank:
        return form  # nothing written for this member yet: no empty part is created
    with refusal.on_form(form):
        services.group_entry_save(actor=request.user, note=note, participant=attendance.participant, **data)
    return form


def _save_all(request, session: Session, note: Note) -> dict[str, GroupSharedForm | GroupEntryForm]:
    """Save the shared part and every member's part posted with it: the group note is one form.

    Each part is validated and saved on its own, so a problem in one never discards the others.
    Returns the bound forms that have errors (empty when everything was saved).
    """
    bound: dict[str, GroupSharedForm | GroupEntryForm] = {}
    shared = None
    if "topic" in request.POST or "shared_text" in request.POST:
        shared = _save_shared(request, session, note)
        if shared.errors:
            bound["shared_form"] = shared
    roster = _roster(session)
    goals = _goals_by_participant([a.participant_id for a in roster])
    entries = {e.participant_id: e for e in note.entries.prefetch_related("goals")}
    forms: dict[str, GroupSharedForm | GroupEntryForm] = {}
    for a in roster:
        if not any(key.startswith(_prefix(a.participant_id) + "-") for key in request.POST):
            continue
        form = _save_entry(request, note, a, goals.get(a.participant_id, []), entries.get(a.participant_id))
        forms[f"entry_{a.participant_id}"] = form
        if form.errors:
            bound[f"entry_{a.participant_id}"] = form
    if bound:
        bound.update({k: v for k, v in forms.items() if k not in bound})
        if shared is not None:
            bound.setdefault("shared_form", shared)
    return bound


def _autosaved(request, errors: list[str]) -> HttpResponse:
    """The small answer an htmx autosave swaps into the part's status line."""
    if errors:
        return render(request, "clinical/_autosave.html", {"errors": errors}, status=400)
    return render(request, "clinical/_autosave.html", {"saved_at": timezone.localtime()})


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_http_methods(["GET", "POST"])
def group_note(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    """GET shows the note (starting it on first POST); POST saves the shared part and every part."""
    session = group_session_for(request, session_id)
    if request.method == "GET":
        return _page(request, session)
    note = services.group_note_start(actor=request.user, session=session)
    if "start" in request.POST:
        return redirect("clinical:group", session.pk)
    if _is_htmx(request) and request.POST.get("only") == "shared":
        form = _save_shared(request, session, note)
        return _autosaved(request, [str(e) for errs in form.errors.values() for e in errs])
    bound = _save_all(request, session, note)
    if bound:
        return _page(request, session, status=400, **bound)
    draft_discard(author=request.user, page=request.path)  # the note now holds every part
    messages.success(request, "Group note saved: the shared part and every part.")
    return redirect("clinical:group", session.pk)


def _live_note(session) -> Note:
    note = Note.objects.filter(session=session, kind=Note.Kind.GROUP, error_at__isnull=True).first()
    if note is None:
        raise Http404("This group has no note yet.")
    return note


@require_http_methods(["POST"])
def group_entry(request: StaffRequest, session_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    """Save one member's part (the htmx autosave as the clinician moves between parts)."""
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
    goals = _goals_by_participant([participant.pk]).get(participant.pk, [])
    entry = note.entries.filter(participant=participant).prefetch_related("goals").first()
    form = _save_entry(request, note, attendance, goals, entry)
    if _is_htmx(request):
        return _autosaved(request, [str(e) for errs in form.errors.values() for e in errs])
    if form.errors:
        return _page(request, session, status=400, **{f"entry_{participant.pk}": form})
    messages.success(request, f"Part for {participant.display_name} saved.")
    return redirect(reverse("clinical:group", args=[session.pk]) + f"#part-{participant.pk}")


@require_http_methods(["POST"])
def group_sign(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    """Save everything on the page, then sign, in one POST; a refusal keeps everything typed."""
    session = group_session_for(request, session_id)
    note = _live_note(session)
    bound = {}
    if note.signed_at is None and note.author_id == request.user.pk:
        bound = _save_all(request, session, note)
    if bound:
        return _page(request, session, status=400, **bound)
    with refusal.silently() as outcome:
        services.note_sign(actor=request.user, note=note)
        draft_discard(author=request.user, page=reverse("clinical:group", args=[session.pk]))
        messages.success(
            request,
            "Signed and locked."
            + (" A licensed supervisor will co-sign it." if note.cosign_required else ""),
        )
        return redirect("clinical:group", session.pk)
    # Everything typed was saved above; the page comes back with it and the reasons.
    return _page(request, session, status=400, sign_errors=outcome.messages)


@require_http_methods(["POST"])
def group_cosign(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    with refusal.as_message(request):
        services.note_cosign(actor=request.user, note=note)
        messages.success(request, "Co-signed.")
    return redirect("clinical:group", session.pk)


@require_http_methods(["POST"])
def group_addendum(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    form = AddendumForm(request.POST)
    entry = None
    if request.POST.get("entry"):
        entry = GroupNoteEntry.objects.filter(note=note, pk=request.POST["entry"]).first()
        if entry is None:
            raise Http404("No such part.")
    if form.is_valid():
        with refusal.on_form(form):
            services.note_addendum_add(actor=request.user, note=note, entry=entry, **form.cleaned_data)
            messages.success(request, "Addendum added.")
            return redirect("clinical:group", session.pk)
    return _page(request, session, status=400, addendum_form=form)


@require_http_methods(["POST"])
def group_error(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = group_session_for(request, session_id)
    note = _live_note(session)
    form = ErrorForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.note_mark_error(actor=request.user, note=note, **form.cleaned_data)
            messages.success(request, "Marked entered in error; it stays in the record.")
            return redirect("clinical:group", session.pk)
    return _page(request, session, status=400, error_form=form)
