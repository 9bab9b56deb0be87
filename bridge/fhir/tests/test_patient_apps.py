"""Registering patient apps (the director's page and `bridge fhir register-app`), and the participant's
granular approval on the consent screen: the token carries only the kinds of record they ticked."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.fhir import patient, patient_services
from bridge.fhir.models import ApiToken, PatientApp, PatientGrant
from bridge.fhir.tests.test_patient_access import (
    REDIRECT,
    authorize_url,
    exchange,
    fhir_get,
    pkce,
    query,
    ticked,
    token_for_alex,
)
from bridge.portal.tests.conftest import sign_in


def _register(page, **overrides):
    data = {
        "name": "Sober Steps",
        "publisher": "Steps Inc",
        "contact": "apps@steps.example",
        "redirect_uris": "https://steps.example/cb\nhttp://localhost:8080/cb",
        "scopes": "launch/patient patient/*.rs",
        **overrides,
    }
    return page.post(reverse("fhir:app_list"), data)


def test_the_director_registers_a_patient_app_on_the_page(world, login):
    page = login(world.director)
    assert page.get(reverse("fhir:app_list")).status_code == 200
    response = _register(page, program=world.program.pk)
    assert response.status_code == 201
    app = PatientApp.objects.get()
    assert app.client_id in response.content.decode()
    assert app.program == world.program and app.created_by == world.director
    assert app.contact == "apps@steps.example" and app.scopes == "launch/patient patient/*.rs"
    application = app.application
    assert application.client_type == "public" and application.client_secret == ""
    assert application.redirect_uris.split() == ["https://steps.example/cb", "http://localhost:8080/cb"]
    # CORS answers for the origins of its redirect URIs.
    assert application.allowed_origins.split() == ["https://steps.example", "http://localhost:8080"]
    assert AuditEvent.objects.filter(
        action="create", object_type="patient_app", object_id=str(app.pk), actor=world.director
    ).exists()
    listed = page.get(reverse("fhir:app_list")).content.decode()
    assert "Sober Steps" in listed and "https://steps.example/cb" in listed


def test_a_second_active_app_of_one_name_is_a_field_error_and_the_database_refuses_it(world, login):
    """Pressing "Register" twice (or reloading the page it answers with) must not offer participants two
    apps of one name; once the first is disabled, the name may be used again."""
    from django.db import IntegrityError, transaction

    page = login(world.director)
    assert _register(page, program=world.program.pk).status_code == 201
    again = _register(page, program=world.program.pk, name="sober steps ")
    assert again.status_code == 400 and list(again.context["form"].errors) == ["name"]
    assert PatientApp.objects.count() == 1
    first = PatientApp.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientApp.objects.create(
            application=first.application.__class__.objects.create(name="x", client_type="public"),
            name="SOBER STEPS",
            program=world.program,
            scopes="patient/*.read",
        )
    patient_services.patient_app_disable(actor=world.director, app=first)
    assert _register(page, program=world.program.pk).status_code == 201
    assert PatientApp.objects.filter(name="Sober Steps").count() == 2


@pytest.mark.parametrize(
    "uri",
    ["http://steps.example/cb", "ftp://steps.example/cb", "steps.example/cb", "https://steps.example/cb#x"],
)
def test_a_bad_redirect_uri_is_a_field_error(world, login, uri):
    page = login(world.director)
    response = _register(page, program=world.program.pk, redirect_uris=uri)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["redirect_uris"] and uri in errors["redirect_uris"][0]
    assert not PatientApp.objects.exists()


def test_bad_scopes_are_a_field_error(world, login):
    response = _register(login(world.director), program=world.program.pk, scopes="system/*.read")
    assert response.status_code == 400 and "scopes" in response.context["form"].errors


def test_a_director_cannot_register_an_app_for_another_program(world):
    with pytest.raises(ValidationError) as caught:
        patient_services.patient_app_register(
            actor=world.director, name="x", redirect_uris=[REDIRECT], program=world.other_program
        )
    assert "program" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["therapist_a", "nurse", "auditor"])
def test_only_directors_see_the_patient_app_page(world, login, persona):
    assert login(getattr(world, persona)).get(reverse("fhir:app_list")).status_code == 403


def test_the_page_refuses_other_methods(world, login):
    page = login(world.director)
    assert page.put(reverse("fhir:app_list")).status_code == 405
    app = patient_services.patient_app_register(actor=world.director, name="x", redirect_uris=[REDIRECT])
    assert page.get(reverse("fhir:app_disable", args=[app.pk])).status_code == 405


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("fhir:app_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_disabling_an_app_stops_its_grants_and_tokens_and_keeps_the_row(app_world, chart, client):
    world = app_world
    app = patient_services.patient_app_register(
        actor=world.director, name="Journal", redirect_uris=[REDIRECT], scopes="launch/patient patient/*.read"
    )
    sign_in(client)
    secret = token_for_alex(client, app)
    assert fhir_get(client, secret, "Patient").status_code == 200
    # The outsider directs another program: not their app (404), and nothing changes.
    outsider, director = Client(), Client()
    outsider.force_login(world.outsider)
    director.force_login(world.director)
    assert outsider.post(reverse("fhir:app_disable", args=[app.pk])).status_code == 404
    assert PatientApp.objects.get().revoked_at is None
    response = director.post(reverse("fhir:app_disable", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.revoked_at is not None and app.revoked_by == world.director
    assert PatientGrant.objects.get().revoked_at is not None
    assert ApiToken.objects.get(patient_grant__app=app).revoked_at is not None
    assert fhir_get(client, secret, "Patient").status_code == 401
    event = AuditEvent.objects.get(action="update", object_type="patient_app", object_id=str(app.pk))
    assert event.detail["disabled"] is True and event.detail["grants_revoked"] == 1
    assert "Disable Journal" not in director.get(reverse("fhir:app_list")).content.decode()
    # A disabled app cannot start a new authorization.
    _verifier, challenge = pkce()
    assert client.get(authorize_url(app, challenge)).status_code == 400


def test_an_app_of_another_program_is_refused_to_the_participant(app_world, client):
    world = app_world
    app = patient_services.patient_app_register(
        actor=world.outsider, name="Elsewhere app", redirect_uris=[REDIRECT], program=world.other_program
    )
    sign_in(client)
    _verifier, challenge = pkce()
    response = client.get(authorize_url(app, challenge))
    assert response.status_code == 302
    assert query(response["Location"])["error"] == "access_denied"
    assert not PatientGrant.objects.exists()


def test_the_console_registers_an_app_and_prints_its_client_id(world):
    out, err = StringIO(), StringIO()
    call_command(
        "fhir",
        "register-app",
        "--name",
        "Console app",
        "--redirect-uri",
        "https://console.example/cb",
        "--redirect-uri",
        "http://127.0.0.1:9000/cb",
        "--contact",
        "ops@example.org",
        stdout=out,
        stderr=err,
    )
    app = PatientApp.objects.get()
    assert out.getvalue().strip() == app.client_id
    assert app.program is None and app.created_by is None and app.contact == "ops@example.org"
    created = AuditEvent.objects.filter(action="create", object_type="patient_app", actor_label="console")
    assert created.exists()
    with pytest.raises(CommandError, match="redirect_uris"):
        call_command("fhir", "register-app", "--name", "Bad", "--redirect-uri", "http://bad.example/cb")
    listing = StringIO()
    call_command("fhir", "list-apps", stdout=listing)
    assert app.client_id in listing.getvalue()


def test_the_console_command_runs_under_the_bridge_name_with_a_dash(world, capsys, monkeypatch):
    from django.db import connections

    from bridge.cli import main

    # A command run from the command line closes the database connections when it ends; on
    # PostgreSQL that would close the test's own transaction under it.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["bridge", "fhir", "register-app", "--name", "Dash", "--redirect-uri", "https://dash.example/cb"])
    assert capsys.readouterr().out.strip() == PatientApp.objects.get(name="Dash").client_id


# --- Granular approval ---------------------------------------------------------------------------


def test_approved_scopes_keep_what_was_ticked_with_the_permission_asked():
    asked = ["launch/patient", "patient/*.rs"]
    assert patient.approved_scopes(asked, [k for k, _ in patient.consent_choices(" ".join(asked))]) == asked
    narrowed = patient.approved_scopes(asked, ["Observation", "MedicationRequest"])
    assert narrowed == [
        "launch/patient",
        "patient/MedicationRequest.rs",
        "patient/MedicationAdministration.rs",
        "patient/Observation.rs",
    ] or set(narrowed) == {
        "launch/patient",
        "patient/MedicationRequest.rs",
        "patient/MedicationAdministration.rs",
        "patient/Observation.rs",
    }
    # A kind not offered cannot be smuggled in.
    assert patient.approved_scopes(["patient/Observation.read"], ["Condition"]) == []


def test_the_participant_unticks_document_reference_and_the_token_cannot_read_it(app_world, chart, client):
    world = app_world
    app = patient_services.patient_app_register(
        actor=world.director, name="Journal", redirect_uris=[REDIRECT], scopes="launch/patient patient/*.read"
    )
    sign_in(client)
    verifier, challenge = pkce()
    url = authorize_url(app, challenge)
    page = client.get(url)
    offered = ticked(page)
    assert "DocumentReference" in offered and "Observation" in offered
    response = client.post(url, {"decision": "allow", "kinds": ["Observation", "MedicationRequest"]})
    assert response.status_code == 302
    code = query(response["Location"])["code"]
    body = exchange(client, app, code, verifier).json()
    granted = set(body["scope"].split())
    assert granted == {
        "launch/patient",
        "patient/Observation.read",
        "patient/MedicationRequest.read",
        "patient/MedicationAdministration.read",
    }
    secret = body["access_token"]
    assert fhir_get(client, secret, "Observation").status_code == 200
    assert fhir_get(client, secret, "MedicationRequest").status_code == 200
    # SMART: a type outside the granted scopes is refused (403), for search and read alike.
    assert fhir_get(client, secret, "DocumentReference").status_code == 403
    assert fhir_get(client, secret, "DocumentReference/anything").status_code == 403
    assert fhir_get(client, secret, f"Patient/{world.alex.pk}").status_code == 403
    everything = fhir_get(client, secret, f"Patient/{world.alex.pk}/$everything", _count="100")
    assert everything.status_code == 200
    types = {e["resource"]["resourceType"] for e in everything.json()["entry"]}
    assert "Observation" in types
    assert types <= {"Observation", "MedicationRequest", "MedicationAdministration"}
    grant = PatientGrant.objects.get()
    assert set(grant.scopes.split()) == granted
    assert AuditEvent.objects.get(action="app_authorized").detail["scopes"] == grant.scopes
    apps_page = client.get(reverse("portal:apps")).content.decode()
    assert "patient/Observation.read" in apps_page and "Your drug-screen results" in apps_page
    assert "Your signed progress notes" not in apps_page and "patient/DocumentReference" not in apps_page


def test_unticking_everything_is_a_field_error_not_a_grant(app_world, client):
    world = app_world
    app = patient_services.patient_app_register(
        actor=world.director, name="Journal", redirect_uris=[REDIRECT]
    )
    sign_in(client)
    _verifier, challenge = pkce()
    url = authorize_url(app, challenge)
    response = client.post(url, {"decision": "allow"})
    assert response.status_code == 400
    assert "Tick at least one kind of record" in response.content.decode()
    assert not PatientGrant.objects.exists()
