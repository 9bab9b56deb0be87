"""Walk the URL configuration, for generated tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str
    callback: object
    kwargs: tuple[str, ...]
    int_kwargs: frozenset[str] = frozenset()  # path converters of type int (e.g. a version number)

    def __str__(self) -> str:
        return self.name

    def fill(self, **known) -> dict:
        """Values for the route's arguments: those known, else a made-up id (or 1 for an int)."""
        return {k: known.get(k, 1 if k in self.int_kwargs else uuid.uuid4()) for k in self.kwargs}


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                full = prefix + str(p.pattern)
                name = f"{namespace}:{p.name}" if namespace else p.name
                converters = getattr(p.pattern, "converters", {})
                ints = frozenset(k for k, c in converters.items() if isinstance(c, IntConverter))
                found.append(Route(name, full, p.callback, tuple(converters), ints))

    walk(get_resolver().url_patterns, "", "")
    return found


def participant_routes() -> list[Route]:
    return [r for r in all_routes() if "participant_id" in r.kwargs]
