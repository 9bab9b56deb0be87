"""In the real browser: the director issues a token (shown once), a machine uses it, then it is revoked."""

from __future__ import annotations

import pytest

from bridge.fhir.models import ApiToken
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_issues_and_revokes_a_token(world, page, client):
    browser_login(page, "director", PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_role("heading", name="API tokens").wait_for()
    page.get_by_label("Name").fill("Reporting script")
    page.get_by_label("Scopes").fill("user/*.read")
    page.get_by_label("User").select_option(label=str(world.therapist_a))
    page.get_by_role("button", name="Issue token").click()
    page.get_by_role("heading", name="Token issued: copy it now").wait_for()
    secret = page.get_by_label("Token for Reporting script").input_value()
    assert secret.startswith("brg_")

    response = client.get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert [e["resource"]["id"] for e in response.json()["entry"]] == [str(world.alex.pk)]

    page.goto("/settings/api-tokens/")  # shown once: the page never shows it again
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Reporting script").click()
    page.get_by_text("Reporting script was revoked").wait_for()
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
