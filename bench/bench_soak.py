"""Soak test (plain script: `python bench/bench_soak.py --minutes 10`).

Starts Copydesk as in production — gunicorn and a Celery worker on PostgreSQL and Redis — in a
fresh, disposable database, seeds the demo data, and drives mixed load for --minutes from
--clients threads: journey-engine API pulls (with ETags) and outcome posts, generations started
from the web (done by the worker), drafts submitted, and reviews (approve or reject) by two
reviewers. It samples the resident memory of the web and worker process trees every 5 s.

At the end it prints requests and latency per kind, errors, memory at the start of the steady
state and at the end, and runs `verify_audit`. It exits 1 on any error (a 5xx, a refused
connection, or a status the flow does not expect), on memory growth above --max-growth, or when
the audit chain does not verify.

Options: --minutes (10), --clients (6), --database-url (a database this script DROPS and creates;
default postgres://postgres@127.0.0.1:5432/copydesk_soak), --redis-url (redis://127.0.0.1:6379/13,
flushed first), --web-workers (2), --worker-concurrency (2), --port (a free one), --max-growth (0.15).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
# Statuses each kind of request may answer in normal operation; anything else is an error.
EXPECTED = {
    "api_journeys": {200},
    "api_content": {200, 204, 304, 404},
    "api_outcomes": {200},
    "generate": {302},
    "submit": {302},
    "review_queue": {200},
    "review_decide": {302, 409},
    "page": {200},
}
SAMPLE_SECONDS = 5


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[kind][status] += 1
            if status not in EXPECTED[kind]:
                self.errors.append(f"{kind}: {status} {detail}"[:300])


# --- the system under test ------------------------------------------------------------------

def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(env: dict[str, str], args: argparse.Namespace, logdir: Path) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "workbench.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.web_workers),
         # No control socket: its default path is shared by every gunicorn on the machine.
         "--timeout", "60", "--no-control-socket", "--error-logfile", str(logdir / "gunicorn.log")],
        # Django's own log (500s with their tracebacks) goes to stderr: keep it beside gunicorn's.
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(logdir / "web.stderr.log", "ab"), start_new_session=True,
    )
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "workbench", "worker", "--concurrency", str(args.worker_concurrency), "--loglevel", "WARNING",
         "--logfile", str(logdir / "celery.log")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and web.poll() is None and worker.poll() is None:
        try:
            if requests.get(f"{base}/login/", timeout=10).status_code == 200:
                return web, worker
        except requests.RequestException:
            time.sleep(0.5)
    stop(web)
    stop(worker)
    raise SystemExit(f"gunicorn or the worker did not come up within 60 s; see the logs in {logdir}")


def stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    members, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in members]
        members.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in members) / 1024


# --- the load ---------------------------------------------------------------------------------

def login(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/login/", timeout=10)
    response = session.post(
        f"{base}/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/login/"}, timeout=10, allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}: {response.status_code}")
    return session


class Client:
    """One simulated person (marketer and reviewers share a thread) plus a journey engine."""

    def __init__(self, base: str, token: str, passwords: dict[str, str], tally: Tally, seed: int) -> None:
        self.base, self.tally, self.random = base, tally, random.Random(seed)
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {token}"
        self.marketer = login(base, "marketer", passwords["marketer"])
        self.reviewers = [login(base, name, passwords[name]) for name in ("reviewer", "reviewer2")]
        self.etags: dict[str, str] = {}
        self.publications: dict[tuple[str, str], int] = {}

    def timed(self, kind: str, method: str, session: requests.Session, path: str, **kwargs: object) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=30, allow_redirects=False, **kwargs)  # type: ignore[arg-type]
        except requests.RequestException as exc:
            self.tally.add(kind, -1, time.perf_counter() - started, f"{path}: {exc}")
            return None
        self.tally.add(kind, response.status_code, time.perf_counter() - started, f"{method} {path} {response.text[:150]!r}")
        return response

    def post_form(self, kind: str, session: requests.Session, path: str, data: dict[str, str]) -> requests.Response | None:
        data = {**data, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
        return self.timed(kind, "POST", session, path, data=data, headers={"Referer": self.base + path})

    def api_pull(self) -> None:
        listing = self.timed("api_journeys", "GET", self.api, "/api/v1/journeys")
        if listing is None or listing.status_code != 200:
            return
        targets = [(j["slug"], s["slug"], seg) for j in listing.json()["journeys"] for s in j["steps"] for seg in s["live_segments"] or ["new-customers"]]
        journey, step, segment = self.random.choice(targets)
        path = f"/api/v1/journeys/{journey}/steps/{step}/content?segment={segment}&subject_id={self.random.randint(1, 10**6)}"
        headers = {"If-None-Match": self.etags[path]} if path in self.etags and self.random.random() < 0.5 else {}
        content = self.timed("api_content", "GET", self.api, path, headers=headers)
        if content is not None and content.status_code == 200:
            self.etags[path] = content.headers.get("ETag", "")
            self.publications[(journey, step)] = content.json()["publication"]

    def post_outcomes(self) -> None:
        if not self.publications:
            return self.api_pull()
        (journey, step), publication = self.random.choice(list(self.publications.items()))
        event = self.random.choice(["delivered", "opened", "clicked", "converted", "unsubscribed"])
        self.timed("api_outcomes", "POST", self.api, f"/api/v1/journeys/{journey}/steps/{step}/outcomes",
                   json=[{"publication": publication, "event": event, "count": self.random.randint(1, 50)}])

    def _brief_ids(self) -> list[str]:
        page = self.timed("page", "GET", self.marketer, "/briefs/")
        return sorted(set(re.findall(r'href="/briefs/(\d+)/"', page.text))) if page is not None else []

    def generate(self) -> None:
        briefs = self._brief_ids()
        if briefs:
            self.post_form("generate", self.marketer, f"/briefs/{self.random.choice(briefs)}/generate/", {})

    def submit(self) -> None:
        briefs = self._brief_ids()
        if not briefs:
            return
        page = self.timed("page", "GET", self.marketer, f"/briefs/{self.random.choice(briefs)}/?state=draft")
        drafts = sorted(set(re.findall(r'href="/drafts/(\d+)/"', page.text))) if page is not None else []
        if drafts:
            self.post_form("submit", self.marketer, f"/drafts/{self.random.choice(drafts)}/submit/", {})

    def review(self) -> None:
        reviewer = self.random.choice(self.reviewers)
        queue = self.timed("review_queue", "GET", reviewer, "/review/")
        drafts = sorted(set(re.findall(r'href="/drafts/(\d+)/"', queue.text))) if queue is not None else []
        if not drafts:
            return
        draft = self.random.choice(drafts)
        page = self.timed("page", "GET", reviewer, f"/drafts/{draft}/")
        version = re.search(r'name="version" value="(\d+)"', page.text) if page is not None else None
        if version is None:
            return
        if self.random.random() < 0.75:
            self.post_form("review_decide", reviewer, f"/drafts/{draft}/approve/", {"version": version.group(1)})
        else:
            self.post_form("review_decide", reviewer, f"/drafts/{draft}/reject/", {"version": version.group(1), "reason": "Soak: too long", "decision": "reject"})

    def step(self) -> None:
        roll = self.random.random()
        if roll < 0.40:
            self.api_pull()
        elif roll < 0.60:
            self.post_outcomes()
        elif roll < 0.80:
            self.review()
        elif roll < 0.90:
            self.submit()
        else:
            self.generate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/copydesk_soak")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--max-growth", type=float, default=0.15, help="allowed RSS growth over the steady state (0.15 = 15%%)")
    args = parser.parse_args()
    if args.minutes <= 0 or args.clients < 1:
        parser.error("--minutes must be positive and --clients at least 1")

    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    env = {
        **os.environ, "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": args.redis_url, "COPYDESK_DATA_DIR": str(workdir),
        "COPYDESK_SECRET_KEY": secrets.token_urlsafe(60)[:60], "COPYDESK_ALLOWED_HOSTS": "127.0.0.1,localhost", "COPYDESK_LOG_LEVEL": "WARNING",
    }
    print(f"soak: {args.minutes:g} min, {args.clients} clients, {args.database_url}, {args.redis_url}, logs in {workdir}")
    fresh_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed_demo")
    token = manage(env, "create_api_client", "soak-engine", "--all-journeys", "--checks", "--rate-limit", "1000000").strip().splitlines()[-1]
    passwords = json.loads((workdir / "demo-passwords.json").read_text())
    web, worker = start(env, args, workdir)
    base = f"http://127.0.0.1:{args.port}"
    tally = Tally()
    samples: list[tuple[float, float, float]] = []
    deadline = time.monotonic() + args.minutes * 60
    stop_load = threading.Event()
    try:
        clients = [Client(base, token, passwords, tally, seed) for seed in range(args.clients)]

        def drive(client: Client) -> None:
            while not stop_load.is_set() and time.monotonic() < deadline:
                client.step()

        threads = [threading.Thread(target=drive, args=(c,), daemon=True) for c in clients]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            if web.poll() is not None or worker.poll() is not None:
                tally.errors.append(f"{'gunicorn' if web.poll() is not None else 'the Celery worker'} exited during the run; see {workdir}")
                break
            samples.append((time.monotonic() - started, tree_rss_mb(web.pid), tree_rss_mb(worker.pid)))
            time.sleep(min(SAMPLE_SECONDS, max(0.0, deadline - time.monotonic())))
        stop_load.set()
        for thread in threads:
            thread.join(timeout=60)
        samples.append((time.monotonic() - started, tree_rss_mb(web.pid), tree_rss_mb(worker.pid)))
        # Let the worker finish what was queued before the chain is verified.
        time.sleep(5)
    finally:
        stop_load.set()
        stop(web)
        stop(worker)
    verify = subprocess.run([PYTHON, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True)
    print_work_done(args.database_url)
    return report(args, tally, samples, verify)


def print_work_done(url: str) -> None:
    """What the load made the system do, from the database (generation is asynchronous, so count it there)."""
    with psycopg.connect(url) as conn:
        jobs = dict(conn.execute("SELECT status, count(*) FROM generation_generationjob GROUP BY status").fetchall())
        drafts = dict(conn.execute("SELECT state, count(*) FROM generation_draft GROUP BY state").fetchall())
        events = conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()
    print(f"generation jobs by status: {jobs}; drafts by state: {drafts}; audit events: {events[0] if events else 0}")


def report(args: argparse.Namespace, tally: Tally, samples: list[tuple[float, float, float]], verify: subprocess.CompletedProcess[str]) -> int:
    total = sum(len(v) for v in tally.latencies.values())
    print(f"\n{total:,} requests in {args.minutes:g} min ({total / (args.minutes * 60):.1f}/s)")
    print(f"{'kind':14} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for kind in sorted(tally.latencies):
        values = sorted(tally.latencies[kind])
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[kind].items()))
        print(f"{kind:14} {len(values):>7} {statistics.median(values) * 1000:>8.1f} {p95 * 1000:>8.1f}  {statuses}")
    # Memory: the steady state starts after the first fifth (imports, caches, first queries warm up).
    steady = [s for s in samples if s[0] >= samples[-1][0] * 0.2] or samples
    growth = {}
    for index, name in ((1, "web (gunicorn)"), (2, "worker (celery)")):
        first, last, peak = steady[0][index], statistics.mean(s[index] for s in steady[-3:]), max(s[index] for s in samples)
        growth[name] = (last - first) / first if first else 0.0
        print(f"RSS {name:16} start of steady state {first:7.1f} MB, end {last:7.1f} MB, peak {peak:7.1f} MB, growth {growth[name]:+.1%}")
    minutes = sorted({int(t // 60) for t, _, _ in samples})
    timeline = [[s for s in samples if int(s[0] // 60) == m] for m in minutes]
    print("RSS by minute (web / worker, MB): " + "  ".join(f"{m}: {statistics.mean(s[1] for s in b):.0f} / {statistics.mean(s[2] for s in b):.0f}" for m, b in zip(minutes, timeline)))
    print(f"errors: {len(tally.errors)}")
    for error in tally.errors[:20]:
        print(f"  {error}")
    print((verify.stdout + verify.stderr).strip())
    failed = bool(tally.errors) or verify.returncode != 0 or any(g > args.max_growth for g in growth.values())
    print("SOAK FAILED" if failed else "SOAK PASSED")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
