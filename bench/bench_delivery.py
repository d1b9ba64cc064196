"""Benchmark of the delivery API (plain script: `python bench/bench_delivery.py`).

Starts gunicorn (2 sync workers, production settings, PostgreSQL, Redis as the
shared cache) on a fresh database with the demo data, then runs `wrk` for 15 s
at 16 and at 64 connections against

* GET /api/v1/journeys/welcome/steps/welcome-email/content (bearer token, A/B pick, ETag)
* GET /bench/bare: a plain Django view returning a fixed 1 KB JSON body, in the
  same process, through the same middleware (bench/bench_urls.py)

in three interleaved 5 s slices each (bare, content, content, bare, bare,
content), so both see the same machine, and prints requests per second over
the 15 s, the worst slice's p50/p99 latency, errors, and the content
endpoint's throughput as a share of the bare view's.
Targets: >= 70 % of the bare view, p99 < 50 ms at 64 connections, zero errors.
Exits non-zero when one is missed.

Needs: wrk (apt-get install wrk), PostgreSQL (--database-url, default
postgres://postgres@127.0.0.1:5432/copydesk_bench_delivery, created if missing), Redis
(--cache-url, default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CONTENT = "/api/v1/journeys/welcome/steps/welcome-email/content?segment=new-customers&subject_id=42"
BARE = "/bench/bare"
ROUNDS = 3
RATIO_TARGET = 0.70
P99_TARGET_MS = 50.0


def _env(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": args.database_url,
        "COPYDESK_CACHE_URL": args.cache_url,
        "COPYDESK_PRODUCTION": "true",
        "COPYDESK_SSL_REDIRECT": "false",  # wrk speaks plain HTTP to 127.0.0.1; TLS is the proxy's job
        "COPYDESK_SECRET_KEY": secrets.token_urlsafe(64),
        "COPYDESK_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COPYDESK_DATA_DIR": data_dir,
        "COPYDESK_LOG_LEVEL": "WARNING",
    }


def _fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _manage(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{done.stderr}")
    return done.stdout


def _wait_up(port: int) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{BARE}", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, connections: int, seconds: float, token: str | None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{round(seconds)}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    assert done, out
    duration = float(done.group(2)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    result = {"requests": float(done.group(1)), "seconds": duration, "rps": float(done.group(1)) / duration}
    for pct, value, unit in LATENCY.findall(out):
        result[f"p{pct}_ms"] = float(value) * UNIT_MS[unit]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = (sum(int(g) for g in errors.groups()) if errors else 0) + (int(non_2xx.group(1)) if non_2xx else 0)
    return result


def _combine(slices: list[dict[str, float]]) -> dict[str, float]:
    """Requests over time across the slices; the worst slice's latency percentiles (an upper bound)."""
    requests, seconds = sum(s["requests"] for s in slices), sum(s["seconds"] for s in slices)
    return {
        "requests": requests, "seconds": seconds, "rps": requests / seconds, "errors": sum(s["errors"] for s in slices),
        "p50_ms": max(s.get("p50_ms", 0.0) for s in slices), "p99_ms": max(s.get("p99_ms", 0.0) for s in slices),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/copydesk_bench_delivery")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15, help="per endpoint and connection count, in ROUNDS slices")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    data_dir = tempfile.mkdtemp(prefix="copydesk-bench-")
    env = _env(args, data_dir)
    _fresh_database(args.database_url)
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "seed_demo")
    token = _manage(env, "create_api_client", "bench", "--all-journeys", "--rate-limit", "1000000").strip()

    server = subprocess.Popen(
        [GUNICORN, "workbench.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--worker-class", "sync",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    results: dict[str, dict[str, float]] = {}
    try:
        _wait_up(args.port)
        base = f"http://127.0.0.1:{args.port}"
        probe = urllib.request.Request(base + CONTENT, headers={"Authorization": f"Bearer {token}"})
        assert json.load(urllib.request.urlopen(probe))["journey"] == "welcome"
        for connections in (16, 64):
            # Warm both (imports, connections, caches). Then ROUNDS interleaved slices of each, in
            # alternating order, so drift in the machine's load falls on both sides alike.
            _wrk(base + BARE, connections, 2, None)
            _wrk(base + CONTENT, connections, 2, token)
            rounds: dict[str, list[dict[str, float]]] = {"bare": [], "content": []}
            for i in range(ROUNDS):
                order = [("bare", BARE, None), ("content", CONTENT, token)]
                for name, path, auth in order if i % 2 == 0 else order[::-1]:
                    rounds[name].append(_wrk(base + path, connections, args.seconds / ROUNDS, auth))
            for name, slices in rounds.items():
                results[f"{name}@{connections}"] = _combine(slices)
                print(f"{name}@{connections} slices (req/s):", " ".join(f"{s['rps']:.0f}" for s in slices), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)

    failures = []
    print(f"{'run':<14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<14}{r['rps']:>10.0f}{r.get('p50_ms', 0):>10.2f}{r.get('p99_ms', 0):>10.2f}{r['errors']:>8.0f}")
        if r["errors"]:
            failures.append(f"{name}: {r['errors']:.0f} errors")
    for connections in (16, 64):
        ratio = results[f"content@{connections}"]["rps"] / results[f"bare@{connections}"]["rps"]
        print(f"content / bare at {connections} connections: {ratio:.0%} (target >= {RATIO_TARGET:.0%})")
        if ratio < RATIO_TARGET:
            failures.append(f"throughput ratio {ratio:.0%} at {connections} connections")
    p99 = results["content@64"].get("p99_ms", float("inf"))
    print(f"content p99 at 64 connections: {p99:.1f} ms (target < {P99_TARGET_MS:.0f} ms)")
    if p99 >= P99_TARGET_MS:
        failures.append(f"p99 {p99:.1f} ms at 64 connections")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
