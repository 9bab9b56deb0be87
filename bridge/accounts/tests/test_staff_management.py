"""Directors add staff, grant and revoke roles; new accounts must replace their one-time password."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bridge.accounts.models import Role, StaffRole, User
from bridge.audit.models import AuditEvent


def _create(client, **extra):
    data = {
        "username": "newclin",
        "first_name": "Nia",
        "last_name": "Cole",
        "email": "nia@example.org",
        "roles": ["therapist"],
    }
    data.update(extra)
    return client.post(reverse("accounts:staff_create"), data)


def test_director_adds_a_staff_member_who_must_change_the_password(world, login, client):
    response = _create(login(world.director))
    assert response.status_code == 200
    shown = re.search(r'data-testid="temporary-password">([^<]+)<', response.content.decode())
    assert shown is not None, "the temporary password is shown once"
    password = shown.group(1)
    user = User.objects.get(username="newclin")
    assert user.must_change_password and user.password.startswith("argon2$argon2id$")
    assert set(user.roles.values_list("program", "role")) == {(world.program.pk, "therapist")}
    assert AuditEvent.objects.filter(action="create", object_type="user", object_id=str(user.pk)).exists()

    client.logout()
    client.post("/accounts/login/", {"username": "newclin", "password": password})
    assert client.get("/").url == reverse("accounts:password_change")
    assert client.get(reverse("participants:list")).url == reverse("accounts:password_change")
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 400
    ok = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": password,
            "new_password1": "a long and private phrase",
            "new_password2": "a long and private phrase",
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # still signed in after the change
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("a long and private phrase")


def test_staff_form_errors_change_nothing(world, login):
    response = _create(login(world.director), username="therapist_a", roles=[])
    assert response.status_code == 400
    assert {"username", "roles"} <= set(response.context["form"].errors)
    assert User.objects.filter(username="therapist_a").count() == 1


def test_a_login_or_an_email_already_taken_in_another_case_is_refused(world, login):
    director = login(world.director)
    response = _create(director, username="Therapist_A")
    assert response.status_code == 400
    assert "The login “therapist_a” already exists" in response.content.decode()
    response = _create(director, email=world.director.email.upper())
    assert response.status_code == 400
    assert f"already belongs to the login “{world.director.username}”" in response.content.decode()
    assert not User.objects.filter(username__iexact="newclin").exists()
    assert User.objects.filter(username__iexact="therapist_a").count() == 1


def test_only_directors_add_staff(world, login):
    assert _create(login(world.therapist_a)).status_code == 403
    assert not User.objects.filter(username="newclin").exists()


def test_director_grants_and_revokes_roles(world, login):
    client = login(world.director)
    url = reverse("accounts:staff_roles", args=[world.therapist_b.pk])
    client.post(url, {"roles": ["therapist", "intake"]})
    assert set(StaffRole.objects.filter(user=world.therapist_b).values_list("role", flat=True)) == {
        "therapist",
        "intake",
    }
    client.post(url, {"roles": ["intake"]})
    assert set(StaffRole.objects.filter(user=world.therapist_b).values_list("role", flat=True)) == {"intake"}
    event = AuditEvent.objects.filter(object_type="staff_roles").latest("seq")
    assert event.detail["revoked"] == ["therapist"]


def test_director_cannot_remove_their_own_director_role(world, login):
    login(world.director).post(
        reverse("accounts:staff_roles", args=[world.director.pk]), {"roles": ["therapist"]}
    )
    assert world.director.roles.filter(role=Role.DIRECTOR).exists()


def test_outsider_director_cannot_touch_our_staff(world, login):
    client = login(world.outsider)
    assert (
        client.post(reverse("accounts:staff_roles", args=[world.therapist_a.pk]), {"roles": []}).status_code
        == 404
    )
    assert world.therapist_a.roles.exists()


@pytest.mark.django_db
def test_bootstrap_creates_the_first_program_and_director():
    out = io.StringIO()
    call_command(
        "bootstrap",
        organization="Northside Health",
        program="Northside IOP",
        time_zone="America/Chicago",
        director="ndirector",
        first_name="Ana",
        last_name="Diaz",
        email="ana@example.org",
        stdout=out,
    )
    user = User.objects.get(username="ndirector")
    assert user.has_role(Role.DIRECTOR) and user.must_change_password
    assert "One-time password" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "bootstrap",
            organization="Northside Health",
            program="Northside IOP",
            director="ndirector",
            first_name="A",
            last_name="D",
            email="a@example.org",
            stdout=io.StringIO(),
        )


@pytest.mark.parametrize("posted", ["not-a-uuid", ""])
def test_a_director_of_two_programs_who_posts_a_bad_program_sees_a_form_error(world, login, posted):
    StaffRole.objects.create(user=world.director, program=world.other_program, role=Role.DIRECTOR)
    response = _create(login(world.director), program=posted)
    assert response.status_code == 400  # the form again, with the error; never a 500
    assert "Choose the program this person works in." in response.content.decode()
    assert not User.objects.filter(username="newclin").exists()
