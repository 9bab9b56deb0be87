"""The program's billing pages: the dashboard (with a CSV for each figure), held charges, claims,
remittances, eligibility answers, denials, authorizations to watch and Medicare certifications.

Directors and billing staff; the authorization work list also for the front desk. Every page that
lists participants is audited as a read of the list.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.billing import queries
from bridge.billing.access import WORKLIST_ROLES, billing_programs
from bridge.billing.forms import ClaimCorrectionForm, DenialResolveForm
from bridge.billing.models import Charge, Claim, ClaimFormat, Coverage, Denial, PatientPayment, Posting
from bridge.billing.services.acknowledgements import acknowledgement_post
from bridge.billing.services.charges import Reason, charges_build
from bridge.billing.services.charges import charge_void as void_charge
from bridge.billing.services.claims import claim_paper, claims_build
from bridge.billing.services.corrections import claim_resubmit, corrections_for
from bridge.billing.services.eligibility import eligibility_read
from bridge.billing.services.remittance import denial_resolve, remittance_post
from bridge.billing.x12.remittance import carc_words, rarc_words
from bridge.billing.x12.validate import X12Error
from bridge.core import csv_export, refusal
from bridge.programs.models import Program

HELD_WINDOW_DAYS = 31


def _program(request, roles=None) -> Program:
    ids = billing_programs(request) if roles is None else billing_programs(request, roles)
    program = Program.objects.filter(pk__in=ids).order_by("name").first()
    assert program is not None  # billing_programs refused (403) a user with none
    return program


def _audit_list(request, what: str, shown: int) -> None:
    audit_record(action=Action.READ, actor=request.user, object_type=what, detail={"shown": shown})


def _held(program, actor):
    today = timezone.localdate()
    return charges_build(
        actor=actor,
        program=program,
        first=today - timedelta(days=HELD_WINDOW_DAYS),
        through=today,
        commit=False,
    )


def dashboard_figures(program, actor) -> dict[str, list[list]]:
    """Each figure as CSV-ready rows (header first), all computed from the records."""
    today = timezone.localdate()
    held = _held(program, actor).held_by_reason()
    by_status = queries.claims_by_status([program.pk])
    ar: dict = defaultdict(list)
    for claim in Claim.objects.filter(
        program=program, status__in=[Claim.Status.SUBMITTED, Claim.Status.ACCEPTED, Claim.Status.ADJUSTED]
    ).select_related("coverage__plan__payer"):
        if claim.submitted_at:
            ar[claim.coverage.plan.payer.name].append((today - timezone.localdate(claim.submitted_at)).days)
    denials = Denial.objects.filter(claim__program=program).values_list("reason_code").annotate(n=Count("id"))
    decided = Claim.objects.filter(program=program).exclude(status__in=["draft", "submitted"]).count() or 1
    collections = (
        Posting.objects.filter(claim__program=program, kind=Posting.Kind.PAYMENT)
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    self_paid = (
        PatientPayment.objects.filter(program=program)
        .annotate(month=TruncMonth("received_on"))
        .values_list("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    expiring = queries.authorization_worklist([program.pk], today)
    return {
        "held": [["reason", "count"]] + [[Reason.LABELS[r], n] for r, n in held.items()],
        "claims": [["status", "claims"]] + [[Claim.Status(s).label, n] for s, n in sorted(by_status.items())],
        "ar": [["payer", "open claims", "average days in A/R"]]
        + [[payer, len(days), round(sum(days) / len(days), 1)] for payer, days in sorted(ar.items())],
        "denials": [["reason", "denials", "rate of decided claims"]]
        + [[f"{code}: {carc_words(code)}", n, f"{100 * n / decided:.0f}%"] for code, n in denials],
        "authorizations": [["participant", "reference", "ends", "left", "warnings"]]
        + [
            [
                u.authorization.participant.display_name,
                u.authorization.reference_number,
                u.authorization.ends_on.isoformat(),
                u.remaining,
                "; ".join(u.warnings) or "review due",
            ]
            for u in expiring
        ],
        "collections": [["month", "collected"]]
        + [[m.strftime("%Y-%m"), f"{t:.2f}"] for m, t in collections if m],
        "self_pay": [["month", "collected from self-pay participants (net of reversals)"]]
        + [[m.strftime("%Y-%m"), f"{t:.2f}"] for m, t in self_paid if m],
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    figures = dashboard_figures(program, request.user)
    name = request.GET.get("csv")
    if name:
        if name not in figures:
            raise Http404("No such figure.")
        audit_record(
            action=Action.EXPORT, actor=request.user, object_type="billing_dashboard", detail={"csv": name}
        )
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="billing-{name}.csv"'
        csv_export.writer(response).writerows(figures[name])
        return response
    _audit_list(request, "billing_dashboard", sum(len(rows) - 1 for rows in figures.values()))
    titles = {
        "held": "Charges held, by reason (last 31 days)",
        "claims": "Claims by status",
        "ar": "Days in accounts receivable, by payer",
        "denials": "Denials by reason",
        "authorizations": "Authorizations to watch",
        "collections": "Collections by month",
        "self_pay": "Self-pay collections by month",
    }
    tables = [(key, titles[key], rows[0], rows[1:]) for key, rows in figures.items()]
    return render(request, "billing/dashboard.html", {"program": program, "tables": tables})


@require_POST
def charge_void(request: HttpRequest, charge_id) -> HttpResponse:
    """Void a charge whose attendance was corrected after it was made (from the held page)."""
    program = _program(request)
    charge = Charge.objects.filter(pk=charge_id, program=program).select_related("participant").first()
    if charge is None:
        raise Http404("No such charge.")
    with refusal.as_message(request, prefix="The charge was not voided: "):
        void_charge(actor=request.user, charge=charge, reason=request.POST.get("reason", ""))
        messages.success(request, "Charge voided. It will not be billed.")
    return redirect("billing:held")


@require_GET
def held_list(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    result = _held(program, request.user)
    _audit_list(request, "held_charges", len(result.held))
    ready = Charge.objects.filter(program=program, status=Charge.Status.READY).count()
    changed = queries.attendance_changed_after_charge([program.pk])
    return render(
        request,
        "billing/held.html",
        {
            "program": program,
            "held": result.held,
            # Each reason in words ("Note not signed"), not its code.
            "counts": {Reason.LABELS.get(r, r): n for r, n in result.held_by_reason().items()},
            "changed": changed,
            # Claims Bridge can correct now (rejected, denied or adjusted); the others are with the payer.
            "correctable": {
                c.charge.claim_id for c in changed if c.charge.claim and corrections_for(c.charge.claim)
            },
            "labels": Reason.LABELS,
            "ready": ready,
        },
    )


@require_POST
def charges_run(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    today = timezone.localdate()
    result = charges_build(
        actor=request.user, program=program, first=today - timedelta(days=HELD_WINDOW_DAYS), through=today
    )
    messages.success(request, f"{len(result.created)} charges created; {len(result.held)} services held.")
    return redirect("billing:held")


@require_GET
def claim_list(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    claims = list(
        Claim.objects.filter(program=program)
        .select_related("participant", "coverage__plan__payer", "replaces")
        .annotate(n=Count("lines"))[:200]
    )
    for c in claims:
        # A replaced or voided claim's charges moved on; it shows the lines it carried when sent.
        c.line_count = c.n or len(c.lines_sent)  # type: ignore[attr-defined]
    _audit_list(request, "claim_list", len(claims))
    ready = (
        Charge.objects.filter(program=program, status=Charge.Status.READY)
        .values_list("coverage__plan__payer__claim_format")
        .annotate(n=Count("id"))
    )
    return render(
        request,
        "billing/claims.html",
        {"program": program, "claims": claims, "ready": dict(ready), "formats": ClaimFormat.choices},
    )


@require_POST
def claims_run(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    fmt = request.POST.get("format", "")
    if fmt not in ClaimFormat.values:
        return HttpResponse("format: choose 837p or 837i", status=400, content_type="text/plain")
    refused: list = []
    try:
        with refusal.as_message(request, prefix="No claims were written: "):
            written = claims_build(actor=request.user, program=program, claim_format=fmt, refused=refused)
            for participant, reason in refused:
                messages.warning(request, f"No claim for {participant.display_name}: {reason}")
            n = sum(len(claims) for _w, claims in written)
            messages.success(
                request, f"{n} claims in {len(written)} file(s): " + ", ".join(w for w, _c in written)
            )
    except X12Error as exc:
        messages.error(request, f"No claims were written: {exc}")
    return redirect("billing:claims")


@require_GET
def claim_pdf(request: HttpRequest, claim_id: uuid.UUID) -> HttpResponse:
    """A CMS-1500-style PDF of one of the program's claims (404 for anyone else's)."""
    programs = billing_programs(request)
    claim = (
        Claim.objects.filter(program_id__in=programs, pk=claim_id)
        .select_related("program", "participant__program", "coverage__plan__payer")
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    with refusal.silently() as outcome:
        pdf = claim_paper(actor=request.user, claim=claim)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="claim-{claim.number}.pdf"'
        return response
    return HttpResponse("Not released: " + " ".join(outcome.messages), status=403, content_type="text/plain")


def _claim(request, claim_id: uuid.UUID) -> Claim:
    """One of the program's claims (404 for any other: another program's is not there for them)."""
    claim = (
        Claim.objects.filter(program_id__in=billing_programs(request), pk=claim_id)
        .select_related("program", "participant", "coverage__plan__payer", "replaces", "created_by")
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    return claim


def claim_detail(request: HttpRequest, claim_id: uuid.UUID) -> HttpResponse:
    """One claim: its lines, postings, denials and the claims it replaced or was replaced by; and for
    a rejected or denied claim, "Correct and resubmit" (a replacement, a void or a fresh original)."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    claim = _claim(request, claim_id)
    form = ClaimCorrectionForm(request.POST or None, claim=claim)
    status = 200
    if request.method == "POST":
        status = 400
        if not corrections_for(claim):
            form.add_error(None, f"Claim {claim.number} cannot be corrected and resubmitted now.")
        elif form.is_valid():
            try:
                with refusal.on_form(form):
                    new = claim_resubmit(actor=request.user, claim=claim, **form.cleaned_data)
                    kept = "voided" if new.frequency == Claim.Frequency.VOID else "replaced"
                    messages.success(
                        request,
                        f"Claim {new.number} ({new.get_frequency_display().lower()}) "
                        f"sent in {new.file_name}; claim {claim.number} is kept, marked {kept}.",
                    )
                    return redirect("billing:claim", claim_id=new.pk)
            except X12Error as exc:
                form.add_error(None, f"The corrected claim failed validation and was not sent: {exc}")
    history = []
    earlier = claim.replaces
    while earlier is not None:
        history.append(earlier)
        earlier = earlier.replaces
    later = Claim.objects.filter(replaces=claim).first()
    denials: list = list(claim.denials.select_related("charge", "resolved_by"))
    for d in denials:
        d.words = carc_words(d.reason_code)
    postings: list = list(claim.postings.select_related("remittance", "charge"))
    for p in postings:
        p.words = carc_words(p.reason_code) if p.reason_code else ""
    audit_record(
        action=Action.READ,
        actor=request.user,
        participant=claim.participant,
        object_type="claim",
        object_id=str(claim.pk),
    )
    return render(
        request,
        "billing/claim.html",
        {
            "program": claim.program,
            "claim": claim,
            "lines": list(claim.lines.order_by("service_date")),
            "history": history,
            "later": later,
            "denials": denials,
            "postings": postings,
            "form": form if corrections_for(claim) or form.errors else None,
        },
        status=status,
    )


@require_POST
def remit_upload(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponse("file: choose an 835 file", status=400, content_type="text/plain")
    text = upload.read().decode("ascii", errors="replace").strip()
    try:
        result = remittance_post(
            actor=request.user, program=program, text=text, file_name=cast(str, upload.name)
        )
    except X12Error as exc:
        messages.error(request, f"The 835 was refused and nothing was posted: {exc}")
    else:
        messages.success(
            request,
            f"Posted {result.posted} payments, {result.adjusted} adjustments, {result.denied} denials.",
        )
        for note in result.notes:
            messages.warning(request, note)
    return redirect("billing:claims")


@require_POST
def ack_upload(request: HttpRequest) -> HttpResponse:
    """Read a 999 or 277CA: claims accepted or rejected, with the reason."""
    program = _program(request)
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponse("file: choose a 999 or 277CA file", status=400, content_type="text/plain")
    text = upload.read().decode("ascii", errors="replace").strip()
    try:
        result = acknowledgement_post(
            actor=request.user, program=program, text=text, file_name=cast(str, upload.name)
        )
    except X12Error as exc:
        messages.error(request, f"The acknowledgement was refused and nothing changed: {exc}")
    else:
        kind = result.acknowledgement.kind
        messages.success(
            request, f"{kind}: {len(result.accepted)} claims accepted, {len(result.rejected)} rejected."
        )
        for claim in result.rejected:
            messages.warning(request, f"Claim {claim.number} rejected: {claim.status_reason}")
    return redirect("billing:claims")


@require_POST
def eligibility_upload(request: HttpRequest) -> HttpResponse:
    program = _program(request)
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponse("file: choose a 271 file", status=400, content_type="text/plain")
    try:
        summary, check = eligibility_read(
            actor=request.user,
            text=upload.read().decode("ascii", errors="replace").strip(),
            program_ids=[program.pk],
        )
    except X12Error as exc:
        messages.error(request, f"The 271 was refused: {exc}")
        return redirect("billing:claims")
    if summary["rejected"]:
        messages.warning(request, f"Eligibility rejected: {summary['rejection']}")
    else:
        messages.success(request, "Active coverage." if summary["active"] else "Coverage is not active.")
    if check is not None:
        return redirect("billing:participant", participant_id=check.coverage.participant_id)
    return redirect("billing:claims")


def _denials_page(request, program, failed=None, form=None, status: int = 200) -> HttpResponse:
    """The denials work list; `failed` (a denial) with its bound `form` when resolving it was refused:
    the page again with the field errors on that row, nothing stored."""
    denials = list(queries.open_denials([program.pk]))
    for d in denials:
        d.words = carc_words(d.reason_code)
        remarks = [p.remark_codes for p in d.claim.postings.all() if p.remark_codes]
        d.remarks = [rarc_words(code) for codes in remarks for code in codes.split(",")]
    rejected = list(
        Claim.objects.filter(program=program, status=Claim.Status.REJECTED, replaced_by__isnull=True)
        .select_related("participant", "coverage__plan__payer")
        .order_by("submitted_at")
    )
    _audit_list(request, "denial_list", len(denials) + len(rejected))
    errors = []
    if form is not None:
        errors = [
            f"{name.replace('_', ' ').capitalize()}: {e}" if name != "__all__" else e
            for name, found in form.errors.items()
            for e in found
        ]
    return render(
        request,
        "billing/denials.html",
        {
            "program": program,
            "denials": denials,
            "rejected": rejected,
            "form": DenialResolveForm(),
            "failed": failed.pk if failed is not None else None,
            "failed_data": form.data if form is not None else {},
            "failed_errors": errors,
        },
        status=status,
    )


@require_GET
def denial_list(request: HttpRequest) -> HttpResponse:
    return _denials_page(request, _program(request))


@require_POST
def denial_resolve_view(request: HttpRequest, denial_id: uuid.UUID) -> HttpResponse:
    program = _program(request)
    denial = (
        Denial.objects.filter(pk=denial_id, claim__program=program)
        .select_related("claim__participant")
        .first()
    )
    if denial is None:
        raise Http404("No such denial.")
    form = DenialResolveForm(request.POST)
    if not form.is_valid():
        return _denials_page(request, program, failed=denial, form=form, status=400)
    denial_resolve(actor=request.user, denial=denial, **form.cleaned_data)
    messages.success(request, "Denial resolved.")
    return redirect("billing:denials")


@require_GET
def authorization_list(request: HttpRequest) -> HttpResponse:
    program = _program(request, WORKLIST_ROLES)
    usages = queries.authorization_worklist([program.pk])
    _audit_list(request, "authorization_worklist", len(usages))
    return render(request, "billing/authorizations.html", {"program": program, "usages": usages})


@require_GET
def certifications_csv(request: HttpRequest) -> HttpResponse:
    """Medicare participants in care: the current certification and when recertification is due."""
    program = _program(request)
    today = timezone.localdate()
    coverages = (
        Coverage.objects.filter(
            participant__program=program,
            plan__payer__requires_certification=True,
            ends_on__isnull=True,
            participant__status__in=["active", "step_down", "on_hold"],
        )
        .select_related("participant")
        .prefetch_related("participant__certifications")
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="medicare-certifications.csv"'
    out = csv_export.writer(response)
    out.writerow(
        ["participant", "kind", "signed on", "valid from", "valid through", "recertify by", "status"]
    )
    n = 0
    for c in coverages:
        certs = sorted(c.participant.certifications.all(), key=lambda x: x.valid_through, reverse=True)
        latest = certs[0] if certs else None
        status = (
            "missing"
            if latest is None
            else "expired"
            if latest.valid_through < today
            else ("due soon" if latest.valid_through <= today + timedelta(days=7) else "current")
        )
        out.writerow(
            [
                c.participant.display_name,
                latest.get_kind_display() if latest else "",
                latest.signed_on if latest else "",
                latest.valid_from if latest else "",
                latest.valid_through if latest else "",
                latest.valid_through if latest else "now",
                status,
            ]
        )
        n += 1
    audit_record(
        action=Action.EXPORT, actor=request.user, object_type="certifications_csv", detail={"rows": n}
    )
    return response
