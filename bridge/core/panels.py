"""Home-page panels contributed by each app.

An app adds panels to the role home pages by defining `home.py` with
`panels(request) -> list[Panel]`; the home view shows them in `order`. This keeps the home view
ignorant of every feature while each feature decides who sees what.
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


@cache
def _providers() -> tuple[Callable[[HttpRequest], list[Panel]], ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("bridge."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.home")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.home":
                raise
            continue
        found.append(module.panels)
    return tuple(found)


def panels_for(request: HttpRequest) -> list[Panel]:
    collected: list[Panel] = []
    for provider in _providers():
        collected.extend(provider(request))
    return sorted(collected, key=lambda p: p.order)
