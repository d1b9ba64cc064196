"""The broker restarted mid-brief (Redis without persistence, so the queued messages are gone):
every job still finishes exactly once, with no duplicate drafts, and the chain verifies."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from tests.fake_openai import FakeOpenAI
from tests.pipeline import make_brief
from tests.worker import WorkerProcess, purge_broker, wait_for
from workbench.audit.log import verify_chain
from workbench.generation import actions
from workbench.generation.models import Draft, GenerationJob, RunStatus

REDIS = shutil.which("redis-server")
pytestmark = [
    pytest.mark.worker,
    pytest.mark.serial,  # a real worker and a private Redis: timing-sensitive, so alone on the machine
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS is None, reason="needs redis-server to run a private, restartable broker"),
]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, with no persistence: a restart loses every message."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(REDIS), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_broker() -> Iterator[PrivateRedis]:
    broker = PrivateRedis()
    broker.start()
    try:
        yield broker
    finally:
        broker.kill()


def test_a_broker_restart_loses_no_job_and_duplicates_none(brand, prompt, segments, marketer, settings, redis_broker):
    with FakeOpenAI(default_delay=1.5) as llm:
        env = {
            "COPYDESK_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": llm.base_url,
            "CELERY_BROKER_URL": redis_broker.url, "COPYDESK_GENERATION_LEASE_SECONDS": "4", "COPYDESK_GENERATION_SWEEP_SECONDS": "1",
        }
        settings.LLM_PROVIDER = "openai"
        brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=1)
        # The jobs are created queued; the worker's start-up sweep sends them to this Redis.
        run = actions.generation_start(brief, acting_user=marketer, provider="openai", enqueue=False)
        worker = WorkerProcess(concurrency=1, extra_env=env)
        worker.start()
        try:
            wait_for(lambda: GenerationJob.objects.filter(run=run, status=RunStatus.RUNNING).exists(), timeout=30)
            redis_broker.kill()  # the messages still waiting in Redis are gone
            time.sleep(1)
            redis_broker.start()
            assert GenerationJob.objects.filter(run=run, status=RunStatus.QUEUED).exists(), "the restart must land while jobs wait"
            try:
                wait_for(lambda: GenerationJob.objects.filter(run=run, status=RunStatus.DONE).count() == 4, timeout=30)
            except AssertionError:
                statuses = list(GenerationJob.objects.filter(run=run).values_list("pk", "status"))
                raise AssertionError(f"jobs did not all finish after the broker restart: {statuses}\n" + "".join(worker.output[-25:])) from None
        finally:
            worker.stop()

    drafts = Draft.objects.filter(brief=brief)
    assert drafts.count() == 4
    assert len({(d.segment_id, d.channel, d.variant) for d in drafts}) == 4
    assert all(d.versions.count() == 1 for d in drafts)
    assert verify_chain().ok


def test_a_purge_also_drops_the_messages_a_killed_worker_never_acknowledged(brand, prompt, segments, marketer, settings, redis_broker):
    # Left in place, Redis would hand them to the next worker an hour on: a later test run, or a restored database,
    # would be sent job ids that are not the ones they were written for.
    with FakeOpenAI(default_delay=5) as llm:
        env = {"COPYDESK_LLM_PROVIDER": "openai", "OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": llm.base_url, "CELERY_BROKER_URL": redis_broker.url}
        settings.LLM_PROVIDER = "openai"
        brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email", "sms"], variants=1)
        run = actions.generation_start(brief, acting_user=marketer, provider="openai", enqueue=False)
        worker = WorkerProcess(concurrency=2, extra_env=env)
        worker.start()
        try:
            wait_for(lambda: GenerationJob.objects.filter(run=run, status=RunStatus.RUNNING).count() == 2, timeout=30)
            worker.kill()
        finally:
            worker.stop()
    unacknowledged = redis.Redis.from_url(redis_broker.url)
    assert unacknowledged.hlen("unacked") == 2, "a killed worker leaves the messages it had taken unacknowledged"
    purge_broker(redis_broker.url)
    assert unacknowledged.hlen("unacked") == unacknowledged.zcard("unacked_index") == unacknowledged.llen("celery") == 0
