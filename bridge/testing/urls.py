"""Walk the URL configuration, for generated tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str
    callback: object
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return self.name

    def fill(self, **known) -> dict:
        return {k: known.get(k, uuid.uuid4()) for k in self.kwargs}


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
                kwargs = tuple(p.pattern.converters.keys()) if hasattr(p.pattern, "converters") else ()
                found.append(Route(name, full, p.callback, kwargs))

    walk(get_resolver().url_patterns, "", "")
    return found


def participant_routes() -> list[Route]:
    return [r for r in all_routes() if "participant_id" in r.kwargs]
