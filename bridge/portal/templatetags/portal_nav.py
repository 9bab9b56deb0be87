"""The app's navigation: how many answers from the care team the participant has not opened yet."""

from __future__ import annotations

from django import template

from bridge.portal import messaging

register = template.Library()


@register.simple_tag
def unread_replies(request) -> int:
    account = getattr(request, "portal_account", None)
    return messaging.unread_for_participant(account.participant_id) if account is not None else 0
