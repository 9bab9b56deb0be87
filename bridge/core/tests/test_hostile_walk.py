"""The hostile-input walk (issue 21): every form a page shows, every JSON API operation and every
FHIR search parameter gets boundary dates (0001-01-01, 9999-12-31), NUL bytes, a megabyte of text,
right-to-left text and emoji. Never a 500; refusals are a clear 400 (or the form again, naming the
field); and afterwards nothing is stored out of range: `bridge check-records` finds nothing new and
no text column holds more than its limit.

One login per role walks the demo (the pages it can reach, one page of each kind), so a form is
walked as the people who use it see it. The pieces of the walk are in bridge/testing/hostile.py.
"""

from __future__ import annotations

import collections
import json
import re
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from bridge.core.records import all_findings
from bridge.testing import hostile

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(
    r"(logout|sign-out|/static/|\.csv|/pdf|\.pdf|download|/export|\.ics|/fhir/|/api/|keepalive|"
    r"\.json|/print/|copy\.|/scan/file)"
)
# One login per role (the demo's; therapist2 and the second of a kind add nothing new).
LOGINS = [
    "auditor",
    "billing",
    "frontdesk",
    "peer",
    "nurse",
    "prescriber",
    "intake",
    "therapist1",
    "director",
]
REFUSED_BY_MIDDLEWARE = {"NUL", "1 MB"}


def _findings() -> set[tuple[str, str, str, str]]:
    return {(f.app, f.model, str(f.pk), f.problem) for f in all_findings()}


def _crawl(client: Client, start: list[str]) -> tuple[list[hostile.Form], list[str]]:
    """Pages reachable from `start` (one of each URL pattern) and the forms on them."""
    seen: set[str] = set()
    patterns: set[str] = set()
    queue = collections.deque(start)
    forms: dict[Any, hostile.Form] = {}
    errors = []
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"GET {url}: {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in hostile.forms_on(url, html):
            if not SKIP.search(form.action):
                forms.setdefault(form.key, form)
        for href in HREF.findall(html):
            href = href.replace("&amp;", "&")
            pattern = hostile.UUID.sub("<id>", href.split("?")[0])
            if SKIP.search(href) or href in seen or pattern in patterns:
                continue
            patterns.add(pattern)
            queue.append(href)
    return list(forms.values()), errors


def _submit(client: Client, form: hostile.Form, data: dict) -> Any:
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


def test_every_form_survives_hostile_input_and_stores_nothing_out_of_range(demo, settings):
    settings.BRIDGE_CALLBACK_RATE = settings.BRIDGE_PUBLIC_API_RATE = "100000/min"
    before = _findings()
    assert hostile.text_beyond_limits() == []
    problems: list[str] = []
    walked: set[Any] = set()
    answers: collections.Counter = collections.Counter()  # (variant, status): printed with -s
    logins = [(username, demo.staff[username]) for username in LOGINS]
    for username, user in [*logins, ("anonymous", None)]:
        client = Client(raise_request_exception=False)
        start = ["/"]
        if user is None:
            start = [reverse("intake:self_check_choose"), reverse("directory:search")]
        else:
            client.force_login(user)
        forms, errors = _crawl(client, start)
        problems += [f"{username} {e}" for e in errors]
        for form in forms:
            if form.key in walked:
                continue
            walked.add(form.key)
            if user is not None:
                client.force_login(user)  # a walked form may have signed the login out
            for label, data in form.variants():
                response = _submit(client, form, data)
                answers[label, response.status_code] += 1
                where = f"{username} {form.method.upper()} {form.action} ({label}, from {form.page})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif label in REFUSED_BY_MIDDLEWARE and response.status_code != 400:
                    problems.append(f"{where}: {response.status_code}, not a 400")
    print(f"{len(walked)} forms walked:", sorted(answers.items()))
    assert len(walked) >= 120, f"the walk found only {len(walked)} forms"
    assert not problems, "\n".join(problems)
    assert _findings() - before == set()
    assert hostile.text_beyond_limits() == []


# --- The JSON API -------------------------------------------------------------------------------------


def _known_ids(demo) -> dict[str, str]:
    from bridge.directory.models import Facility
    from bridge.scheduling.models import GroupSeries, Session

    session = Session.objects.filter(program=demo.program).order_by("starts_at").last()
    series = GroupSeries.objects.filter(program=demo.program).first()
    listing = Facility.objects.first()
    participant = demo.participants[0]
    assert session and series and listing
    return {
        "session_id": str(session.pk),
        "series_id": str(series.pk),
        "participant": str(participant.pk),
        "participant_id": str(participant.pk),
        "listing_id": str(listing.pk),
        "staff": str(session.staff_id),
        "program": str(demo.program.pk),
        "code": "PHQ9",
        "week": "2026-W48",
        "moment": session.starts_at.isoformat(),
        "date": session.starts_at.date().isoformat(),
    }


API_TEXTS = {"NUL": hostile.NUL, "1 MB": hostile.HUGE, "RTL": hostile.RTL, "emoji": hostile.EMOJI}


def _api_variants(spec: dict, op: dict, known: dict[str, str]):
    """(label, path params, query, body) of each hostile call of one operation."""
    params = op.get("parameters", [])
    path = {p["name"]: known.get(p["name"], "x") for p in params if p["in"] == "path"}
    query_text = [p["name"] for p in params if p["in"] == "query" and p["schema"].get("format") != "uuid"]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    body = hostile.sample(spec, schema, "", known) if schema else None
    found = list(hostile.leaves(spec, schema)) if schema else []
    dates = [p for p, kind in found if kind != "text"]
    texts = [p for p, kind in found if kind == "text"]
    for label, day in (("year 1", hostile.ANCIENT), ("year 9999", hostile.FAR)):
        if dates:
            varied = json.loads(json.dumps(body))
            for p, kind in found:
                if kind != "text":
                    hostile.put(varied, p, day + ("T23:59:00-08:00" if kind == "date-time" else ""))
            yield label, path, {}, varied
    for label, value in API_TEXTS.items():
        varied = json.loads(json.dumps(body)) if body is not None else None
        for p in texts:
            hostile.put(varied, p, value)
        query = {name: value for name in query_text}
        if texts or query:
            yield label, path, query, varied
        if "code" in path:  # a text path parameter
            yield f"{label} in the path", {**path, "code": value[:2000]}, {}, body


def test_every_api_operation_survives_hostile_input(demo, settings):
    settings.BRIDGE_PUBLIC_API_RATE = "100000/min"
    before = _findings()
    spec = Client().get("/api/v1/openapi.json").json()
    known = _known_ids(demo)
    client = Client(raise_request_exception=False)
    client.force_login(demo.staff["director"])
    problems, calls = [], 0
    for route, ops in spec["paths"].items():
        for method, op in ops.items():
            for label, path, query, body in _api_variants(spec, op, known):
                url = route.format(**path)
                if method == "get":
                    response = client.get(url, query)
                else:
                    response = client.post(url, json.dumps(body), content_type="application/json")
                calls += 1
                where = f"{method.upper()} {route} ({label})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif response.status_code == 400 and "field" not in response.json().get("error", {}):
                    problems.append(f"{where}: a 400 that names no field: {response.content[:200]!r}")
                elif label.startswith("NUL") and response.status_code != 400:
                    problems.append(f"{where}: {response.status_code}, not a 400")
    assert calls >= 40
    assert not problems, "\n".join(problems)
    assert _findings() - before == set()
    assert hostile.text_beyond_limits() == []


# --- FHIR search parameters ---------------------------------------------------------------------------


def test_every_fhir_search_parameter_survives_hostile_input(demo):
    from bridge.fhir import services

    secret = services.token_create(
        actor=None, name="walk", scopes="user/*.read", user=demo.staff["director"]
    ).secret
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")
    capability = client.get("/fhir/metadata").json()
    resources = capability["rest"][0]["resource"]
    problems, calls = [], 0
    values = {
        "date": [hostile.ANCIENT, hostile.FAR, "ge9999-12-31T23:59:59-08:00", "lt0001-01-01"],
        "text": [hostile.NUL, "x" * 20_000, hostile.RTL, hostile.EMOJI],
    }
    for resource in resources:
        kind = resource["type"]
        for param in [*resource.get("searchParam", []), {"name": "_id", "type": "token"}]:
            for value in values["date" if param["type"] == "date" else "text"]:
                response = client.get(f"/fhir/{kind}", {param["name"]: value})
                calls += 1
                where = f"{kind}?{param['name']}={value[:30]!r}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif (
                    response.status_code >= 400 and response.json().get("resourceType") != "OperationOutcome"
                ):
                    problems.append(f"{where}: {response.status_code} without an OperationOutcome")
                elif "\x00" in value and response.status_code != 400:
                    problems.append(f"{where}: {response.status_code}, not a 400")
        for value in (hostile.RTL, hostile.EMOJI, "x" * 5000):
            response = client.get(f"/fhir/{kind}/{value}")
            calls += 1
            if response.status_code >= 500:
                problems.append(f"{kind}/{value[:30]!r}: {response.status_code}")
    assert len(resources) >= 8 and calls >= 100
    assert not problems, "\n".join(problems)


def test_the_text_limit_scan_finds_an_oversized_value(world):
    """The walk's stored-text check can fail: a value past its column's limit is reported."""
    from django.db import DataError, connection, transaction

    from bridge.participants.models import Participant

    limit = Participant._meta.get_field("first_name").max_length
    assert limit
    too_long = Participant.objects.filter(pk=world.alex.pk)
    if connection.vendor == "postgresql":
        # PostgreSQL enforces varchar lengths itself: the value never lands, the scan stays clean.
        with pytest.raises(DataError), transaction.atomic():
            too_long.update(first_name="x" * (limit + 1))
        assert hostile.text_beyond_limits() == []
        return
    too_long.update(first_name="x" * (limit + 1))
    assert hostile.text_beyond_limits() == ["participants.Participant.first_name: 1"]


def test_a_walked_form_sees_the_values_the_page_shows():
    html = """<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input type="date" name="on" value="2026-01-02"><textarea name="note" maxlength="10">hi</textarea>
    <select name="kind"><option value="">--</option><option value="a">A</option></select>
    <input type="checkbox" name="c" value="1" checked>
    <button name="action" value="save">Save</button></form>"""
    (form,) = hostile.forms_on("/page/", html)
    expected = {"csrfmiddlewaretoken": "t", "on": "2026-01-02", "note": "hi", "kind": "a", "c": "1"}
    assert form.base() == {**expected, "action": "save"}
    labels = [label for label, _ in form.variants()]
    assert labels == ["year 1", "year 9999", "NUL", "1 MB", "RTL", "emoji", "over maxlength"]
    assert dict(form.variants())["year 9999"]["on"] == "9999-12-31"
    assert dict(form.variants())["over maxlength"]["note"] == "é" * 11


def test_a_query_parameter_longer_than_any_search_is_a_400_naming_it(world, login):
    client = login(world.auditor)
    response = client.get("/audit/", {"actor": "x" * 5000})
    assert response.status_code == 400 and response.content.startswith(b"actor:")
    assert client.get("/audit/", {"actor": "x" * 100}).status_code == 200


# --- The participant app and the private links -------------------------------------------------------


def _private_links(demo) -> list[str]:
    """One page of each private link a participant is sent: a questionnaire, their aftercare plan,
    a follow-up check-in, a document to sign on their phone."""
    from bridge.aftercare import followup
    from bridge.aftercare import services as aftercare
    from bridge.aftercare.models import AftercarePlan, CheckIn
    from bridge.measures.services import measure_link_create
    from bridge.participants.models import Participant
    from bridge.privacy.signing import notice_signature_request

    director = demo.staff["director"]
    # A participant with an open app account is led from a private link into the app (bridge/portal/links.py);
    # the link pages themselves are walked with someone who has no app account.
    in_care = Participant.objects.filter(program=demo.program, status="active").order_by("pk")
    active = (
        in_care.filter(Q(portal_account__isnull=True) | Q(portal_account__closed_at__isnull=False)).first()
        or in_care.first()
    )
    plans = AftercarePlan.objects.filter(participant__program=demo.program).order_by("pk")
    # The plan's and the check-in's links lead into the app too (i19a): walk them for someone without
    # an open account.
    no_app = Q(participant__portal_account__isnull=True)
    no_app |= Q(participant__portal_account__closed_at__isnull=False)
    plan = plans.filter(no_app).first() or plans.first()
    checkins = CheckIn.objects.filter(
        discharge__participant__program=demo.program, completed_at__isnull=True
    ).order_by("due_on")
    checkin = checkins.filter(no_app).first() or checkins.first()
    assert active and plan and checkin, "the demo has an active chart, an aftercare plan and a check-in due"
    _, measure = measure_link_create(actor=director, participant=active, instrument="PHQ-9")
    _, plan_token = aftercare.plan_link_create(actor=director, plan=plan)
    _, sign = notice_signature_request(actor=director, participant=active, channel="phone")
    return [
        reverse("measures:respond", args=[measure]),
        reverse("aftercare:public_plan", args=[plan_token]),
        reverse("aftercare:public_checkin", args=[followup.checkin_link_create(checkin=checkin)]),
        reverse("privacy:sign", args=[sign]),
    ]


def test_the_participant_app_and_private_links_survive_hostile_input(demo, settings):
    """The walk as a participant signed in to the app (/me/...), an alumnus (their events), and
    whoever holds a private link (/m/, /my-plan/, /check-in/, /sign/): the same variants, the same
    rules, nothing stored out of range."""
    from bridge.portal.models import ParticipantAccount
    from bridge.portal.tests.conftest import sign_in

    settings.BRIDGE_SMS_SENDER = "bridge.notify.sms.MemorySmsSender"
    settings.BRIDGE_CALLBACK_RATE = settings.BRIDGE_PUBLIC_API_RATE = "100000/min"
    before = _findings()
    accounts = ParticipantAccount.objects.filter(participant__program=demo.program).select_related(
        "participant"
    )
    who = {}
    for status in ("active", "alumni"):
        who[status] = next(
            a.participant for a in accounts if a.participant.status == status and a.participant.phone
        )
    problems: list[str] = []
    walked: set[Any] = set()
    links = _private_links(demo)
    visitors: list[tuple[str, Client, list[str]]] = []
    for status, participant in who.items():
        client = Client(raise_request_exception=False)
        sign_in(client, participant.phone)
        visitors.append((f"participant ({status})", client, ["/me/"]))
    visitors.append(("link holder", Client(raise_request_exception=False), links))
    for label, client, start in visitors:
        forms, errors = _crawl(client, start)
        problems += [f"{label} {e}" for e in errors]
        for form in forms:
            if form.key in walked or "sign-out" in form.action:
                continue
            walked.add(form.key)
            for variant, data in form.variants():
                response = _submit(client, form, data)
                where = f"{label} {form.method.upper()} {form.action} ({variant}, from {form.page})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif variant in REFUSED_BY_MIDDLEWARE and response.status_code != 400:
                    problems.append(f"{where}: {response.status_code}, not a 400")
    assert not problems, "\n".join(problems)
    actions = {form_key[1] for form_key in walked}
    # The demo's participants in care all have the app, so their /m/ and /sign/ links lead into it (the
    # forms there are walked as /me/ pages); the link pages' own forms are left to their apps' tests.
    for expected in ("/me/copy/", "/me/language/", "/me/sessions/"):
        assert any(expected in action for action in actions), f"no form at {expected}: {sorted(actions)}"
    assert _findings() - before == set()
    assert hostile.text_beyond_limits() == []
