"""The participant list, page, forms and care team, as staff use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.participants.models import CareTeamMember, Participant
from bridge.testing.personas import add_to_team, make_participant

LIST = "/participants/"


def _names(response):
    return sorted(p.first_name for p in response.context["page"].object_list)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("director", ["Alex", "Blair", "Casey"]),
        ("intake", ["Casey"]),
        ("therapist_a", ["Alex"]),
        ("therapist_b", ["Blair"]),
        ("frontdesk", ["Alex", "Blair", "Casey"]),
        ("peer", ["Alex"]),
        ("auditor", []),
        ("outsider", ["Eli"]),
    ],
)
def test_list_shows_only_visible_participants(world, login, persona, expected):
    assert _names(login(world.staff[persona]).get(LIST)) == expected


def test_list_filters_by_name_status_and_clinician(world, login):
    client = login(world.director)
    assert _names(client.get(LIST, {"q": "bla"})) == ["Blair"]
    assert _names(client.get(LIST, {"status": "prospect"})) == ["Casey"]
    assert _names(client.get(LIST, {"clinician": str(world.therapist_a.pk)})) == ["Alex"]
    search = AuditEvent.objects.filter(action="search", actor=world.director).latest("seq")
    assert search.detail["filters"] == {"clinician": str(world.therapist_a.pk)}


def test_list_remembers_its_filters_until_cleared(world, login):
    client = login(world.director)
    client.get(LIST, {"status": "prospect"})
    back = client.get(LIST)
    assert back.status_code == 302 and "status=prospect" in back["Location"]
    assert _names(client.get(back["Location"])) == ["Casey"]
    client.get(LIST, {"clear": "1"})
    assert _names(client.get(LIST)) == ["Alex", "Blair", "Casey"]


def test_htmx_request_returns_only_the_results(world, login):
    client = login(world.director)
    response = client.get(LIST, {"q": "alex"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content and b"Alex" in response.content


def test_list_queries_do_not_grow_with_participants(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.director)
    client.get(LIST, {"status": "active"})  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(LIST, {"status": "active"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(40):
        p = make_participant(world.program, f"Extra{i:02d}")
        add_to_team(
            p, world.therapist_a if i % 2 else world.therapist_b, CareTeamMember.TeamRole.PRIMARY_CLINICIAN
        )
    assert count() == few <= 16


def test_participant_page_shows_the_care_team_in_bounded_queries(world, login, django_assert_max_num_queries):
    client = login(world.therapist_a)
    url = reverse("participants:detail", args=[world.alex.pk])
    client.get(url)
    # The page is also the chart (sections from other apps); bounded, whatever the history:
    # bridge/clinical/tests/test_chart.py asserts the count stays constant as a chart grows.
    with django_assert_max_num_queries(30):
        response = client.get(url)
    html = response.content.decode()
    for member in ("Therapist_a", "Prescriber", "Nurse", "Peer"):
        assert member in html
    assert "Primary clinician" in html
    event = AuditEvent.objects.filter(action="read", participant=world.alex).latest("seq")
    assert event.detail["view"] == "participants:detail"


def test_malformed_uuid_and_unknown_urls_are_friendly_404s(world, login):
    client = login(world.director)
    for url in ("/participants/not-a-uuid/", "/participants/1234/edit/", "/no/such/page/"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"We could not find that page" in response.content


def test_create_participant_with_field_errors_changes_nothing(world, login):
    client = login(world.intake)
    before = Participant.objects.count()
    response = client.post(
        reverse("participants:create"),
        {
            "first_name": "",
            "last_name": "Doe",
            "date_of_birth": "2090-01-01",
            "status": "prospect",
            "email": "not-an-email",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"first_name", "date_of_birth", "email"} <= set(errors)
    assert Participant.objects.count() == before


def test_a_refusal_of_the_create_service_is_a_field_error_not_a_500(world, login, monkeypatch):
    from django.core.exceptions import ValidationError

    from bridge.participants import services

    said = "Someone of this name and birth date is already on file."

    def refuse(**_):
        raise ValidationError({"last_name": [said]})

    monkeypatch.setattr(services, "participant_create", refuse)
    before = Participant.objects.count()
    response = login(world.intake).post(
        reverse("participants:create"),
        {"first_name": "Dee", "last_name": "Nguyen", "date_of_birth": "1988-02-03", "status": "prospect"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"] == [said]
    assert Participant.objects.count() == before


def test_create_participant_is_audited(world, login):
    client = login(world.intake)
    response = client.post(
        reverse("participants:create"),
        {
            "first_name": "Dee",
            "last_name": "Nguyen",
            "date_of_birth": "1988-02-03",
            "status": "prospect",
            "phone": "(510) 555-0101",
        },
    )
    created = Participant.objects.get(first_name="Dee")
    assert response.status_code == 302 and response["Location"] == reverse(
        "participants:detail", args=[created.pk]
    )
    assert created.program == world.program
    assert AuditEvent.objects.filter(action="create", participant=created, actor=world.intake).exists()


def test_roles_that_do_not_admit_cannot_create(world, login):
    assert login(world.therapist_a).get(reverse("participants:create")).status_code == 403


def test_edit_records_changed_field_names_not_values(world, login):
    client = login(world.frontdesk)
    url = reverse("participants:edit", args=[world.alex.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(phone="(510) 555-7777", email="alex@example.org")
    response = client.post(url, data)
    assert response.status_code == 302
    world.alex.refresh_from_db()
    assert world.alex.phone == "(510) 555-7777"
    event = AuditEvent.objects.filter(action="update", participant=world.alex).latest("seq")
    assert event.detail == {"fields": ["email", "phone"]}
    assert "555-7777" not in str(event.detail)


def test_new_primary_clinician_replaces_the_old_and_history_is_kept(world, login):
    client = login(world.director)
    url = reverse("participants:care_team_add", args=[world.alex.pk])
    response = client.post(url, {"staff": str(world.therapist_b.pk), "team_role": "primary"})
    assert response.status_code == 302
    team = CareTeamMember.objects.filter(participant=world.alex)
    assert team.get(team_role="primary", ended_at__isnull=True).staff == world.therapist_b
    assert team.get(staff=world.therapist_a).ended_at is not None
    # Therapist A no longer sees Alex; B now does.
    assert (
        login(world.therapist_a).get(reverse("participants:detail", args=[world.alex.pk])).status_code == 404
    )
    assert (
        login(world.therapist_b).get(reverse("participants:detail", args=[world.alex.pk])).status_code == 200
    )


def test_the_care_team_form_preselects_no_role_and_a_blank_role_is_refused(world, login):
    """A primary clinician replaces the current one: the form never offers it as its default, so
    adding a member as the page comes cannot take the chart away from its clinician."""
    from bridge.testing.forms import parse_forms

    client = login(world.director)
    page = client.get(reverse("participants:care_team", args=[world.alex.pk])).content.decode()
    add = next(f for f in parse_forms(page) if f.action.endswith("/care-team/add/"))
    role = next(f for f in add.fields if f.name == "team_role")
    # The first option is blank and no other is selected: a browser posts "" as the page comes.
    assert role.options[0][0] == ""
    assert [value for value, selected in role.options if selected] in ([], [""])
    response = client.post(
        reverse("participants:care_team_add", args=[world.alex.pk]),
        {"staff": str(world.therapist_b.pk), "team_role": ""},
    )
    assert response.status_code == 400
    assert "Choose the role on the team." in response.content.decode()
    assert not CareTeamMember.objects.filter(staff=world.therapist_b, participant=world.alex).exists()
    assert CareTeamMember.objects.get(staff=world.therapist_a, participant=world.alex).ended_at is None


def test_staff_of_another_program_cannot_join_a_care_team(world, login):
    client = login(world.director)
    response = client.post(
        reverse("participants:care_team_add", args=[world.alex.pk]),
        {"staff": str(world.outsider.pk), "team_role": "clinician"},
    )
    assert response.status_code == 400
    assert not CareTeamMember.objects.filter(staff=world.outsider, participant=world.alex).exists()


def test_ending_a_team_member_keeps_the_row(world, login):
    member = CareTeamMember.objects.get(participant=world.alex, staff=world.peer)
    client = login(world.therapist_a)
    response = client.post(reverse("participants:care_team_end", args=[world.alex.pk, member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_at is not None


def test_database_allows_one_active_primary_only(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.create(
            participant=world.alex,
            staff=world.therapist_b,
            team_role=CareTeamMember.TeamRole.PRIMARY_CLINICIAN,
        )
