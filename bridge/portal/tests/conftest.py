"""Shared set-up for the participant app's tests: alex with a phone, an email and an open account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from bridge.notify import sms
from bridge.portal.models import ParticipantAccount

# The privacy tests' consents and recipients, for the app's privacy pages.
from bridge.privacy.tests.conftest import make_consent, recipients, today  # noqa: F401

ALEX_PHONE = "510-555-0142"
ALEX_EMAIL = "alex@example.org"


@pytest.fixture
def app_world(world, settings):
    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    sms.outbox.clear()
    world.alex.phone, world.alex.email = ALEX_PHONE, ALEX_EMAIL
    world.alex.save()
    world.blair.phone = "510-555-0199"
    world.blair.save()
    ParticipantAccount.objects.create(participant=world.alex, opened_by=world.frontdesk)
    ParticipantAccount.objects.create(participant=world.blair, opened_by=world.frontdesk)
    yield world
    sms.outbox.clear()


def last_code() -> str:
    """The code in the newest text message, else in the newest email."""
    text = sms.outbox[-1][1] if sms.outbox else str(mail.outbox[-1].body)
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None
    return found.group(1)


def ask_code(client, contact: str = ALEX_PHONE, next_url: str = ""):
    # The code is sent when the transaction commits; run that now (tests roll everything back).
    url = reverse("portal:sign_in") + (f"?next={next_url}" if next_url else "")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {"contact": contact})


def sign_in(client, contact: str = ALEX_PHONE, next_url: str = ""):
    """Sign the test client in to the app as whoever owns `contact`, by the real code flow."""
    with_captured = ask_code(client, contact, next_url)
    assert with_captured.status_code == 302
    response = client.post(reverse("portal:code"), {"code": last_code()})
    assert response.status_code == 302, response.content
    return response


@pytest.fixture
def app_client(client, app_world):
    sign_in(client)
    return client
