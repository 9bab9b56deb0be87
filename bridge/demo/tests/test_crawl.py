"""Every page the demo links to, for every demo login, answers without an error.

Signs in as each persona, follows the links of each page it can open (a few of each URL pattern,
GET only; downloads, sign-out and machine endpoints left out) and fails on any 4xx or 5xx: a link
a user is shown must work for that user, and a 500 is always a bug.
"""

from __future__ import annotations

import collections
import re

from django.test import Client

from bridge.accounts.models import User

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = re.compile(r"(logout|/static/|\.csv|/pdf|\.pdf|download|/export|\.ics|/fhir/|/api/v1/docs)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PER_PATTERN = 2
LOGINS = [
    "director",
    "intake",
    "therapist1",
    "therapist2",
    "prescriber",
    "nurse",
    "frontdesk",
    "peer",
    "auditor",
    "billing",
]


def _crawl(username: str) -> tuple[set[str], list[tuple[int, str]]]:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    seen: set[str] = set()
    per_pattern: collections.Counter = collections.Counter()
    queue = collections.deque(["/"])
    broken = []
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 400:
            broken.append((response.status_code, url))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            pattern = UUID.sub("<id>", href.split("?")[0])
            if SKIP.search(href) or href in seen or per_pattern[pattern] >= PER_PATTERN:
                continue
            per_pattern[pattern] += 1
            queue.append(href)
    return seen, broken


def test_every_linked_page_works_for_each_login(demo):
    failures = {}
    for username in LOGINS:
        seen, broken = _crawl(username)
        assert len(seen) > 5, f"{username} reached only {sorted(seen)}"
        if broken:
            failures[username] = broken
    assert failures == {}, f"links that do not work: {failures}"
