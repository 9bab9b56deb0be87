"""FHIR Bulk Data export throughput and memory at `bridge demo --scale N`.

    .venv/bin/python -m bench.export [--scale 50] [--database-url postgres://...]

Runs the worker's export (bridge/fhir/export.py) in-process for a system-level `$export` with the
demo director's user token (every resource type), twice: once plain for resources per second, once
under tracemalloc for the peak Python heap while streaming. A flat export keeps that peak roughly
the same whatever the scale; compare two scales.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from bench.common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    from bridge.core.tokens import token_hash as hash_token
    from bridge.fhir import demo, export
    from bridge.fhir.models import ApiToken, ExportJob
    from bridge.fhir.registry import TYPES

    token = ApiToken.objects.get(token_hash=hash_token(demo.DIRECTOR_TOKEN))

    def one_run() -> tuple[int, float]:
        job = ExportJob.objects.create(
            token=token, level=ExportJob.Level.SYSTEM, types=list(TYPES), request_url="bench"
        )
        started = time.perf_counter()
        assert export.run(str(job.pk)) == ExportJob.Status.DONE
        elapsed = time.perf_counter() - started
        return sum(f.count for f in job.files.all()), elapsed

    count, elapsed = one_run()
    per_type = {f.resource_type: f.count for f in ExportJob.objects.latest("created_at").files.all()}
    print(f"# {count} resources: " + ", ".join(f"{k} {v}" for k, v in sorted(per_type.items())))
    print(f"throughput: {count / elapsed:8.0f} resources/s ({elapsed:.2f} s)")
    tracemalloc.start()
    one_run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python heap while exporting: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
