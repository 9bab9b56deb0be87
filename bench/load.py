"""Staff load on a production-profile Bridge: gunicorn on PostgreSQL, staff of every role, for a bounded time.

    .venv/bin/python -m bench.load [--users 20] [--seconds 60] [--scale 2] [--workers 3]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_load] [--keep]

Loads `bridge demo --scale N` into its own PostgreSQL database (dropped at the end unless --keep),
gives every demo login it uses a TOTP device, starts `gunicorn bridge.wsgi` with
BRIDGE_PROFILE=production on 127.0.0.1, signs in --users staff (one of each role first, then
therapists; password and six-digit code, as a person would) and has each run the staff mix with no
think time for --seconds: chart and list reads, name searches, Today, the audit log, the public
directory search, FHIR reads (the demo director's API token and the SMART Backend Services client),
draft-note saves, group-note saves and attendance saves. Every save that was acknowledged (302) is
read back from the database at the end: a value that is neither the last acknowledged one nor one
sent after it (unacknowledged) is a LOST WRITE. Prints throughput, p50/p95/p99 per kind and errors.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests

from bench.common import percentile
from bench.live import (
    DEFAULT_DATABASE,
    PROXY_HEADERS,
    ROLE_CYCLE,
    Staff,
    Totp,
    create_database,
    drop_database,
    enroll_totp,
    form_with,
    gunicorn,
    setup,
    wait_healthy,
)

SMART_RENEW_SECONDS = 240  # the access token lasts 300 s
DIRECTOR_TOKEN = "brg_demo-director-2026"  # noqa: S105 - the demo's published token (bridge/fhir/demo.py)


@dataclass
class Plan:
    """What one signed-in staff member works on (their own share of drafts and sessions)."""

    username: str
    role: str
    participants: list[str]
    search_terms: list[str]
    notes: list[tuple[str, str]] = field(default_factory=list)  # (participant id, note id)
    group_sessions: list[str] = field(default_factory=list)
    attendance: list[tuple[str, str]] = field(default_factory=list)  # (session id, participant id)


class Ledger:
    """Acknowledged writes, and what was sent after the last acknowledgement without one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: dict[tuple, str] = {}
        self.unsure: dict[tuple, set[str]] = defaultdict(set)
        self.count = 0

    def sent(self, key: tuple, value: str, ok: bool) -> None:
        with self.lock:
            if ok:
                self.acked[key] = value
                self.unsure.pop(key, None)
                self.count += 1
            else:
                self.unsure[key].add(value)


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[tuple[str, str]] = Counter()
        self.examples: dict[tuple[str, str], str] = {}

    def add(self, kind: str, ms: float, error: str | None = None, detail: str = "") -> None:
        with self.lock:
            self.samples[kind].append(ms)
            if error:
                self.errors[(kind, error)] += 1
                self.examples.setdefault((kind, error), detail[:300])


def why(html: str) -> str:
    """What a refused page says (its error list or alert), else the start of the body."""
    found = re.search(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>|role="alert"[^>]*>(.*?)</', html, re.S)
    text = (found.group(1) or found.group(2)) if found else html[:200]
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]


def role_of(username: str) -> str:
    return username.rstrip("0123456789")


def logins(users: int, scale: int) -> list[str]:
    """The demo login of each simulated staff member (therapists and prescribers spread over theirs)."""
    therapists = [f"therapist{k}" for k in range(1, 2 * scale + 1)]
    prescribers = ["prescriber", *[f"prescriber{k}" for k in range(2, max(1, scale // 2) + 1)]]
    counters: Counter[str] = Counter()
    names = []
    for i in range(users):
        role = ROLE_CYCLE[i % len(ROLE_CYCLE)]
        pool = {"therapist": therapists, "prescriber": prescribers}.get(role, [role])
        names.append(pool[counters[role] % len(pool)])
        counters[role] += 1
    return names


def plans(names: list[str]) -> list[Plan]:
    """Each simulated staff member's share of what their login may see and write (from the database)."""
    from django.db.models import Count
    from django.utils import timezone

    from bridge.accounts.models import User
    from bridge.clinical.models import Note
    from bridge.participants.models import Participant
    from bridge.scheduling.models import Attendance, Session

    now = timezone.now()
    share: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        share[name].append(i)
    out: list[Plan | None] = [None] * len(names)
    for name, slots in share.items():
        user = User.objects.get(username=name)
        visible = list(
            Participant.objects.visible_to(user).order_by("id").values_list("id", "last_name")[:300]
        )
        notes = list(
            Note.objects.filter(author=user, signed_at__isnull=True, error_at__isnull=True)
            .exclude(kind=Note.Kind.GROUP)
            .values_list("participant_id", "id")
        )
        # Groups they led: their draft group notes, and groups whose note is not started yet.
        started = Note.objects.filter(kind=Note.Kind.GROUP, error_at__isnull=True)
        groups = list(
            Session.objects.filter(
                staff=user, kind="group", starts_at__gte=now - timedelta(days=14), starts_at__lte=now
            )
            .exclude(status=Session.Status.CANCELLED)
            .exclude(pk__in=started.exclude(author=user, signed_at__isnull=True).values("session_id"))
            .order_by("starts_at")
            .values_list("id", flat=True)
        )
        sessions = (
            Session.objects.filter(
                staff=user, starts_at__gte=now - timedelta(days=14), starts_at__lte=now - timedelta(hours=3)
            )
            .exclude(status=Session.Status.CANCELLED)
            .annotate(n=Count("attendance"))
            .filter(n__gt=0)
        )
        rows = list(
            Attendance.objects.filter(session__in=sessions)
            .order_by("session_id", "participant_id")
            .values_list("session_id", "participant_id")
        )
        # One roster, one person: a login's sessions are shared out among its simulated staff (two
        # people saving one roster at once is refused by design, and would count as an error here).
        by_session = sorted({s for s, _ in rows})
        for k, slot in enumerate(slots):
            m = len(slots)
            out[slot] = Plan(
                username=name,
                role=role_of(name),
                participants=[str(p) for p, _ in visible],
                search_terms=sorted({last[:4] for _, last in visible if last})[:50] or ["a"],
                notes=[(str(p), str(n)) for p, n in notes[k::m]],
                group_sessions=[str(s) for s in groups[k::m]],
                attendance=[(str(s), str(p)) for s, p in rows if s in set(by_session[k::m])],
            )
    return [p for p in out if p is not None]


class Actor:
    """One staff member's loop: pick an action by their role's weights, do it, record it."""

    def __init__(
        self,
        staff: Staff,
        plan: Plan,
        results: Results,
        ledger: Ledger,
        seed: int,
        smart: dict,
        *,
        writes_only: bool = False,
    ):
        self.staff, self.plan, self.results, self.ledger = staff, plan, results, ledger
        self.rng = random.Random(seed)
        self.smart = smart
        self.actions = self._weights()
        if writes_only:
            writes = (self.note_save, self.group_note_save, self.attendance_save)
            self.actions = [(a, w) for a, w in self.actions if a in writes] or [(self.home, 1)]

    def _weights(self) -> list[tuple[Callable[[], None], int]]:
        p = self.plan
        w: list[tuple[Callable[[], None], int]] = [(self.home, 3), (self.directory, 1)]
        if p.participants:
            w += [(self.chart, 8), (self.participant_list, 3), (self.search, 3)]
        if p.role == "therapist":  # their own caseload (others may see a participant, not the chart)
            w += [(self.notes_list, 2)]
        if p.notes:
            w += [(self.note_save, 4)]
        if p.group_sessions:
            w += [(self.group_note_save, 2)]
        if p.attendance:
            w += [(self.attendance_save, 3)]
        if p.role == "frontdesk":
            w += [(self.today, 4)]
        if p.role == "auditor":
            w = [(self.home, 2), (self.audit_log, 6)]
        if p.role in ("director", "billing", "auditor"):
            w += [(self.fhir_user, 2)]
        if p.role == "director":
            w += [(self.fhir_smart, 2)]
        if p.role == "intake":
            w += [(self.intake_list, 4)]
        return w

    # -- one request, timed -------------------------------------------------------------------------

    def _do(
        self, kind: str, call: Callable[[], requests.Response], expect=(200,)
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            r = call()
        except requests.RequestException as exc:
            self.results.add(kind, (time.perf_counter() - started) * 1000, type(exc).__name__, str(exc))
            return None
        ms = (time.perf_counter() - started) * 1000
        if r.status_code not in expect:
            where = r.headers.get("Location", "")
            self.results.add(kind, ms, str(r.status_code), f"{r.request.path_url} -> {where} {why(r.text)}")
            return None
        self.results.add(kind, ms)
        return r

    def step(self) -> None:
        actions, weights = zip(*self.actions, strict=True)
        self.rng.choices(actions, weights)[0]()

    # -- reads --------------------------------------------------------------------------------------

    def home(self) -> None:
        self._do("home", lambda: self.staff.get("/"))

    def chart(self) -> None:
        pid = self.rng.choice(self.plan.participants)
        self._do("chart (participant page)", lambda: self.staff.get(f"/participants/{pid}/"))

    def notes_list(self) -> None:
        pid = self.rng.choice(self.plan.participants)
        # Medical staff and peers without the chart capability get the same 404 as a stranger.
        self._do("notes list", lambda: self.staff.get(f"/participants/{pid}/notes/"))

    def participant_list(self) -> None:
        self._do("participant list", lambda: self.staff.get("/participants/?clear=1"), expect=(200, 302))

    def search(self) -> None:
        term = self.rng.choice(self.plan.search_terms)
        self._do("name search", lambda: self.staff.get("/participants/", params={"q": term}))

    def directory(self) -> None:
        where = self.rng.choice(["94607", "94110", "Oakland, CA", "10001", "60614"])
        self._do("directory search", lambda: self.staff.get("/find/", params={"where": where, "radius": 25}))

    def today(self) -> None:
        self._do("today board", lambda: self.staff.get("/schedule/today/"))

    def audit_log(self) -> None:
        self._do("audit log", lambda: self.staff.get("/audit/"))

    def intake_list(self) -> None:
        self._do("intake list", lambda: self.staff.get("/intake/"))

    def _fhir(self, kind: str, token: str) -> None:
        auth = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
        path = self.rng.choice(
            ["/fhir/Patient?_count=20", "/fhir/Encounter?_count=20", "/fhir/Observation?_count=20"]
        )
        self._do(kind, lambda: self.staff.http.get(self.staff.base + path, headers=auth, timeout=60))

    def fhir_user(self) -> None:
        self._fhir("FHIR read (user token)", DIRECTOR_TOKEN)

    def fhir_smart(self) -> None:
        # A Backend Services token lasts 5 minutes; the client asks for a new one before it runs out,
        # as a real one would (the request for it is not timed).
        with self.smart["lock"]:
            if time.monotonic() - self.smart["at"] > SMART_RENEW_SECONDS:
                self.smart["token"], self.smart["at"] = smart_token(self.staff.base), time.monotonic()
        self._fhir("FHIR read (SMART client)", self.smart["token"])

    # -- writes -------------------------------------------------------------------------------------

    def _marker(self) -> str:
        return f"bench {uuid.uuid4().hex}"

    def note_save(self) -> None:
        pid, nid = self.rng.choice(self.plan.notes)
        path = f"/participants/{pid}/notes/{nid}/"
        page = self._do("note page", lambda: self.staff.get(path))
        data = page and form_with(page.text, "assessment")
        if not data:
            return
        value = data["assessment"] = self._marker()
        r = self._do("note save", lambda: self.staff.post(path, data), expect=(302,))
        self.ledger.sent(("note", nid), str(value), r is not None)

    def group_note_save(self) -> None:
        sid = self.rng.choice(self.plan.group_sessions)
        path = f"/groups/{sid}/"
        page = self._do("group note page", lambda: self.staff.get(path))
        data = page and form_with(page.text, "shared_text")
        start = page and not data and form_with(page.text, "start")
        if start:  # not started yet: "Start the group note", as the clinician would
            if not self._do("group note start", lambda: self.staff.post(path, start), expect=(302,)):
                return
            page = self._do("group note page", lambda: self.staff.get(path))
            data = page and form_with(page.text, "shared_text")
        if not data:
            return
        value = data["shared_text"] = self._marker()
        r = self._do("group note save", lambda: self.staff.post(path, data), expect=(302,))
        self.ledger.sent(("group", sid), str(value), r is not None)

    def attendance_save(self) -> None:
        sid, pid = self.rng.choice(self.plan.attendance)
        path = f"/schedule/sessions/{sid}/attendance/"
        page = self._do("attendance page", lambda: self.staff.get(path))
        name = f"a{uuid.UUID(pid).hex[:12]}-status"
        data = page and form_with(page.text, name)
        if not data:
            return
        value = data[name] = "unexcused" if data.get(name) == "present" else "present"
        r = self._do("attendance save", lambda: self.staff.post(path, data), expect=(302,))
        self.ledger.sent(("attendance", sid, pid), str(value), r is not None)


def smart_token(base: str) -> str:
    """An access token for the demo's SMART Backend Services client (its published demo key)."""
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry

    from bridge.fhir import demo

    key = JWKRegistry.import_key(demo.demo_private_jwk())
    now = int(time.time())
    claims = {
        "iss": demo.BACKEND_CLIENT_ID,
        "sub": demo.BACKEND_CLIENT_ID,
        "aud": "https://" + base.split("://", 1)[1] + "/oauth/token",
        "exp": now + 240,
        "jti": str(uuid.uuid4()),
    }
    assertion = jwt.encode({"alg": "ES384", "kid": key.kid}, claims, key, algorithms=["ES384"])
    r = requests.post(
        base + "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "scope": "system/*.read",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        headers=PROXY_HEADERS,
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["access_token"]


def lost_writes(ledger: Ledger) -> list[str]:
    """Every acknowledged write read back from the database; what is not there (or overwritten)."""
    from bridge.clinical.models import Note
    from bridge.scheduling.models import Attendance

    lost = []
    for key, value in ledger.acked.items():
        allowed = {value} | ledger.unsure.get(key, set())
        if key[0] == "note":
            stored = Note.objects.filter(pk=key[1]).values_list("assessment", flat=True).first()
        elif key[0] == "group":
            stored = (
                Note.objects.filter(session_id=key[1], kind=Note.Kind.GROUP, error_at__isnull=True)
                .values_list("shared_text", flat=True)
                .first()
            )
        else:
            stored = (
                Attendance.objects.filter(session_id=key[1], participant_id=key[2])
                .values_list("status", flat=True)
                .first()
            )
        if stored not in allowed:
            lost.append(f"{key}: acknowledged {value!r}, stored {stored!r}")
    return lost


def sign_in_all(
    base: str, names: list[str], totp: Totp, results: Results, ledger: Ledger, *, writes_only: bool = False
) -> list[Actor]:
    """Sign every simulated staff member in (password, then the six-digit code)."""
    staff_plans = plans(names)
    smart = {"token": smart_token(base), "at": time.monotonic(), "lock": threading.Lock()}
    actors = []
    for i, plan in enumerate(staff_plans):
        staff = Staff(base=base, username=plan.username, address=f"127.0.{i // 250}.{i % 250 + 2}")
        staff.sign_in(totp)
        actors.append(Actor(staff, plan, results, ledger, seed=i, smart=smart, writes_only=writes_only))
    print(f"# {len(actors)} staff signed in: {dict(Counter(p.role for p in staff_plans))}", flush=True)
    print(
        f"# what they may write: {sum(len(p.notes) for p in staff_plans)} draft notes, "
        f"{sum(len(p.group_sessions) for p in staff_plans)} group notes, "
        f"{sum(len(p.attendance) for p in staff_plans)} attendance rows",
        flush=True,
    )
    return actors


def drive(actors: list[Actor], seconds: float, results: Results) -> tuple[float, int]:
    """Every actor runs its mix until the time is up; returns (elapsed, requests)."""
    stop = time.perf_counter() + seconds

    def loop(actor: Actor) -> None:
        while time.perf_counter() < stop:
            actor.step()

    threads = [threading.Thread(target=loop, args=(a,)) for a in actors]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return elapsed, sum(len(s) for s in results.samples.values())


def report(results: Results, elapsed: float, total: int, ledger: Ledger, lost: list[str]) -> None:
    errors = sum(results.errors.values())
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"\nRESULT {total} requests in {elapsed:.1f} s: {total / elapsed:.1f} req/s; errors {errors}")
    print(f"# load average at the end: {' '.join(load)}")
    print(f"{'kind':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for kind, samples in sorted(results.samples.items()):
        print(
            f"{kind:28} {len(samples):6d} {percentile(samples, 50):8.1f} {percentile(samples, 95):8.1f} "
            f"{percentile(samples, 99):8.1f} {statistics.fmean(samples):8.1f}"
        )
    everything = [ms for s in results.samples.values() for ms in s]
    if everything:
        print(
            f"{'all':28} {len(everything):6d} {percentile(everything, 50):8.1f} "
            f"{percentile(everything, 95):8.1f} {percentile(everything, 99):8.1f} "
            f"{statistics.fmean(everything):8.1f}"
        )
    for (kind, error), n in results.errors.most_common():
        print(f"ERROR {kind}: {error} x{n}: {results.examples[(kind, error)]}")
    print(f"RESULT acknowledged writes {ledger.count} ({len(ledger.acked)} records); LOST WRITES {len(lost)}")
    for line in lost[:20]:
        print(f"LOST {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it next time)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bridge-load-"))
    create_database(args.database_url, fresh=not args.keep)
    server = None
    try:
        setup(args.database_url, args.scale, workdir)
        names = logins(args.users, args.scale)
        totp = Totp(enroll_totp(sorted(set(names))))
        server = gunicorn(args.database_url, workdir, args.port, args.workers)
        server.start()
        base = f"http://127.0.0.1:{args.port}"
        wait_healthy(base)
        print(f"# gunicorn --workers {args.workers}, production profile, {base}", flush=True)
        results, ledger = Results(), Ledger()
        actors = sign_in_all(base, names, totp, results, ledger)
        elapsed, total = drive(actors, args.seconds, results)
        server.stop()
        server = None
        report(results, elapsed, total, ledger, lost_writes(ledger))
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
