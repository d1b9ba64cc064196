"""Generation wall time: Generate → every draft stored and checked, against a provider that answers after 500 ms.

A brief of 5 segments × 3 channels × 3 variants is 15 model calls; with enough
workers they overlap, so the floor is one call (500 ms). The target is under 3×
the floor (1.5 s) with a concurrency of at least 15 on PostgreSQL + Redis; the
embedded default (SQLite + file-system broker) is reported beside it.

    .venv/bin/python bench/bench_generation.py [--mode redis|embedded|both] [--concurrency 15] [--rounds 3]

It starts its own fake OpenAI-compatible server (tests/fake_openai.py), Celery
worker and database, and removes them afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DELAY = 0.5
VERBOSE = bool(os.environ.get("BENCH_VERBOSE"))


def prepare_env(mode: str, data_dir: str, llm_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "COPYDESK_DATA_DIR": data_dir,
        "COPYDESK_LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": "bench",
        "OPENAI_BASE_URL": llm_url,
        "COPYDESK_DAILY_TOKEN_BUDGET": "0",
    }
    if mode == "redis":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/copydesk_bench"
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:6379/14"
    else:
        env.pop("DATABASE_URL", None)
        env.pop("CELERY_BROKER_URL", None)
    return env


def run_round(env: dict[str, str], rounds: int, verbose: bool = False) -> list[float]:
    """Runs inside a child process configured by env: seed, generate, wait, report seconds per round."""
    code = f"""
import time, django
django.setup()
from workbench.access import SYSTEM
from workbench.accounts.models import Role, User
from workbench.brand.actions import guide_version_create, prompt_version_create, segment_save
from workbench.brand.models import Brand, PromptTemplate
from workbench.generation.actions import brief_create, generation_start
from workbench.generation.models import GenerationJob, RunStatus, Draft
from workbench.checks.models import CheckResult
from django.conf import settings
user = User.objects.filter(username="bench").first() or User.objects.create_user("bench", password="x" * 20, role=Role.ADMIN)
guide_version_create(source_yaml=(settings.BASE_DIR / "brandguide/northwind.yaml").read_text(), acting_user=SYSTEM)
brand = Brand.objects.get(slug="northwind")
base = settings.BASE_DIR / "prompts"
prompt_version_create(slug="brand-voice", name="Brand voice", system_source=(base / "brand-voice.system.j2").read_text(), user_source=(base / "brand-voice.user.j2").read_text(), acting_user=SYSTEM)
segments = [segment_save(brand=brand, slug=f"bench-{{i}}", name=f"Bench {{i}}", acting_user=SYSTEM) for i in range(5)]
times = []
for round_ in range({rounds}):
    brief = brief_create(brand=brand, title=f"bench {{round_}}", goal="g", key_message="New boots are here", call_to_action="See them",
                         segments=segments, channels=["email", "sms", "push"], variants_per_segment=3,
                         prompt_template=PromptTemplate.objects.get(slug="brand-voice"), acting_user=user)
    started = time.perf_counter()
    run = generation_start(brief, acting_user=user)
    while GenerationJob.objects.filter(run=run).exclude(status__in=[RunStatus.DONE, RunStatus.FAILED]).exists():
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    failed = GenerationJob.objects.filter(run=run, status=RunStatus.FAILED).count()
    drafts = Draft.objects.filter(brief=brief).count()
    checked = CheckResult.objects.filter(version__draft__brief=brief).count()
    assert failed == 0 and drafts == 45 and checked == 45, (failed, drafts, checked)
    times.append(elapsed)
    if {verbose!r}:
        t0 = run.created_at
        for j in GenerationJob.objects.filter(run=run).order_by("started_at"):
            print(f"job {{j.pk}} start +{{(j.started_at - t0).total_seconds():.3f}} done +{{(j.finished_at - t0).total_seconds():.3f}} attempts {{j.attempts}}")
print("TIMES", " ".join(f"{{t:.4f}}" for t in times))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"round failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    if verbose:
        print(out.stdout)
    line = next(l for l in out.stdout.splitlines() if l.startswith("TIMES"))
    return [float(x) for x in line.split()[1:]]


def measure(mode: str, concurrency: int, rounds: int, llm_url: str, pool: str) -> list[float]:
    with tempfile.TemporaryDirectory(prefix=f"copydesk-bench-{mode}-") as data_dir:
        env = prepare_env(mode, data_dir, llm_url)
        if mode == "redis":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "DROP DATABASE IF EXISTS copydesk_bench WITH (FORCE)"], check=True, capture_output=True)
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "CREATE DATABASE copydesk_bench"], check=True, capture_output=True)
            subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=True, capture_output=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], env=env, cwd=ROOT, check=True, capture_output=True)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workbench", "worker", "--loglevel=WARNING", f"--concurrency={concurrency}", f"--pool={pool}",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(6)  # let every pool process boot before the clock starts
            run_round(env, 2)  # warm-up: every pool process imports, connects and compiles the guide once
            return run_round(env, rounds, verbose=VERBOSE)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            if mode == "redis":
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "DROP DATABASE IF EXISTS copydesk_bench WITH (FORCE)"], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["redis", "embedded", "both"], default="both")
    parser.add_argument("--concurrency", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pool", choices=["prefork", "threads"], default="prefork")
    args = parser.parse_args()
    from tests.fake_openai import FakeOpenAI

    results: dict[str, float] = {}
    with FakeOpenAI(default_delay=DELAY) as llm:
        for mode in (["redis", "embedded"] if args.mode == "both" else [args.mode]):
            times = measure(mode, args.concurrency, args.rounds, llm.base_url, args.pool)
            median = statistics.median(times)
            results[mode] = median
            print(f"{mode:9s} pool={args.pool} concurrency={args.concurrency:<3d} rounds={times}  median {median:.3f} s = {median / DELAY:.2f}× the {DELAY:.1f} s floor")
    if "redis" in results:
        ok = results["redis"] / DELAY < 3.0
        print(f"target (PostgreSQL + Redis): under 3× the floor: {'met' if ok else 'MISSED'}")
        raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
