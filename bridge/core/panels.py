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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.http import HttpRequest

from bridge.core.registry import discover


@dataclass
class Panel:
    """A section of a shared page. `lazy` (a short key, unique on the page) makes a participant-page
    section load after the first paint: the page shows a placeholder that fetches
    /participants/<id>/sections/<lazy>/ (same access check and audit as the page), and `context`
    may then be a callable, called only there, so the page itself runs none of its queries. A Home
    panel with `lazy` loads the same way from /home/panels/<lazy>/ (core.views.home_panel), which
    asks the app's `panels(request)` again, so the same role rules decide who sees it."""

    template: str
    context: dict[str, Any] | Callable[[], dict[str, Any] | None] = field(default_factory=dict)
    order: int = 50
    styles: tuple[str, ...] = ()  # static paths of the panel's style sheets, linked in the page's head
    lazy: str = ""
    title: str = ""  # what the placeholder of a lazy section says it is loading

    def resolved(self) -> dict[str, Any] | None:
        return self.context() if callable(self.context) else self.context


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    order: int = 50
    current: bool = False


Ordered = TypeVar("Ordered", Panel, Link)


class HomePanels(Protocol):
    """`home.py: panels(request)`: the app's panels on the role home page."""

    def __call__(self, request: HttpRequest, /) -> Iterable[Panel]: ...


class ParticipantSections(Protocol):
    """`sections.py: participant_sections(request, participant)`: sections of the participant page."""

    def __call__(self, request: HttpRequest, participant: Any, /) -> Iterable[Panel]: ...


class ParticipantLinks(Protocol):
    """`sections.py: participant_links(request, participant)`: the participant page's sub-navigation."""

    def __call__(self, request: HttpRequest, participant: Any, /) -> Iterable[Link]: ...


class NavItems(Protocol):
    """`nav.py: nav_items(request)`: entries in the main navigation."""

    def __call__(self, request: HttpRequest, /) -> Iterable[Link]: ...


_providers = discover  # the old private name, for branches written against it


def _ordered(items: Iterable[Ordered]) -> list[Ordered]:
    return sorted(items, key=lambda item: item.order)


def panels_for(request: HttpRequest) -> list[Panel]:
    providers: tuple[HomePanels, ...] = discover("home", "panels")
    return _ordered(panel for provider in providers for panel in provider(request))


def participant_sections(request: HttpRequest, participant: Any) -> list[Panel]:
    providers: tuple[ParticipantSections, ...] = discover("sections", "participant_sections")
    return _ordered(panel for provider in providers for panel in provider(request, participant))


def participant_links(request: HttpRequest, participant: Any) -> list[Link]:
    providers: tuple[ParticipantLinks, ...] = discover("sections", "participant_links")
    return _ordered(link for provider in providers for link in provider(request, participant))


def nav_items(request: HttpRequest) -> list[Link]:
    providers: tuple[NavItems, ...] = discover("nav", "nav_items")
    return _ordered(link for provider in providers for link in provider(request))
