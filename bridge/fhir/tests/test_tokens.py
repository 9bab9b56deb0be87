"""API tokens: hashed, shown once, scope enforced, revoked and unknown rejected, every use audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.core.tokens import token_hash
from bridge.fhir import services
from bridge.fhir.models import ApiToken


def test_only_a_hash_of_the_secret_is_stored(world):
    issued = services.token_create(
        actor=world.director, name="EHR", scopes="user/*.read", user=world.therapist_a
    )
    token = ApiToken.objects.get()
    assert issued.secret not in (token.token_hash, token.prefix, token.scopes)
    assert token.token_hash == token_hash(issued.secret)
    assert AuditEvent.objects.filter(action="token_created", object_id=str(token.pk)).exists()


@pytest.mark.parametrize(
    ("scopes", "field"),
    [
        ("patient/*.read", "scopes"),
        ("user/Patient.write", "scopes"),
        ("user/Spaceship.read", "scopes"),
        ("user/*.read system/*.read", "scopes"),
        ("", "scopes"),
    ],
)
def test_bad_scopes_are_refused_by_name(world, scopes, field):
    with pytest.raises(ValidationError) as exc:
        services.token_create(actor=world.director, name="x", scopes=scopes, user=world.therapist_a)
    assert field in exc.value.message_dict


def test_a_director_issues_tokens_only_for_their_own_program(world):
    with pytest.raises(ValidationError) as exc:
        services.token_create(actor=world.outsider, name="x", scopes="user/*.read", user=world.therapist_a)
    assert "user" in exc.value.message_dict


def test_a_director_cannot_issue_a_token_reaching_beyond_their_programs_or_an_auditors(world):
    from bridge.accounts.models import Role, StaffRole

    # therapist_a also works in a program the director does not direct: the token would carry that.
    StaffRole.objects.create(user=world.therapist_a, program=world.other_program, role=Role.THERAPIST)
    with pytest.raises(ValidationError) as exc:
        services.token_create(actor=world.director, name="x", scopes="user/*.read", user=world.therapist_a)
    assert "program you do not direct" in exc.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as exc:
        services.token_create(actor=world.director, name="x", scopes="user/*.read", user=world.auditor)
    assert "auditor" in exc.value.message_dict["user"][0]
    # Their own token, and one for staff wholly inside their program, are fine; so is the console.
    services.token_create(actor=world.director, name="mine", scopes="user/*.read", user=world.director)
    services.token_create(actor=world.director, name="b", scopes="user/*.read", user=world.therapist_b)
    services.token_create(actor=None, name="console", scopes="user/*.read", user=world.auditor)


def test_missing_unknown_and_revoked_tokens_get_401(world, fhir, token_for):
    assert fhir(None, "Patient").status_code == 401
    response = fhir("brg_not-a-token", "Patient")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["issue"][0]["code"] == "login"
    secret = token_for(user=world.director)
    assert fhir(secret, "Patient").status_code == 200
    services.token_revoke(actor=world.director, token=ApiToken.objects.get())
    assert fhir(secret, "Patient").status_code == 401
    assert AuditEvent.objects.filter(action="access_denied", object_type="api_token").count() == 2


def test_a_deactivated_staff_members_token_stops_working(world, fhir, token_for):
    secret = token_for(user=world.therapist_a)
    world.therapist_a.is_active = False
    world.therapist_a.save()
    assert fhir(secret, "Patient").status_code == 401


def test_scope_is_enforced_per_resource_type(world, chart, fhir, token_for):
    secret = token_for(user=world.director, scopes="user/Patient.read")
    assert fhir(secret, "Patient").status_code == 200
    response = fhir(secret, "Condition")
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"
    read_only = token_for(user=world.director, scopes="user/Patient.r")
    assert fhir(read_only, f"Patient/{world.alex.pk}").status_code == 200
    assert fhir(read_only, "Patient").status_code == 403  # no search permission


def test_every_use_is_recorded(world, fhir, token_for):
    secret = token_for(user=world.director)
    fhir(secret, "Patient")
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    search = AuditEvent.objects.filter(action="search", object_type="fhir:Patient").get()
    assert search.detail["token"] == str(token.pk)
    assert search.actor_id == world.director.pk
    assert search.channel == "api"


def test_console_prints_the_token_once(world, capsys):
    call_command("token", "create", "--user", "therapist_a", "--scopes", "user/*.read")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("brg_")
    assert ApiToken.objects.get().token_hash == token_hash(secret)
    assert ApiToken.objects.get().expires_at is None  # console tokens last until revoked…


def test_console_tokens_may_expire(world, capsys):
    call_command(
        "token", "create", "--user", "therapist_a", "--scopes", "user/*.read", "--expires-days", "30"
    )
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert (token.expires_at - token.created_at).days in (29, 30)  # …unless given an expiry
    with pytest.raises(CommandError):
        call_command(
            "token", "create", "--user", "therapist_a", "--scopes", "user/*.read", "--expires-days", "0"
        )


def test_director_issues_and_revokes_a_token_in_the_ui(world, login, client):
    page = login(world.director)
    response = page.post(
        reverse("fhir:token_list"),
        {
            "name": "Lakeside EHR",
            "scopes": "user/*.read",
            "user": world.therapist_a.pk,
            "purpose": "",
            "expires_in_days": "90",
        },
    )
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert token.expires_at is not None  # UI tokens always expire
    assert 89 <= (token.expires_at - token.created_at).days <= 90
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    assert secret not in page.get(reverse("fhir:token_list")).content.decode()  # shown once
    page.post(reverse("fhir:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.director


def test_token_form_errors_name_the_field(world, login):
    response = login(world.director).post(
        reverse("fhir:token_list"),
        {"name": "x", "scopes": "system/*.read", "purpose": "", "expires_in_days": "365"},
    )
    assert response.status_code == 400
    assert "recipient" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["therapist_a", "frontdesk", "auditor"])
def test_only_directors_manage_tokens(world, login, persona):
    assert login(world.staff[persona]).get(reverse("fhir:token_list")).status_code == 403


def test_outsider_cannot_revoke_harbor_tokens(world, login, token_for):
    token_for(user=world.therapist_a)
    token = ApiToken.objects.get()
    response = login(world.outsider).post(reverse("fhir:token_revoke", args=[token.pk]))
    assert response.status_code == 404


def test_console_system_token_needs_the_issuing_director(world, capsys):
    from bridge.privacy.models import Recipient

    Recipient.objects.create(program=world.program, name="Lakeside", kind="treating_provider", address="x")
    with pytest.raises(CommandError):
        call_command("token", "create", "--recipient", "Lakeside", "--scopes", "system/*.read")
    call_command(
        "token", "create", "--recipient", "Lakeside", "--scopes", "system/*.read", "--by", "director"
    )
    assert ApiToken.objects.get().created_by == world.director
    with pytest.raises(CommandError):
        call_command(
            "token", "create", "--recipient", "Lakeside", "--scopes", "system/*.read", "--by", "frontdesk"
        )
