"""Unguessable tokens for private links and API access: made once, shown once, kept only as a hash.

Tokens are 256 random bits, so a plain SHA-256 is enough to store them (no slow hash is needed to
resist guessing). A refused token is logged only by its fingerprint.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the token, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(token: str) -> str:
    """A short, non-reversible label of a token for audit events about refused tokens."""
    return token_hash(token)[:16]
