"""The test suite itself: wall time, CPU time and the machine's load while it runs.

    .venv/bin/python -m bench.suite [--workers auto] [--database-url URL] [--durations 15]
    .venv/bin/python -m bench.suite --ci [--database-url URL]   # time the whole of .ci/run instead

Runs what `make test` runs (ruff check, then `pytest -n WORKERS`), or `.ci/run` with `--ci`, and
prints one Markdown table row for docs/benchmarks.md: wall time, the CPU time the run used (all
processes), the load average sampled every 5 s while it ran (other engineers' work on the same
two cores shows there), and the slowest tests. Compare wall times only between runs at similar
load; CPU time moves much less with the load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def _load_sampler(samples: list[float], stop: threading.Event) -> None:
    while not stop.wait(5):
        samples.append(float(Path("/proc/loadavg").read_text().split()[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="auto", help="pytest-xdist workers (auto: one per core)")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/bridge_bench")
    parser.add_argument("--durations", type=int, default=15, help="how many of the slowest tests to list")
    parser.add_argument("--ci", action="store_true", help="time .ci/run as a whole")
    args = parser.parse_args()

    env = dict(os.environ)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.ci:
        env["WORKERS"] = args.workers
        if args.database_url:
            env["CI_DATABASE_URL"] = env.pop("DATABASE_URL")
        steps = [["bash", str(ROOT / ".ci" / "run")]]
    else:
        pytest = [str(BIN / "pytest"), "-q", "-n", args.workers, f"--durations={args.durations}"]
        if args.database_url and args.database_url.startswith("postgres"):
            pytest.append("--create-db")
        steps = [[str(BIN / "ruff"), "check", "bridge", "bench", "conftest.py"], pytest]

    samples = [float(Path("/proc/loadavg").read_text().split()[0])]
    stop = threading.Event()
    sampler = threading.Thread(target=_load_sampler, args=(samples, stop), daemon=True)
    sampler.start()
    started = time.perf_counter()
    output = []
    code = 0
    for step in steps:
        run = subprocess.run(  # noqa: S603 - our own tools from .venv and .ci/run
            step, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        output.append(run.stdout + run.stderr)
        code = code or run.returncode
        if code:
            break
    wall = time.perf_counter() - started
    stop.set()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = "\n".join(output)
    if code:
        print(text[-4000:], file=sys.stderr)
    summary = re.findall(r"^=* ?(\d+ (?:passed|failed).*?) in [\d.]+s", text, re.MULTILINE)
    slowest = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)", text, re.MULTILINE)

    steps_seen = re.findall(r"^== (.+) \((\d+) s\) ==$", text, re.MULTILINE)
    database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    what = ".ci/run" if args.ci else f"make test ({database})"
    print(f"# {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, workers {args.workers}, exit {code}")
    print("| run | tests | wall | CPU (user + sys) | load average during the run (min / mean / max) |")
    print("|---|---|---|---|---|")
    print(
        f"| {what} | {' / '.join(summary) or '?'} | {wall / 60:.1f} min ({wall:.0f} s) "
        f"| {(cpu.ru_utime + cpu.ru_stime) / 60:.1f} min "
        f"| {min(samples):.1f} / {statistics.mean(samples):.1f} / {max(samples):.1f} |"
    )
    if steps_seen:
        print("\nSteps of .ci/run (seconds from its start):\n")
        for name, at in steps_seen:
            print(f"- {at} s: {name}")
    if slowest:
        print("\nSlowest tests (wall, on a shared machine):\n")
        for seconds, phase, test in slowest[: args.durations]:
            print(f"- {seconds} s {phase} `{test}`")
    sys.exit(code)


if __name__ == "__main__":
    main()
