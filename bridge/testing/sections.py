"""The participant page as a browser ends up showing it: its first paint plus every section that
loads after it (htmx placeholders pointing at /participants/<id>/sections/<key>/)."""

from __future__ import annotations

import re

LAZY = re.compile(r'hx-get="(/participants/[0-9a-f-]+/sections/[\w-]+/)"')
HOME_LAZY = re.compile(r'hx-get="(/home/panels/[\w-]+/)"')  # Home's panels that load after it


def home_lazy_urls(html: str) -> list[str]:
    return HOME_LAZY.findall(html)


def lazy_urls(html: str) -> list[str]:
    return LAZY.findall(html)


def full_page(client, url: str) -> str:
    """The page's HTML with each lazy section's HTML appended (each fetched as htmx would)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    parts = [html]
    for section in lazy_urls(html):
        part = client.get(section, headers={"HX-Request": "true"})
        assert part.status_code == 200, (section, part.status_code)
        parts.append(part.content.decode())
    return "\n".join(parts)


def full_home(client) -> str:
    """Home's HTML with each panel that loads after it appended (each fetched as htmx would)."""
    response = client.get("/")
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    parts = [html]
    for panel in home_lazy_urls(html):
        part = client.get(panel, headers={"HX-Request": "true"})
        assert part.status_code == 200, (panel, part.status_code)
        parts.append(part.content.decode())
    return "\n".join(parts)
