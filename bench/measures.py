"""Measurement-based care latency and query counts at `bridge demo --scale N`.

    .venv/bin/python -m bench.measures [--scale 20] [--repeat 100] [--database-url postgres://...]

Through Django's test client (no network): the participant page as the chart (with the Measures
section and its SVG trends), the Measures page, the clinician's home page (measures due) and the
public link page. Prints p50/p95 latency and queries per request.
"""

from __future__ import annotations

import argparse
import random

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
    from bridge.intake.models import InstrumentAdministration
    from bridge.measures import services
    from bridge.participants.models import CareTeamMember, Participant

    primaries = CareTeamMember.objects.filter(
        team_role="primary", ended_at__isnull=True, participant__episodes__status="active"
    )
    therapist = User.objects.get(
        pk=primaries.values_list("staff_id", flat=True).order_by("staff__username").first()
    )
    caseload = list(primaries.filter(staff=therapist).values_list("participant_id", flat=True))
    results = InstrumentAdministration.objects.filter(participant_id__in=caseload, screening__isnull=True)
    someone = Participant.objects.get(pk=caseload[0])
    tokens = [
        services.measure_link_create(actor=therapist, participant=someone, instrument="PHQ-9")[1]
        for _ in range(args.repeat + 3)
    ]
    rng = random.Random(7)
    clinician, anonymous = Client(), Client()
    clinician.force_login(therapist)
    print(f"# {len(caseload)} active participants on {therapist.username}'s caseload", end="; ")
    print(f"{results.count()} measure results among them\n")
    pages = {
        "chart (participant page)": (clinician, lambda: f"/participants/{rng.choice(caseload)}/"),
        "measures page": (clinician, lambda: f"/participants/{rng.choice(caseload)}/measures/"),
        "home, therapist": (clinician, lambda: "/"),
        "public link page (GET)": (anonymous, lambda: f"/m/{tokens.pop()}/"),
    }
    print(f"{'page':30} {'latency':50} queries")
    for label, (client, url_for) in pages.items():
        for _ in range(3):
            assert client.get(url_for()).status_code == 200
        queries: list[int] = []

        def one(client=client, url_for=url_for, queries=queries):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url_for())
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))

        samples = timed(one, args.repeat)
        print(f"{label:30} {summary(samples):50} {percentile(queries, 50):.0f} (max {max(queries)})")


if __name__ == "__main__":
    main()
