"""Chaos run (plain script: `python bench/bench_chaos.py --minutes 5`).

The soak's mixed load (bench_soak.py) while processes die: gunicorn workers and the Celery worker
are killed with SIGKILL at random moments (a killed Celery worker is started again a moment
later, as a supervisor would), and the broker's Redis is restarted once, mid-run. A private
redis-server on a free port is started for this, so nothing else on the machine notices.

Every write the load makes is kept in a ledger on the client side, and the run checks the
database against it at the end:

* outcomes: every batch carries its own Idempotency-Key and is retried with the same key until
  it is answered 200, so the database's counters must equal the ledger's sums exactly (a lost
  batch makes them smaller, a double-counted one larger);
* decisions: every approve/reject that was answered with a redirect must be stored, once;
* drafts: when the load stops the run waits for every generation job to settle (the lease sweep
  hands back what killed workers held); every job must end done or failed, never stay queued or
  running, and a done job must hold exactly the drafts it was asked for (no twins);
* the audit chain must verify.

`--mode embedded` runs the same on SQLite and the file-system broker (no Redis restart), with
`--long-checks` adding a client that keeps saving maximum-size edits full of blocked words, to
show that a long check delays only its own request.

Exit status: 0 when nothing was lost or duplicated and the chain verifies, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_soak  # noqa: E402  (a sibling script, not a package)
from bench_soak import PYTHON, ROOT, Client, Tally, manage, start, stop  # noqa: E402

SETTLE_SECONDS = 240
bench_soak.EXPECTED["long_check"] = {200, 302}


class Ledger:
    """What the server acknowledged, kept by the clients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outcomes: Counter[tuple[int, str]] = Counter()
        self.unacknowledged_batches = 0
        self.decisions: list[tuple[int, int, str, str]] = []  # (draft, version number, reviewer, decision)

    def add_outcome(self, publication: int, event: str, count: int) -> None:
        with self.lock:
            self.outcomes[(publication, event)] += count


class ChaosClient(Client):
    """The soak's client, with writes that are retried safely and written down when acknowledged."""

    def __init__(self, *args: object, ledger: Ledger, reviewer_names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.ledger = ledger
        self.reviewer_names = reviewer_names

    def post_outcomes(self) -> None:
        if not self.publications:
            return self.api_pull()
        (journey, step), publication = self.random.choice(list(self.publications.items()))
        event = self.random.choice(["delivered", "opened", "clicked", "converted", "unsubscribed"])
        count = self.random.randint(1, 50)
        key = f"chaos-{uuid.uuid4()}"
        path = f"/api/v1/journeys/{journey}/steps/{step}/outcomes"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            response = self.timed("api_outcomes", "POST", self.api, path, headers={"Idempotency-Key": key},
                                  json=[{"publication": publication, "event": event, "count": count}])
            if response is not None and response.status_code == 200:
                self.ledger.add_outcome(publication, event, count)
                return
            if response is not None and response.status_code < 500 and response.status_code != 429:
                return  # refused for a reason of its own (e.g. the publication ended): nothing was counted
            time.sleep(0.5)
        with self.ledger.lock:
            self.ledger.unacknowledged_batches += 1

    def review(self) -> None:
        index = self.random.randrange(len(self.reviewers))
        reviewer, name = self.reviewers[index], self.reviewer_names[index]
        queue = self.timed("review_queue", "GET", reviewer, "/review/")
        drafts = sorted(set(re.findall(r'href="/drafts/(\d+)/"', queue.text))) if queue is not None else []
        if not drafts:
            return
        draft = self.random.choice(drafts)
        page = self.timed("page", "GET", reviewer, f"/drafts/{draft}/")
        version = re.search(r'name="version" value="(\d+)"', page.text) if page is not None else None
        if version is None:
            return
        decision = "approve" if self.random.random() < 0.75 else "reject"
        data = {"version": version.group(1)}
        if decision == "reject":
            data |= {"reason": "Chaos: too long", "decision": "reject"}
        response = self.post_form("review_decide", reviewer, f"/drafts/{draft}/{decision}/", data)
        if response is not None and response.status_code == 302:
            # A redirect follows both a recorded decision and a refusal shown as a message; the
            # message tells them apart on the next page.
            landing = reviewer.get(self.base + response.headers.get("Location", f"/drafts/{draft}/"), timeout=30)
            if 'class="msg-success"' in landing.text and "msg-error" not in landing.text:
                with self.ledger.lock:
                    self.ledger.decisions.append((int(draft), int(version.group(1)), name, decision))


class LongCheckClient:
    """Saves maximum-size edits full of blocked words, as fast as the server answers."""

    def __init__(self, base: str, session: requests.Session, tally: Tally, chars: int) -> None:
        self.base, self.session, self.tally, self.chars = base, session, tally, chars

    def step(self) -> None:
        page = self.session.get(f"{self.base}/briefs/", timeout=60)
        briefs = sorted(set(re.findall(r'href="/briefs/(\d+)/"', page.text)))
        if not briefs:
            return
        brief = self.session.get(f"{self.base}/briefs/{briefs[0]}/?state=draft", timeout=60)
        drafts = sorted(set(re.findall(r'href="/drafts/(\d+)/"', brief.text)))
        if not drafts:
            return
        draft = self.session.get(f"{self.base}/drafts/{drafts[0]}/", timeout=60)
        base_version = re.search(r'name="base_version" value="(\d+)"', draft.text)
        if base_version is None:
            return
        body = ("Cheap cheap cheap boots, clinically proven. " * (self.chars // 45 + 1))[: self.chars]
        started = time.perf_counter()
        response = self.session.post(
            f"{self.base}/drafts/{drafts[0]}/edit/",
            data={"base_version": base_version.group(1), "body": body, "subject": "Boots", "preheader": "",
                  "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")},
            headers={"Referer": f"{self.base}/drafts/{drafts[0]}/"}, timeout=120, allow_redirects=False,
        )
        self.tally.add("long_check", response.status_code, time.perf_counter() - started)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Chaos(threading.Thread):
    """Kills processes at random moments; restarts the worker and (once) Redis."""

    def __init__(self, web: subprocess.Popen[bytes], start_worker: "callable[[], subprocess.Popen[bytes]]",  # type: ignore[valid-type]
                 worker: subprocess.Popen[bytes], redis_restart: "callable[[], None] | None", minutes: float, seed: int) -> None:  # type: ignore[valid-type]
        super().__init__(daemon=True)
        self.web, self.start_worker, self.worker, self.redis_restart = web, start_worker, worker, redis_restart
        self.random = random.Random(seed)
        self.stopped = threading.Event()
        self.minutes = minutes
        self.log: list[str] = []
        self.counts: Counter[str] = Counter()

    def run(self) -> None:
        started = time.monotonic()
        redis_at = self.minutes * 60 * 0.5
        while not self.stopped.wait(self.random.uniform(4, 15)):
            elapsed = time.monotonic() - started
            if self.redis_restart is not None and elapsed >= redis_at and not self.counts["redis restarted"]:
                self.redis_restart()
                self.note("redis restarted", elapsed)
            elif self.random.random() < 0.5:
                workers = children(self.web.pid)
                if workers:
                    os.kill(self.random.choice(workers), signal.SIGKILL)
                    self.note("gunicorn worker SIGKILL", elapsed)
            else:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
                self.note("celery worker SIGKILL", elapsed)
                time.sleep(self.random.uniform(0.5, 3))
                self.worker = self.start_worker()

    def note(self, what: str, elapsed: float) -> None:
        self.counts[what] += 1
        self.log.append(f"{elapsed:6.1f}s {what}")


def settle(db: "DatabaseReader", deadline_seconds: float) -> dict[str, int]:
    deadline = time.monotonic() + deadline_seconds
    while True:
        statuses = db.job_statuses()
        if not statuses.get("queued") and not statuses.get("running") and not statuses.get("retrying"):
            return statuses
        if time.monotonic() > deadline:
            return statuses
        time.sleep(2)


class DatabaseReader:
    """Reads the tables the ledger is compared with, on either database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def query(self, sql: str) -> list[list[object]]:
        code = (
            "import json, django; django.setup(); from django.db import connection\n"
            "with connection.cursor() as c:\n"
            f"    c.execute({sql!r}); print(json.dumps(c.fetchall(), default=str))"
        )
        done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env={**self.env, "DJANGO_SETTINGS_MODULE": "workbench.settings"},
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"query failed: {sql}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    def job_statuses(self) -> dict[str, int]:
        return {str(s): int(n) for s, n in self.query("SELECT status, count(*) FROM generation_generationjob GROUP BY status")}

    def outcome_totals(self) -> Counter[tuple[int, str]]:
        rows = self.query("SELECT publication_id, event, count FROM journeys_outcomecount")
        return Counter({(int(p), str(e)): int(n) for p, e, n in rows})  # type: ignore[call-overload]


def compare(args: argparse.Namespace, db: DatabaseReader, ledger: Ledger, before: Counter[tuple[int, str]],
            statuses: dict[str, int]) -> list[str]:
    problems: list[str] = []
    after = db.outcome_totals()
    for key in set(after) | set(ledger.outcomes) | set(before):
        stored = after[key] - before[key]
        if stored != ledger.outcomes[key]:
            problems.append(f"outcomes {key}: acknowledged {ledger.outcomes[key]}, stored {stored}")
    if ledger.unacknowledged_batches:
        problems.append(f"{ledger.unacknowledged_batches} outcome batches were never acknowledged in 120 s")
    rows = db.query(
        "SELECT d.id, v.number, u.username, r.decision FROM review_reviewdecision r "
        "JOIN generation_draftversion v ON v.id = r.version_id JOIN generation_draft d ON d.id = v.draft_id "
        "JOIN accounts_user u ON u.id = r.reviewer_id"
    )
    # A reviewer may approve a sensitive draft (one of two) and reject it later; the same decision twice is a twin.
    stored_decisions = Counter((int(d), int(n), str(u), str(r)) for d, n, u, r in rows)  # type: ignore[call-overload]
    for draft, number, reviewer, decision in ledger.decisions:
        if not stored_decisions[(draft, number, reviewer, decision)]:
            problems.append(f"decision lost: {reviewer} {decision} draft {draft} v{number}")
    twins = [key for key, n in stored_decisions.items() if n > 1]
    if twins:
        problems.append(f"{len(twins)} versions hold the same decision twice by one reviewer: {twins[:5]}")
    if statuses.get("queued") or statuses.get("running") or statuses.get("retrying"):
        problems.append(f"jobs still unsettled {SETTLE_SECONDS} s after the load stopped: {statuses}")
    wrong = db.query(
        "SELECT j.id, j.variants, count(d.id) FROM generation_generationjob j LEFT JOIN generation_draft d ON d.job_id = j.id "
        "WHERE j.status = 'done' AND j.mode = 'generate' GROUP BY j.id, j.variants HAVING count(d.id) <> j.variants"
    )
    if wrong:
        problems.append(f"{len(wrong)} done jobs hold the wrong number of drafts (job, asked, stored): {wrong[:5]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mode", choices=["scale", "embedded"], default="scale")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/copydesk_chaos")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--long-checks", type=int, default=0, help="characters per long edit (0: no long-check client)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.port = free_port()

    workdir = Path(tempfile.mkdtemp(prefix="bench-chaos-"))
    env = {**os.environ, "COPYDESK_DATA_DIR": str(workdir), "COPYDESK_SECRET_KEY": secrets.token_urlsafe(60)[:60],
           "COPYDESK_ALLOWED_HOSTS": "127.0.0.1,localhost", "COPYDESK_LOG_LEVEL": "WARNING",
           "COPYDESK_GENERATION_LEASE_SECONDS": "20", "COPYDESK_GENERATION_SWEEP_SECONDS": "5"}
    redis_process: subprocess.Popen[bytes] | None = None
    redis_port = free_port()
    if args.mode == "scale":
        redis_process = start_redis(redis_port, workdir)
        env |= {"DATABASE_URL": args.database_url, "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
                "COPYDESK_CACHE_URL": f"redis://127.0.0.1:{redis_port}/1"}
        bench_soak.fresh_database(args.database_url)
    else:
        for key in ("DATABASE_URL", "CELERY_BROKER_URL", "COPYDESK_CACHE_URL"):
            env.pop(key, None)
    print(f"chaos: {args.minutes:g} min, {args.clients} clients, mode {args.mode}, logs in {workdir}")
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed_demo")
    token = manage(env, "create_api_client", "chaos-engine", "--all-journeys", "--checks", "--rate-limit", "1000000").strip().splitlines()[-1]
    passwords = json.loads((workdir / "demo-passwords.json").read_text())
    web, worker = start(env, args, workdir)

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(Path(PYTHON).parent / "celery"), "-A", "workbench", "worker", "--concurrency", str(args.worker_concurrency),
             "--loglevel", "WARNING", "--logfile", str(workdir / "celery.log")],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    def restart_redis() -> None:
        nonlocal redis_process
        assert redis_process is not None
        redis_process.kill()
        redis_process.wait()
        time.sleep(1)
        redis_process = start_redis(redis_port, workdir)

    base = f"http://127.0.0.1:{args.port}"
    db = DatabaseReader(env)
    before = db.outcome_totals()
    tally, ledger = Tally(), Ledger()
    stop_load = threading.Event()
    deadline = time.monotonic() + args.minutes * 60
    chaos = Chaos(web, start_worker, worker, restart_redis if args.mode == "scale" else None, args.minutes, args.seed)
    try:
        clients: list[object] = [
            ChaosClient(base, token, passwords, tally, seed, ledger=ledger, reviewer_names=["reviewer", "reviewer2"])
            for seed in range(args.clients)
        ]
        if args.long_checks:
            clients.append(LongCheckClient(base, bench_soak.login(base, "marketer", passwords["marketer"]), tally, args.long_checks))

        def drive(client: object) -> None:
            while not stop_load.is_set() and time.monotonic() < deadline:
                try:
                    client.step()  # type: ignore[attr-defined]
                except requests.RequestException:
                    time.sleep(0.5)  # the server is down for a moment: that is the point

        threads = [threading.Thread(target=drive, args=(c,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        chaos.start()
        while time.monotonic() < deadline:
            time.sleep(1)
        stop_load.set()
        chaos.stopped.set()
        chaos.join(timeout=30)
        for thread in threads:
            thread.join(timeout=150)
        if chaos.worker.poll() is not None:
            chaos.worker = start_worker()
        statuses = settle(db, SETTLE_SECONDS)
    finally:
        stop_load.set()
        chaos.stopped.set()
        stop(web)
        stop(chaos.worker)
    verify = subprocess.run([PYTHON, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True)
    problems = compare(args, db, ledger, before, statuses)
    if redis_process is not None:
        redis_process.kill()
    return report(args, tally, ledger, chaos, statuses, verify, problems)


def report(args: argparse.Namespace, tally: Tally, ledger: Ledger, chaos: Chaos, statuses: dict[str, int],
           verify: subprocess.CompletedProcess[str], problems: list[str]) -> int:
    total = sum(len(v) for v in tally.latencies.values())
    print(f"\n{total:,} requests in {args.minutes:g} min; chaos: {dict(chaos.counts)}")
    for kind in sorted(tally.latencies):
        values = sorted(tally.latencies[kind])
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        statuses_seen = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[kind].items()))
        print(f"{kind:14} {len(values):>7} p50 {statistics.median(values) * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  {statuses_seen}")
    acknowledged = sum(ledger.outcomes.values())
    print(f"ledger: {acknowledged:,} outcome counts in {len(ledger.outcomes)} counters, {len(ledger.decisions)} decisions; jobs {statuses}")
    print((verify.stdout + verify.stderr).strip())
    for problem in problems:
        print(f"  LOST OR DUPLICATED: {problem}")
    failed = bool(problems) or verify.returncode != 0
    print("CHAOS FAILED" if failed else "CHAOS PASSED: nothing lost or duplicated")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
