"""SMART-style scopes of API tokens. Pure Python: parse a scope string, answer "may this read that".

A scope is `<context>/<resource>.<permission>`:
  * context `user` (the token acts as its staff member, with exactly their access on the screens),
    `system` (the token acts for its program as an outside client, and every release passes consent)
    or `patient` (an app the participant authorized reads that participant's own records only);
  * resource a FHIR resource type or `*`;
  * permission `read` (SMART v1) or `r`, `s`, `rs` (SMART v2: read, search). Bridge's API only reads,
    so write permissions (`c`, `u`, `d`, `write`, `*`) are refused when a token is made, not ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCOPE = re.compile(r"^(user|system|patient)/(\*|[A-Z][A-Za-z]+)\.(read|r|s|rs)$")


class ScopeError(ValueError):
    """A scope string Bridge cannot grant; the message says which and why."""


@dataclass(frozen=True)
class Scope:
    context: str  # "user", "system" or "patient"
    resource: str  # a resource type or "*"
    read: bool
    search: bool

    def __str__(self) -> str:
        perm = "read" if self.read and self.search else ("r" if self.read else "s")
        return f"{self.context}/{self.resource}.{perm}"


def parse(text: str, *, known_types: frozenset[str] | None = None) -> list[Scope]:
    """Every scope in a space-separated string; raise ScopeError naming the first bad one."""
    scopes: list[Scope] = []
    for word in text.split():
        match = _SCOPE.match(word)
        if match is None:
            raise ScopeError(
                f"{word!r} is not a scope Bridge grants: use user/, system/ or patient/, a resource type "
                "or *, "
                "and read (or r, s, rs); the API is read-only."
            )
        context, resource, perm = match.groups()
        if known_types is not None and resource != "*" and resource not in known_types:
            raise ScopeError(f"{word!r} names {resource}, which this server does not offer.")
        scopes.append(Scope(context, resource, perm in ("read", "r", "rs"), perm in ("read", "s", "rs")))
    if not scopes:
        raise ScopeError("Give at least one scope, e.g. system/*.read")
    if len({s.context for s in scopes}) > 1:
        raise ScopeError(
            "A token is a user (user/…), system (system/…) or patient (patient/…) token, not a mix."
        )
    return scopes


def allows(scopes: list[Scope], resource: str, *, search: bool) -> bool:
    """Do `scopes` let the token read (or search, when `search`) `resource`?"""
    return any((s.resource in ("*", resource)) and (s.search if search else s.read) for s in scopes)
