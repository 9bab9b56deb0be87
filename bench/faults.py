"""Faults on a production-profile Bridge: kill -9 the app server and the worker mid-write and mid-export.

    .venv/bin/python -m bench.faults [--users 8] [--seconds 30] [--scale 2] [--lease 15]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_faults] [--keep]

The same set-up as bench/load.py (demo in its own PostgreSQL database, gunicorn with
BRIDGE_PROFILE=production, staff signed in with password and TOTP), plus `bridge worker`. Then:

1. **App server killed mid-write**: staff save notes, group notes and attendance with no think
   time; twice during the run the whole gunicorn process group gets SIGKILL and is started again.
   Every acknowledged save is read back at the end (lost writes must be 0).
2. **App server killed mid-export**: a system-level FHIR `$export` is started; while the worker runs
   it gunicorn is killed and restarted; the export must finish, its files must be 0600 and hold
   every resource the manifest counts.
3. **Worker killed mid-export**: another `$export`; the worker gets SIGKILL while the export is
   running (its partial files on disk), and is started again. Within the lease
   (`BRIDGE_JOB_LEASE_SECONDS`, set to --lease for the run) the status URL must say the worker was
   lost, and the partial files must be gone; a new export must then complete.
4. `bridge audit verify` must pass (the hash chain survived the kills).

Prints each check as PASS/FAIL with its figures and exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.live import (
    PROXY_HEADERS,
    bridge_command,
    create_database,
    drop_database,
    enroll_totp,
    gunicorn,
    production_env,
    setup,
    wait_healthy,
    worker,
)
from bench.load import (
    DIRECTOR_TOKEN,
    Ledger,
    Results,
    Totp,
    drive,
    logins,
    lost_writes,
    sign_in_all,
)

FHIR = {**PROXY_HEADERS, "Authorization": f"Bearer {DIRECTOR_TOKEN}", "Accept": "application/fhir+json"}
checks: list[tuple[bool, str]] = []


def check(ok: bool, text: str) -> None:
    checks.append((ok, text))
    print(f"{'PASS' if ok else 'FAIL'} {text}", flush=True)


def kickoff(base: str) -> str:
    r = requests.get(
        base + "/fhir/$export", headers={**FHIR, "Prefer": "respond-async"}, timeout=30, allow_redirects=False
    )
    if r.status_code != 202:
        raise SystemExit(f"$export answered {r.status_code}: {r.text[:300]}")
    return r.headers["Content-Location"].rsplit("/", 1)[1]


def wait_running(job_id: str, timeout: float = 120) -> float:
    """Until the worker has written part of the export (status running, some progress); returns seconds."""
    from bridge.fhir.models import ExportJob

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        job = ExportJob.objects.filter(pk=job_id).values("status", "progress").first()
        if job and job["status"] == ExportJob.Status.RUNNING and job["progress"]:
            return time.perf_counter() - started
        if job and job["status"] not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            raise SystemExit(f"export {job_id} ended ({job['status']}) before it could be interrupted")
        time.sleep(0.02)
    raise SystemExit(f"export {job_id} did not start within {timeout:.0f} s (is the worker running?)")


def poll(base: str, job_id: str, timeout: float) -> tuple[requests.Response | None, float]:
    """The status URL until it stops answering 202 (or the time runs out)."""
    started = time.perf_counter()
    last = None
    while time.perf_counter() - started < timeout:
        try:
            last = requests.get(f"{base}/fhir/$export-status/{job_id}", headers=FHIR, timeout=30)
        except requests.RequestException:
            last = None
        if last is not None and last.status_code != 202:
            break
        time.sleep(1)
    return last, time.perf_counter() - started


def code(response: requests.Response | None) -> str:
    return "no answer" if response is None else str(response.status_code)


def restart(process, base: str | None = None) -> float:
    """SIGKILL the process group and start it again; seconds until it serves again (gunicorn)."""
    process.kill9()
    started = time.perf_counter()
    process.start()
    if base:
        wait_healthy(base)
    return time.perf_counter() - started


def phase_writes(base, names, totp, server, seconds: float) -> None:
    results, ledger = Results(), Ledger()
    actors = sign_in_all(base, names, totp, results, ledger, writes_only=True)
    outages: list[float] = []

    def killer() -> None:
        for _ in range(2):
            time.sleep(seconds / 3)
            outages.append(restart(server, base))

    thread = threading.Thread(target=killer)
    thread.start()
    elapsed, total = drive(actors, seconds, results)
    thread.join()
    lost = lost_writes(ledger)
    failed = sum(results.errors.values())
    print(
        f"# {total} requests in {elapsed:.0f} s; gunicorn killed twice (back after "
        f"{', '.join(f'{s:.1f} s' for s in outages)}); {failed} requests failed while it was down"
    )
    for line in lost[:10]:
        print(f"LOST {line}")
    check(
        ledger.count > 0 and not lost,
        f"app server killed mid-write: {ledger.count} acknowledged saves ({len(ledger.acked)} records), "
        f"{len(lost)} lost",
    )


def files_ok(base: str, manifest: dict, workdir: Path, job_id: str) -> tuple[bool, str]:
    folder = workdir / "exports" / job_id
    modes = {oct(stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()} if folder.exists() else set()
    counted = written = 0
    for out in manifest["output"]:
        r = requests.get(out["url"].replace("https://", "http://"), headers=FHIR, timeout=60)
        counted += out["count"]
        written += sum(1 for line in r.text.splitlines() if line.strip())
    ok = counted == written and counted > 0 and modes == {"0o600"}
    files = len(manifest["output"])
    return ok, f"{files} files, {written} of {counted} resources read back, file modes {modes}"


def phase_export_server(base: str, server, workdir: Path) -> None:
    job = kickoff(base)
    wait_running(job)
    down = restart(server, base)
    response, waited = poll(base, job, 300)
    if response is None or response.status_code != 200:
        check(False, f"app server killed mid-export: status answered {code(response)}")
        return
    ok, what = files_ok(base, response.json(), workdir, job)
    check(ok, f"app server killed mid-export (back in {down:.1f} s), done {waited:.0f} s after: {what}")


def phase_export_worker(base: str, wkr, workdir: Path, lease: int) -> None:
    job = kickoff(base)
    wait_running(job)
    wkr.kill9()
    folder = workdir / "exports" / job
    partial = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    wkr.start()
    response, waited = poll(base, job, lease + 120)
    said = ""
    if response is not None:
        try:
            said = " ".join(i.get("diagnostics", "") for i in response.json().get("issue", []))
        except (ValueError, AttributeError):
            said = response.text[:200]
    lost_worker = response is not None and response.status_code == 422 and "worker" in said
    check(
        lost_worker and not folder.exists(),
        f"worker killed mid-export ({len(partial)} partial files on disk): status URL answered "
        f"{code(response)} after {waited:.0f} s (lease {lease} s): {said[:90]!r}; "
        f"partial files {'removed' if not folder.exists() else 'STILL THERE'}",
    )
    again = kickoff(base)
    response, waited = poll(base, again, 300)
    ok = response is not None and response.status_code == 200
    if ok:
        detail = files_ok(base, response.json(), workdir, again)[1]
    else:
        detail = f"{code(response)} {response.text[:200] if response is not None else ''}"
    check(ok, f"a new export after the worker's restart finished in {waited:.0f} s: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30, help="length of the mid-write phase")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--lease", type=int, default=15, help="BRIDGE_JOB_LEASE_SECONDS for the run")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_faults")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it next time)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bridge-faults-"))
    create_database(args.database_url, fresh=not args.keep)
    extra = {"BRIDGE_JOB_LEASE_SECONDS": str(args.lease)}
    os.environ.update(extra)  # this process's Django too
    server = wkr = None
    try:
        setup(args.database_url, args.scale, workdir)
        names = logins(args.users, args.scale)
        totp = Totp(enroll_totp(sorted(set(names))))
        server = gunicorn(args.database_url, workdir, args.port, args.workers)
        server.env.update(extra)
        wkr = worker(args.database_url, workdir, args.port, extra)
        server.start()
        wkr.start()
        base = f"http://127.0.0.1:{args.port}"
        wait_healthy(base)
        print(f"# gunicorn --workers {args.workers} + bridge worker, production profile, {base}", flush=True)
        phase_writes(base, names, totp, server, args.seconds)
        phase_export_server(base, server, workdir)
        phase_export_worker(base, wkr, workdir, args.lease)
        env = {**os.environ, **production_env(args.database_url, workdir, args.port)}
        verify = bridge_command(["audit", "verify"], env=env, capture_output=True, text=True)
        said = (verify.stdout + verify.stderr).strip().splitlines()
        last = said[-1] if said else ""
        check(verify.returncode == 0, f"bridge audit verify: exit {verify.returncode}: {last}")
    finally:
        for process in (server, wkr):
            if process is not None:
                process.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [text for ok, text in checks if not ok]
    print(f"\nRESULT {len(checks) - len(failed)} of {len(checks)} checks passed")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
