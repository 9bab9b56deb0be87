"""Clinical pages speak to clinicians: no developer wording (field names, codes, "null", JSON) under an
instrument, wherever it is given (intake and measurement-based care)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from bridge.instruments.definitions import ALL

# Words and shapes that belong to the API, not to a page a clinician reads.
DEVELOPER = re.compile(
    # ("None" is left out: it is an answer in plain English, e.g. COWS "None" for no tremor.)
    r"\bnull\b|\bJSON\b|\bpk\b|\bid=|\benum\b|\btrue\b|\bfalse\b|\bsend 0\b|\bResponses?:|"
    r"\[q1|\bscorer\b|\b[a-z][a-z0-9]*_[a-z0-9_]+\b"  # snake_case names (phq9_item9_positive, c11_withdrawal)
)


class _Text(HTMLParser):
    """The words a person sees: text outside <script> and <style>, and the title attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def developer_words(html: str) -> list[str]:
    return sorted({m.group(0) for m in DEVELOPER.finditer(visible_text(html))})


def test_the_check_finds_the_old_wording():
    old = "<p class='help'>Skipped items score 0 (send 0 or null). Item 9 raises phq9_item9_positive.</p>"
    assert developer_words(old) == ["null", "phq9_item9_positive", "send 0"]
    assert developer_words("<script>var x = null;</script><p>Plain words.</p>") == []


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_an_instrument_page_has_no_developer_wording(world, screening, login, instrument):
    client = login(world.intake)
    response = client.get(reverse("intake:instrument", args=[world.casey.pk, screening.pk, instrument.code]))
    assert response.status_code == 200
    assert developer_words(response.content.decode()) == [], instrument.code
    for line in instrument.guidance:
        assert line in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def test_every_instrument_note_for_developers_has_plain_guidance_or_none_shown(world):
    # The API's notes may name fields; the page shows only the guidance, which must read plainly.
    for instrument in ALL:
        for line in instrument.guidance:
            assert not DEVELOPER.search(line), (instrument.code, line)
