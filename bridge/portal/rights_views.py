"""The participant's privacy rights in their app: their consents (and revoking one in writing), the
accounting of disclosures, a copy of their records; and alumni events to say they are coming to.

Views validate, the services write and audit; every page read is audited (`portal_read`); a record
reached by id must be the participant's own (404 otherwise, like an id that does not exist).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridge.core import refusal
from bridge.portal import services
from bridge.portal.access import (
    PortalPageRequest,
    alumni_event,
    is_alumni,
    own_consent,
    portal_page,
    portal_read,
)
from bridge.portal.forms import CopyRequestForm, ReplyForm, RevokeForm
from bridge.portal.models import EventReply
from bridge.privacy import queries
from bridge.privacy.models import AccessRequest, Consent
from bridge.privacy.vocab import ConsentType, DataClass, Purpose
from bridge.scheduling.models import Attendance, Session, SessionKind

EVENT_DAYS = 60


def _labels(values: list[str], choices) -> list[str]:
    found = set(choices.values)
    return [str(choices(v).label) for v in values if v in found]


def _consent_rows(participant) -> list[dict]:
    today = timezone.localdate(timezone=participant.program.tz)
    rows = []
    for consent in queries.consents_for(participant):
        rows.append(
            {
                "consent": consent,
                "in_effect": consent.is_active_on(today),
                "to": [r.name for r in consent.recipients.all()],
                "what": _labels(consent.data_classes, DataClass),
                "why": _labels(consent.purposes, Purpose),
                "can_revoke": consent.status == Consent.Status.ACTIVE
                and consent.consent_type != ConsentType.CRIMINAL_JUSTICE,
            }
        )
    return rows


@portal_page
@require_GET
def consents(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    portal_read(request, object_type="consent")
    return render(request, "portal/consents.html", {"rows": _consent_rows(participant)})


@portal_page
@require_http_methods(["GET", "POST"])
def consent_revoke(request: PortalPageRequest, consent_id: uuid.UUID) -> HttpResponse:
    consent = own_consent(request, consent_id)
    form = RevokeForm(request.POST or None)
    page_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form, unplaced=page_errors):
            services.consent_revoke(account=request.portal_account, consent=consent, **form.cleaned_data)
            messages.success(request, _("Your consent is revoked. Nothing more will be shared under it."))
            return redirect("portal:consents")
    if request.method == "GET":
        portal_read(request, object_type="consent", object_id=str(consent.pk))
    row = next(r for r in _consent_rows(request.portal_account.participant) if r["consent"].pk == consent.pk)
    status = 400 if form.errors or page_errors else 200
    return render(
        request,
        "portal/consent_revoke.html",
        {"row": row, "form": form, "page_errors": page_errors},
        status=status,
    )


@portal_page
@require_GET
def disclosures(request: PortalPageRequest) -> HttpResponse:
    """The accounting of disclosures: who received their records, when and why."""
    participant = request.portal_account.participant
    today = timezone.localdate(timezone=participant.program.tz)
    rows = [
        {"disclosure": d, "what": _labels(d.data_classes, DataClass)}
        for d in queries.accounting_for(participant, today).order_by("-created_at")
    ]
    portal_read(request, object_type="accounting")
    return render(
        request,
        "portal/disclosures.html",
        {"rows": rows, "since": queries.accounting_window_start(today, queries.HIPAA_ACCOUNTING_YEARS)},
    )


@portal_page
@require_http_methods(["GET", "POST"])
def copy(request: PortalPageRequest) -> HttpResponse:
    """Ask for a copy of their records (the request staff see, with its 30-day clock)."""
    participant = request.portal_account.participant
    form = CopyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.copy_request(account=request.portal_account, **form.cleaned_data)
            messages.success(request, _("Sent. The program has 30 days to give you your copy."))
            return redirect("portal:copy")
    if request.method == "GET":
        portal_read(request, object_type="access_request")
    asked = AccessRequest.objects.filter(participant=participant).order_by("-requested_on", "-recorded_at")
    return render(
        request,
        "portal/copy.html",
        {"form": form, "asked": asked, "open": any(a.status == AccessRequest.Status.OPEN for a in asked)},
        status=400 if form.errors else 200,
    )


# --- Alumni events ------------------------------------------------------------------------------------


@portal_page
@require_GET
def events(request: PortalPageRequest) -> HttpResponse:
    participant = request.portal_account.participant
    alumni = is_alumni(participant)
    rows: list[dict] = []
    if alumni:
        now = timezone.now()
        upcoming = list(
            Session.objects.filter(
                program_id=participant.program_id,
                kind=SessionKind.ALUMNI,
                status=Session.Status.SCHEDULED,
                starts_at__gt=now,
                starts_at__lt=now + timedelta(days=EVENT_DAYS),
            )
            .select_related("room", "staff")
            .order_by("starts_at")
        )
        ids = [s.pk for s in upcoming]
        invited = set(
            Attendance.objects.filter(participant=participant, session_id__in=ids).values_list(
                "session_id", flat=True
            )
        )
        answered = EventReply.objects.filter(participant=participant, session_id__in=ids)
        replies = {r.session_id: r.coming for r in answered}
        rows = [{"session": s, "invited": s.pk in invited, "coming": replies.get(s.pk)} for s in upcoming]
    portal_read(request, object_type="alumni_events")
    return render(request, "portal/events.html", {"alumni": alumni, "rows": rows, "days": EVENT_DAYS})


@portal_page
@require_POST
def rsvp(request: PortalPageRequest, session_id: uuid.UUID) -> HttpResponse:
    session = alumni_event(request, session_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether you are coming."))
        return redirect("portal:events")
    coming = form.cleaned_data["coming"] == "yes"
    with refusal.as_message(request):
        services.alumni_reply(account=request.portal_account, session=session, coming=coming)
        if coming:
            messages.success(request, _("You are on the list. See you there!"))
        else:
            messages.success(request, _("Thanks for letting us know."))
    return redirect("portal:events")
