"""Authorizations: added by the front desk or billing, usage counted from charges, warnings near the
end or the last units, concurrent reviews that add units and move the next review date."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bridge.audit.models import AuditEvent
from bridge.billing.models import Authorization, Charge, UtilizationReview
from bridge.billing.queries import outside_authorization, usage_for
from bridge.billing.tests import factories as f
from bridge.scheduling.models import Attendance, Session, SessionKind
from bridge.testing.sections import full_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def coverage(world):
    return f.coverage(world.alex, f.plan(f.payer(world.program)))


def _form(coverage, today) -> dict:
    """An eight-week authorization for H0015 starting today, as the form posts it."""
    return {
        "coverage": coverage.pk,
        "level_of_care": "2.1",
        "service_codes": "H0015",
        "unit": "days",
        "units_approved": 24,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=56)).isoformat(),
        "reference_number": "DMC-2026-0042",
        "status": "approved",
    }


def test_billing_adds_an_authorization_with_its_first_review_date(world, login, coverage):
    today = timezone.localdate()
    client = login(world.billing)
    url = reverse("billing:authorization_add", args=[world.alex.pk])
    data = _form(coverage, today)
    assert client.post(url, {**data, "service_codes": "H15"}).status_code == 400
    assert client.post(url, data).status_code == 302
    auth = Authorization.objects.get()
    assert auth.service_codes == ["H0015"] and auth.next_review_on == today + timedelta(days=14)
    assert AuditEvent.objects.filter(
        action="create", object_type="authorization", participant=world.alex
    ).exists()


def test_usage_warns_near_the_end_and_near_the_last_units(world, coverage):
    today = timezone.localdate()
    auth = Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=10,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=30),
        reference_number="A1",
    )
    for k in range(8):
        Charge.objects.create(
            program=world.program,
            participant=world.alex,
            coverage=coverage,
            authorization=auth,
            service_date=today - timedelta(days=k + 1),
            per_diem=True,
            code="H0015",
            amount=Decimal("150"),
            diagnosis="F1020",
            level_of_care="2.1",
            rendering=world.therapist_a,
            rendering_credential="LCSW",
        )
    (usage,) = usage_for([auth], today)
    assert (usage.used, usage.remaining) == (8, 2)
    assert usage.warnings == ["2 of 10 days left"]
    auth.ends_on = today + timedelta(days=4)
    auth.units_approved = 40
    (usage,) = usage_for([auth], today)
    assert usage.warnings == ["ends in 4 days (" + f"{auth.ends_on:%b %-d})"]


def test_an_approved_review_adds_units_and_moves_the_next_review(world, login, coverage):
    today = timezone.localdate()
    auth = Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=10,
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=14),
        reference_number="A2",
        next_review_on=today,
    )
    client = login(world.billing)
    url = reverse("billing:review_record", args=[world.alex.pk, auth.pk])
    refused = client.post(url, {"outcome": "approved", "approved_units": "0"})
    assert refused.status_code == 400 and f'id="rev-err-{auth.pk}"' in refused.content.decode()
    assert not UtilizationReview.objects.exists()  # approved needs units
    # A note too long: the billing page again with the field error (not a redirect); nothing stored.
    refused = client.post(url, {"outcome": "denied", "note": "n" * 301})
    assert (
        refused.status_code == 400 and "Note: Ensure this value has at most 300" in refused.content.decode()
    )
    assert not UtilizationReview.objects.exists()
    client.post(url, {"outcome": "approved", "approved_units": "12", "note": "Reviewer: continue IOP"})
    auth.refresh_from_db()
    assert auth.units_approved == 22 and auth.next_review_on == today + timedelta(days=14)
    review = UtilizationReview.objects.get()
    assert review.due_on == today and review.recorded_by == world.billing
    client.post(url, {"outcome": "peer_to_peer", "note": "Asked for a peer-to-peer"})
    assert auth.reviews.count() == 2
    assert login(world.outsider).post(url, {"outcome": "denied"}).status_code == 404


def test_impossible_units_a_repeated_reference_and_an_overlap_are_refused(world, login, coverage):
    """Bad input gets a field error and changes nothing: 9,223,372,036,854,775,800 units on a review
    (once a 500), 99,999,999,999 days, the payer's reference twice, two authorizations for the same
    services on the same days."""
    today = timezone.localdate()
    client = login(world.billing)
    url = reverse("billing:authorization_add", args=[world.alex.pk])
    data = _form(coverage, today)
    refused = client.post(url, {**data, "units_approved": "99999999999"})
    assert refused.status_code == 400 and not Authorization.objects.exists()
    assert client.post(url, data).status_code == 302
    auth = Authorization.objects.get()
    # The same reference again (any case), even for other days: refused by name.
    later = {
        **data,
        "reference_number": "dmc-2026-0042",
        "starts_on": (today + timedelta(days=100)).isoformat(),
        "ends_on": (today + timedelta(days=130)).isoformat(),
    }
    refused = client.post(url, later)
    assert refused.status_code == 400
    assert "Authorization dmc-2026-0042 from this payer is already on record" in refused.content.decode()
    # Overlapping days for the same code (or for every code): refused, naming the one it overlaps.
    for codes in ("H0015", ""):
        refused = client.post(url, {**data, "reference_number": "DMC-2026-0099", "service_codes": codes})
        assert refused.status_code == 400 and "DMC-2026-0042" in refused.content.decode()
    # Other codes on the same days, or the same codes after it ends, are another authorization.
    assert client.post(url, {**data, "reference_number": "B-1", "service_codes": "90853"}).status_code == 302
    assert client.post(url, {**later, "reference_number": "B-2"}).status_code == 302
    assert Authorization.objects.count() == 3
    # A concurrent review cannot take the units past any payer's letter.
    review = reverse("billing:review_record", args=[world.alex.pk, auth.pk])
    for units in ("9223372036854775800", "977"):
        refused = client.post(review, {"outcome": "approved", "approved_units": units})
        assert refused.status_code == 400, units
    auth.refresh_from_db()
    assert auth.units_approved == 24 and not UtilizationReview.objects.exists()
    assert client.post(review, {"outcome": "approved", "approved_units": "976"}).status_code == 302
    auth.refresh_from_db()
    assert auth.units_approved == 1000


def _expected_at(participant, staff, day):
    """A scheduled session on `day` at 18:00 with the participant on its roster (not yet attended)."""
    tz = participant.program.tz
    start = datetime.combine(day, time(18), tzinfo=tz)
    session = Session.objects.create(
        program=participant.program,
        kind=SessionKind.GROUP,
        title="Evening group",
        staff=staff,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    Attendance.objects.create(session=session, participant=participant)
    return session


def test_sessions_beyond_the_authorizations_dates_or_units_are_listed_with_the_reason(
    world, coverage, django_assert_max_num_queries
):
    today = timezone.localdate()
    Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=3,
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=10),
        reference_number="DMC-9",
    )
    for k in (1, 2):  # two of the three days are already on the calendar
        _expected_at(world.alex, world.therapist_a, today + timedelta(days=k))
    self_pay = f.payer(world.program, name="Self-pay", kind="self_pay")
    f.coverage(world.blair, f.plan(self_pay), member_id="SELF")
    items = [
        (world.alex, today + timedelta(days=2), "Individual 10:00"),  # a day already counted: fine
        (world.alex, today + timedelta(days=3), "Individual 10:00"),  # the third and last unit
        (world.alex, today + timedelta(days=4), "Individual 10:00"),  # no units left
        (world.alex, today + timedelta(days=12), "Individual 10:00"),  # after the authorization ends
        (world.blair, today + timedelta(days=12), "Individual 11:00"),  # self-pay needs none
    ]
    with django_assert_max_num_queries(4):
        found = outside_authorization(items, world.program.tz, today)
    assert [(o.participant_name, o.day) for o in found] == [
        (world.alex.display_name, today + timedelta(days=4)),
        (world.alex.display_name, today + timedelta(days=12)),
    ]
    assert found[0].detail.startswith("Beyond authorization DMC-9: its 3 days are used")
    assert found[1].detail.startswith(
        f"No approved Medi-Cal DMC-ODS authorization covers {today + timedelta(days=12):%b %-d}"
    )
    assert "DMC-9 runs" in found[1].detail


def test_the_front_desk_home_lists_calendar_sessions_outside_any_authorization(world, login, coverage):
    today = timezone.localdate()
    _expected_at(world.alex, world.therapist_a, today + timedelta(days=3))
    body = full_home(login(world.frontdesk))
    assert "Scheduled outside any authorization" in body
    assert "No approved Medi-Cal DMC-ODS authorization covers" in body and "Evening group 18:00" in body
    Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=30,
        starts_on=today,
        ends_on=today + timedelta(days=60),
        reference_number="DMC-10",
    )
    body = full_home(login(world.frontdesk))
    assert "Scheduled outside any authorization" not in body
