"""Shared set-up for benchmark scripts: a throwaway database loaded with `bridge demo --scale N`."""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django(database_url: str | None, scale: int, *, fresh: bool = True) -> Path:
    """Point Django at a benchmark database (a new SQLite file unless a URL is given); load the demo.

    With BENCH_DB=/path/file.sqlite3 the SQLite file is kept: built (migrate + demo) when it does not
    exist, reused as it is when it does, so several benchmarks share one `--scale 50` database.
    """
    workdir = Path(tempfile.mkdtemp(prefix="bridge-bench-"))
    os.environ["BRIDGE_VAR_DIR"] = str(workdir)
    kept = os.environ.get("BENCH_DB") if not database_url else None
    reuse = bool(kept) and Path(kept).exists()  # type: ignore[arg-type]
    if kept:
        database_url = f"sqlite:///{Path(kept).resolve()}"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if reuse:
        from bridge.participants.models import Participant

        print(f"# reusing {kept}: {Participant.objects.count()} participants")
        return workdir
    if fresh and database_url and not kept:
        call_command("flush", interactive=False, verbosity=0)
    started, cpu = time.perf_counter(), time.process_time()
    call_command("migrate", verbosity=0)
    migrated = time.process_time()
    call_command("demo", scale=scale, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    elapsed = time.perf_counter() - started
    print(
        f"# demo --scale {scale} loaded in {elapsed:.1f} s (CPU: migrate {migrated - cpu:.1f} s, "
        f"demo {time.process_time() - migrated:.1f} s; {os.environ['DATABASE_URL']})"
    )
    return workdir


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Samples(list):
    """Wall-clock milliseconds per call, with the CPU milliseconds this process spent on each
    (`cpu`): on a shared, loaded machine wall-clock time is mostly waiting for a core."""

    cpu: list[float]


def timed(fn: Callable[[], object], repeat: int) -> Samples:
    """`repeat` calls of `fn`, wall-clock and CPU milliseconds each.

    What is loaded before the first call is frozen out of the garbage collector's way first, as
    bridge/wsgi.py does in each production worker after start-up (`gc.freeze()`); otherwise every full
    collection (every few dozen busy requests) scans the whole process and lands on one sample."""
    gc.freeze()
    samples = Samples()
    samples.cpu = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        samples.cpu.append((time.process_time() - cpu) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    line = (
        f"p50 {percentile(samples, 50):7.2f} ms  p95 {percentile(samples, 95):7.2f} ms  "
        f"mean {statistics.fmean(samples):7.2f} ms"
    )
    cpu = getattr(samples, "cpu", None)
    if cpu:
        line += f"  (cpu p50 {percentile(cpu, 50):.2f} ms, p95 {percentile(cpu, 95):.2f} ms)"
    return line
