"""Phone-first: installable (manifest, service worker), light pages, offline copies cleared at sign-out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 100 * 1024  # bytes for one page with everything it loads, before compression


def test_the_manifest_makes_the_app_installable_under_me(client):
    response = client.get(reverse("portal:manifest"))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == data["scope"] == "/me/" and data["display"] == "standalone"
    assert data["icons"] and finders.find("bridge/portal-icon.svg")


def test_the_service_worker_is_served_for_the_me_scope(client):
    response = client.get(reverse("portal:service_worker"))
    assert response.status_code == 200 and response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/me/"
    assert b'const KEEP = ["/me/", "/me/help/"]' in response.content


def test_signing_out_clears_the_offline_copies(app_client):
    response = app_client.post(reverse("portal:sign_out"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_a_page_with_its_styles_and_script_stays_under_100_kb(app_client):
    html = app_client.get(reverse("portal:home")).content
    assets = ["bridge/bridge.css", "bridge/portal.css", "bridge/portal.js", "bridge/portal-icon.svg"]
    for asset in assets:
        assert f"/static/{asset}".encode() in html
    found = [finders.find(a) for a in assets]
    assert all(isinstance(f, str) for f in found)
    size = len(html) + sum(Path(str(f)).stat().st_size for f in found)
    assert size < PAGE_BUDGET
    assert b"htmx" not in html  # no JavaScript framework on the participant's pages
