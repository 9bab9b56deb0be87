"""Which placement-criteria edition applies: per program and per payer, from an effective date."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from bridge.intake.models import CriteriaEditionSetting
from bridge.placement.editions import DEFAULT_EDITION


def edition_for(program, payer_rule=None, on: date | None = None) -> str:
    """The edition in force on `on` (today): the payer's setting, else the program's, else the 3rd."""
    on = on or timezone.localdate()
    rows = CriteriaEditionSetting.objects.filter(program=program, effective_on__lte=on).order_by(
        "-effective_on"
    )
    if payer_rule is not None:
        row = rows.filter(payer_rule=payer_rule).first()
        if row is not None:
            return row.edition
    row = rows.filter(payer_rule__isnull=True).first()
    return row.edition if row is not None else DEFAULT_EDITION


def edition_for_episode(episode, on: date | None = None) -> str:
    """The edition for a level change in `episode`: its payer's setting, else the program's."""
    payer = getattr(episode, "payer", None) if episode is not None else None
    return edition_for(episode.program, getattr(payer, "rule", None), on)
