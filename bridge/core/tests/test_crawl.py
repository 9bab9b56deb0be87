"""Crawl the loaded demo: every page with real ids (a participant's notes, screens, plan, summary,
screening, orders; a group session and series), opened as every demo login, answers without a
server error. Pages a login may not open answer 403/404, never 500."""

from __future__ import annotations

from django.apps import apps
from django.urls import reverse

from bridge.testing.urls import all_routes

# kwarg -> (app label, model); the row is taken from the crawled participant where the model has one.
MODELS = {
    "note_id": ("clinical", "Note"),
    "screen_id": ("clinical", "DrugScreen"),
    "version_id": ("clinical", "PlanVersion"),
    "order_id": ("clinical", "MedicationOrder"),
    "summary_id": ("aftercare", "DischargeSummary"),
    "screening_id": ("intake", "Screening"),
    "session_id": ("scheduling", "Session"),
    "series_id": ("scheduling", "GroupSeries"),
    "attendance_id": ("scheduling", "Attendance"),
    "administration_id": ("intake", "InstrumentAdministration"),
}


def _one(model, participant):
    names = {f.name for f in model._meta.get_fields()}
    rows = model.objects.all()
    if "participant" in names:
        mine = rows.filter(participant=participant)
        if mine.exists():
            rows = mine
    elif "plan" in names:
        rows = rows.filter(plan__participant=participant) or rows
    row = rows.order_by("pk").first()
    return row.pk if row else None


def test_every_page_with_real_ids_answers_every_login_without_a_server_error(demo, client):
    from bridge.clinical.models import Note

    note = Note.objects.filter(participant__isnull=False).order_by("pk").first()
    assert note is not None
    participant = note.participant
    assert participant is not None
    known = {"participant_id": participant.pk, "user_id": demo.staff["therapist1"].pk}
    for kwarg, (app, name) in MODELS.items():
        value = _one(apps.get_model(app, name), participant)
        if value is not None:
            known[kwarg] = value
    routes = [r for r in all_routes() if not r.pattern.startswith(("api/", "fhir/"))]
    failures = []
    for username, user in demo.staff.items():
        client.force_login(user)
        for route in routes:
            url = reverse(route.name, kwargs=route.fill(**known))
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{username} {url} {status}")
    assert not failures, failures
