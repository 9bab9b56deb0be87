"""Intake figures at `bridge demo --scale 50`: scoring, the rules, the public API and intake pages.

    .venv/bin/python -m bench.intake [--scale 50] [--repeat 200] [--database-url postgres://...]

Pure scoring and the placement rules are timed in-process; the JSON API and the staff pages go
through Django's test client (full middleware, templates, database; no network). Prints p50/p95
and queries per request.
"""

from __future__ import annotations

import argparse
import json
import random

from bench.common import percentile, setup_django, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridge import instruments
    from bridge.accounts.models import User
    from bridge.intake.models import Screening
    from bridge.placement import recommend_from_input

    settings.BRIDGE_PUBLIC_API_RATE = "1000000/min"  # measure the work, not the limiter
    rng = random.Random(7)

    def answers(code: str):
        inst = instruments.get(code)
        if inst.response_format == "criteria":
            return {
                "substance_class": "alcohol",
                "taken_solely_under_appropriate_medical_supervision": False,
                **{i.key: rng.random() < 0.5 for i in inst.items},
            }
        values = [rng.choice(i.allowed_values) for i in inst.items]
        skipped = inst.skip_rule(values) if inst.skip_rule else set()
        return [0 if i.key in skipped else v for i, v in zip(inst.items, values, strict=True)]

    cases = [(c, answers(c)) for c in instruments.CODES for _ in range(20)]
    print(f"{'in-process':34} {'latency':50}")
    samples = timed(
        lambda: [instruments.score(c, r, sex="male") for c, r in cases], max(args.repeat // 10, 10)
    )
    per_call = [s * 1000 / len(cases) for s in samples]  # µs per score
    p50, p95 = percentile(per_call, 50), percentile(per_call, 95)
    print(f"{'score one administration':34} p50 {p50:7.1f} µs  p95 {p95:7.1f} µs")
    placement_body = {
        "COWS": answers("COWS"),
        "DSM-5-SUD": answers("DSM-5-SUD"),
        "PHQ-9": answers("PHQ-9"),
        "C-SSRS-Screener": [1, 1, 0, 0, 0, 0, 0],
    }
    context = {"home_active_substance_use": False, "stable_housing": True, "readiness": "action"}
    rec = timed(
        lambda: recommend_from_input(age=30, instruments=placement_body, context=context), args.repeat
    )
    print(f"{'placement recommendation':34} {summary(rec):50}")

    client = Client()
    intake = Client()
    intake.force_login(User.objects.get(username="intake"))
    intake.get("/")
    screening = Screening.objects.filter(status__in=["in_progress", "decided"]).order_by("started_at").first()
    placement_page = f"/participants/{screening.participant_id}/intake/{screening.pk}/placement/"
    hub = f"/participants/{screening.participant_id}/intake/"

    requests = {
        "GET /api/v1/instruments": (client, lambda: client.get("/api/v1/instruments")),
        "POST /api/v1/instruments/{code}/score": (
            client,
            lambda: client.post(
                "/api/v1/instruments/PHQ-9/score",
                json.dumps({"responses": answers("PHQ-9")}),
                content_type="application/json",
            ),
        ),
        "POST /api/v1/placement": (
            client,
            lambda: client.post(
                "/api/v1/placement",
                json.dumps({"age": 30, "instruments": placement_body, "context": context}),
                content_type="application/json",
            ),
        ),
        "intake list (intake, page 1)": (intake, lambda: intake.get("/intake/")),
        "screening hub": (intake, lambda: intake.get(hub)),
        "placement page": (intake, lambda: intake.get(placement_page)),
    }
    print(f"\n# {Screening.objects.count()} screenings; {args.repeat} requests each\n")
    print(f"{'request':38} {'latency':50} queries")
    for label, (_, call) in requests.items():
        for _ in range(5):
            assert call().status_code == 200, label
        queries: list[int] = []

        def one(call=call, queries=queries, label=label):
            with CaptureQueriesContext(connection) as ctx:
                response = call()
            assert response.status_code == 200, (label, response.status_code)
            queries.append(len(ctx.captured_queries))

        samples = timed(one, args.repeat)
        print(f"{label:38} {summary(samples):50} {percentile(queries, 50):.0f} (max {max(queries)})")


if __name__ == "__main__":
    main()
