"""The participant's notes in their app (/me/notes/): only the signed notes their program releases to
them (bridge/portal/notes.py); the pages are 404 while it releases none. Every page read is audited."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bridge.portal import notes
from bridge.portal.access import PortalPageRequest, portal_page, portal_read


@portal_page
@require_GET
def note_list(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    if not notes.released_kinds(participant):
        raise Http404("Notes are not shown in this program's app.")
    found = notes.note_list(participant)
    portal_read(request, object_type="note")
    rows = [{"note": n, "kind": notes.kind_words(n)} for n in found]
    return render(request, "portal/notes.html", {"rows": rows})


@portal_page
@require_GET
def note_detail(request: PortalPageRequest, note_id: uuid.UUID) -> HttpResponse:
    note = notes.released_note(request.portal_account.participant, note_id)
    portal_read(request, object_type="note", object_id=str(note.id))
    return render(request, "portal/note.html", {"note": note})
