"""The participant page paints first with a fixed, small number of queries; the sections below the
participant's details load after it, each from its own URL behind the same access check and audit."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.clinical.tests.test_chart import _grow_history
from bridge.testing.sections import lazy_urls

# The first paint of a clinician's chart: session, user and two-factor device, the participant with
# its care team (each member with the staff member, and so the viewer's care-team roles; one query),
# the viewer's program roles, the read's audit event, the chart's alerts and the measures' safety
# alerts (the measures' charts load after it). Pinned (not a ceiling) so a new query on the page is a
# decision. Issue 21 asks for fewer than 15: 13 on SQLite, 14 on PostgreSQL (the audit chain's lock).
FIRST_PAINT_QUERIES = 13


def _first_paint(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_first_paint_has_a_fixed_query_count_and_the_sections_load_after_it(admitted, alex_plan, login):
    w = admitted
    client = login(w.therapist_a)
    url = reverse("participants:detail", args=[w.alex.pk])
    _grow_history(w, 1)
    client.get(url)  # the session's first request loads what later ones reuse
    small, html = _first_paint(client, url)
    _grow_history(w, 4)
    large, html = _first_paint(client, url)
    # On PostgreSQL the read's audit event also takes the chain's advisory lock (one more query).
    expected = FIRST_PAINT_QUERIES + (connection.vendor == "postgresql")
    assert (small, large) == (expected, expected)
    sections = lazy_urls(html)
    keys = {u.rstrip("/").rsplit("/", 1)[1] for u in sections}
    assert {"chart", "measures", "consents", "availability"} <= keys, keys
    assert 'hx-trigger="load"' in html and "Plan goals" not in html
    reads = AuditEvent.objects.filter(action="read", actor=w.therapist_a, participant=w.alex).count()
    part = client.get(next(u for u in sections if "/chart/" in u), headers={"HX-Request": "true"})
    assert part.status_code == 200 and "Plan goals" in part.content.decode()
    assert "<html" not in part.content.decode()  # a fragment for htmx
    assert (
        AuditEvent.objects.filter(action="read", actor=w.therapist_a, participant=w.alex).count() == reads + 1
    )
    whole = client.get(next(u for u in sections if "/chart/" in u))  # no htmx: a page of its own
    assert whole.status_code == 200 and "<html" in whole.content.decode()


def test_every_lazy_section_is_a_404_for_an_outsider_and_the_denial_is_audited(admitted, alex_plan, login):
    w = admitted
    html = login(w.therapist_a).get(reverse("participants:detail", args=[w.alex.pk])).content.decode()
    sections = lazy_urls(html)
    assert sections
    outsider = login(w.outsider)
    for section in sections:
        before = AuditEvent.objects.filter(action="access_denied", actor=w.outsider).count()
        assert outsider.get(section, headers={"HX-Request": "true"}).status_code == 404, section
        assert AuditEvent.objects.filter(action="access_denied", actor=w.outsider).count() == before + 1


def test_a_section_the_page_would_not_show_is_a_404(admitted, alex_plan, login):
    w = admitted
    # The front desk sees the participant page but not the chart: its chart section is not theirs.
    url = reverse("participants:section", args=[w.alex.pk, "chart"])
    assert login(w.frontdesk).get(url).status_code == 404
    assert login(w.therapist_a).get(url).status_code == 200
    assert (
        login(w.therapist_a).get(reverse("participants:section", args=[w.alex.pk, "nope"])).status_code == 404
    )
