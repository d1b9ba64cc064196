"""The whole pipeline through HTTP, with generation in a real Celery worker process."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.journeys_setup import publish_through_dialog
from tests.worker import wait_for
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.generation.models import Draft, DraftState, GenerationJob, RunStatus
from workbench.journeys.actions import journey_create, journey_step_create

pytestmark = [pytest.mark.worker, pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def test_it_walks_the_pipeline_from_brief_to_api(
    celery_worker_process, brand, prompt, segments, marketer, reviewer, admin_user
):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=admin_user)
    journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=admin_user)

    # 1. A marketer writes a brief for two segments × two channels × two variants and clicks Generate.
    web = Client()
    web.force_login(marketer)
    response = web.post("/briefs/new/", {
        "brand": brand.pk, "title": "Spring boots", "goal": "Bring members back",
        "key_message": "The new trail boots are here, light and comfortable", "call_to_action": "See the boots",
        "segments": [segments["new"].pk, segments["loyal"].pk], "channels": ["email", "sms"],
        "variants_per_segment": 2, "prompt_template": prompt.pk, "tone_context": "",
    })
    assert response.status_code == 302, response.content
    brief_url = response["Location"]
    assert web.post(brief_url + "generate/").status_code == 302

    # 2. The worker renders the prompt, calls the provider, stores and checks the drafts.
    wait_for(lambda: not GenerationJob.objects.exclude(status=RunStatus.DONE).exists() and GenerationJob.objects.count() == 4)
    drafts = Draft.objects.filter(brief__title="Spring boots")
    assert drafts.count() == 8
    assert all(d.latest_version().check_results.exists() for d in drafts)
    assert web.get(brief_url).status_code == 200

    # 3-4. Submit; the author cannot approve; a reviewer approves; a reject needs a reason.
    draft = drafts.get(segment=segments["new"], channel="email", variant=1)
    assert web.post(f"/drafts/{draft.pk}/submit/").status_code == 302
    admin_web = Client()
    admin_web.force_login(admin_user)
    review_web = Client()
    review_web.force_login(reviewer)
    assert web.post(f"/drafts/{draft.pk}/approve/", {"version": 1}).status_code == 403
    review_web.post(f"/drafts/{draft.pk}/approve/", {"version": 1})
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED

    other = drafts.get(segment=segments["new"], channel="email", variant=2)
    web.post(f"/drafts/{other.pk}/submit/")
    review_web.post(f"/drafts/{other.pk}/reject/", {"version": 1, "reason": ""})
    other.refresh_from_db()
    assert other.state == DraftState.IN_REVIEW

    # 5. The admin publishes; an API client pulls it.
    step = journey.steps.get()
    version = draft.latest_version()
    assert publish_through_dialog(admin_web, f"/versions/{version.pk}/publish/", {"step": step.pk, "replace": "1", "weight": 100}).status_code == 302
    out = io.StringIO()
    call_command("create_api_client", "engine", "--journey", "welcome", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    api = Client()
    pulled = api.get("/api/v1/journeys/welcome/steps/welcome-email/content", {"segment": "new-customers"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert pulled.status_code == 200
    assert pulled.json()["fields"] == version.fields
    listed = api.get("/api/v1/journeys", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listed["journeys"][0]["steps"][0]["live_segments"] == ["new-customers"]
    # The unapproved sibling can never be served.
    assert api.get("/api/v1/journeys/welcome/steps/welcome-email/content", {"segment": "loyal-members"}, HTTP_AUTHORIZATION=f"Bearer {token}").json()["content_id"] == draft.pk

    # 6. Every step is in the audit log and the chain verifies.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"brief.create", "generation.start", "generation.job_done", "draft.submit", "review.approve", "publication.create", "api_client.create"} <= actions
    assert verify_chain().ok
    assert "audit chain OK" in _verify_audit_output()


def _verify_audit_output() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()
