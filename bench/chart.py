"""Chart-page latency and query counts at `bridge demo --scale N`.

    .venv/bin/python -m bench.chart [--scale 20] [--repeat 100] [--database-url postgres://...]

Through Django's test client (no network): the participant page as the chart (the primary
clinician's view), the notes list, the drug-screen trend, a group note's page and the clinician's
home page (plan reviews, unsigned notes). Prints p50/p95 latency, the CPU time this process spent
per request (meaningful on a shared, loaded machine, where wall-clock time is mostly waiting for a
core) and queries per request.

The chart paints first with its header, alerts, details and care team; the sections below load after
it (htmx, /participants/<id>/sections/<key>/). "chart (first paint)" is that first request; "chart
sections (all, per page)" is every lazy section of one page fetched one after the other, as one
sample. With BENCH_DB=/path/file.sqlite3 the database is built once and reused (see bench/common.py).
"""

from __future__ import annotations

import argparse
import random
import time

from bench.common import percentile, setup_django, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridge.accounts.models import User
    from bridge.clinical.models import Note
    from bridge.participants.models import CareTeamMember

    director = User.objects.get(username="director")
    primaries = CareTeamMember.objects.filter(
        team_role="primary", ended_at__isnull=True, participant__episodes__status="active"
    )
    therapist = User.objects.get(
        pk=primaries.values_list("staff_id", flat=True).order_by("staff__username").first()
    )
    caseload = list(primaries.filter(staff=therapist).values_list("participant_id", flat=True))
    groups = list(Note.objects.filter(kind="group").values_list("session_id", flat=True))
    rng = random.Random(7)
    clinician, boss = Client(), Client()
    clinician.force_login(therapist)
    boss.force_login(director)
    print(f"# {len(caseload)} active participants on {therapist.username}'s caseload", end="; ")
    print(f"{len(groups)} group notes\n")
    from bridge.testing.sections import lazy_urls

    def all_sections():
        pid = rng.choice(caseload)
        html = clinician.get(f"/participants/{pid}/").content.decode()
        return lazy_urls(html)

    pages = {
        "chart (first paint)": (clinician, lambda: f"/participants/{rng.choice(caseload)}/"),
        "chart sections (all, per page)": (clinician, None),
        "notes list": (clinician, lambda: f"/participants/{rng.choice(caseload)}/notes/"),
        "drug-screen trend": (clinician, lambda: f"/participants/{rng.choice(caseload)}/screens/"),
        "group note (director)": (boss, lambda: f"/groups/{rng.choice(groups)}/"),
        "home, therapist": (clinician, lambda: "/"),
        "home, director (supervision)": (boss, lambda: "/"),
    }
    print(f"{'page':32} {'wall-clock latency':50} {'cpu of this process (ms)':26} queries")
    for label, (client, url_for) in pages.items():
        queries: list[float] = []
        cpu: list[float] = []
        if url_for is None:
            prepared = [all_sections() for _ in range(args.repeat + 3)]

            def get(client=client, prepared=prepared):
                for section in prepared.pop():
                    response = client.get(section, headers={"HX-Request": "true"})
                    assert response.status_code == 200, (section, response.status_code)
        else:

            def get(client=client, url_for=url_for):
                response = client.get(url_for())
                assert response.status_code == 200, response.status_code

        for _ in range(3):
            get()

        def one(get=get, queries=queries, cpu=cpu):
            started = time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                get()
            cpu.append((time.process_time() - started) * 1000)
            queries.append(len(ctx.captured_queries))

        samples = timed(one, args.repeat)
        print(
            f"{label:32} {summary(samples):50} p50 {percentile(cpu, 50):6.2f} p95 {percentile(cpu, 95):6.2f}"
            f"   {percentile(queries, 50):.0f} (max {max(queries)})"
        )


if __name__ == "__main__":
    main()
