"""A Bridge started the production way, and staff who use it over HTTP (for bench/load.py, bench/faults.py).

The demo is loaded into a PostgreSQL database of its own (the development profile: the demo is never
loaded in production), every bench login gets a confirmed TOTP device, and then `gunicorn` serves it
with `BRIDGE_PROFILE=production` (secure `__Host-` cookies, TLS redirect, two-factor sign-in, one
trusted proxy). Requests go to 127.0.0.1 with the headers the README's proxy sets
(`X-Forwarded-Proto: https`, `X-Forwarded-For`), as from behind that proxy; each sign-in is the real
one: password, then the six-digit code.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = os.environ.get("BRIDGE_DEMO_PASSWORD", "recovery-demo-2026")
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/bench_load"
# One of each role first (so any 9 or more users cover every role), then the therapists a program has most of.
ROLE_CYCLE = [
    "therapist",
    "director",
    "frontdesk",
    "nurse",
    "prescriber",
    "intake",
    "peer",
    "billing",
    "auditor",
    "therapist",
    "therapist",
    "therapist",
]


# --- The database ------------------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not url.startswith("postgres"):
        raise SystemExit("--database-url must be postgres://user@host:port/name")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str, *, fresh: bool) -> bool:
    """Create the database (dropping it first when fresh); True when it was (re)created."""
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not fresh:
            return False
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(url: str, scale: int, workdir: Path) -> None:
    """Django in this process (development profile) on the bench database: migrate, demo, static files."""
    os.environ["DATABASE_URL"] = url
    os.environ["BRIDGE_VAR_DIR"] = str(workdir)
    os.environ["STATIC_ROOT"] = str(workdir / "static")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", scale=scale, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"# demo --scale {scale} ready in {time.perf_counter() - started:.0f} s ({url})", flush=True)
    if not (workdir / "static" / "staticfiles.json").exists():
        # The production profile serves static files from the manifest that collectstatic writes.
        env = {**os.environ, **production_env(url, workdir, 0)}
        bridge_command(["collectstatic", "--no-input", "-v0"], env=env, check=True)


def bridge_command(args: list[str], *, env: dict | None = None, check: bool = False, **kw):
    code = "import sys; from bridge.cli import main; sys.argv = ['bridge', *sys.argv[1:]]; main()"
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, check=check, **kw
    )


def enroll_totp(usernames: list[str]) -> dict[str, bytes]:
    """A confirmed TOTP device for each bench login (its authenticator app); returns the keys."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bridge.accounts.models import User

    keys = {}
    for user in User.objects.filter(username__in=usernames):
        device = TOTPDevice.objects.filter(user=user, name="bench", confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        else:
            # A kept database (--keep): an earlier run moved the server's window ahead of the clock
            # (several sign-ins of one login a step apart); start this run's authenticator afresh.
            device.last_t, device.drift, device.throttling_failure_count = -1, 0, 0
            device.save(update_fields=["last_t", "drift", "throttling_failure_count"])
        keys[user.username] = device.bin_key
    return keys


# --- The server ------------------------------------------------------------------------------------


def production_env(url: str, workdir: Path, port: int) -> dict[str, str]:
    secret = workdir / "bench_secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50))
    return {
        "BRIDGE_PROFILE": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secret.read_text(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "BRIDGE_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"),
        "BRIDGE_EXPORT_DIR": str(workdir / "exports"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bridge.settings",
    }


class Process:
    """gunicorn or `bridge worker`, in its own process group (kill -9 takes the whole group)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path):
        self.name, self.args, self.env, self.log = name, args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        out = open(self.log, "ab")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter
            self.args,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9()


def gunicorn(url: str, workdir: Path, port: int, workers: int) -> Process:
    args = [sys.executable, "-m", "gunicorn", "bridge.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", str(workers), "--timeout", "60"]
    return Process("gunicorn", args, production_env(url, workdir, port), workdir / "gunicorn.log")


def worker(url: str, workdir: Path, port: int, extra: dict[str, str] | None = None) -> Process:
    code = "import sys; from bridge.cli import main; sys.argv = ['bridge', 'worker']; main()"
    env = {**production_env(url, workdir, port), **(extra or {})}
    return Process("worker", [sys.executable, "-c", code], env, workdir / "worker.log")


def wait_healthy(base: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            r = requests.get(base + "/healthz?db=1", headers=PROXY_HEADERS, timeout=2)
            if r.status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server at {base} did not answer /healthz?db=1 in {timeout:.0f} s")


# --- Staff over HTTP -------------------------------------------------------------------------------

PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.2"}


class _Forms(HTMLParser):
    """Every form on a page as (action, fields) with the values a browser would submit (no buttons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[list[str]]]] = []
        self._select: list[str] | None = None
        self._select_first: str | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append([a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select" and a.get("name"):
            self._select, self._select_first = [a["name"], ""], None
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                self._select[1] = value
            if "selected" in a:
                self._select[1] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea[1].startswith("\n"):
                self._textarea[1] = self._textarea[1][1:]
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_with(html: str, name: str) -> dict[str, str | list[str]] | None:
    """The first form holding a field `name`, as POST data (repeated names become lists)."""
    parser = _Forms()
    parser.feed(html)
    for _action, fields in parser.forms:
        if any(f[0] == name for f in fields):
            data: dict[str, str | list[str]] = {}
            for key, value in fields:
                if key in data:
                    prev = data[key]
                    data[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
                else:
                    data[key] = value
            return data
    return None


class Totp:
    """The authenticator app of each bench login: a fresh code per sign-in (codes work once)."""

    def __init__(self, keys: dict[str, bytes]):
        self.keys = keys
        self.locks = {u: threading.Lock() for u in keys}
        self.last: dict[str, tuple[int, int]] = {}  # username -> (last step used, the clock's step then)

    def code(self, username: str) -> str:
        """Call with `self.locks[username]` held until the code has been sent."""
        from django_otp.oath import hotp

        now = int(time.time()) // 30
        used, at = self.last.get(username, (now - 1, now))
        # The server keeps its window where the last code was (drift sync): stay one step ahead of it.
        step = used + max(1, now - at)
        self.last[username] = (step, now)
        return f"{hotp(self.keys[username], step):06d}"


@dataclass
class Staff:
    """One signed-in staff member's browser (its own session cookie)."""

    base: str
    username: str
    address: str
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.headers.update(
            {**PROXY_HEADERS, "X-Forwarded-For": self.address, "User-Agent": "bridge-bench"}
        )

    def _cookies(self) -> dict[str, str]:
        # The proxy terminates TLS: send the `Secure` (__Host-) cookies on the plain hop behind it, as
        # the proxy does (requests, like a browser, keeps them for https).
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)}

    def get(self, path: str, **kw) -> requests.Response:
        headers = {**self._cookies(), **kw.pop("headers", {})}
        return self.http.get(self.base + path, headers=headers, allow_redirects=False, timeout=60, **kw)

    def post(self, path: str, data, **kw) -> requests.Response:
        origin = "https://" + urlsplit(self.base).netloc
        headers = {"Origin": origin, "Referer": origin + path, **self._cookies(), **kw.pop("headers", {})}
        return self.http.post(
            self.base + path, data=data, headers=headers, allow_redirects=False, timeout=60, **kw
        )

    def csrf(self, html: str) -> str:
        data = form_with(html, "csrfmiddlewaretoken")
        if not data:
            raise RuntimeError("no CSRF token on the page")
        return str(data["csrfmiddlewaretoken"])

    def sign_in(self, totp: Totp) -> None:
        page = self.get("/accounts/login/")
        r = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(page.text), "username": self.username, "password": PASSWORD},
        )
        if r.status_code != 302:
            raise RuntimeError(f"{self.username}: sign-in answered {r.status_code}")
        page = self.get("/accounts/two-factor/")
        with totp.locks[self.username]:
            code = totp.code(self.username)
            r = self.post(
                "/accounts/two-factor/", {"csrfmiddlewaretoken": self.csrf(page.text), "token": code}
            )
        if r.status_code != 302 or "two-factor" in r.headers.get("Location", ""):
            raise RuntimeError(f"{self.username}: the two-factor code answered {r.status_code}")
