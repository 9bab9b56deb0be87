from __future__ import annotations

import base64
import time
import uuid
from datetime import datetime

import segno
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridge.accounts import drafts, services
from bridge.accounts.access import require_director, staff_for, staff_visible_to
from bridge.accounts.forms import CredentialForm, DraftForm, LoginForm, RolesForm, StaffCreateForm, TokenForm
from bridge.accounts.http import StaffRequest, mfa_verified
from bridge.accounts.middleware import SESSION_LAST_SEEN, idle_seconds
from bridge.accounts.models import Role, StaffRole
from bridge.core import refusal
from bridge.core.forms import uuid_or_none
from bridge.programs.models import Program

LOCKED_MESSAGE = (
    "Sign-in is paused after several unsuccessful attempts. Try again in 15 minutes, "
    "or ask your program director to help."
)


def mfa_exempt(view):
    view.mfa_exempt = True
    return view


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            services.session_start(request=request, user=user)
            return redirect(_next_url(request))
        locked = bool(getattr(request, "axes_locked_out", False))
        services.session_failed(request=request, username=username, locked=locked)
        # Same words whether or not the account exists.
        form.add_error(None, "That username and password do not match.")
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes calls this once a username/address pair is locked; it never says if the account exists."""
    form = LoginForm()
    return render(
        request, "accounts/login.html", {"form": form, "locked": LOCKED_MESSAGE, "next": "/"}, status=429
    )


@require_POST
@mfa_exempt
def logout_view(request: StaffRequest) -> HttpResponse:
    services.session_end(request=request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


@mfa_exempt
@require_http_methods(["GET", "POST"])
def mfa_verify(request: StaffRequest) -> HttpResponse:
    if mfa_verified(request):
        return redirect("core:home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            services.mfa_verified(request=request, device=device)
            return redirect(_next_url(request))
        services.mfa_failed(request=request)
        form.add_error("token", "That code did not work. Codes change every 30 seconds and work once.")
    return render(request, "accounts/mfa_verify.html", {"form": form})


@mfa_exempt
@require_http_methods(["GET", "POST"])
def mfa_setup(request: StaffRequest) -> HttpResponse:
    user = request.user
    if any(d.confirmed for d in devices_for_user(user)) and not mfa_verified(request):
        return redirect("accounts:mfa_verify")
    if any(d.confirmed for d in devices_for_user(user)):
        return render(request, "accounts/mfa_done.html")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = services.mfa_device_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.mfa_device_confirm(request=request, device=device)
            messages.success(request, "Two-factor sign-in is on for your account.")
            return redirect("core:home")
        services.mfa_failed(request=request)
        form.add_error(
            "token", "That code did not match. Check the time on your phone and try the newest code."
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#1b2a3a", light="#ffffff")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            # Safe: segno's SVG is only the QR code's paths (no title or text from the otpauth URL),
            # and it must go into the page as markup to be drawn.
            "qr_svg": mark_safe(qr_svg),  # noqa: S308
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@require_http_methods(["GET"])
def staff_list(request: StaffRequest) -> HttpResponse:
    require_director(request)
    staff = (
        staff_visible_to(request.user)
        .prefetch_related("roles__program", "credentials")
        .order_by("last_name", "first_name")
    )
    return render(request, "accounts/staff_list.html", {"staff": staff, "roles": Role})


@require_http_methods(["GET", "POST"])
def staff_create(request: StaffRequest) -> HttpResponse:
    require_director(request)
    programs = Program.objects.filter(pk__in=request.user.programs_with_role(Role.DIRECTOR))
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        program_id = uuid_or_none(request.POST.get("program"))
        if len(programs) > 1:
            program = programs.filter(pk=program_id).first() if program_id else None
        else:
            program = programs.first()
        if program is None:
            form.add_error(None, "Choose the program this person works in.")
        else:
            with refusal.on_form(form):
                user, password = services.staff_create(
                    actor=request.user, program=program, **form.cleaned_data
                )
                # Shown once, never stored in clear; the first sign-in replaces it.
                return render(request, "accounts/staff_created.html", {"staff": user, "password": password})
    return render(
        request,
        "accounts/staff_create.html",
        {"form": form, "programs": programs},
        status=400 if form.errors else 200,
    )


def _shared_program(request: StaffRequest, staff) -> Program | None:
    directed = request.user.programs_with_role(Role.DIRECTOR)
    shared = [pid for pid in staff.program_ids() if pid in directed] or sorted(directed)
    return Program.objects.filter(pk__in=shared).order_by("name").first()


@require_http_methods(["GET", "POST"])
def staff_detail(request: StaffRequest, user_id: uuid.UUID) -> HttpResponse:
    staff = staff_for(request, user_id)
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.credential_add(actor=request.user, user=staff, **form.cleaned_data)
        messages.success(request, "Credential added.")
        return redirect("accounts:staff_detail", user_id=staff.pk)
    program = _shared_program(request, staff)
    current = list(StaffRole.objects.filter(user=staff, program=program).values_list("role", flat=True))
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "form": form,
            "credentials": staff.credentials.all(),
            "roles": staff.roles.select_related("program"),
            "program": program,
            "roles_form": RolesForm(initial={"roles": current}),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def staff_roles(request: StaffRequest, user_id: uuid.UUID) -> HttpResponse:
    staff = staff_for(request, user_id)
    form = RolesForm(request.POST)
    program = _shared_program(request, staff)
    if form.is_valid() and program is not None:
        with refusal.as_message(request):
            services.staff_set_roles(
                actor=request.user, user=staff, program=program, roles=form.cleaned_data["roles"]
            )
            messages.success(request, f"Roles at {program} saved.")
    else:
        messages.error(request, "Choose roles from the list.")
    return redirect("accounts:staff_detail", user_id=staff.pk)


@require_http_methods(["GET", "POST"])
def password_change(request: StaffRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        services.password_changed(request=request, user=user)
        messages.success(request, "Your password is changed.")
        return redirect("core:home")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


password_change.password_change_view = True  # type: ignore[attr-defined]


@require_POST
def staff_deactivate(request: StaffRequest, user_id: uuid.UUID) -> HttpResponse:
    staff = staff_for(request, user_id)
    if staff == request.user:
        messages.error(request, "You cannot deactivate your own account.")
    elif staff.is_active:
        services.staff_deactivate(actor=request.user, user=staff)
        messages.success(request, f"{staff} is deactivated and signed out everywhere.")
    return redirect("accounts:staff_detail", user_id=staff.pk)


@require_http_methods(["POST"])
def keepalive(request: StaffRequest) -> HttpResponse:
    """ "Stay signed in" (and typing on a page): counts as activity for the idle limit.

    Reaching this view is enough: SessionLimitsMiddleware has already refreshed last-seen; the
    answer is the seconds left before the idle limit, for the page's timer.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session[SESSION_LAST_SEEN] = time.time()
    return JsonResponse({"signed_in": True, "idle_seconds": idle_seconds()})


# Drafts (issue 13): the page's own access check, then the author's own drafts only. The author is
# always the signed-in user: no request names another user's draft, so none can be read or written.


def _draft_request(request: StaffRequest) -> tuple[DraftForm | None, JsonResponse | None]:
    # The body is already read (the CSRF check reads the form); its declared length says enough.
    if int(request.META.get("CONTENT_LENGTH") or 0) > drafts.MAX_BYTES + 10_000:
        return None, JsonResponse(
            {"errors": {"fields": ["A draft holds at most 200 KB of text."]}}, status=400
        )
    form = DraftForm(request.POST)
    if not form.is_valid():
        errors = dict(form.errors)
        if "__all__" in errors:  # the limits are about the fields taken together
            errors["fields"] = errors.pop("__all__")
        return None, JsonResponse({"errors": errors}, status=400)
    return form, None


@require_POST
def draft_save(request: StaffRequest) -> HttpResponse:
    """Keep what is typed in one form of a page (the page's scripts call this as the person types)."""
    form, error = _draft_request(request)
    if form is None:
        return error  # type: ignore[return-value]
    page, form_key = form.cleaned_data["page"], form.cleaned_data["form"]
    participant = drafts.draft_page_check(request, page)
    draft = drafts.draft_save(
        author=request.user,
        page=page,
        form_key=form_key,
        fields=form.cleaned_data["fields"],
        participant=participant,
    )
    return JsonResponse({"saved_at": draft.saved_at.isoformat()})


@require_POST
def draft_load(request: StaffRequest) -> HttpResponse:
    """The author's draft of one form, if it is newer than the record (`since`); a POST, so that
    opening a page that has no draft writes nothing to the log."""
    form, error = _draft_request(request)
    if form is None:
        return error  # type: ignore[return-value]
    page, form_key = form.cleaned_data["page"], form.cleaned_data["form"]
    participant = drafts.draft_page_check(request, page)
    draft = drafts.draft_restore(
        author=request.user,
        page=page,
        form_key=form_key,
        since=form.cleaned_data["since"],
        participant=participant,
    )
    if draft is None:
        return JsonResponse({"draft": None})
    saved = timezone.localtime(draft.saved_at)
    return JsonResponse(
        {
            "draft": {
                "fields": draft.fields,
                "saved_at": saved.isoformat(),
                "saved_at_label": draft_saved_label(saved),
            }
        }
    )


def draft_saved_label(saved: datetime) -> str:
    """When the draft was kept, as the restore message says it: "today at 07:53", or the day too
    ("Mon Dec 7, 07:53") when it is older, so nobody takes yesterday's text for this morning's."""
    if saved.date() == timezone.localdate():
        return f"today at {saved:%H:%M}"
    return date_format(saved, "SHORT_DATETIME_FORMAT")


@require_POST
def draft_discard(request: StaffRequest) -> HttpResponse:
    """Throw the author's draft of one form away ("Discard the draft")."""
    form, error = _draft_request(request)
    if form is None:
        return error  # type: ignore[return-value]
    page, form_key = form.cleaned_data["page"], form.cleaned_data["form"]
    drafts.draft_page_check(request, page)
    return JsonResponse(
        {"discarded": drafts.draft_discard(author=request.user, page=page, form_key=form_key)}
    )
