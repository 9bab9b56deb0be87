"""The notice of privacy practices (public page, director's versions, the participant's acknowledgement)
and the director's privacy compliance work list."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation

from bridge.accounts.http import StaffRequest
from bridge.core import refusal
from bridge.participants.access import Cap, ParticipantRequest, participant_view, visible
from bridge.participants.models import Participant
from bridge.portal.links import in_visitor_language
from bridge.privacy import notices, signing
from bridge.privacy.access import director_programs
from bridge.privacy.models import (
    AccessRequest,
    BreachIncident,
    Complaint,
    EmergencyAccess,
    NoticeAcknowledgement,
    PrivacyNotice,
    Restriction,
    SignatureRequest,
)
from bridge.programs.models import Program

DATE = forms.DateInput(attrs={"type": "date"})


class PublishForm(forms.Form):
    program = forms.ModelChoiceField(label="Program", queryset=Program.objects.none())
    version = forms.CharField(label="Version", max_length=20)
    effective_on = forms.DateField(label="Effective on", widget=DATE)
    text = forms.CharField(label="Text of the notice", widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["program"]).queryset = Program.objects.filter(
            pk__in=program_ids
        ).order_by("name")
        self.fields["text"].initial = notices.DEFAULT_TEXT
        self.fields["effective_on"].initial = timezone.localdate()


class AcknowledgeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", choices=NoticeAcknowledgement.Outcome.choices, widget=forms.RadioSelect
    )
    given_on = forms.DateField(label="Given on", widget=DATE)
    signer_name = forms.CharField(label="Signed by (typed name)", max_length=200, required=False)
    attempt_note = forms.CharField(
        label="Good-faith attempt: what was tried, why no acknowledgement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_not_required
@in_visitor_language
def public_notice(request: HttpRequest, program_id) -> HttpResponse:
    program = Program.objects.filter(pk=program_id).first()
    notice = notices.current_notice(program) if program else None
    if notice is None:
        raise Http404("This program has not published a notice of privacy practices.")
    assert program is not None  # a notice is only found for a program
    return render(
        request,
        "privacy/notice_public.html",
        {
            "program": program,
            "notice": notice,
            "complain": notices.how_to_complain(program),
            "english_only": translation.get_language() != "en",  # i19n: the notice is the program's own
        },
    )


def notice_list(request: StaffRequest) -> HttpResponse:
    program_ids = director_programs(request)
    form = PublishForm(request.POST or None, program_ids=program_ids)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            notices.notice_publish(actor=request.user, **form.cleaned_data)
            messages.success(
                request, "Published. It is the notice on the public page from its effective date."
            )
            return redirect("privacy:notice_list")
    return render(
        request,
        "privacy/notice_list.html",
        {
            "notices": PrivacyNotice.objects.filter(program_id__in=program_ids).select_related("program"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@participant_view(Cap.EDIT, post=Cap.EDIT, get=False)
def notice_sign_request(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    """The participant acknowledges the notice on a screen: a private link (the consent's mechanism)."""
    with refusal.as_message(request):
        sig, token = signing.notice_signature_request(
            actor=request.user, participant=participant, channel=request.POST.get("channel", "")
        )
        link = request.build_absolute_uri(reverse("privacy:sign", args=[token]))
        return render(
            request,
            "privacy/signature_link.html",
            {"participant": participant, "signature": sig, "link": link},
        )
    return redirect("privacy:notice_chart", participant_id=participant.pk)


@participant_view(Cap.VIEW, post=Cap.EDIT)
def notice_chart(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    form = AcknowledgeForm(
        request.POST or None, initial={"given_on": timezone.localdate(timezone=participant.program.tz)}
    )
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            notices.notice_acknowledge(actor=request.user, participant=participant, **form.cleaned_data)
            messages.success(request, "Recorded.")
            return redirect("privacy:notice_chart", participant_id=participant.pk)
    return render(
        request,
        "privacy/notice_chart.html",
        {
            "participant": participant,
            "current": notices.current_notice(participant.program),
            "acks": NoticeAcknowledgement.objects.filter(participant=participant).select_related(
                "notice", "signature"
            ),
            "channels": SignatureRequest.Channel.choices,
            "form": form,
            "can_edit": Cap.EDIT in request.participant_caps,
        },
        status=400 if form.errors else 200,
    )


def compliance(request: StaffRequest) -> HttpResponse:
    """The director's privacy work list: what the rule asks the program to do, and is not done yet."""
    program_ids = director_programs(request)
    today = timezone.localdate()
    active = visible(
        Participant.objects.filter(program_id__in=program_ids, status=Participant.Status.ACTIVE), request.user
    )
    current = {pid: notices.current_notice(Program.objects.get(pk=pid)) for pid in program_ids}
    acknowledged = set(
        NoticeAcknowledgement.objects.filter(notice__in=[n for n in current.values() if n]).values_list(
            "participant_id", flat=True
        )
    )
    return render(
        request,
        "privacy/compliance.html",
        {
            "restrictions": Restriction.objects.filter(
                program_id__in=program_ids, status=Restriction.Status.REQUESTED
            ).select_related("participant", "recipient"),
            "no_notice": [p for p in active.select_related("program") if p.pk not in acknowledged],
            "missing_notice": [pid for pid, n in current.items() if n is None],
            "access_requests": AccessRequest.objects.exclude(status=AccessRequest.Status.DELIVERED)
            .filter(program_id__in=program_ids)
            .select_related("participant")
            .order_by("due_on"),
            "breaches": BreachIncident.objects.filter(program_id__in=program_ids).exclude(
                assessment=BreachIncident.Assessment.LOW_PROBABILITY
            ),
            "open_complaints": Complaint.objects.filter(program_id__in=program_ids, closed_on__isnull=True),
            "unreviewed": EmergencyAccess.objects.filter(
                program_id__in=program_ids, reviewed_at__isnull=True
            ).count(),
            "today": today,
        },
    )
