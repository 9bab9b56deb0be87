"""The crawl's second batch: the records test_crawl_every_record could not make, made through their
real pages, then every page opened as every login (the same walk, the same rules: see that module).

Made here: an admission (a caller screened through every form, the DSM-5 criteria answered so that
they show a use disorder, the placement decided at IOP 2.1, then the admission form), an injectable
order and a dose given, a treatment plan completed (a goal per problem, an objective and an
intervention per goal) and signed, an individual session moved by front desk and a reschedule asked
for in the participant app, a consent's scan uploaded, an emergency (break-the-glass) access, and a
staff member's two-factor (TOTP) enrolment. Each form with its optional fields empty, then full,
where the form allows a second record (a signature, a scan or an enrolment is made once).

A separate module so the first crawl keeps its time; the demo is the same session-wide build.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridge.core.tests.test_crawl_every_record import (
    Crawl,
    _crawl_every_page,
    _crawl_the_app,
    _snapshot,
)

# The DSM-5 criteria met (4 of 11: a moderate use disorder); the form's other items stay "No".
DSM5_MET = ("c1_larger_or_longer", "c2_cut_down_unsuccessful", "c3_time_spent", "c4_craving")


def _admit_through_intake(crawl: Crawl, demo) -> None:
    """Two callers screened and admitted: the first with the required fields, the second with all."""
    t1 = str(demo.staff["therapist1"].pk)
    for is_full in (False, True):
        crawl.create(
            "caller to admit",
            "intake",
            reverse("intake:new"),
            both={"caller-last_name": "Admitted", "caller-phone": "510-555-0188"},
            required={"caller-first_name": "Ada"},
            full={"caller-first_name": "Adele"},
            modes=(is_full,),
        )
    for full, hub in enumerate(crawl.urls.get("caller to admit", [])):
        page = crawl.as_("intake").get(hub).content.decode()
        found = re.search(rf"({re.escape(hub)}[0-9a-f-]{{36}}/)details/", page)
        if found is None:
            crawl.failures.append(f"no screening on {hub}")
            continue
        base = found.group(1)
        modes = (bool(full),)
        crawl.create("admission: details", "intake", f"{base}details/", modes=modes)
        crawl.create(
            "admission: situation",
            "intake",
            f"{base}situation/",
            both={"primary_substance": "alcohol", "substances": ["alcohol"]},
            modes=modes,
        )
        page = crawl.as_("intake").get(hub).content.decode()
        codes = sorted(set(re.findall(rf"{re.escape(base)}instruments/([^/]+)/\"", page)))
        for code in codes:
            extra: dict[str, Any] = {}
            if code == "DSM-5-SUD":
                extra = {"substance_class": "alcohol", **{c: "1" for c in DSM5_MET}}
            crawl.create(
                f"admission: {code}", "intake", f"{base}instruments/{code}/", both=extra, modes=(True,)
            )
        crawl.create("admission: ratings", "intake", f"{base}placement/", modes=modes)
        crawl.create(
            "admission: decision",
            "intake",
            f"{base}placement/",
            post_to=f"{base}decision/",
            # The screening's answers recommend an IOP (2.1): the decision accepts it.
            both={"decision": "accept", "level": "2.1", "withdrawal_management": "", "reason": ""},
            modes=modes,
        )
        from bridge.intake.models import Screening

        screening = Screening.objects.get(pk=base.rstrip("/").rsplit("/", 1)[-1])
        decision = getattr(screening, "decision", None)
        if decision is not None and decision.level != "2.1":
            crawl.failures.append(f"the decision on {base} is {decision.level}, not 2.1")
        crawl.create(
            "admission",
            "intake",
            f"{base}admit/",
            both={"primary_clinician": t1},
            modes=modes,
        )


def _medication_dose_given(crawl: Crawl, demo) -> None:
    """An injectable order (naltrexone extended-release) for someone the crawl just admitted (no
    order yet), once the director puts the prescriber and the nurse on their care team; then a dose
    given twice (the second earlier than the injection interval allows, so with the reason the form
    then asks for)."""
    from bridge.clinical.models import MedicationOrder
    from bridge.participants.models import Participant

    patient = (
        Participant.objects.filter(program=demo.program, status="active", last_name="Admitted")
        .order_by("first_name", "pk")
        .first()
    )
    if patient is None:
        crawl.failures.append("no participant admitted by the crawl")
        return
    chart = f"/participants/{patient.pk}"
    for who in ("prescriber", "nurse"):
        crawl.create(
            f"care team: {who}",
            "director",
            f"{chart}/care-team/",
            action=f"{chart}/care-team/add/",
            both={"staff": str(demo.staff[who].pk), "team_role": who},
            modes=(True,),
        )
    crawl.create(
        "injectable order",
        "prescriber",
        f"{chart}/medications/new/",
        both={
            "drug": "naltrexone_xr",
            "route": "intramuscular",
            "frequency": "monthly",
            "dose": "380",
            "reason": "Alcohol use disorder",
            "start_on": timezone.localdate().isoformat(),
            "pdmp_checked_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
        modes=(True,),
    )
    order = (
        MedicationOrder.objects.filter(drug="naltrexone_xr", stop_on__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if order is None:
        crawl.failures.append("no injectable order was written")
        return
    page = f"/participants/{order.participant_id}/medications/{order.pk}/"
    # Both on the order's first day (a dose is given on or after the order's start): the first
    # early today, the second a minute ago, earlier than the interval allows.
    now = timezone.localtime()
    first = max(now - timedelta(hours=2), now.replace(hour=0, minute=1))
    for full, given_at in ((False, first), (True, now - timedelta(minutes=1))):
        crawl.create(
            "dose given",
            "nurse",
            page,
            action=f"{page}administer/",
            both={"dose": "380", "site": "gluteal_left", "given_at": given_at.strftime("%Y-%m-%dT%H:%M")},
            modes=(full,),
        )


def _plan_signed(crawl: Crawl, chart: str) -> None:
    """A new version of the plan: one problem, its goal, the goal's objective and intervention
    (the required fields), then signed with every field of the signature form."""
    crawl.create(
        "plan revision", "therapist1", f"{chart}/plan/", action=f"{chart}/plan/revise/", modes=(True,)
    )
    from bridge.clinical.models import Goal, Problem

    for version in crawl.urls.get("plan revision", [])[:1]:
        version_id = uuid.UUID(version.rstrip("/").rsplit("/", 1)[-1])
        crawl.create(
            "plan problems",
            "therapist1",
            version,
            action=f"{version}problems/",
            required={"code": "F16.20"},
            modes=(False,),
        )
        # The revision starts from the signed version's items: the new parts go to the new problem.
        problem = Problem.objects.filter(version_id=version_id, goals__isnull=True).first()
        if problem is None:
            crawl.failures.append("the plan's new problem was not added")
            return
        goal_of = {"problem": str(problem.pk)}
        crawl.create(
            "plan goals", "therapist1", version, action=f"{version}goals/", both=goal_of, modes=(False,)
        )
        goal = Goal.objects.filter(problem=problem).first()
        if goal is None:
            crawl.failures.append("the plan's new goal was not added")
            return
        for part in ("objectives", "interventions"):
            crawl.create(
                f"plan {part}",
                "therapist1",
                version,
                action=f"{version}{part}/",
                both={"goal": str(goal.pk)},
                modes=(False,),
            )
        crawl.create(
            "plan signature",
            "therapist1",
            version,
            action=f"{version}sign/",
            both={"clinician_signature": "Therapist One"},
            modes=(True,),
        )


def _sessions_moved(crawl: Crawl, demo, chart_pk: Any) -> None:
    """Two individual sessions booked tomorrow, each moved by front desk (the move form's fields
    are all required: once)."""
    from bridge.scheduling.models import Session

    tomorrow = timezone.localdate() + timedelta(days=1)
    for i in range(2):
        crawl.create(
            "individual session to move",
            "frontdesk",
            reverse("scheduling:session_new"),
            both={
                "kind": "individual",
                "staff": str(demo.staff["therapist1"].pk),
                "participants": [str(chart_pk)],
                "day": tomorrow.isoformat(),
                "start": f"0{i}:00",
                "minutes": "30",
                "modality": "telehealth",
                "session_type": "",
                "room": "",
                "confirm_reason": "Crawl: booked outside the usual hours",
            },
            modes=(bool(i),),
        )
    for i, url in enumerate(crawl.urls.get("individual session to move", [])):
        session = Session.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1])
        crawl.create(
            "session moved",
            "frontdesk",
            url,
            action=f"{url}move/",
            both={
                "day": (tomorrow + timedelta(days=1)).isoformat(),
                "start": f"0{i + 4}:00",
                "end": f"0{i + 4}:30",
                "reason": "Crawl: the clinician is away",
                "confirm_reason": "Crawl: booked outside the usual hours",
            },
            modes=(True,),
        )
        session.refresh_from_db()
        if session.status == Session.Status.SCHEDULED:
            crawl.failures.append(f"{url} was not moved")


def _reschedule_asked_in_the_app(crawl: Crawl, demo) -> list[tuple[Client, str]]:
    """A participant with the app asks to reschedule an individual session booked for them."""
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.tests.conftest import sign_in

    account = (
        ParticipantAccount.objects.filter(
            participant__program=demo.program, participant__status="active", participant__phone__gt=""
        )
        .select_related("participant")
        .order_by("participant__last_name", "pk")
        .first()
    )
    if account is None:
        crawl.failures.append("no active participant with the app")
        return []
    crawl.create(
        "individual session in the app",
        "frontdesk",
        reverse("scheduling:session_new"),
        both={
            "kind": "individual",
            "staff": str(demo.staff["therapist1"].pk),
            "participants": [str(account.participant_id)],
            "day": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "start": "02:00",
            "minutes": "30",
            "modality": "telehealth",
            "session_type": "",
            "room": "",
            "confirm_reason": "Crawl: booked outside the usual hours",
        },
        modes=(False,),
    )
    client = Client(raise_request_exception=False)
    sign_in(client, account.participant.phone)
    for url in crawl.urls.get("individual session in the app", [])[:1]:
        session_id = url.rstrip("/").rsplit("/", 1)[-1]
        page = f"/me/sessions/{session_id}/"
        crawl.submit_as(client, "reschedule request", page, action=f"{page}reschedule/", full=True)
    return [(client, "participant asking to reschedule")]


def _consent_scan(crawl: Crawl, chart_pk: Any) -> None:
    from bridge.privacy.models import Consent

    consent = Consent.objects.filter(participant_id=chart_pk).order_by("pk").first()
    if consent is None:
        crawl.failures.append("no consent on the chart to attach a scan to")
        return
    page = f"/participants/{chart_pk}/consents/{consent.pk}/"
    scan = SimpleUploadedFile("signed-consent.pdf", b"%PDF-1.4\n%crawl\n", content_type="application/pdf")
    response = crawl.as_("therapist1").post(f"{page}scan/", {"document": scan})
    consent.refresh_from_db()
    if response.status_code != 302 or not consent.signed_document:
        crawl.failures.append(f"consent scan: {response.status_code}, nothing kept")


def _emergency_access(crawl: Crawl, demo) -> None:
    """A therapist opens, with a reason, two charts outside their caseload."""
    from bridge.participants.models import Participant

    outside = list(
        Participant.objects.filter(program=demo.program, status="active")
        .exclude(care_team__staff=demo.staff["therapist2"])
        .order_by("last_name", "pk")[:2]
    )
    for full, participant in enumerate(outside):
        crawl.create(
            "emergency access",
            "therapist2",
            f"/participants/{participant.pk}/emergency-access/",
            modes=(bool(full),),
        )


def _two_factor_enrolment(crawl: Crawl) -> None:
    """A staff member created by the director turns two-factor sign-in on (their own page)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bridge.accounts.models import User

    crawl.create(
        "staff to enrol",
        "director",
        reverse("accounts:staff_create"),
        both={"roles": ["therapist"], "username": "crawl-otp", "email": "crawl-otp@example.org"},
        expect_redirect=False,
        modes=(False,),
    )
    user = User.objects.filter(username="crawl-otp").first()
    if user is None:
        crawl.failures.append("the staff member to enrol was not created")
        return
    client = Client(raise_request_exception=False)
    client.force_login(user)
    setup = reverse("accounts:mfa_setup")
    if client.get(setup).status_code != 200:
        crawl.failures.append("two-factor setup page did not open")
        return
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    response = client.post(setup, {"token": f"{totp.token():0{device.digits}d}"})
    if response.status_code != 302 or not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        crawl.failures.append(f"two-factor enrolment: {response.status_code}")


def _claims_and_a_denial(crawl: Crawl, demo) -> None:
    """Billing: charges built from the services delivered, claims written (837P), then a remittance
    (835) that pays one claim and denies another, uploaded through its page."""
    from bridge.billing.models import Claim, Denial

    billing = crawl.as_("billing")
    before = set(Claim.objects.values_list("pk", flat=True))
    for label, url, data in (
        ("charges built", reverse("billing:charges_run"), {}),
        ("claims written", reverse("billing:claims_run"), {"format": "837p"}),
    ):
        response = billing.post(url, data)
        if response.status_code != 302:
            crawl.failures.append(f"{label}: {response.status_code}")
    written = list(Claim.objects.filter(program=demo.program).exclude(pk__in=before).order_by("number")[:2])
    if len(written) < 2:
        crawl.failures.append(f"claims written: {len(written)}, two needed for a payment and a denial")
        return
    sample = Path(__file__).resolve().parents[2] / "billing" / "tests" / "samples" / "remit-medi-cal.835"
    text = (
        sample.read_text()
        .replace("C100000001", written[0].number)
        .replace("C100000002", written[1].number)
        .replace("CHK20261210A", "CRAWL835DENIAL")
    )
    upload = SimpleUploadedFile("crawl-denial.835", text.encode())
    response = billing.post(reverse("billing:remit_upload"), {"file": upload})
    if response.status_code not in (200, 302) or not Denial.objects.filter(claim=written[1]).exists():
        crawl.failures.append(f"835 with a denial: {response.status_code}, no denial posted")


def test_the_second_batch_of_records_is_made_through_its_pages_and_every_page_opens(demo, settings):
    from bridge.participants.models import Participant

    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    crawl = Crawl(client=Client(raise_request_exception=False), staff=demo.staff)
    before = _snapshot()
    chart_of = (
        Participant.objects.filter(status="active", care_team__staff=demo.staff["therapist1"])
        .filter(care_team__staff=demo.staff["nurse"])
        .order_by("last_name", "pk")
        .first()
    )
    assert chart_of is not None
    chart = f"/participants/{chart_of.pk}"
    _admit_through_intake(crawl, demo)
    _medication_dose_given(crawl, demo)
    _plan_signed(crawl, chart)
    _sessions_moved(crawl, demo, chart_of.pk)
    signed_in = _reschedule_asked_in_the_app(crawl, demo)
    _consent_scan(crawl, chart_of.pk)
    _emergency_access(crawl, demo)
    _two_factor_enrolment(crawl)
    _claims_and_a_denial(crawl, demo)
    assert crawl.failures == [], "\n".join(crawl.failures)
    opened = _crawl_every_page(crawl, demo, before, chart_of.pk)
    opened += _crawl_the_app(crawl, signed_in)
    assert opened > 1000
    assert crawl.failures == [], "\n".join(crawl.failures)
