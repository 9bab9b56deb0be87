"""Extension points that let each app add to shared pages without those pages knowing the app.

An app may define, in its own package:
  * `home.py` with `panels(request) -> list[Panel]` — panels on the role home page;
  * `sections.py` with `participant_sections(request, participant) -> list[Panel]` — sections of
    the participant page (a negative `order` marks an alert, shown above the participant's
    details), and optionally `participant_links(request, participant) -> list[Link]` — entries in
    the participant page's sub-navigation;
  * `nav.py` with `nav_items(request) -> list[Link]` — entries in the main navigation;
  * `privacy_providers.py` with `PROVIDERS: dict[data class, provider]` — the app's records of each
    Part 2 data class, for disclosures (see bridge/privacy/providers.py).
Each function decides who sees what (by role or by `request.participant_caps`). Results are
shown in `order`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest


@dataclass
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    order: int = 50
    current: bool = False


@cache
def _providers(module_name: str, attr: str) -> tuple[Callable[..., list], ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("bridge."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{module_name}":
                raise
            continue
        if hasattr(module, attr):
            found.append(getattr(module, attr))
    return tuple(found)


def _collect(module_name: str, attr: str, *args) -> list:
    collected: list = []
    for provider in _providers(module_name, attr):
        collected.extend(provider(*args))
    return sorted(collected, key=lambda item: item.order)


def panels_for(request: HttpRequest) -> list[Panel]:
    return _collect("home", "panels", request)


def participant_sections(request: HttpRequest, participant) -> list[Panel]:
    return _collect("sections", "participant_sections", request, participant)


def participant_links(request: HttpRequest, participant) -> list[Link]:
    return _collect("sections", "participant_links", request, participant)


def nav_items(request: HttpRequest) -> list[Link]:
    return _collect("nav", "nav_items", request)
