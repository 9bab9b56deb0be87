"""Public directory at 20,000 facilities: import, radius search with filters, comparison page.

    .venv/bin/python -m bench.directory [--facilities 20000] [--repeat 300] [--database-url postgres://...]

Loads the demo (which imports the shared SAMHSA files and publishes the demo program's live
listing), then writes a National Directory code CSV of synthetic facilities and imports it with
`bridge directory import` (timed, then re-imported to time the unchanged path). Facilities are
spread over the country at real ZIP code centers (uniform over ZIP codes, so denser where ZIP
codes are denser), each with the service codes of a real facility from the shared data drawn at
random: the real data's density of services. Requests go through Django's test client (the
full middleware stack, templates and database; no network), anonymous like a member of the public.
Besides wall-clock latency it prints the CPU time the benchmark process spent per request, which
stays comparable when other work shares the machine's two cores (the load average is printed).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import tempfile
import time
from pathlib import Path

from bench.common import percentile, setup_django, summary, timed

SEED = 8
RESULTS = re.compile(r">(\d+) programs? within ")


def _write_facilities(path: Path, count: int, rng: random.Random) -> None:
    import zipcodes

    from bridge.directory import geo
    from bridge.directory.models import Facility

    zips = [
        z
        for z in zipcodes.list_all()
        if z["active"] and z["zip_code_type"] == "STANDARD" and geo.zip_centroid(z["zip_code"]) is not None
    ]
    code_sets = [f.service_codes.split() for f in Facility.objects.all()]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["name1", "name2", "street1", "street2", "city", "state", "zip", "phone", "intake1", "latitude",
             "longitude", "service_code_info"]
        )  # fmt: skip
        for i in range(count):
            z = rng.choice(zips)
            lat = float(z["lat"]) + rng.uniform(-0.02, 0.02)
            lon = float(z["long"]) + rng.uniform(-0.02, 0.02)
            writer.writerow(
                [f"Synthetic Recovery Center {i:05d}", "", f"{rng.randint(1, 9999)} Main St", "", z["city"],
                 z["state"], z["zip_code"], f"555-{i % 10000:04d}", "", f"{lat:.6f}", f"{lon:.6f}",
                 " ".join(rng.choice(code_sets))]
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facilities", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, scale=1)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bridge.directory import geo, services
    from bridge.directory.models import Facility, ProgramProfile

    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="bridge-directory-") as folder:
        path = Path(folder) / "synthetic_national_directory.csv"
        _write_facilities(path, args.facilities, rng)
        started = time.perf_counter()
        report = services.facility_import(path=path)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = services.facility_import(path=path)
        second = time.perf_counter() - started
    total = Facility.objects.count()
    print(
        f"# import of {args.facilities:,} rows: {first:.1f} s (added {report.run.added:,}); "
        f"re-import {second:.1f} s (unchanged {again.run.unchanged:,}); {total:,} facilities in all"
    )
    iop = Facility.objects.filter(service_codes__contains=" IOP ").count()
    print(f"# {iop / total:.0%} list intensive outpatient; {args.repeat} requests per case\n")

    geo.locate("94607")  # load the ZIP table once, as a running server would have
    client = Client()
    origins = [f.zip_code for f in Facility.objects.order_by("?")[:200]]
    ids = list(Facility.objects.values_list("pk", flat=True))
    live = ProgramProfile.objects.filter(published=True).values_list("program_id", flat=True).first()

    def search(radius: int, filters: dict) -> str:
        params = {"where": rng.choice(origins), "radius": radius, **filters}
        return "/find/?" + "&".join(f"{k}={v}" for k, v in params.items())

    three = {"setting": "iop", "payment": "MD", "mat": "buprenorphine"}
    cases = {
        "search, 25 mi, no filter": lambda: search(25, {}),
        "search, 25 mi + 3 filters": lambda: search(25, three),
        "search, 50 mi + 3 filters": lambda: search(50, three),
        "search, 100 mi + 3 filters": lambda: search(100, three),
        "search, 100 mi, no filter": lambda: search(100, {}),
        "compare, 4 imported": lambda: "/find/compare/?" + "&".join(f"id={i}" for i in rng.sample(ids, 4)),
        "compare, 3 imported + 1 live": lambda: (
            "/find/compare/?" + "&".join(f"id={i}" for i in [*rng.sample(ids, 3), live])
        ),
        "program page, live": lambda: f"/find/{live}/",
    }
    print(f"{'case':30} {'wall-clock latency':50} {'cpu time of this process (ms)':30} queries  results")
    for label, url_for in cases.items():
        for _ in range(5):  # warm-up
            assert client.get(url_for()).status_code == 200
        queries: list[int] = []
        found: list[int] = []

        def one(url_for=url_for, queries=queries, found=found):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url_for())
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))
            match = RESULTS.search(response.content.decode())
            found.append(int(match.group(1)) if match else 0)

        cpu: list[float] = []

        def measured(one=one, cpu=cpu):
            started = time.process_time()
            one()
            cpu.append((time.process_time() - started) * 1000)

        samples = timed(measured, args.repeat)
        print(
            f"{label:30} {summary(samples):50} "
            f"cpu p50 {percentile(cpu, 50):6.2f} p95 {percentile(cpu, 95):6.2f}  "
            f"{percentile(queries, 50):.0f} (max {max(queries)})  "
            + (f"median {percentile(found, 50):.0f}" if any(found) else "")
        )
    print(f"\n# load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


if __name__ == "__main__":
    main()
