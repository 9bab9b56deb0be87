from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bridge.accounts.http import StaffRequest
from bridge.audit.services import audit_token_refused
from bridge.notify import services
from bridge.notify.forms import ReminderPreferenceForm
from bridge.notify.ics import calendar_text
from bridge.notify.models import CalendarFeed, ReminderPreference, SentReminder
from bridge.notify.queries import feed_sessions
from bridge.notify.reminders import channels_for
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public, token-authenticated iCalendar feed. Every fetch is audited."""
    found = services.feed_for_token(token)
    if found is None:
        audit_token_refused(
            token=token, label="calendar feed", object_type="calendar_feed", view="notify:feed"
        )
        raise Http404("No such calendar.")
    sessions = list(feed_sessions(found))
    body = calendar_text(sessions)
    services.feed_used(feed=found, events=len(sessions))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bridge.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _feed_url(request: StaffRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("notify:feed", args=[token]))


def _participant_page(request, participant: Participant, *, new_url: str = "", form=None, status: int = 200):
    pref = ReminderPreference.objects.filter(participant=participant).first()
    live = CalendarFeed.objects.filter(participant=participant, revoked_at__isnull=True).first()
    return render(
        request,
        "notify/participant_calendar.html",
        {
            "participant": participant,
            "feed": live,
            "new_url": new_url,
            "preference": pref,
            "channels": channels_for(participant, pref),
            "form": form
            or ReminderPreferenceForm(
                initial={
                    "channel": pref.channel if pref else "email",
                    "opted_out": pref.opted_out if pref else False,
                }
            ),
            "recent": SentReminder.objects.filter(participant=participant)
            .select_related("session")
            .order_by("-queued_at")[:10],
            "can_edit": Cap.EDIT in request.participant_caps,
        },
        status=status,
    )


@participant_view(Cap.VIEW)
def participant_calendar(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    return _participant_page(request, participant)


@participant_view(post=Cap.EDIT, get=False)
def participant_feed_create(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    _, token = services.feed_create(actor=request.user, participant=participant)
    # Rendered, not redirected: the link exists only in this response (we keep only its hash).
    return _participant_page(request, participant, new_url=_feed_url(request, token))


@participant_view(post=Cap.EDIT, get=False)
def participant_feed_revoke(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    live = CalendarFeed.objects.filter(participant=participant, revoked_at__isnull=True).first()
    if live is not None:
        services.feed_revoke(actor=request.user, feed=live)
        messages.success(request, "The calendar link is revoked; it stops working at once.")
    return redirect("notify:participant_calendar", participant_id=participant.pk)


@participant_view(post=Cap.EDIT, get=False)
def participant_reminders(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = ReminderPreferenceForm(request.POST)
    if form.is_valid():
        services.reminder_preference_set(actor=request.user, participant=participant, **form.cleaned_data)
        messages.success(request, "Reminder choice saved.")
        return redirect("notify:participant_calendar", participant_id=participant.pk)
    return _participant_page(request, participant, form=form, status=400)


def _my_page(request: StaffRequest, new_url: str = "") -> HttpResponse:
    live = CalendarFeed.objects.filter(staff=request.user, revoked_at__isnull=True).first()
    return render(request, "notify/my_calendar.html", {"feed": live, "new_url": new_url})


@require_GET
def my_calendar(request: StaffRequest) -> HttpResponse:
    return _my_page(request)


@require_POST
def my_feed_create(request: StaffRequest) -> HttpResponse:
    _, token = services.feed_create(actor=request.user, staff=request.user)
    return _my_page(request, new_url=_feed_url(request, token))


@require_POST
def my_feed_revoke(request: StaffRequest) -> HttpResponse:
    live = CalendarFeed.objects.filter(staff=request.user, revoked_at__isnull=True).first()
    if live is not None:
        services.feed_revoke(actor=request.user, feed=live)
        messages.success(request, "Your calendar link is revoked.")
    return redirect("notify:my_calendar")
