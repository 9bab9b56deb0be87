"""Staff intake pages: the intake list, a new caller, and one screening from details to admission.

Every page about a participant goes through `participant_view` (reading needs CHART, writing
DOCUMENT). Views validate with forms and call one service each.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bridge import instruments
from bridge.accounts.http import StaffRequest
from bridge.accounts.models import Role
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.core import refusal
from bridge.core.forms import uuid_or_none
from bridge.intake import queries, services
from bridge.intake.access import INTAKE_ROLES, settings_program_for
from bridge.intake.forms import (
    AdmitForm,
    CallerForm,
    CriteriaEditionForm,
    DecisionForm,
    DetailsForm,
    DimensionsForm,
    HandoffForm,
    InstrumentForm,
    IntakeSettingsForm,
    MarkErrorForm,
    ReferralForm,
    SituationForm,
    WithdrawalCompleteForm,
)
from bridge.intake.models import InstrumentAdministration, IntakeSettings, PlacementDecision, Screening
from bridge.intake.safety import admission_gate
from bridge.participants.access import Cap, ParticipantRequest, participant_view
from bridge.participants.models import Participant
from bridge.placement import IOP_LEVEL, LEVELS, WM_LEVELS
from bridge.placement.rules import alert_labels
from bridge.programs.models import Program
from bridge.worklist.models import WorkItem

# The instruments an intake usually gives, in the order the hub offers them.
INTAKE_SET = (
    "PHQ-9",
    "GAD-7",
    "AUDIT",
    "DAST-10",
    "DSM-5-SUD",
    "C-SSRS-Screener",
    "CIWA-Ar",
    "COWS",
    "PCL-5",
)


def _screening(participant: Participant, screening_id: uuid.UUID) -> Screening:
    screening = queries.screening_for_page(screening_id, participant)
    if screening is None:
        raise Http404("No such screening.")
    return screening


def _open_screening(participant: Participant, screening_id: uuid.UUID) -> Screening:
    screening = _screening(participant, screening_id)
    if not screening.is_open:
        raise PermissionDenied("This screening is finished; it can be read, not changed.")
    return screening


# --- Lists ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def intake_queue(request: StaffRequest) -> HttpResponse:
    if not request.user.programs_with_role(*INTAKE_ROLES):
        raise PermissionDenied("The intake list is for intake coordinators and directors.")
    page = Paginator(queries.intake_queue(request.user), 50).get_page(request.GET.get("page"))
    audit_record(
        action=Action.SEARCH,
        actor=request.user,
        object_type="intake_queue",
        detail={"page": page.number, "shown": len(page.object_list)},
    )
    directed = Program.objects.filter(pk__in=request.user.programs_with_role(Role.DIRECTOR)).order_by("name")
    return render(request, "intake/queue.html", {"page": page, "now": timezone.now(), "directed": directed})


@require_http_methods(["GET", "POST"])
def caller_new(request: StaffRequest) -> HttpResponse:
    programs = Program.objects.filter(pk__in=request.user.programs_with_role(*INTAKE_ROLES))
    if not programs:
        raise PermissionDenied("Intake coordinators and directors record new callers.")
    caller = CallerForm(request.POST or None, prefix="caller")
    details = DetailsForm(request.POST or None, prefix="details")
    program = programs.first()
    if request.method == "POST":
        if len(programs) > 1:
            program_id = uuid_or_none(request.POST.get("program"))
            program = programs.filter(pk=program_id).first() if program_id else None
            if program is None:
                caller.add_error(None, "Choose the program the caller is asking about.")
        if caller.is_valid() and details.is_valid() and program is not None:
            with refusal.on_form(caller):
                fields = dict(caller.cleaned_data)
                another_person = fields.pop("another_person", False)
                screening = services.caller_register(
                    actor=request.user,
                    program=program,
                    participant_fields=fields,
                    details={k: details.cleaned_data[k] for k in Screening.DETAIL_FIELDS},
                    another_person=another_person,
                )
                messages.success(request, f"{screening.participant.display_name} is on the intake list.")
                return redirect("intake:screening", participant_id=screening.participant_id)
    return render(
        request,
        "intake/new.html",
        {"caller": caller, "details": details, "programs": programs},
        status=400 if request.method == "POST" else 200,
    )


# --- One participant's intake -------------------------------------------------------------------


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_hub(request: ParticipantRequest, participant: Participant) -> HttpResponse:
    """The open screening (or the latest) with its steps; POST starts a new screening."""
    if request.method == "POST":
        with refusal.as_message(request):
            services.screening_start(actor=request.user, participant=participant)
            messages.success(request, "Screening started.")
        return redirect("intake:screening", participant_id=participant.pk)
    screenings = list(
        participant.screenings.select_related("decision", "referral", "episode").order_by("-started_at")
    )
    current = next((s for s in screenings if s.is_open), screenings[0] if screenings else None)
    context = {"participant": participant, "screenings": screenings, "screening": None}
    if current is not None:
        current = queries.screening_for_page(current.pk, participant)
        assert current is not None  # one of this participant's screenings, just listed
        administrations = list(current.administrations.all())
        given = {a.instrument for a in administrations if not a.is_entered_in_error}
        context.update(
            screening=current,
            administrations=administrations,
            recommendation=queries.recommendation_for(current),
            offer=[instruments.get(c) for c in INTAKE_SET],
            others=[i for c, i in instruments.INSTRUMENTS.items() if c not in INTAKE_SET],
            given=given,
            answered=len([f for f in Screening.CONTEXT_FIELDS if getattr(current, f) not in (None, "")]),
            rated=len(current.dimension_ratings.all()),
        )
    context["show_queue_link"] = bool(request.user.programs_with_role(*INTAKE_ROLES))
    context["can_start"] = participant.status in services.SCREENABLE and not any(
        s.is_open for s in screenings
    )
    context["can_write"] = Cap.DOCUMENT in request.participant_caps
    if current is not None and current.status == Screening.Status.DECIDED:
        decision = getattr(current, "decision", None)
        if decision is not None:
            context["gate_problems"] = (
                admission_gate(current, decision) if decision.level == IOP_LEVEL else []
            )
            if decision.withdrawal_management and Cap.PRESCRIBE in request.participant_caps:
                context["wm_form"] = WithdrawalCompleteForm()
    if current is not None:
        context["safety_signals"] = list(current.safety_signals.filter(status="open").order_by("raised_at"))
    if current is not None and current.is_open and context["can_write"]:
        reasons = _handoff_reasons(current, context.get("recommendation"))
        context["handoff_form"] = HandoffForm(
            prescribers=services.prescribers_for(participant.program), reasons=reasons
        )
        context["handoffs"] = list(
            WorkItem.objects.filter(
                participant=participant,
                kind=services.HANDOFF_KIND,
                source_type="screening",
                source_id__startswith=f"{current.pk.hex}/",
            )
            .select_related("assigned_to")
            .order_by("created_at")
        )
    return render(request, "intake/screening.html", context)


def _handoff_reasons(screening: Screening, recommendation) -> list[tuple[str, str]]:
    """What a prescriber may be asked to do for this screening, most pressing first."""
    decision = getattr(screening, "decision", None)
    wanted = []
    if recommendation is not None and "buprenorphine_induction" in getattr(recommendation, "tags", ()):
        wanted.append("induction")
    if decision is not None and decision.withdrawal_management:
        wanted += ["wm_complete", "wm_plan"]
    elif recommendation is not None and recommendation.withdrawal_management:
        wanted.append("wm_plan")
    wanted.append("medication")
    return [(code, services.HANDOFF_REASONS[code]) for code in wanted]


@participant_view(Cap.CHART, post=Cap.DOCUMENT, get=False)
def screening_handoff(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    """Hand the person to a prescriber: a work item on their list, and a notification."""
    screening = _open_screening(participant, screening_id)
    recommendation = queries.recommendation_for(screening)
    form = HandoffForm(
        request.POST,
        prescribers=services.prescribers_for(participant.program),
        reasons=_handoff_reasons(screening, recommendation),
    )
    if form.is_valid():
        with refusal.as_message(request):
            item = services.screening_hand_to_prescriber(
                actor=request.user, screening=screening, **form.cleaned_data
            )
            messages.success(
                request,
                f"Handed to {item.assigned_to.get_full_name() or item.assigned_to}: "
                "on their work list today.",
            )
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[k].label}: {' '.join(map(str, v))}"
                if k in form.fields
                else " ".join(map(str, v))
                for k, v in form.errors.items()
            ),
        )
    return redirect("intake:screening", participant_id=participant.pk)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_details(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    screening = _open_screening(participant, screening_id)
    form = DetailsForm(request.POST or None, instance=screening, prefix="details")
    if request.method == "POST" and form.is_valid():
        fresh = Screening.objects.get(pk=screening.pk)
        changed = services.screening_update(
            actor=request.user, screening=fresh, **{k: form.cleaned_data[k] for k in Screening.DETAIL_FIELDS}
        )
        messages.success(request, "Saved." if changed else "Nothing changed.")
        return redirect("intake:screening", participant_id=participant.pk)
    return render(
        request,
        "intake/details.html",
        {"participant": participant, "screening": screening, "form": form},
        status=400 if form.errors else 200,
    )


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_situation(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    screening = _open_screening(participant, screening_id)
    form = SituationForm(request.POST or None, instance=screening)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in Screening.CONTEXT_FIELDS}
        values = {k: ("" if v is None and k in _CHOICE_FIELDS else v) for k, v in values.items()}
        changed = services.screening_update(
            actor=request.user, screening=Screening.objects.get(pk=screening.pk), **values
        )
        messages.success(request, "Saved." if changed else "Nothing changed.")
        return redirect("intake:placement", participant_id=participant.pk, screening_id=screening.pk)
    return render(
        request,
        "intake/situation.html",
        {"participant": participant, "screening": screening, "form": form},
        status=400 if form.errors else 200,
    )


_CHOICE_FIELDS = {"medical_condition", "daily_functioning", "readiness"}


def _instrument_form(request: StaffRequest, screening: Screening, code: str) -> InstrumentForm:
    try:
        instrument = instruments.get(code)
    except instruments.UnknownInstrument:
        raise Http404("No such instrument.") from None
    scoring = IntakeSettings.for_program(screening.program).scoring()
    return InstrumentForm(request.POST or None, instrument=instrument, scoring=scoring)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def instrument_give(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID, code: str
) -> HttpResponse:
    screening = _open_screening(participant, screening_id)
    form = _instrument_form(request, screening, code)
    if request.method == "POST" and form.is_valid():
        administration = services.administration_record(
            actor=request.user,
            screening=screening,
            instrument=form.instrument.code,
            responses=form.responses,
            sex=form.cleaned_data.get("sex"),
        )
        messages.success(
            request,
            f"{administration.instrument} saved: {administration.total_label}, {administration.band_label}.",
        )
        return redirect("intake:screening", participant_id=participant.pk)
    return render(
        request,
        "intake/instrument.html",
        {"participant": participant, "screening": screening, "form": form, "instrument": form.instrument},
        status=400 if form.errors else 200,
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def instrument_preview(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID, code: str
) -> HttpResponse:
    """Live score while the form is filled in (htmx). Nothing is stored."""
    screening = _open_screening(participant, screening_id)
    form = _instrument_form(request, screening, code)
    valid = form.is_valid()
    answered, points = form.running_total()
    return render(
        request,
        "intake/_score.html",
        {
            "form": form,
            "instrument": form.instrument,
            "result": form.result if valid else None,
            "band_label": (
                form.instrument.band_label(
                    form.result.band,
                    form.scoring,
                    instruments.Sex(form.cleaned_data["sex"]) if form.cleaned_data.get("sex") else None,
                )
                if valid and form.result and isinstance(form.result.band, str)
                else ""
            ),
            "alert_labels": alert_labels(form.result.alerts) if valid and form.result else [],
            "answered": answered,
            "points": points,
            "rows": (
                [(k, v, str(form.result.band[k]).replace("_", " ")) for k, v in form.result.total.items()]
                if valid
                and form.result
                and isinstance(form.result.total, dict)
                and isinstance(form.result.band, dict)
                else []
            ),
        },
    )


@participant_view(post=Cap.DOCUMENT, get=False)
def administration_error(
    request: ParticipantRequest, participant: Participant, administration_id: uuid.UUID
) -> HttpResponse:
    administration = InstrumentAdministration.objects.filter(
        pk=administration_id, participant=participant
    ).first()
    if administration is None:
        raise Http404("No such administration.")
    form = MarkErrorForm(request.POST)
    if form.is_valid():
        with refusal.as_message(request):
            services.administration_mark_error(
                actor=request.user, administration=administration, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, f"{administration.instrument} marked as entered in error; it stays on record."
            )
    else:
        messages.error(request, "Say why it was entered in error.")
    return redirect("intake:screening", participant_id=participant.pk)


def _placement_page(request, participant, screening, *, dimensions=None, decision=None, status=200):
    recommendation = queries.recommendation_for(screening)
    rules_only = queries.recommendation_for(screening, with_clinician_ratings=False)
    saved = {r.dimension: r for r in screening.dimension_ratings.all()}
    dimensions = dimensions or DimensionsForm(recommendation=rules_only, saved=saved)
    decision = decision or DecisionForm(recommendation=recommendation)
    changed_since = [d for d, row in saved.items() if row.suggested_rating != rules_only.dimensions[d].rating]
    return render(
        request,
        "intake/placement.html",
        {
            "participant": participant,
            "screening": screening,
            "recommendation": recommendation,
            "rules_only": rules_only,
            "dimensions": dimensions,
            "decision_form": decision,
            "saved": saved,
            "changed_since": changed_since,
            "level_name": LEVELS[recommendation.level],
            "wm_name": WM_LEVELS.get(recommendation.withdrawal_management or ""),
            "can_write": Cap.DOCUMENT in request.participant_caps and screening.is_open,
        },
        status=status,
    )


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_placement(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    """The six dimensions, the recommendation with its reasons, and the decision form."""
    screening = _screening(participant, screening_id)
    if request.method == "GET":
        return _placement_page(request, participant, screening)
    screening = _open_screening(participant, screening_id)
    rules_only = queries.recommendation_for(screening, with_clinician_ratings=False)
    saved = {r.dimension: r for r in screening.dimension_ratings.all()}
    form = DimensionsForm(request.POST, recommendation=rules_only, saved=saved)
    if form.is_valid():
        with refusal.on_form(form):
            services.dimensions_rate(
                actor=request.user, screening=screening, ratings=form.ratings(), notes=form.notes()
            )
            messages.success(request, "Ratings saved. The recommendation below uses them.")
            return redirect("intake:placement", participant_id=participant.pk, screening_id=screening.pk)
    return _placement_page(request, participant, screening, dimensions=form, status=400)


@participant_view(post=Cap.DOCUMENT, get=False)
def screening_decide(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    """Record the decision; the ratings and notes on the page are saved with it (one POST)."""
    screening = _open_screening(participant, screening_id)
    dimensions = None
    if any(key.startswith(("rating_", "notes_")) for key in request.POST):
        rules_only = queries.recommendation_for(screening, with_clinician_ratings=False)
        saved = {r.dimension: r for r in screening.dimension_ratings.all()}
        dimensions = DimensionsForm(request.POST, recommendation=rules_only, saved=saved)
        if not dimensions.is_valid():
            decision = DecisionForm(request.POST, recommendation=queries.recommendation_for(screening))
            return _placement_page(
                request, participant, screening, dimensions=dimensions, decision=decision, status=400
            )
    before = queries.recommendation_for(screening)
    if dimensions is not None and (dimensions.has_changed() or not saved):
        with refusal.on_form(dimensions) as saving:
            services.dimensions_rate(
                actor=request.user,
                screening=screening,
                ratings=dimensions.ratings(),
                notes=dimensions.notes(),
            )
        if saving.refused:
            decision = DecisionForm(request.POST, recommendation=before)
            return _placement_page(
                request, participant, screening, dimensions=dimensions, decision=decision, status=400
            )
        screening = _open_screening(participant, screening_id)  # read the ratings just saved
    recommendation = queries.recommendation_for(screening)
    form = DecisionForm(request.POST, recommendation=recommendation)
    changed = (recommendation.level, recommendation.withdrawal_management) != (
        before.level,
        before.withdrawal_management,
    )
    if form.is_valid() and changed and form.cleaned_data["decision"] == PlacementDecision.Decision.ACCEPT:
        # The ratings just saved changed what "accept" means: the clinician reviews it first.
        form.add_error(
            None,
            f"Your ratings are saved and change the recommendation to level {recommendation.level}; "
            "review it and record the decision again.",
        )
    if form.is_valid():
        with refusal.on_form(form):
            services.placement_decide(
                actor=request.user,
                screening=screening,
                decision=form.cleaned_data["decision"],
                level=form.cleaned_data.get("level", ""),
                withdrawal_management=form.cleaned_data.get("withdrawal_management", ""),
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(request, "Decision recorded.")
            return redirect("intake:screening", participant_id=participant.pk)
    return _placement_page(request, participant, screening, dimensions=dimensions, decision=form, status=400)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_admit(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    screening = _open_screening(participant, screening_id)
    decision = getattr(screening, "decision", None)
    if decision is None or decision.level != IOP_LEVEL:
        messages.error(request, "Admission to IOP needs a decision for level 2.1 first.")
        return redirect("intake:screening", participant_id=participant.pk)
    problems = admission_gate(screening, decision)
    form = AdmitForm(request.POST or None, program_id=screening.program_id)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.screening_admit(actor=request.user, screening=screening, **form.cleaned_data)
            clinician = form.cleaned_data["primary_clinician"]
            messages.success(
                request,
                f"{participant.display_name} was admitted to IOP with {clinician} as primary clinician.",
            )
            # Intake sees prospects and people in screening: once admitted, the chart belongs to the team.
            if Cap.VIEW in _caps_now(request, participant):
                return redirect("participants:detail", participant_id=participant.pk)
            return redirect("intake:queue")
    refused = request.method == "POST"
    if problems and NON_FIELD_ERRORS in form.errors:
        # The gate's reasons are listed above the form already: not a second time inside it.
        rest = [str(e) for e in form.errors[NON_FIELD_ERRORS] if str(e) not in problems]
        del form.errors[NON_FIELD_ERRORS]
        if rest:
            form.errors[NON_FIELD_ERRORS] = form.error_class(rest)
    return render(
        request,
        "intake/admit.html",
        {
            "participant": participant,
            "screening": screening,
            "decision": decision,
            "form": form,
            "problems": problems,
        },
        status=400 if refused else 200,
    )


@participant_view(post=Cap.PRESCRIBE, get=False)
def withdrawal_management_complete(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    """A prescriber records that the decided withdrawal management is complete: a new screening opens."""
    screening = _open_screening(participant, screening_id)
    form = WithdrawalCompleteForm(request.POST)
    if form.is_valid():
        with refusal.as_message(request):
            services.withdrawal_management_complete(
                actor=request.user, screening=screening, **form.cleaned_data
            )
            messages.success(
                request, "Withdrawal management recorded as complete. Reassess now: a new screening is open."
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("intake:screening", participant_id=participant.pk)


def _caps_now(request: StaffRequest, participant: Participant):
    from bridge.participants.access import capabilities

    participant.refresh_from_db(fields=["status"])
    return capabilities(request.user, participant)


@participant_view(Cap.CHART, post=Cap.DOCUMENT)
def screening_refer(
    request: ParticipantRequest, participant: Participant, screening_id: uuid.UUID
) -> HttpResponse:
    screening = _open_screening(participant, screening_id)
    decision = getattr(screening, "decision", None)
    if decision is None:
        messages.error(request, "Record the placement decision before referring out.")
        return redirect("intake:screening", participant_id=participant.pk)
    initial = {
        "level": decision.level,
        "withdrawal_management": decision.withdrawal_management,
        "referred_on": timezone.localdate(),
    }
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal.on_form(form):
            services.screening_refer(actor=request.user, screening=screening, **form.cleaned_data)
            messages.success(request, f"Referral to {form.cleaned_data['to_name']} recorded.")
            if Cap.VIEW in _caps_now(request, participant):
                return redirect("participants:detail", participant_id=participant.pk)
            return redirect("intake:queue")
    return render(
        request,
        "intake/refer.html",
        {"participant": participant, "screening": screening, "decision": decision, "form": form},
        status=400 if form.errors else 200,
    )


# --- Program settings ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def intake_settings(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    program = settings_program_for(request, program_id)
    current = IntakeSettings.for_program(program)
    form = IntakeSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.intake_settings_update(
            actor=request.user,
            program=program,
            **{k: form.cleaned_data[k] for k in IntakeSettings.SCORING_FIELDS},
        )
        messages.success(
            request, "Cut-offs saved. New scores use them; earlier scores keep the cut-offs they used."
        )
        return redirect("intake:settings", program_id=program.pk)
    return render(
        request,
        "intake/settings.html",
        {"program": program, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def criteria_edition(request: StaffRequest, program_id: uuid.UUID) -> HttpResponse:
    """A director chooses the placement-criteria edition (3rd or 4th) for the program, or for one
    payer, from a date; the page shows what is in force today and every setting made (kept)."""
    from bridge.intake.editions import edition_for
    from bridge.intake.models import CriteriaEditionSetting
    from bridge.placement.editions import edition as edition_spec
    from bridge.scheduling.models import PayerRule

    program = settings_program_for(request, program_id)
    form = CriteriaEditionForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal.on_form(form):
            services.criteria_edition_set(
                actor=request.user,
                program=program,
                edition=data["edition"],
                effective_on=data["effective_on"],
                payer_rule=data["payer_rule"],
            )
            who = data["payer_rule"].name if data["payer_rule"] else program.name
            messages.success(
                request,
                f"{who} uses the {edition_spec(data['edition']).name} from "
                f"{data['effective_on']:%b %-d, %Y}. Decisions already made keep their edition.",
            )
            return redirect("intake:criteria_edition", program_id=program.pk)
    payers = list(PayerRule.objects.filter(program=program).order_by("name"))
    in_force = [("The whole program", edition_spec(edition_for(program)))] + [
        (payer.name, edition_spec(edition_for(program, payer))) for payer in payers
    ]
    history = CriteriaEditionSetting.objects.filter(program=program).select_related("payer_rule", "set_by")
    return render(
        request,
        "intake/criteria_edition.html",
        {"program": program, "form": form, "in_force": in_force, "history": history},
        status=400 if form.errors else 200,
    )
