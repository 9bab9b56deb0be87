"""Helpers every clinical view uses (other apps import them from core and participants directly)."""

from __future__ import annotations

from bridge.core.forms import apply_errors  # noqa: F401 (the clinical views import it from here)
from bridge.participants.chart import caps_of, chart_context  # noqa: F401
