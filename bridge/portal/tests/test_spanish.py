"""The app in Spanish: the participant's choice kept on their record; a complete, compiled catalogue;
no participant-facing template with a string left out of translation."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.notify import sms
from bridge.participants.models import Participant
from bridge.portal.tests.conftest import ask_code

LOCALE = Path(settings.BASE_DIR) / "bridge" / "locale" / "es" / "LC_MESSAGES"
TEMPLATES = Path(settings.BASE_DIR) / "bridge" / "templates" / "portal"
# Names that are the same in every language.
SAME_IN_EVERY_LANGUAGE = {"Bridge", "English", "Español"}


def test_a_visitor_switches_to_spanish_and_the_sign_in_page_follows(client, db):
    response = client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:sign_in")})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("portal:sign_in"))
    assert '<html lang="es">' in page.content.decode() and "Entre a su Bridge" in page.content.decode()
    assert page["Content-Language"] == "es"


def test_the_participants_choice_is_kept_on_their_record_and_used_for_their_code(
    app_client, app_world, client
):
    app_client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    assert Participant.objects.get(pk=app_world.alex.pk).language == "es"
    assert AuditEvent.objects.filter(
        action="update", participant=app_world.alex, detail__language="es"
    ).exists()
    app_client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = app_client.get(reverse("portal:home")).content.decode()
    assert "Esta semana" in page and "Hola, Alex" in page
    app_client.post(reverse("portal:sign_out"))
    ask_code(app_client)
    assert sms.outbox[-1][1].startswith("Su código para entrar a Bridge es ")


def test_a_bad_language_choice_changes_nothing(app_client, app_world):
    response = app_client.post(reverse("portal:language"), {"language": "xx"})
    assert response.status_code == 302
    assert Participant.objects.get(pk=app_world.alex.pk).language == "en"


def _po_entries(path: Path) -> dict[str, list[str]]:
    """msgid -> its msgstr(s), from a .po written without line wrapping (as makemessages --no-wrap)."""
    entries: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = eval(line[6:])  # noqa: S307 (a quoted string from our own file)
            entries[current] = []
        elif line.startswith("msgstr") and current:
            entries[current].append(eval(line.split(" ", 1)[1]))  # noqa: S307
    return entries


def test_every_message_has_a_spanish_translation_and_the_compiled_file_matches():
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 50
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")
    untranslated = [msgid for msgid, strs in entries.items() if not all(strs)]
    assert untranslated == []
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [m for m, strs in entries.items() if strs and compiled.gettext(m) != strs[0]]
    assert stale == [], "run compilemessages and commit django.mo"


def untranslated_text(source: str) -> list[str]:
    """Words in a template that would reach the page without going through gettext."""
    source = re.sub(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", " ", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", source, flags=re.S)
    found = [m.group(2) for m in re.finditer(r'\b(aria-label|title|placeholder|alt)="([^"]*)"', source)]
    text = re.sub(r"<[^>]*>", " ", source)
    text = re.sub(r"&\w+;", " ", text)
    found += re.findall(r"[^\W\d_]{2,}", text)
    return [w for w in found if w.strip() and w not in SAME_IN_EVERY_LANGUAGE]


def test_the_check_catches_a_string_left_untranslated():
    assert untranslated_text('<p>{% translate "Hi" %} there</p><a aria-label="Menu">x</a>') == [
        "Menu",
        "there",
    ]
    assert untranslated_text("{% blocktranslate %}All of it{% endblocktranslate %} <b>Bridge</b>") == []


ROOT = Path(settings.BASE_DIR) / "bridge" / "templates"
# Every template a participant (or a member of the public) sees, by folder or by name: the app, the
# private links (measures, signatures, the safety and recovery plans, check-ins), the public self-check
# and the public directory. Staff pages (portal/staff/, portal/panels/) are in English only.
PARTICIPANT_FACING_GLOBS = (
    "portal/*.html",
    "aftercare/public/*.html",
    "measures/public/*.html",
    "safety/public/*.html",
    "privacy/sign.html",
    "privacy/sign_done.html",
    "privacy/notice_public.html",
    "intake/_radio.html",
    "intake/public/*.html",
    "directory/search.html",
    "directory/listing.html",
    "directory/compare.html",
    "directory/about.html",
    "directory/questions.html",
    "directory/_nav.html",
    "directory/_questions.html",
    "directory/_recognitions.html",
    "directory/_signal.html",
    "directory/_source_badge.html",
)
# Known debt, each failing today (strict: the test says so once one is translated, and it must then
# leave this list). Empty: every participant-facing template is translated.
NOT_YET_TRANSLATED: set[str] = set()


def participant_facing_templates() -> list[str]:
    found: set[str] = set()
    for pattern in PARTICIPANT_FACING_GLOBS:
        matches = [p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)]
        assert matches, f"{pattern} matches no template: update PARTICIPANT_FACING_GLOBS"
        found.update(matches)
    return sorted(found)


def _marks(template: str):
    if template in NOT_YET_TRANSLATED:
        return [pytest.mark.xfail(strict=True, reason="not translated yet (known debt)")]
    return []


def test_the_list_of_templates_left_to_translate_names_real_templates():
    assert set(participant_facing_templates()) >= NOT_YET_TRANSLATED


@pytest.mark.parametrize(
    "template", [pytest.param(t, id=t, marks=_marks(t)) for t in participant_facing_templates()]
)
def test_no_participant_facing_template_has_an_untranslated_string(template):
    source = (ROOT / template).read_text(encoding="utf-8")
    assert untranslated_text(source) == []
    # The staff pages' frame (base.html) is in English: participant pages use the app's (portal/base.html).
    assert '{% extends "base.html" %}' not in source


def test_reminders_go_out_in_the_participants_language(app_world):
    from datetime import datetime, time

    from bridge.notify.reminders import message
    from bridge.scheduling.tests.conftest import session_at

    group = session_at(app_world.program, datetime(2026, 11, 17).date(), time(18), 180, app_world.therapist_a)
    subject, body = message(group, "es")
    assert subject == "Recordatorio: una sesión de grupo el martes 17 de noviembre"
    assert body.startswith(
        "Le recordamos que tiene una sesión de grupo el martes 17 de noviembre a las 18:00."
    )
    assert "\nDónde: " in body and "recepción" in body
    assert message(group, "en")[0] == "Reminder: a group session on Tue Nov 17"


def test_who_opened_my_record_names_staff_roles_in_spanish(client, app_world, login):
    """The role names are lazy strings in Python (bridge/portal/views.py ROLE_NAMES): each has its
    Spanish entry, and the page in Spanish shows them."""
    from django.utils import translation

    from bridge.portal.tests.conftest import sign_in
    from bridge.portal.views import ROLE_NAMES

    entries = _po_entries(LOCALE / "django.po")
    with translation.override("en"):
        english = [str(name) for name in ROLE_NAMES.values()]
    assert [msgid for msgid in english if msgid not in entries] == []
    staff_client = login(app_world.therapist_a)
    assert staff_client.get(reverse("participants:detail", args=[app_world.alex.pk])).status_code == 200
    staff_client.logout()
    sign_in(client)
    client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    page = client.get(reverse("portal:privacy")).content.decode()
    assert "Terapeuta o consejero" in page and "Therapist or counselor" not in page


def test_a_page_of_the_app_that_is_not_there_is_said_in_the_app_and_in_their_language(
    app_client, app_world, client, login
):
    app_client.post(reverse("portal:language"), {"language": "es", "next": reverse("portal:home")})
    # Notes their program does not release (a 404 from the app's own view), and an address that
    # does not exist at all: both in the app's frame, in Spanish.
    for url in (reverse("portal:notes"), "/me/no-such-page/"):
        response = app_client.get(url)
        assert response.status_code == 404, url
        assert (
            "No encontramos esa página" in response.content.decode() and response["Content-Language"] == "es"
        )
        assert b'href="/me/"' in response.content
    # A visitor who is not signed in gets their browser's language.
    anonymous = type(client)(HTTP_ACCEPT_LANGUAGE="es")
    assert "No encontramos esa página" in anonymous.get("/me/no-such-page/").content.decode()
    # Staff pages live under /me/ too: staff keep the staff page, in English.
    staff = login(app_world.therapist_a)
    page = staff.get("/me/calendar/no-such-page/")
    assert page.status_code == 404 and b"We could not find that page" in page.content
