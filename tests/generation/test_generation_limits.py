"""Sizes and columns: every field has a maximum, refused with a message that keeps the text; provider output over it
fails plainly with nothing stored; provider provenance always fits its column; job claims and retries are audited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pipeline import generate_now, make_brief
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.generation import actions, services
from workbench.generation.limits import BRIEF_TEXT_MAX_CHARS, DRAFT_FIELD_MAX_CHARS
from workbench.generation.models import Draft, DraftVersion, GenerationJob, JobMode, RunStatus
from workbench.generation.providers import GenerationRequest, GenerationResult
from workbench.generation.tasks import generate_cell

pytestmark = pytest.mark.django_db


class StubProvider:
    """Answers every request with the same fields; stands in for any outside model."""

    name = "openai"

    def __init__(self, *, body: str = "Your boots are here. {{ unsubscribe_url }}", model: str = "gpt-4o-mini") -> None:
        self.body, self.model = body, model

    def generate(self, request: GenerationRequest) -> GenerationResult:
        one = {name: ("Boots are back" if name != "body" else self.body) for name in request.fields}
        return GenerationResult(
            variants=[dict(one) for _ in range(request.variants)], provider=self.name, model=self.model,
            parameters={"temperature": 0.7}, input_tokens=120, output_tokens=80, latency_ms=900,
        )


@pytest.fixture
def draft(brand, prompt, segments, marketer) -> Draft:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (made,) = generate_now(brief, marketer)
    return made


def _use_provider(monkeypatch, provider: StubProvider) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "get_provider", lambda name=None: provider)


def test_it_refuses_an_oversized_edit_in_the_browser_and_keeps_the_text(client, draft, marketer):
    client.force_login(marketer)
    typed = "Keep me " + "z" * DRAFT_FIELD_MAX_CHARS["body"]
    fields = draft.latest_version().fields
    response = client.post(f"/drafts/{draft.pk}/edit/", {**fields, "body": typed, "base_version": 1})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"at most {DRAFT_FIELD_MAX_CHARS['body']:,} characters" in page
    assert typed in page  # the text area still holds what was typed
    assert 'maxlength="' not in page.split('id="edit"')[1].split("</form>")[0]  # no silent cut in the browser either
    assert draft.versions.count() == 1


def test_it_refuses_an_oversized_edit_through_the_action(draft, marketer):
    fields = {**draft.latest_version().fields, "subject": "s" * (DRAFT_FIELD_MAX_CHARS["subject"] + 1)}
    with pytest.raises(CopydeskError, match="subject"):
        actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    assert draft.versions.count() == 1


def test_it_says_so_in_the_live_panel_when_the_text_is_too_big(client, draft, marketer):
    client.force_login(marketer)
    response = client.post(f"/drafts/{draft.pk}/check/", {"body": "b" * (DRAFT_FIELD_MAX_CHARS["body"] + 1)})
    assert response.status_code == 200
    assert "most a body can hold" in response.content.decode()


def test_it_refuses_an_oversized_brief_and_keeps_the_text(client, brand, prompt, segments, marketer):
    client.force_login(marketer)
    goal = "Win them back " + "g" * BRIEF_TEXT_MAX_CHARS
    response = client.post("/briefs/new/", {
        "brand": brand.pk, "title": "Big", "goal": goal, "key_message": "Boots", "call_to_action": "Shop",
        "segments": [segments["new"].pk], "channels": ["email"], "variants_per_segment": 1, "prompt_template": prompt.pk,
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert goal in page and "at most" in page
    assert not brand.briefs.exists()


def test_it_refuses_an_oversized_reject_reason_and_keeps_it(client, draft, marketer, reviewer):
    actions.draft_submit(draft, acting_user=marketer)
    client.force_login(reviewer)
    reason = "Too long " + "r" * 3000
    response = client.post(f"/drafts/{draft.pk}/reject/", {"version": 1, "reason": reason, "decision": "reject"})
    assert response.status_code == 400
    assert reason in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "in_review"


def test_it_fails_a_job_plainly_when_the_model_writes_more_than_a_field_holds(monkeypatch, draft, marketer):
    _use_provider(monkeypatch, StubProvider(body="word " * DRAFT_FIELD_MAX_CHARS["body"]))
    job = actions.draft_request_variation(draft, mode=JobMode.MORE_LIKE_THIS, base_version=1, count=2, acting_user=marketer)
    generate_cell.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.status == RunStatus.FAILED
    assert "too long to store" in job.error and "body" in job.error
    assert Draft.objects.filter(brief=draft.brief).count() == 1  # nothing invalid stored
    assert AuditEvent.objects.filter(action="generation.job_failed", object_id=str(job.pk)).exists()


def test_it_clips_a_provider_model_name_to_its_column(monkeypatch, draft, marketer):
    long_name = "m" * 5000
    _use_provider(monkeypatch, StubProvider(model=long_name))
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    services.run_job(job.pk)
    version = draft.latest_version()
    column = DraftVersion._meta.get_field("model").max_length
    assert version.number == 2
    assert len(version.model) == column and version.model.endswith("…") and version.model.startswith("mmm")


def test_it_clamps_provider_counts_to_what_a_column_holds(monkeypatch, draft, marketer):
    class Greedy(StubProvider):
        def generate(self, request: GenerationRequest) -> GenerationResult:
            result = super().generate(request)
            return GenerationResult(**{**result.__dict__, "input_tokens": 10**20, "output_tokens": -5, "latency_ms": 10**12})

    _use_provider(monkeypatch, Greedy())
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    services.run_job(job.pk)
    version = draft.latest_version()
    assert version.input_tokens == 2**31 - 1 and version.output_tokens == 0 and version.latency_ms == 2**31 - 1


def test_it_audits_a_job_claim_and_a_retry(draft, marketer):
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    claimed = actions.job_claim(job.pk)
    assert claimed is not None
    actions.job_retry_pending(job.pk, "the provider is rate limiting")
    services.run_job(job.pk)
    events = list(AuditEvent.objects.filter(object_id=str(job.pk), action__startswith="generation.job_").order_by("pk").values_list("action", flat=True))
    assert events == ["generation.job_claim", "generation.job_retry", "generation.job_claim", "generation.job_done"]
    retry = AuditEvent.objects.get(action="generation.job_retry", object_id=str(job.pk))
    changes: dict[str, Any] = retry.changes
    assert changes["status"] == ["running", "queued"] and "rate limiting" in changes["error"]
    assert GenerationJob.objects.get(pk=job.pk).status == RunStatus.DONE
    assert verify_chain().ok


def test_it_does_not_audit_a_claim_that_takes_nothing(draft, marketer):
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    services.run_job(job.pk)
    services.run_job(job.pk)  # a redelivered message: the job is done, nothing is claimed
    assert AuditEvent.objects.filter(action="generation.job_claim", object_id=str(job.pk)).count() == 1
