"""Private links lead into the app: when the participant a private link was made for has an open app
account, opening the link takes them to the same thing in their app (after sign-in, if they are not
signed in: the app's pages send them to the sign-in page and back). Without an account the private
link works as it always has. Used by the apps that own private links (measures, privacy)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.portal.models import ParticipantAccount


def into_app(
    request: HttpRequest, *, participant, url: str, object_type: str, object_id: uuid.UUID | str, view: str
) -> HttpResponse | None:
    """A redirect to `url` in the app when the participant has an open account (audited as the
    link's use), else None. Staff signed in in this browser keep the private link's own page."""
    if request.method != "GET" or request.user.is_authenticated:
        return None
    if not ParticipantAccount.objects.filter(participant=participant, closed_at__isnull=True).exists():
        return None
    audit_record(
        action=Action.READ,
        actor=None,
        actor_label="private link",
        participant=participant,
        object_type=object_type,
        object_id=str(object_id),
        detail={"view": view, "led_into": "participant app"},
    )
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
