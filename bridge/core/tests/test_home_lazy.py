"""Issue 21: Home paints first without its heaviest panel (billing's authorizations to watch, for
directors, billing staff and the front desk); the panel loads after it from its own URL, under the
same role rules as Home."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridge.billing.models import Authorization
from bridge.billing.tests import factories as f
from bridge.testing.sections import home_lazy_urls

PANEL = "/home/panels/authorizations/"


def _near_its_end(world) -> None:
    today = timezone.localdate()
    Authorization.objects.create(
        participant=world.alex,
        coverage=f.coverage(world.alex, f.plan(f.payer(world.program))),
        units_approved=20,
        starts_on=today - timedelta(days=20),
        ends_on=today + timedelta(days=3),
        reference_number="DMC-NEAR",
    )


def test_the_directors_home_paints_without_the_billing_panels_queries_which_load_after_it(world, login):
    _near_its_end(world)
    client = login(world.director)
    client.get("/")  # the session's first request loads what later ones reuse
    with CaptureQueriesContext(connection) as ctx:
        home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "billing_authorization" not in sql  # the panel's queries are not in the first paint
    assert "DMC-NEAR" not in html and home_lazy_urls(html) == [PANEL]
    assert 'hx-trigger="load"' in html and "Loading authorizations to watch" in html

    with CaptureQueriesContext(connection) as ctx:
        part = client.get(PANEL, headers={"HX-Request": "true"})
    assert part.status_code == 200
    text = part.content.decode()
    assert "Authorizations to watch" in text and "DMC-NEAR" in text and "ends in 3 days" in text
    assert "<html" not in text  # a fragment for htmx
    assert "billing_authorization" in " ".join(q["sql"] for q in ctx.captured_queries)
    whole = client.get(PANEL)  # no htmx (the placeholder's no-script link): a page of its own
    assert (
        whole.status_code == 200
        and "<html" in whole.content.decode()
        and "DMC-NEAR" in whole.content.decode()
    )


def test_the_panel_is_a_404_for_whom_home_would_not_show_it(world, login):
    _near_its_end(world)
    for user in (world.therapist_a, world.auditor):
        assert PANEL not in login(user).get("/").content.decode()
        assert login(user).get(PANEL, headers={"HX-Request": "true"}).status_code == 404
    assert "DMC-NEAR" in login(world.frontdesk).get(PANEL, headers={"HX-Request": "true"}).content.decode()
    # A director elsewhere gets the panel of their own program, never Harbor's authorizations.
    elsewhere = login(world.outsider).get(PANEL, headers={"HX-Request": "true"})
    assert elsewhere.status_code == 200 and "DMC-NEAR" not in elsewhere.content.decode()
    assert login(world.director).get("/home/panels/nope/").status_code == 404


def test_the_panel_is_empty_when_nothing_is_due_and_needs_a_signed_in_user(world, login):
    part = login(world.director).get(PANEL, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "Authorizations to watch" not in part.content.decode()
    assert Client().get(PANEL).status_code == 302  # signed out: to the sign-in page
