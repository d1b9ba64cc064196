"""A worker killed with SIGKILL mid-brief loses nothing and duplicates nothing."""

from __future__ import annotations

import pytest

from tests.fake_openai import FakeOpenAI
from tests.pipeline import make_brief
from tests.worker import WorkerProcess, purge_broker, wait_for
from workbench.audit.log import verify_chain
from workbench.generation import actions
from workbench.generation.models import Draft, GenerationJob, RunStatus

pytestmark = [pytest.mark.worker, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def test_it_finishes_a_brief_exactly_once_after_the_worker_is_killed(brand, prompt, segments, marketer, settings):
    with FakeOpenAI(default_delay=1.5) as llm:
        env = {
            "COPYDESK_LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": "test-key",
            "OPENAI_BASE_URL": llm.base_url,
            "COPYDESK_GENERATION_LEASE_SECONDS": "4",
            "COPYDESK_GENERATION_SWEEP_SECONDS": "1",
        }
        settings.LLM_PROVIDER = "openai"
        brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)
        purge_broker()
        first = WorkerProcess(concurrency=2, extra_env=env)
        first.start()
        try:
            run = actions.generation_start(brief, acting_user=marketer, provider="openai")
            wait_for(lambda: GenerationJob.objects.filter(run=run, status=RunStatus.RUNNING).exists(), timeout=30)
            first.kill()
        finally:
            first.stop()
        unfinished = GenerationJob.objects.filter(run=run).exclude(status=RunStatus.DONE).count()
        assert unfinished > 0, "the kill must land mid-run for this test to mean anything"

        second = WorkerProcess(concurrency=2, extra_env=env)
        second.start()
        try:
            # Generous: on a loaded CI box a lease (4 s) can run out under a live job more than once.
            wait_for(
                lambda: GenerationJob.objects.filter(run=run, status=RunStatus.DONE).count() == 4, timeout=150,
                explain=lambda: f"jobs: {list(GenerationJob.objects.filter(run=run).values_list('pk', 'status', 'attempts', 'lease_expires_at'))}\n"
                f"first worker:\n{first.tail()}\nsecond worker:\n{second.tail()}",
            )
        finally:
            second.stop()

    drafts = Draft.objects.filter(brief=brief)
    assert drafts.count() == 8
    cells = {(d.segment_id, d.channel, d.variant) for d in drafts}
    assert len(cells) == 8, "no duplicate variant in any cell"
    assert all(d.versions.count() == 1 for d in drafts)
    assert not GenerationJob.objects.filter(run=run, status=RunStatus.FAILED).exists()
    assert verify_chain().ok
