"""Faults on a production-profile Bridge: kill -9 the app server and the worker mid-write and mid-export.

    .venv/bin/python -m bench.faults [--users 8] [--seconds 30] [--scale 2] [--lease 15]
        [--outage 15] [--phases kills,database]
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
4. **Database unreachable**: gunicorn and the worker reach PostgreSQL through a TCP forwarder
   (bench/dbproxy.py; the shared PostgreSQL server is never stopped). While staff save with no think
   time, the forwarder cuts every connection and refuses new ones for --outage seconds, then comes
   back. During the outage pages must answer 503 with Retry-After (never 500), FHIR an
   OperationOutcome and the JSON API a JSON error, `/healthz?db=1` must say the database is
   unreachable; afterwards the same gunicorn (not restarted) must serve again by itself, and every
   acknowledged save must be read back.
5. `bridge audit verify` must pass (the hash chain survived the kills and the outage).

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

from bench.dbproxy import DatabaseProxy
from bench.live import (
    PROXY_HEADERS,
    Staff,
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


def probe_outage(base: str, staff: Staff) -> dict[str, str]:
    """What a page, FHIR, the JSON API and /healthz answer while the database is unreachable."""
    said: dict[str, str] = {}

    def ask(name: str, call, want_type: str, want_text: str) -> None:
        try:
            r = call()
        except requests.RequestException as exc:
            said[name] = f"FAIL {type(exc).__name__}"
            return
        kind = r.headers.get("Content-Type", "")
        ok = r.status_code == 503 and "Retry-After" in r.headers and want_type in kind and want_text in r.text
        retry = r.headers.get("Retry-After")
        said[name] = f"{'ok' if ok else 'FAIL'} {r.status_code} {kind.split(';')[0]} Retry-After={retry}"

    ask("page /", lambda: staff.get("/"), "text/html", "cannot reach its database")
    ask(
        "FHIR Patient search",
        lambda: requests.get(base + "/fhir/Patient?_count=1", headers=FHIR, timeout=30),
        "application/fhir+json",
        "OperationOutcome",
    )
    ask(
        "JSON API",
        lambda: requests.get(
            base + "/api/v1/schedule/sessions",
            headers={**PROXY_HEADERS, "Authorization": f"Bearer {DIRECTOR_TOKEN}"},
            timeout=30,
        ),
        "application/json",
        '"unavailable"',
    )
    ask(
        "/healthz?db=1",
        lambda: requests.get(base + "/healthz?db=1", headers=PROXY_HEADERS, timeout=30),
        "text/plain",
        "database unreachable",
    )
    return said


def phase_database(
    base, names, totp, server, wkr, proxy: DatabaseProxy, seconds: float, outage: float
) -> None:
    results, ledger = Results(), Ledger()
    actors = sign_in_all(base, names, totp, results, ledger, writes_only=True)
    prober = Staff(base=base, username=actors[0].plan.username, address="127.0.9.2")
    prober.sign_in(totp)
    pid = server.proc.pid
    during: dict[str, str] = {}
    timeline: dict[str, float] = {}

    def fault() -> None:
        time.sleep(seconds / 3)
        timeline["cut"] = proxy.down()
        went = time.perf_counter()
        time.sleep(1)
        during.update(probe_outage(base, prober))
        time.sleep(max(0.0, outage - (time.perf_counter() - went)))
        proxy.up()
        back = time.perf_counter()
        timeline["healthz"] = wait_healthy(base, 120)
        while time.perf_counter() - back < 120:
            try:
                if prober.get("/").status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        timeline["page"] = time.perf_counter() - back
        timeline["outage"] = back - went

    thread = threading.Thread(target=fault)
    thread.start()
    elapsed, total = drive(actors, seconds, results)
    thread.join()
    lost = lost_writes(ledger)
    codes: dict[str, int] = {}
    for (_kind, error), n in results.errors.items():
        codes[error] = codes.get(error, 0) + n
    print(
        f"# {total} requests in {elapsed:.0f} s; database away {timeline.get('outage', 0):.1f} s "
        f"({timeline.get('cut', 0)} connections cut); failed requests by answer: {codes}"
    )
    for name, answer in during.items():
        print(f"#   during the outage, {name}: {answer}")
    for line in lost[:10]:
        print(f"LOST {line}")
    probes_ok = len(during) == 4 and all(a.startswith("ok") for a in during.values())
    check(
        probes_ok and "500" not in codes,
        "database unreachable: page 503 HTML, FHIR 503 OperationOutcome, API 503 JSON, /healthz 503, "
        f"all with Retry-After; {codes.get('503', 0)} requests of the staff answered 503, "
        f"{codes.get('500', 0)} answered 500",
    )
    same = server.proc.pid == pid and server.proc.poll() is None
    check(
        same and "page" in timeline,
        f"service resumed by itself (same gunicorn, pid {pid}): /healthz?db=1 200 after "
        f"{timeline.get('healthz', 0):.1f} s, a signed-in page 200 after {timeline.get('page', 0):.1f} s",
    )
    check(
        ledger.count > 0 and not lost,
        f"database outage mid-write: {ledger.count} acknowledged saves ({len(ledger.acked)} records), "
        f"{len(lost)} lost",
    )
    alive = wkr.proc.poll() is None
    state = "still running" if alive else f"exited ({wkr.proc.returncode}); started again for what follows"
    check(alive, f"bridge worker after the outage: {state}")
    if not alive:
        wkr.start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30, help="length of the mid-write phase")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--lease", type=int, default=15, help="BRIDGE_JOB_LEASE_SECONDS for the run")
    parser.add_argument("--outage", type=float, default=15, help="seconds the database stays away")
    parser.add_argument(
        "--phases", default="kills,database", help="which faults: kills (1-3 above), database (4), or both"
    )
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
        proxy = DatabaseProxy(_host_port(args.database_url))
        proxy.up()
        via = proxy.url(args.database_url)  # gunicorn and the worker reach PostgreSQL through it
        server = gunicorn(via, workdir, args.port, args.workers)
        server.env.update(extra)
        wkr = worker(via, workdir, args.port, extra)
        server.start()
        wkr.start()
        base = f"http://127.0.0.1:{args.port}"
        wait_healthy(base)
        print(f"# gunicorn --workers {args.workers} + bridge worker, production profile, {base}", flush=True)
        phases = set(args.phases.split(","))
        if "kills" in phases:
            phase_writes(base, names, totp, server, args.seconds)
            phase_export_server(base, server, workdir)
            phase_export_worker(base, wkr, workdir, args.lease)
        if "database" in phases:
            phase_database(base, names, totp, server, wkr, proxy, args.seconds, args.outage)
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


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


if __name__ == "__main__":
    main()
