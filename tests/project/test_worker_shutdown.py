"""A worker stops within its grace period on SIGTERM, and hands back the job it could not finish."""

from __future__ import annotations

import signal
import time

import pytest

from tests.fake_openai import FakeOpenAI
from tests.pipeline import make_brief
from tests.worker import WorkerProcess, purge_broker, wait_for
from workbench.audit.log import verify_chain
from workbench.generation import actions
from workbench.generation.models import Draft, GenerationJob, RunStatus

pytestmark = [pytest.mark.worker, pytest.mark.serial, pytest.mark.django_db(transaction=True)]

GRACE_SECONDS = 6


def llm_env(llm: FakeOpenAI) -> dict[str, str]:
    return {
        "COPYDESK_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": llm.base_url,
        "COPYDESK_SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
    }


def test_it_exits_within_the_grace_period_and_hands_back_the_job_it_held(brand, prompt, segments, marketer, settings):
    settings.LLM_PROVIDER = "openai"
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    purge_broker()
    # The LLM answers after two minutes: a warm shutdown would wait for it, and the lease would hold the job for minutes.
    with FakeOpenAI(default_delay=120) as slow_llm:
        worker = WorkerProcess(concurrency=1, extra_env=llm_env(slow_llm))
        worker.start()
        try:
            run = actions.generation_start(brief, acting_user=marketer, provider="openai")
            job = GenerationJob.objects.get(run=run)
            wait_for(lambda: GenerationJob.objects.filter(pk=job.pk, status=RunStatus.RUNNING).exists() and slow_llm_called(slow_llm), timeout=60)
            assert worker.process is not None
            stopped_at = time.monotonic()
            worker.process.send_signal(signal.SIGTERM)
            worker.process.wait(timeout=GRACE_SECONDS + 30)
            took = time.monotonic() - stopped_at
        finally:
            worker.stop()
    assert took < GRACE_SECONDS, f"the worker took {took:.1f} s to stop; its grace period is {GRACE_SECONDS} s\n" + "".join(worker.output[-30:])
    job.refresh_from_db()
    assert (job.status, job.lease_expires_at) == (RunStatus.QUEUED, None), "the job it held was handed back, not left leased"
    assert not Draft.objects.filter(brief=brief).exists()

    # Another worker takes the handed-back job at once (its message was sent again) and finishes it, exactly once.
    with FakeOpenAI() as llm:
        second = WorkerProcess(concurrency=1, extra_env=llm_env(llm))
        second.start()
        try:
            wait_for(lambda: GenerationJob.objects.filter(pk=job.pk, status=RunStatus.DONE).exists(), timeout=60)
        finally:
            second.stop()
    assert Draft.objects.filter(brief=brief).count() == 1
    assert verify_chain().ok


def slow_llm_called(llm: FakeOpenAI) -> bool:
    return bool(llm.requests)


def test_an_idle_worker_stops_promptly_and_starts_without_noise(transactional_db, settings):
    purge_broker()
    worker = WorkerProcess(concurrency=2)
    worker.start()
    assert worker.process is not None
    stopped_at = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(timeout=60)
    took = time.monotonic() - stopped_at
    assert took < settings.WORKER_SHUTDOWN_GRACE_SECONDS and worker.process.returncode == 0, f"{took:.1f} s, exit {worker.process.returncode}"
    output = "".join(worker.output)
    # Celery's warning about root concerns pickled messages, which Copydesk does not accept; kombu's about a
    # missing host is true of the file-system broker at every start. Neither is for an operator.
    assert "superuser privileges" not in output and "No hostname was supplied" not in output
