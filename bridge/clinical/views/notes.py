"""A participant's notes: list, write, sign, co-sign, addenda, entered in error.

A group note opened from a participant's chart shows the shared part and only that participant's
own individualized part and addenda; the full group note lives on the group page (views/groups.py).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from bridge.accounts.drafts import draft_discard
from bridge.clinical import queries
from bridge.clinical.forms import AddendumForm, ErrorForm, NoteForm, NoteStartForm
from bridge.clinical.models import Note
from bridge.clinical.services import notes as services
from bridge.clinical.services.common import can_cosign
from bridge.clinical.views.common import admitted_only, chart_context
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.scheduling.models import Session, SessionKind

NOTE_WINDOW_DAYS = 30


@participant_view(Cap.CHART)
@admitted_only
def note_list(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    page = Paginator(queries.notes_for(participant), 25).get_page(request.GET.get("page"))
    return render(request, "clinical/notes.html", chart_context(request, participant, page=page))


def _sessions_to_document(participant: Participant):
    since = timezone.now() - timedelta(days=NOTE_WINDOW_DAYS)
    return list(
        Session.objects.filter(
            attendance__participant=participant,
            starts_at__gte=since,
            starts_at__lte=timezone.now(),
            kind__in=[SessionKind.INDIVIDUAL, SessionKind.FAMILY, SessionKind.MEDICATION],
        )
        .exclude(notes__participant=participant, notes__error_at__isnull=True)
        .select_related("staff")
        .order_by("-starts_at")
    )


@participant_view(Cap.DOCUMENT, post=Cap.DOCUMENT)
@admitted_only
def note_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = NoteStartForm(request.POST or None, sessions=_sessions_to_document(participant))
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            note = services.note_create(actor=request.user, participant=participant, **form.cleaned_data)
            return redirect("clinical:note", participant.pk, note.pk)
    return render(
        request,
        "clinical/note_new.html",
        chart_context(request, participant, form=form),
        status=400 if form.errors else 200,
    )


def _note(participant: Participant, note_id) -> queries.ChartNote:
    note = (
        queries.notes_for(participant)
        .select_related("session__session_type", "error_by", "curriculum")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def _render_note(request, participant, note, status=200, **bound):
    caps = request.participant_caps
    editing = (
        note.status == "draft"
        and note.author_id == request.user.pk
        and Cap.DOCUMENT in caps
        and not note.is_group
    )
    entry = note.my_entries[0] if note.is_group and note.my_entries else None
    context = chart_context(
        request,
        participant,
        note=note,
        entry=entry,
        entry_goals=list(entry.goals.all()) if entry else [],
        goals=list(note.goals.all()) if not note.is_group else [],
        attendance=queries.attendance_for(note, participant),
        addenda=queries.addenda_visible(note, participant),
        editing=editing,
        form=bound.get("form")
        or (
            NoteForm(initial=_initial(note), note=note, goals=queries.current_goals(participant))
            if editing
            else None
        ),
        sign_problems=services.note_problems(note) if editing else [],
        sign_refused=bound.get("sign_refused", ""),
        addendum_form=bound.get("addendum_form", AddendumForm()),
        error_form=bound.get("error_form", ErrorForm()),
        may_cosign=note.status == "awaiting_cosign"
        and can_cosign(request.user, note.program_id)
        and note.author_id != request.user.pk,
    )
    return render(request, "clinical/note.html", context, status=status)


def _initial(note: Note) -> dict:
    initial = {name: getattr(note, name) for name in Note.TEMPLATE_FIELDS[note.template]}
    initial["goals"] = [g.pk for g in note.goals.all()]
    return initial


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def note_detail(request: ParticipantRequest, participant: Participant, note_id: uuid.UUID) -> HttpResponse:
    note = _note(participant, note_id)
    if request.method != "POST":
        return _render_note(request, participant, note)
    if note.is_group:
        raise PermissionDenied("Group notes are written on the group's page.")
    form = NoteForm(request.POST, note=note, goals=queries.current_goals(participant))
    if form.is_valid():
        data = dict(form.cleaned_data)
        goals = data.pop("goals")
        with refusal.on_form(form):
            services.note_update(actor=request.user, note=note, goals=goals, **data)
            draft_discard(author=request.user, page=request.path)  # the note now holds the text
            messages.success(request, "Draft saved.")
            return redirect("clinical:note", participant.pk, note.pk)
    return _render_note(request, participant, note, status=400, form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def note_sign(request, participant, note_id):
    """Save the text on the page and sign it, in one POST.

    The draft is saved first (so nothing typed is lost); if signing is then refused, the page comes
    back with everything typed still in it and the reasons.
    """
    note = _note(participant, note_id)
    if note.is_group:
        raise PermissionDenied("Group notes are signed on the group's page.")
    form = None
    if any(name in request.POST for name in Note.TEMPLATE_FIELDS[note.template]):
        form = NoteForm(request.POST, note=note, goals=queries.current_goals(participant))
        if not form.is_valid():
            return _render_note(request, participant, note, status=400, form=form)
        data = dict(form.cleaned_data)
        goals = data.pop("goals")
        with refusal.on_form(form) as saving:
            services.note_update(actor=request.user, note=note, goals=goals, **data)
        if saving.refused:
            return _render_note(request, participant, note, status=400, form=form)
    with refusal.silently() as signing:
        services.note_sign(actor=request.user, note=note)
        draft_discard(author=request.user, page=reverse("clinical:note", args=[participant.pk, note.pk]))
        if note.cosign_required:
            messages.success(request, "Signed and locked. A licensed supervisor will co-sign it.")
        else:
            messages.success(request, "Signed and locked.")
        return redirect("clinical:note", participant.pk, note.pk)
    if form is None:
        for message in signing.messages:
            messages.error(request, message)
        return redirect("clinical:note", participant.pk, note.pk)
    for message in signing.messages:
        form.add_error(None, message)
    return _render_note(
        request, participant, note, status=400, form=form, sign_refused="Draft saved, but not signed yet."
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def note_cosign(request, participant, note_id):
    note = _note(participant, note_id)
    with refusal.as_message(request):
        services.note_cosign(actor=request.user, note=note)
        messages.success(request, "Co-signed.")
    return redirect("clinical:note", participant.pk, note.pk)


@participant_view(post=Cap.DOCUMENT, get=False)
def note_addendum(request, participant, note_id):
    note = _note(participant, note_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        entry = note.my_entries[0] if note.is_group and note.my_entries else None
        with refusal.on_form(form):
            services.note_addendum_add(actor=request.user, note=note, entry=entry, **form.cleaned_data)
            messages.success(request, "Addendum added.")
            return redirect("clinical:note", participant.pk, note.pk)
    return _render_note(request, participant, note, status=400, addendum_form=form)


@participant_view(post=Cap.DOCUMENT, get=False)
def note_error(request, participant, note_id):
    note = _note(participant, note_id)
    if note.is_group:
        raise PermissionDenied("A group note is marked entered in error from the group's page.")
    form = ErrorForm(request.POST)
    if form.is_valid():
        with refusal.on_form(form):
            services.note_mark_error(actor=request.user, note=note, **form.cleaned_data)
            messages.success(request, "Marked entered in error; the note stays in the record.")
            return redirect("clinical:note", participant.pk, note.pk)
    return _render_note(request, participant, note, status=400, error_form=form)
