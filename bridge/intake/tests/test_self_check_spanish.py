"""i19n: the public self-check in Spanish, chosen with the switcher or by the browser: our own
questions and the result in Spanish, PHQ-2 in its published Spanish version, AUDIT-C and DAST-10 in
English with a note."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from bridge.intake.tests.test_self_check import CALLBACK, CALM, DRINKING, self_check_url


def test_the_self_check_in_spanish(world, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(self_check_url(world))
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == "es" and '<html lang="es">' in html
    assert "Unas preguntas sobre el alcohol" in html and "No se guarda nada de lo que escriba" in html
    assert "Poco interés o placer en hacer cosas" in html  # PHQ-2, the published Spanish version
    assert "How often do you have a drink with alcohol in it?" in html  # AUDIT-C stays in English
    assert "no hay una versión oficial en español" in html
    missing = client.post(self_check_url(world), {"sex": "male"})
    assert missing.status_code == 400 and "Por favor, elija una respuesta." in missing.content.decode()
    urgent = client.post(self_check_url(world), {**CALM, "thoughts_of_ending_life": "yes"}).content.decode()
    assert (
        "Busque ayuda ahora" in urgent
        and "Usted dijo que ha tenido pensamientos de quitarse la vida." in urgent
    )
    done = client.post(reverse("intake:callback", args=[world.program.pk]), {**DRINKING, **CALLBACK})
    assert done.status_code == 200 and "Gracias, Robin" in done.content.decode()


def test_the_browser_language_is_used_without_a_choice(world, client):
    html = client.get(self_check_url(world), HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9").content.decode()
    assert "Unas preguntas sobre el alcohol" in html
    english = client.get(self_check_url(world), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "A few questions about drinking, drugs and how you are" in english
