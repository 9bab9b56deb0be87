"""Idle sign-out never destroys work: "Stay signed in" (a keepalive POST) counts as activity, and an
idle sign-out sends the person back to the same page, asking it to restore what was typed."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from bridge.accounts.tests.test_authentication import _post_login


def test_keepalive_counts_as_activity(world, client):
    with time_machine.travel("2026-11-26 09:00 -08:00", tick=False) as traveller:
        _post_login(client, "therapist_a")
        traveller.shift(14 * 60)
        response = client.post(reverse("accounts:keepalive"))
        assert response.status_code == 200 and response.json()["signed_in"] is True
        traveller.shift(14 * 60)
        assert client.get("/").status_code == 200  # 28 minutes in, but never 15 idle


def test_idle_sign_out_returns_to_the_same_page_with_the_draft(world, client):
    page = reverse("participants:detail", args=[world.alex.pk])
    with time_machine.travel("2026-11-26 09:00 -08:00", tick=False) as traveller:
        _post_login(client, "therapist_a")
        traveller.shift(16 * 60)
        response = client.get(page)
    assert response.status_code == 302
    assert "next=" in response["Location"] and "draft%3Drestore" in response["Location"]
    assert page.replace("/", "%2F") in response["Location"]
