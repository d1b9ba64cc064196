"""Model and parameters per brand and per brief, set in the browser."""

from __future__ import annotations

import pytest

from workbench.audit.models import AuditEvent
from workbench.generation.actions import generation_start
from workbench.generation.models import Brief

pytestmark = pytest.mark.django_db


def test_a_brief_can_name_its_model_and_temperature(client, marketer, brand, prompt, segments, settings):
    client.force_login(marketer)
    response = client.post("/briefs/new/", {
        "brand": brand.pk, "title": "Spring", "goal": "g", "key_message": "New boots", "call_to_action": "See them",
        "segments": [segments["new"].pk], "channels": ["email"], "variants_per_segment": 1, "prompt_template": prompt.pk,
        "tone_context": "", "llm_model": "gpt-4o", "temperature": "0.3",
    })
    assert response.status_code == 302, response.content
    brief = Brief.objects.get()
    assert (brief.llm_model, brief.llm_parameters) == ("gpt-4o", {"temperature": 0.3})
    settings.LLM_PROVIDER = "openai"
    run = generation_start(brief, acting_user=marketer, enqueue=False, provider="openai")
    assert (run.model, run.parameters) == ("gpt-4o", {"temperature": 0.3})


def test_it_refuses_a_temperature_out_of_range(client, marketer, brand, prompt, segments):
    client.force_login(marketer)
    response = client.post("/briefs/new/", {
        "brand": brand.pk, "title": "Spring", "goal": "g", "key_message": "New boots", "call_to_action": "See them",
        "segments": [segments["new"].pk], "channels": ["email"], "variants_per_segment": 1, "prompt_template": prompt.pk,
        "temperature": "7",
    })
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 2" in response.text
    assert not Brief.objects.exists()


def test_admins_set_a_brands_model_and_it_is_audited(client, admin_user, marketer, brand):
    client.force_login(marketer)
    assert client.post(f"/guides/{brand.slug}/model/", {"llm_model": "x"}).status_code == 403
    client.force_login(admin_user)
    response = client.post(f"/guides/{brand.slug}/model/", {"llm_model": "gpt-4o-mini", "temperature": "0.6"}, follow=True)
    assert "Saved." in response.text and "gpt-4o-mini" in response.text
    brand.refresh_from_db()
    assert (brand.llm_model, brand.llm_parameters) == ("gpt-4o-mini", {"temperature": 0.6})
    event = AuditEvent.objects.get(action="brand.update")
    assert event.changes["llm_model"] == ["", "gpt-4o-mini"]
    response = client.post(f"/guides/{brand.slug}/model/", {"llm_model": "", "temperature": "9"}, follow=True)
    assert "temperature" in response.text
    brand.refresh_from_db()
    assert brand.llm_model == "gpt-4o-mini", "bad input changes nothing"
