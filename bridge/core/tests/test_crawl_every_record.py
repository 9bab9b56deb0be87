"""Create one of every record through its real form, then open every page as every demo login.

Each create form is opened (GET) and posted back as the staff role that does that work, twice: once
with only the fields the page marks required, once with every optional field filled too
(`bridge.testing.forms` fills the page's own form). The new rows' ids then fill every GET route,
and every demo login opens every route: a 500 always fails; any status other than 200, 302, 403,
404 (and 405 on a route that only takes POST) fails unless ALLOWED says why. "Every field" means
free text at its maximum length (accents, CJK, emoji counted as characters).

Beyond the create forms, the daily workflows are run through their pages too: staff with roles
and credentials, the care team (a clinician added, then ended), a hold and the return, a step-down
(the taper) and a step-down exception, a dose change, addenda on notes and group notes, a
co-signature, entered-in-error marks on notes and on a group note, the plan's review, a privacy
restriction asked for and decided, an access request recorded and produced, a planner run, the
billing uploads (835, 999, 271), and in the participant app (signed in the real way) an excused
absence, a copy request and an alumni event's RSVP; the app's pages are then opened as those
participants. GET routes are opened once, after every record exists.

The records this module does not make are made by test_crawl_more_records, through their pages,
followed by the same page walk (a separate module keeps each crawl's time reasonable): an admission
through the intake (the DSM-5 criteria answered to show a use disorder, the placement decided at
IOP 2.1, the admission form), an injectable order and doses given, a treatment plan completed and
signed, individual sessions moved by front desk and a reschedule asked for in the app, a consent's
scan, an emergency (break-the-glass) access, a staff member's two-factor enrolment, and billing's
charges, claims and an 835 with a denial. Still made by neither: the private-link answers (see
test_hostile_walk for those pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridge.testing.forms import parse_forms, submit
from bridge.testing.urls import Route, all_routes

# Route kwarg -> the model whose new rows fill it.
MODELS: dict[str, tuple[str, str]] = {
    "note_id": ("clinical", "Note"),
    "screen_id": ("clinical", "DrugScreen"),
    "version_id": ("clinical", "PlanVersion"),
    "order_id": ("clinical", "MedicationOrder"),
    "summary_id": ("aftercare", "DischargeSummary"),
    "screening_id": ("intake", "Screening"),
    "session_id": ("scheduling", "Session"),
    "series_id": ("scheduling", "GroupSeries"),
    "attendance_id": ("scheduling", "Attendance"),
    "administration_id": ("intake", "InstrumentAdministration"),
    "consent_id": ("privacy", "Consent"),
    "disclosure_id": ("privacy", "Disclosure"),
    "complaint_id": ("privacy", "Complaint"),
    "incident_id": ("privacy", "BreachIncident"),
    "coverage_id": ("billing", "Coverage"),
    "authorization_id": ("billing", "Authorization"),
    "rule_id": ("planner", "AppointmentRule"),
    "signal_id": ("safety", "SafetySignal"),
    "run_id": ("planner", "ScheduleRun"),
    "request_id": ("privacy", "AccessRequest"),
    "restriction_id": ("privacy", "Restriction"),
    "member_id": ("participants", "CareTeamMember"),
    "user_id": ("accounts", "User"),
    "grant_id": ("privacy", "EmergencyAccess"),
    "claim_id": ("billing", "Claim"),
    "denial_id": ("billing", "Denial"),
}

# Statuses other than 200/302/403/404 that a page is expected to answer, with the reason.
# (route name, login or "*") -> (status, reason)
ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("scheduling:today_part", "*"): (400, "an htmx fragment: without its ?day= and filters it says so"),
    ("directory:compare", "*"): (400, "compares the listings named in ?ids=; with none it asks for some"),
}
# The director opens every route with every new record; the other logins with the first one each
# (the chart the records were made on), so the crawl stays within the suite's time.
EVERY_RECORD_LOGIN = "director"

CONSENT_ELEMENTS = (
    "patient_name",
    "discloser",
    "data_classes",
    "recipients",
    "purposes",
    "cj_agency",
    "cj_period",
    "proceeding",
    "expiry_event",
)

# Routes the crawl leaves out, with the reason.
SKIPPED = {
    "accounts:logout": "signs the login out",
    "portal:sign_out": "signs the participant out",
}


@dataclass
class Crawl:
    client: Client
    staff: dict[str, Any]
    failures: list[str] = field(default_factory=list)
    urls: dict[str, list[str]] = field(default_factory=dict)  # label -> pages the creates landed on

    def as_(self, login: str) -> Client:
        self.client.force_login(self.staff[login])
        return self.client

    def create(
        self,
        label: str,
        login: str,
        url: str | Callable[[], str],
        *,
        both: dict[str, Any] | None = None,
        required: dict[str, Any] | None = None,
        full: dict[str, Any] | None = None,
        action: str | None = None,
        expect_redirect: bool = True,
        modes: tuple[bool, ...] = (False, True),
        essential: tuple[str, ...] = (),
        post_to: str | None = None,
    ) -> None:
        """Post the form at `url` as `login`, with only required fields and then with every field."""
        client = self.as_(login)
        for is_full in modes:
            overrides = dict(both or {})
            overrides.update((full if is_full else required) or {})
            page = url() if callable(url) else url
            try:
                response = submit(
                    client,
                    page,
                    full=is_full,
                    overrides=overrides,
                    action=action,
                    expect_redirect=expect_redirect,
                    essential=essential,
                    post_to=post_to,
                )
            except AssertionError as exc:
                self.failures.append(f"{label} as {login}: {exc}")
            else:
                if response.status_code == 302:
                    self.urls.setdefault(label, []).append(response["Location"])

    def submit_as(
        self, client: Client, label: str, url: str, *, full: bool, action: str | None = None
    ) -> None:
        """Post the form at `url` with a client signed in some other way (a participant in the app)."""
        try:
            submit(client, url, full=full, action=action)
        except AssertionError as exc:
            self.failures.append(f"{label}: {exc}")


def _snapshot() -> dict[type[Model], set[Any]]:
    return {
        m: set(m._default_manager.values_list("pk", flat=True))
        for m in apps.get_models()
        if m.__module__.startswith("bridge.")
    }


def _participant_of(row: Model) -> Any:
    for path in (
        "participant",
        "plan__participant",
        "screening__participant",
        "episode__participant",
        "order__participant",
    ):
        obj: Any = row
        for part in path.split("__"):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj.pk
    return None


def _fillings(route: Route, new: dict[str, list[Model]], base: dict[str, Any]) -> list[dict[str, Any]]:
    """Kwarg sets for `route`: one per new row of its object (with that row's participant); for a
    participant's page, the chart the records were made on first, then each new participant."""
    objects = [k for k in route.kwargs if k in MODELS and new.get(k)]
    if not objects:
        if "participant_id" in route.kwargs:
            ids = [base["participant_id"], *(p.pk for p in new.get("participant_id") or [])]
            return [route.fill(**{**base, "participant_id": pk}) for pk in ids]
        return [route.fill(**base)]
    key = objects[0]
    out = []
    for row in new[key]:
        known = {**base, key: row.pk}
        owner = _participant_of(row)
        if owner is not None:
            known["participant_id"] = owner
        out.append(route.fill(**known))
    return out


def _create_everything(crawl: Crawl, demo) -> Any:
    """Post every create form; return the chart (participant id) the clinical records were made on."""
    from bridge.participants.models import Participant
    from bridge.scheduling.models import Room

    # A chart of therapist1's with the prescriber and the nurse on its care team.
    chart_of = (
        Participant.objects.filter(status="active", care_team__staff=demo.staff["therapist1"])
        .filter(care_team__staff=demo.staff["nurse"])
        .order_by("last_name", "first_name", "pk")
        .first()
    )
    assert chart_of is not None
    p = str(chart_of.pk)
    chart = f"/participants/{p}"
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    rooms = {r.name: str(r.pk) for r in Room.objects.filter(program=demo.program)}
    group_room = rooms["Group room 1"]
    t1 = str(demo.staff["therapist1"].pk)

    crawl.create(
        "participant",
        "director",
        reverse("participants:create"),
        required={"first_name": "Min", "last_name": "Crawl"},
        full={"first_name": "Full", "last_name": "Crawl"},
    )
    crawl.create(
        "caller",
        "intake",
        reverse("intake:new"),
        required={"caller-first_name": "Mina", "caller-last_name": "Caller", "caller-phone": "510-555-0101"},
        full={"caller-first_name": "Fuller", "caller-last_name": "Caller"},
    )
    # Screening each new caller: details, situation, every instrument offered, ratings, decision;
    # the first caller's forms with only the required fields, the second's with every field.
    for full, hub in enumerate(crawl.urls.get("caller", [])):
        page = crawl.as_("intake").get(hub).content.decode()
        screening = re.search(rf"({re.escape(hub)}[0-9a-f-]{{36}}/)details/", page)
        if screening is None:
            crawl.failures.append(f"no screening on {hub}")
            continue
        base_url = screening.group(1)
        modes = (bool(full),)
        crawl.create("screening details", "intake", f"{base_url}details/", modes=modes)
        crawl.create("screening situation", "intake", f"{base_url}situation/", modes=modes)
        codes = sorted(set(re.findall(rf"{re.escape(base_url)}instruments/([^/]+)/\"", page)))
        assert codes, f"no instruments offered on {hub}"
        for code in codes:
            # An instrument's items are all answered: the page marks none of them optional.
            crawl.create(f"instrument {code}", "intake", f"{base_url}instruments/{code}/", modes=(True,))
        crawl.create("placement ratings", "intake", f"{base_url}placement/", modes=modes)
        crawl.create(
            "placement decision",
            "intake",
            f"{base_url}placement/",
            post_to=f"{base_url}decision/",
            modes=modes,
        )
    # Sessions of each kind, early yesterday (free rooms; attendance and notes can be recorded).
    for i, (label, kind, with_type) in enumerate(
        [
            ("group session with a type", "group", True),
            ("one-off group session without a type", "group", False),
            ("individual session", "individual", False),
            ("family session", "family", False),
        ]
    ):
        crawl.create(
            label,
            "frontdesk",
            reverse("scheduling:session_new"),
            both={
                "kind": kind,
                "staff": t1,
                "participants": [p],
                "day": yesterday,
                "minutes": "30",
                "room": group_room,
                "modality": "in_person",
                "confirm_reason": "Crawl: booked outside the usual hours",
            },
            required={"session_type": "", "start": f"0{i}:00"},
            full={"session_type": None if with_type else "", "start": f"0{i}:30"},
        )

    def session_ids(label: str) -> list[str]:
        return [u.rstrip("/").rsplit("/", 1)[-1] for u in crawl.urls.get(label, [])]

    individual, family = session_ids("individual session"), session_ids("family session")
    typed = session_ids("group session with a type")
    untyped = session_ids("one-off group session without a type")
    prefix = "a" + p.replace("-", "")[:12]
    # Attendance of each kind: present, late (after the start), left early (before the end), absent.
    marks: list[tuple[list[str], dict[str, str | None]]] = [
        (typed[:1], {"status": "present"}),
        (typed[1:2], {"status": "late", "arrived": "00:40"}),
        (untyped[:1], {"status": "left_early", "departed": "01:20"}),
        (untyped[1:2], {"status": "unexcused", "arrived": None, "departed": None}),
        (individual[:1], {"status": "present"}),
        (family[:1], {"status": "present"}),
    ]
    for sessions_, mark in marks:
        for session_id in sessions_:
            crawl.create(
                f"attendance: {mark['status']}",
                "frontdesk",
                f"/schedule/sessions/{session_id}/attendance/",
                both={f"{prefix}-{k}": v for k, v in mark.items()},
                modes=(True,),
            )
    # The group note of a typed group and of a one-off group without a type.
    for session_id in [*typed[:1], *untyped[:1]]:
        crawl.create("group note", "therapist1", f"/groups/{session_id}/", modes=(True,))
    if individual and family:
        crawl.create(
            "note",
            "therapist1",
            f"{chart}/notes/new/",
            required={"session": individual[0], "kind": "individual"},
            full={"session": family[0], "kind": "family", "template": "soap"},
        )
    crawl.create("drug screen", "nurse", f"{chart}/screens/new/")
    crawl.create(
        "medication order",
        "prescriber",
        f"{chart}/medications/new/",
        both={
            "reason": "Opioid use disorder",
            "dose": "8",
            "pdmp_checked_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
        full={"drug": "acamprosate", "route": "oral", "frequency": "tid", "dose": "666"},
    )
    crawl.create(
        "naloxone offer", "prescriber", f"{chart}/medications/", action=f"{chart}/medications/naloxone/"
    )
    crawl.create("safety plan", "therapist1", f"{chart}/safety-plan/")
    crawl.create(
        "aftercare plan",
        "therapist1",
        f"{chart}/aftercare/plan/edit/",
        full={
            "contacts": "Maria | (510) 555-0134 | sponsor",
            "meetings": "AA | Harbor Hope | Monday | 19:00 | Church hall",
            "mat_next_appointment": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "crisis_lines": "988 Lifeline | 988",
        },
    )
    crawl.create(
        "availability",
        "frontdesk",
        f"{chart}/availability/",
        action=f"{chart}/availability/add/",
        both={"weekdays": ["2"]},
    )
    crawl.create(
        "disclosure",
        "therapist1",
        f"{chart}/disclosures/new/",
        both={"data_classes": ["demographics"], "purpose": "TREAT"},
    )
    crawl.create(
        "alumni event",
        "director",
        reverse("aftercare:alumni_events"),
        both={"day": (today + timedelta(days=10)).isoformat(), "confirm_reason": "Crawl: after hours"},
        required={"start": "05:00"},
        full={"start": "07:00", "room": group_room},
    )
    crawl.create("complaint", "director", reverse("privacy:complaint_list"))
    crawl.create("breach", "director", reverse("privacy:breach_list"))
    crawl.create(
        "visit rule",
        "director",
        reverse("planner:rule_create"),
        # Every kind has its active rule in the demo (one active rule per kind): these are kept inactive.
        both={"is_active": None},
        required={"name": "Crawl rule min"},
        full={"name": "Crawl rule full"},
    )
    setup: dict[str, dict[str, Any]] = {
        "rooms": {},
        "curriculum": {},
        "tracks": {"weekdays": ["5"]},
        "series": {"facilitator": t1, "room": group_room},
        "payers": {"code": "H0015"},
    }
    for kind, both in setup.items():
        crawl.create(
            f"setup: {kind}",
            "director",
            reverse("scheduling:setup_create", kwargs={"kind": kind}),
            both=both,
            required={"name": f"Crawl {kind} min"},
            full={"name": f"Crawl {kind} full"},
        )
    later = (today + timedelta(days=365)).isoformat()
    crawl.create(
        "coverage",
        "billing",
        f"{chart}/billing/coverage/new/",
        required={"order": "2", "member_id": "CRAWL-MIN"},
        full={"order": "3", "member_id": "CRAWL-FULL", "ends_on": later},
    )
    crawl.create(
        "authorization",
        "billing",
        f"{chart}/billing/authorizations/new/",
        # After the demo's own authorizations, and one after the other: two live authorizations for
        # the same services on the same days are refused.
        required={
            "reference_number": "AUTH-MIN",
            "starts_on": (today + timedelta(days=400)).isoformat(),
            "ends_on": (today + timedelta(days=430)).isoformat(),
        },
        full={
            "reference_number": "AUTH-FULL",
            "service_codes": "H0015",
            "starts_on": (today + timedelta(days=431)).isoformat(),
            "ends_on": (today + timedelta(days=460)).isoformat(),
            "next_review_on": (today + timedelta(days=445)).isoformat(),
        },
    )
    # An instrument's items are all answered (the page marks none optional): given once, in full.
    crawl.create("measure: PHQ-9", "therapist1", f"{chart}/measures/give/PHQ-9/", modes=(True,))
    listing = f"/listing/{demo.program.pk}/"
    crawl.create(
        "accreditation",
        "director",
        listing,
        action=f"{listing}accreditations/",
        both={"acc-expires_on": later},
        required={"acc-number": "ACC-MIN", "acc-body": "COA"},
        full={"acc-number": "ACC-FULL", "acc-body": "HFAP"},
    )
    crawl.create(
        "license",
        "director",
        listing,
        action=f"{listing}licenses/",
        both={"lic-expires_on": later},
        required={"lic-number": "LIC-MIN"},
        full={"lic-number": "LIC-FULL", "lic-state": "CA"},
    )
    for consent_type in ("tpo", "named", "research", "counseling_notes", "criminal_justice", "proceedings"):
        crawl.create(
            f"consent: {consent_type}",
            "therapist1",
            f"{chart}/consents/new/{consent_type}/",
            both={"expires_on": later, "signed_on": today.isoformat(), "signature_name": "Rebecca Fowler"},
            # The elements 42 CFR 2.31 requires: the form lists any missing together, the page marks none.
            essential=CONSENT_ELEMENTS,
            full={
                "new_recipient_name": f"Crawl recipient for {consent_type}",
                **({"new_recipient_kind": "court"} if consent_type == "criminal_justice" else {}),
            },
        )
    # Notes written: a draft saved with nothing typed, then the full text signed in the same post.
    for note in crawl.urls.get("note", []):
        crawl.create("note: draft", "therapist1", note, modes=(False,))
        crawl.create("note: signed", "therapist1", note, modes=(True,), post_to=f"{note}sign/")
    for group in crawl.urls.get("group note", []):
        crawl.create("group note: draft", "therapist1", group, modes=(False,))
        crawl.create("group note: signed", "therapist1", group, modes=(True,), post_to=f"{group}sign/")
    # The treatment plan: a new draft version, a problem, a goal, an objective and an intervention.
    crawl.create(
        "plan revision", "therapist1", f"{chart}/plan/", action=f"{chart}/plan/revise/", modes=(True,)
    )
    for version in crawl.urls.get("plan revision", [])[:1]:
        for part in ("problems", "goals", "objectives", "interventions"):
            crawl.create(
                f"plan {part}",
                "therapist1",
                version,
                action=f"{version}{part}/",
                # Codes the demo never puts on a plan: the revision copies the chart's problems,
                # and which chart this is can differ between databases.
                required={"code": "F13.20"} if part == "problems" else {},
                full={"code": "F18.20"} if part == "problems" else {},
            )
    return chart_of.pk


def _first_form_action(crawl: Crawl, login: str, page: str, fragment: str) -> str | None:
    """The action of the first POST form on `page` whose action contains `fragment`."""
    response = crawl.as_(login).get(page)
    if response.status_code != 200:
        crawl.failures.append(f"GET {page} as {login}: {response.status_code}")
        return None
    for form in parse_forms(response.content.decode()):
        if form.method == "post" and fragment in form.action:
            return form.action
    return None


def _create_workflows(crawl: Crawl, demo, chart_pk: Any) -> None:
    """The records the daily workflows make on top of the first batch: admission, staff and their
    credentials, the care team, a hold and a step-down, doses, addenda, co-signatures and
    entered-in-error marks, the plan's review and signatures, privacy restrictions, access
    requests, a planner run and the billing uploads."""
    from bridge.clinical.models import MedicationOrder, Note
    from bridge.participants.models import Participant

    p = str(chart_pk)
    chart = f"/participants/{p}"
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    # Staff, their roles and credentials.
    crawl.create(
        "staff",
        "director",
        reverse("accounts:staff_create"),
        both={"roles": ["therapist"]},
        # The page that answers shows the one-time password (no redirect).
        expect_redirect=False,
        required={"username": "crawl-min", "email": "crawl-min@example.org"},
        full={"username": "crawl-full", "email": "crawl-full@example.org", "roles": ["therapist", "peer"]},
    )
    for staff_page in crawl.urls.get("staff", []):
        crawl.create(
            "staff roles",
            "director",
            staff_page,
            action=staff_page + "roles/",
            modes=(True,),
        )
        crawl.create("credential", "director", staff_page, required={"number": "LIC-123"})
    t1_page = f"/staff/{demo.staff['therapist1'].pk}/"
    crawl.create("credential", "director", t1_page, modes=(True,))
    # The care team: add, then end the added member.
    crawl.create(
        "care team member",
        "director",
        f"{chart}/care-team/",
        action=f"{chart}/care-team/add/",
        # A second clinician (the first choice, primary clinician, would replace therapist1's role).
        both={"staff": str(demo.staff["therapist2"].pk), "team_role": "clinician"},
        modes=(True,),
    )
    from bridge.participants.models import CareTeamMember

    added = CareTeamMember.objects.filter(
        participant_id=chart_pk, staff=demo.staff["therapist2"], ended_at__isnull=True
    ).first()
    if added is None:
        crawl.failures.append("therapist2 was not added to the care team")
    else:
        end = f"{chart}/care-team/{added.pk}/end/"
        crawl.create("care team end", "director", f"{chart}/care-team/", action=end, modes=(True,))
    # A hold and the return from it, and a step-down (the taper), on two other charts of therapist1.
    others = list(
        Participant.objects.filter(
            program=demo.program, status="active", care_team__staff=demo.staff["therapist1"]
        )
        .exclude(pk=chart_pk)
        .order_by("last_name", "pk")[:2]
    )
    assert len(others) == 2, "two more active charts of therapist1's"
    held, tapered = (f"/participants/{o.pk}" for o in others)
    crawl.create("hold", "therapist1", f"{held}/hold/", modes=(True,), required={})
    crawl.create("resume", "therapist1", f"{held}/resume/", modes=(False,))
    crawl.create("hold", "therapist1", f"{held}/hold/", modes=(False,))
    crawl.create(
        "step-down (taper)",
        "therapist1",
        f"{tapered}/aftercare/taper/",
        both={"starts_on": monday.isoformat(), "weekly_hours": "6, 3"},
        full={"reason": "Crawl: doing well, stepping down"},
        modes=(True,),
    )
    crawl.create(
        "step-down exception",
        "therapist1",
        f"{chart}/hours/exception/",
        both={"floor_hours": "6"},
    )
    # Doses given and dose changes on the orders the crawl wrote.
    orders = MedicationOrder.objects.filter(participant_id=chart_pk, stop_on__isnull=True).order_by(
        "-created_at"
    )
    for order in list(orders[:1]):
        page = f"{chart}/medications/{order.pk}/"
        crawl.create("dose change", "prescriber", page, action=f"{page}dose/", both={"dose": "666"})
    # Addenda and entered-in-error on the crawl's signed notes; a co-signature on a demo note.
    signed = Note.objects.filter(participant_id=chart_pk, signed_at__isnull=False).order_by("-signed_at")
    for i, note in enumerate(list(signed[:2])):
        page = f"{chart}/notes/{note.pk}/"
        crawl.create("note addendum", "therapist1", page, action=f"{page}addendum/")
        crawl.create("note entered in error", "therapist1", page, action=f"{page}error/", modes=(bool(i),))
    awaiting = Note.objects.filter(
        cosign_required=True,
        cosigned_at__isnull=True,
        signed_at__isnull=False,
        error_at__isnull=True,
        participant__isnull=False,
    ).order_by("pk")
    for note in list(awaiting[:1]):
        page = f"/participants/{note.participant_id}/notes/{note.pk}/"
        crawl.create("note co-signature", "director", page, action=f"{page}cosign/", modes=(True,))
    for group in crawl.urls.get("group note", [])[:1]:
        crawl.create("group note addendum", "therapist1", group, action=f"{group}addendum/")
        # Once (a note marked in error leaves the page offering a new note to start, not the form).
        crawl.create(
            "group note entered in error", "therapist1", group, action=f"{group}error/", modes=(False,)
        )
    # The plan: reviewed (a version completed and signed: test_crawl_more_records).
    crawl.create("plan review", "therapist1", f"{chart}/plan/review/")
    # Privacy: a restriction asked for and decided, an access request recorded and delivered.
    crawl.create("restriction", "director", f"{chart}/restrictions/", essential=("recipient",))
    decide = _first_form_action(crawl, "director", f"{chart}/restrictions/", "/decide/")
    if decide:
        crawl.create(
            "restriction decision", "director", f"{chart}/restrictions/", action=decide, modes=(True,)
        )
    crawl.create("access request", "director", f"{chart}/access-requests/", essential=("data_classes",))
    for request_page in crawl.urls.get("access request", [])[:1]:
        crawl.create(
            "access request produced",
            "director",
            request_page,
            both={"action": "produce"},
            modes=(True,),
            expect_redirect=False,
        )
    # A planner run for next week.
    crawl.create(
        "planner run",
        "director",
        reverse("planner:home"),
        action=reverse("planner:preview"),
        both={"week": f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"},
        modes=(True,),
    )
    # Billing uploads: a remittance (835), an acknowledgement (999) and an eligibility answer (271).
    samples = Path(__file__).resolve().parents[2] / "billing" / "tests" / "samples"
    billing = crawl.as_("billing")
    for label, route, sample in (
        ("remittance upload", "billing:remit_upload", "remit-medi-cal.835"),
        ("acknowledgement upload", "billing:ack_upload", "ack-accepted.999"),
        ("eligibility upload", "billing:eligibility_upload", "eligibility-active.271"),
    ):
        upload = SimpleUploadedFile(sample, (samples / sample).read_bytes())
        response = billing.post(reverse(route), {"file": upload})
        if response.status_code not in (200, 302):
            crawl.failures.append(f"{label}: {response.status_code}")
    # Last, the chart's discharge (the records above need it in care).
    crawl.create("discharge", "therapist1", f"{chart}/aftercare/discharge/", modes=(False,))


def _create_portal_requests(crawl: Crawl, demo, settings) -> list[tuple[Client, str]]:
    """The participant app's requests, from its own pages: a reschedule and an excused absence on a
    coming session, a copy of the record, an alumni event's RSVP. Returns the signed-in clients."""
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.services import EXCUSABLE
    from bridge.portal.tests.conftest import sign_in
    from bridge.scheduling.models import Attendance, Session

    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    now = timezone.now()
    accounts = ParticipantAccount.objects.filter(participant__program=demo.program).select_related(
        "participant"
    )
    signed_in: list[tuple[Client, str]] = []
    coming = (
        Attendance.objects.filter(
            session__starts_at__gt=now,
            session__status=Session.Status.SCHEDULED,
            # The sessions whose page offers "Can't come?" (the demo's next session of someone may
            # be an individual one, which offers a reschedule instead, depending on the time of day).
            session__kind__in=EXCUSABLE,
            participant__in=[
                a.participant for a in accounts if a.participant.status == "active" and a.participant.phone
            ],
        )
        .order_by("session__starts_at", "pk")
        .select_related("participant")
    )
    first = coming.first()
    if first is None:
        crawl.failures.append("no participant with an account and a coming session")
        return signed_in
    client = Client(raise_request_exception=False)
    sign_in(client, first.participant.phone)
    signed_in.append((client, "participant"))
    sessions = list(coming.filter(participant=first.participant).values_list("session_id", flat=True)[:2])
    for full, session_id in enumerate(sessions):
        page = f"/me/sessions/{session_id}/"
        crawl.submit_as(client, "excused absence", page, action=f"{page}excused/", full=bool(full))
    crawl.submit_as(client, "copy request", "/me/copy/", full=True)
    alumni = next(
        (a.participant for a in accounts if a.participant.status == "alumni" and a.participant.phone), None
    )
    if alumni is None:
        crawl.failures.append("no alumnus with an account")
        return signed_in
    alumni_client = Client(raise_request_exception=False)
    sign_in(alumni_client, alumni.phone)
    signed_in.append((alumni_client, "alumnus"))
    rsvp = None
    events = alumni_client.get("/me/events/")
    for form in parse_forms(events.content.decode()):
        if "/rsvp/" in form.action:
            rsvp = form.action
            break
    if rsvp is None:
        crawl.failures.append("no alumni event to answer on /me/events/")
    else:
        crawl.submit_as(alumni_client, "RSVP", "/me/events/", action=rsvp, full=True)
    return signed_in


def _crawl_every_page(crawl: Crawl, demo, before: dict[type[Model], set[Any]], chart: Any) -> int:
    new: dict[str, list[Model]] = {}
    for kwarg, (app, name) in MODELS.items():
        model = apps.get_model(app, name)
        pks = set(model.objects.values_list("pk", flat=True)) - before[model]
        new[kwarg] = list(model.objects.filter(pk__in=pks).order_by("pk"))
    participant = apps.get_model("participants", "Participant")
    added = set(participant.objects.values_list("pk", flat=True)) - before[participant]
    new["participant_id"] = list(participant.objects.filter(pk__in=added).order_by("pk"))
    base = {"program_id": demo.program.pk, "user_id": demo.staff["therapist1"].pk, "participant_id": chart}
    routes = [
        r
        for r in all_routes()
        if not r.pattern.startswith(("api/", "fhir/", "oauth/", ".well-known/")) and r.name not in SKIPPED
    ]
    opened = 0
    anonymous = Client(raise_request_exception=False)
    for login in [*demo.staff, None]:
        client = anonymous if login is None else crawl.as_(login)
        who = login or "anonymous"
        for route in routes:
            fillings = _fillings(route, new, base)
            for kwargs in fillings if login == EVERY_RECORD_LOGIN else fillings[:1]:
                url = reverse(route.name, kwargs=kwargs)
                response = client.get(url)
                opened += 1
                status = response.status_code
                if status in (200, 302, 403, 404):
                    continue
                if status == 405 and "GET" not in response.get("Allow", ""):
                    continue
                allowed = ALLOWED.get((route.name, who)) or ALLOWED.get((route.name, "*"))
                if allowed is not None and allowed[0] == status:
                    continue
                crawl.failures.append(f"GET {url} ({route.name}) as {who}: {status}")
    return opened


def _crawl_the_app(crawl: Crawl, signed_in: list[tuple[Client, str]]) -> int:
    """Every page of the participant app, as each participant who made requests in it."""
    from bridge.scheduling.models import Attendance

    opened = 0
    routes = [r for r in all_routes() if r.pattern.startswith("me/") and r.name not in SKIPPED]
    for client, who in signed_in:
        me = client.get("/me/account/")
        if me.status_code != 200:
            crawl.failures.append(f"{who} is not signed in to the app: {me.status_code}")
            continue
        participant = me.wsgi_request.portal_account.participant  # type: ignore[attr-defined]
        sessions = Attendance.objects.filter(participant=participant).order_by("-session__starts_at")
        first = sessions.values_list("session_id", flat=True).first()
        known = {"session_id": first} if first else {}
        for route in routes:
            url = reverse(route.name, kwargs=route.fill(**known))
            status = client.get(url).status_code
            opened += 1
            if status not in (200, 302, 403, 404) and not (status == 405 and "/me/" in url):
                crawl.failures.append(f"GET {url} ({route.name}) as {who}: {status}")
    return opened


def test_every_form_creates_its_record_and_every_page_opens_for_every_login(demo, settings):
    crawl = Crawl(client=Client(raise_request_exception=False), staff=demo.staff)
    before = _snapshot()
    chart = _create_everything(crawl, demo)
    _create_workflows(crawl, demo, chart)
    signed_in = _create_portal_requests(crawl, demo, settings)
    opened = _crawl_every_page(crawl, demo, before, chart)
    opened += _crawl_the_app(crawl, signed_in)
    assert opened > 1000
    assert crawl.failures == [], "\n".join(crawl.failures)


def test_the_crawl_fails_on_a_refused_form(demo):
    """The harness itself can fail: a form posted without its required text is reported."""
    crawl = Crawl(client=Client(raise_request_exception=False), staff=demo.staff)
    crawl.create(
        "participant",
        "director",
        reverse("participants:create"),
        both={"first_name": None},
        modes=(False,),
    )
    assert len(crawl.failures) == 1 and "first_name" in crawl.failures[0]
