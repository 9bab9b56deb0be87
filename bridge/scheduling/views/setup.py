"""Program set-up (directors): tracks, rooms, the curriculum, group series and payer rules.

One pattern for every kind: a list, an add form and an edit form. Nothing is deleted: a row is
retired by unticking "active", so past sessions keep pointing at what they were.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.programs.models import Track
from bridge.scheduling import setup_forms as f
from bridge.scheduling.access import deny, require_director_program
from bridge.scheduling.models import GroupSeries, PayerRule, Room, SessionType


@dataclass(frozen=True)
class Kind:
    model: type[Track | Room | SessionType | GroupSeries | PayerRule]
    form: type[f.ProgramForm]
    singular: str
    plural: str
    object_type: str


KINDS = {
    "tracks": Kind(Track, f.TrackForm, "track", "Tracks", "track"),
    "rooms": Kind(Room, f.RoomForm, "room", "Rooms", "room"),
    "curriculum": Kind(SessionType, f.SessionTypeForm, "session type", "Curriculum", "session_type"),
    "series": Kind(GroupSeries, f.GroupSeriesForm, "group series", "Group series", "group_series"),
    "payers": Kind(PayerRule, f.PayerRuleForm, "payer rule", "Payer rules", "payer_rule"),
}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404("No such set-up page.")
    return KINDS[kind]


@require_http_methods(["GET"])
def setup_home(request: StaffRequest) -> HttpResponse:
    program = require_director_program(request, "program_setup")
    context = {
        "program": program,
        "tracks": Track.objects.filter(program=program).order_by("-is_active", "name"),
        "rooms": Room.objects.filter(program=program).order_by("-is_active", "name"),
        "curriculum": SessionType.objects.filter(program=program).order_by("-is_active", "category", "name"),
        "series": GroupSeries.objects.filter(program=program)
        .select_related("track", "session_type", "facilitator", "room")
        .order_by("-is_active", "name"),
        "payers": PayerRule.objects.filter(program=program).order_by("-is_active", "name"),
    }
    return render(request, "scheduling/setup.html", context)


def _save(request, kind: Kind, form) -> None:
    created = form.instance._state.adding
    with transaction.atomic():
        obj = form.save()
        audit_record(
            action=Action.CREATE if created else Action.UPDATE,
            actor=request.user,
            object_type=kind.object_type,
            object_id=str(obj.pk),
            detail={"name": str(obj), "fields": sorted(form.changed_data)},
        )


def _form_page(request, kind: Kind, program, instance=None) -> HttpResponse:
    form = kind.form(request.POST or None, instance=instance, program=program)
    if request.method == "POST":
        if form.is_valid():
            _save(request, kind, form)
            messages.success(request, f"{kind.singular.capitalize()} saved: {form.instance}.")
            return redirect("scheduling:setup")
        return render(
            request,
            "scheduling/setup_form.html",
            {"form": form, "kind": kind, "program": program, "editing": instance is not None},
            status=400,
        )
    return render(
        request,
        "scheduling/setup_form.html",
        {"form": form, "kind": kind, "program": program, "editing": instance is not None},
    )


@require_http_methods(["GET", "POST"])
def setup_create(request: StaffRequest, kind: str) -> HttpResponse:
    k = _kind(kind)
    program = require_director_program(request, k.object_type)
    return _form_page(request, k, program)


@require_http_methods(["GET", "POST"])
def setup_edit(request: StaffRequest, kind: str, object_id: uuid.UUID) -> HttpResponse:
    k = _kind(kind)
    obj = k.model.objects.filter(
        pk=object_id, program_id__in=request.user.programs_with_role(Role.DIRECTOR)
    ).first()
    if obj is None:
        raise deny(request, k.object_type, str(object_id))
    return _form_page(request, k, obj.program, instance=obj)
