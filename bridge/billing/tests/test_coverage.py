"""Coverage: front desk and billing record and correct a participant's insurance; every change is
audited; an outsider gets 404; billing staff see the billing record but never the chart."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bridge.accounts.models import Role
from bridge.audit.models import AuditEvent
from bridge.billing.models import Coverage
from bridge.billing.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def medi_cal(world):
    return f.plan(f.payer(world.program))


def _post(client, url, **data):
    base = {"order": 1, "relationship": "18", "effective_on": "2026-02-01", "member_id": "91234567A"}
    return client.post(url, {**base, **data})


def test_front_desk_adds_a_coverage_and_it_is_audited(world, login, medi_cal):
    client = login(world.frontdesk)
    url = reverse("billing:coverage_add", args=[world.alex.pk])
    response = _post(client, url, plan=medi_cal.pk)
    assert response.status_code == 302
    coverage = Coverage.objects.get(participant=world.alex)
    assert (
        coverage.plan == medi_cal
        and coverage.member_id == "91234567A"
        and coverage.created_by == world.frontdesk
    )
    event = AuditEvent.objects.get(action="create", object_type="coverage")
    assert event.participant_id == world.alex.pk and event.detail["payer"] == "Medi-Cal DMC-ODS"
    page = client.get(reverse("billing:participant", args=[world.alex.pk]))
    assert b"91234567A" in page.content


def test_a_new_primary_coverage_ends_the_old_one(world, login, medi_cal):
    old = f.coverage(world.alex, medi_cal, effective_on=date(2026, 1, 1))
    other = f.plan(f.payer(world.program, "Blue Shield", kind="commercial"), "PPO")
    client = login(world.frontdesk)
    response = _post(
        client, reverse("billing:coverage_add", args=[world.alex.pk]), plan=other.pk, member_id="XYZ1"
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.ends_on == date(2026, 1, 31)
    assert world.alex.coverages.filter(ends_on__isnull=True).get().member_id == "XYZ1"


def test_another_subscriber_must_be_named(world, login, medi_cal):
    client = login(world.frontdesk)
    response = _post(
        client, reverse("billing:coverage_add", args=[world.alex.pk]), plan=medi_cal.pk, relationship="01"
    )
    assert response.status_code == 400
    assert "Name the subscriber" in response.content.decode()
    assert not Coverage.objects.exists()


def test_a_coverage_that_ends_before_it_starts_is_refused_in_plain_words(world, login, medi_cal):
    client = login(world.frontdesk)
    response = _post(
        client, reverse("billing:coverage_add", args=[world.alex.pk]), plan=medi_cal.pk, ends_on="2026-01-15"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The coverage ends before it starts: check the dates." in page
    assert "Constraint" not in page and "coverage_ends_after_start" not in page
    assert not Coverage.objects.exists()


def test_self_pay_is_primary_or_nothing_and_has_no_payer_to_ask(world, login):
    from bridge.billing.models import PayerKind

    self_pay = f.plan(f.payer(world.program, "Self-pay", kind=PayerKind.SELF_PAY), "Sliding fee")
    client = login(world.billing)
    url = reverse("billing:coverage_add", args=[world.alex.pk])
    refused = _post(client, url, plan=self_pay.pk, order=2)
    assert (
        refused.status_code == 400 and "Self-pay can only be the primary coverage" in refused.content.decode()
    )
    assert not Coverage.objects.exists()
    assert _post(client, url, plan=self_pay.pk).status_code == 302
    coverage = Coverage.objects.get()
    response = client.post(
        reverse("billing:eligibility_check", args=[world.alex.pk, coverage.pk]), follow=True
    )
    assert "Self-pay has no payer to ask" in response.content.decode()
    assert not coverage.eligibility_checks.exists()


# Date-order rules whose dates only a service sets after checking them itself (its own message first).
SET_BY_SERVICES = {
    "care_team_end_after_start",
    "membership_left_after_joining",
    "session_ends_after_start",
    "order_stop_after_start_with_reason",
    "otp_end_after_start_with_reason",
    "note_cosigned_after_signing",
    "ptime_ends_after_start",
    "chours_ends_after_start",
    "planned_ends_after_start",
}


def test_every_date_order_rule_a_form_reaches_says_what_is_wrong_in_words():
    """A database rule a form can reach speaks plain words, never Django's "Constraint “x” is violated"."""
    from django.apps import apps
    from django.db.models import BaseConstraint

    default = BaseConstraint.default_violation_error_message
    unnamed = [
        f"{model.__name__}.{c.name}"
        for model in apps.get_models()
        if model.__module__.startswith("bridge.")
        for c in model._meta.constraints
        if "_after_" in c.name
        and c.name not in SET_BY_SERVICES
        and c.violation_error_message in (None, default)
    ]
    assert unnamed == []


def test_correcting_a_member_id_audits_the_field_not_the_value(world, login, medi_cal):
    coverage = f.coverage(world.alex, medi_cal)
    client = login(world.frontdesk)
    url = reverse("billing:coverage_edit", args=[world.alex.pk, coverage.pk])
    assert client.get(url).status_code == 200
    response = _post(client, url, plan=medi_cal.pk, member_id="91234567B", effective_on="2026-01-01")
    assert response.status_code == 302
    coverage.refresh_from_db()
    assert coverage.member_id == "91234567B"
    event = AuditEvent.objects.get(action="update", object_type="coverage")
    assert event.detail == {"fields": ["member_id"]}


def test_a_plan_of_another_program_is_refused(world, login):
    elsewhere_plan = f.plan(f.payer(world.other_program, "Colorado Medicaid"))
    client = login(world.frontdesk)
    response = _post(client, reverse("billing:coverage_add", args=[world.alex.pk]), plan=elsewhere_plan.pk)
    assert response.status_code == 400
    assert not Coverage.objects.exists()


def test_outsider_gets_404_and_the_denial_is_audited(world, login, medi_cal):
    coverage = f.coverage(world.alex, medi_cal)
    client = login(world.outsider)
    for url in (
        reverse("billing:participant", args=[world.alex.pk]),
        reverse("billing:coverage_edit", args=[world.alex.pk, coverage.pk]),
    ):
        assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access_denied", participant=world.alex).count() == 2


def test_a_therapist_without_billing_gets_403(world, login):
    client = login(world.therapist_a)
    assert client.get(reverse("billing:participant", args=[world.alex.pk])).status_code == 403


def test_billing_staff_see_billing_but_not_the_chart(world, login, medi_cal):
    f.coverage(world.alex, medi_cal)
    client = login(world.billing)
    assert world.billing.has_role(Role.BILLING)
    page = client.get(reverse("billing:participant", args=[world.alex.pk]))
    assert page.status_code == 200 and b"Medi-Cal DMC-ODS" in page.content
    assert AuditEvent.objects.filter(action="read", participant=world.alex, actor=world.billing).exists()
    detail = client.get(reverse("participants:detail", args=[world.alex.pk]))
    assert detail.status_code == 200
    assert b"Coverage and billing" in detail.content
    notes = client.get(reverse("clinical:notes", args=[world.alex.pk]))
    assert notes.status_code == 403


def test_admission_turns_the_intake_insurance_into_a_primary_coverage(world, medi_cal):
    from bridge.billing.services import coverage_from_screening
    from bridge.intake.models import Screening

    screening = Screening.objects.create(
        participant=world.casey,
        program=world.program,
        insurance_type="medicaid",
        insurance_plan="Medi-Cal",
        insurance_member_id="95550001A",
    )
    coverage = coverage_from_screening(actor=world.intake, screening=screening, admitted_on=date(2026, 3, 2))
    assert coverage is not None
    assert coverage.plan == medi_cal and coverage.member_id == "95550001A" and coverage.order == 1
    assert (
        coverage_from_screening(actor=world.intake, screening=screening, admitted_on=date(2026, 3, 2)) is None
    )


def test_a_prescriber_signs_a_medicare_certification(world, login):
    medicare = f.plan(f.payer(world.program, "Medicare", kind="medicare"), "Original Medicare")
    f.coverage(world.alex, medicare, member_id="1EG4TE5MK73")
    client = login(world.prescriber)
    assert (
        b"Medicare certification" in client.get(reverse("participants:detail", args=[world.alex.pk])).content
    )
    url = reverse("billing:certification_add", args=[world.alex.pk])
    data = {
        "kind": "certification",
        "needs_nine_hours": "on",
        "findings": "Needs 9 h a week",
        "diagnosis": "F10.20",
        "services_plan": "IOP 9 h/week for 8 weeks",
        "signed_on": "2026-11-02",
        "valid_from": "2026-11-02",
        "valid_through": "2027-02-01",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "every other month" in response.content.decode()
    response = client.post(url, {**data, "valid_through": "2026-12-31"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="sign", object_type="certification", participant=world.alex
    ).exists()
    nurse = login(world.nurse)
    assert nurse.post(url, {**data, "valid_through": "2026-12-31"}).status_code == 400  # not a prescriber
