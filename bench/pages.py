"""Page latency and query counts at `bridge demo --scale 50`.

    .venv/bin/python -m bench.pages [--scale 50] [--repeat 200] [--database-url postgres://...]

Measures, through Django's test client (no network), the participant list and a participant page
as the director (who sees everyone) and the same for a minimal view (/healthz) in the same run:
the stack's ceiling. Prints p50/p95 latency and queries per request.
"""

from __future__ import annotations

import argparse
import random

from bench.common import percentile, setup_django, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridge.accounts.models import User
    from bridge.participants.models import Participant

    director = User.objects.get(username="director")
    client = Client()
    client.force_login(director)
    client.get("/")
    ids = list(Participant.objects.values_list("pk", flat=True))
    rng = random.Random(7)
    print(f"# {len(ids)} participants; {args.repeat} requests per page\n")

    pages = {
        "minimal view (/healthz)": lambda: "/healthz",
        "participant list (director)": lambda: "/participants/?page=" + str(rng.randint(1, 40)),
        "participant list, name search": lambda: "/participants/?q=" + rng.choice(["ma", "son", "li", "e"]),
        "participant page (director)": lambda: f"/participants/{rng.choice(ids)}/",
    }
    print(f"{'page':34} {'latency':50} queries")
    for label, url_for in pages.items():
        for _ in range(5):  # warm-up
            assert client.get(url_for()).status_code == 200
        queries: list[int] = []

        def one(url_for=url_for, queries=queries):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url_for())
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))

        samples = timed(one, args.repeat)
        print(f"{label:34} {summary(samples):50} {percentile(queries, 50):.0f} (max {max(queries)})")


if __name__ == "__main__":
    main()
