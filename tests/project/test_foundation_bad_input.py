"""Bad input gets a clear message where the user is, and nothing stored is lost or half-written."""

from __future__ import annotations

import pytest

from workbench.audit.models import AuditEvent
from workbench.generation.models import Brief

pytestmark = pytest.mark.django_db


def brief_form(brand, prompt, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "brand": brand.pk, "title": "Spring", "goal": "Sell boots", "key_message": "New boots",
        "call_to_action": "See them", "segments": [], "channels": [], "variants_per_segment": 2,
        "prompt_template": prompt.pk, "tone_context": "",
    }
    data.update(overrides)
    return data


def test_it_explains_a_brief_without_segments_or_channels(client, marketer, brand, prompt, segments):
    client.force_login(marketer)
    events = AuditEvent.objects.count()
    response = client.post("/briefs/new/", brief_form(brand, prompt))
    assert response.status_code == 400
    assert "Pick at least one audience segment." in response.text
    assert "Pick at least one channel." in response.text
    assert 'value="Spring"' in response.text  # what was typed is kept
    assert not Brief.objects.exists() and AuditEvent.objects.count() == events


def test_it_explains_an_unknown_brand_or_tone_context(client, marketer, brand, prompt, segments):
    client.force_login(marketer)
    data = brief_form(brand, prompt, segments=[segments["new"].pk], channels=["email"])
    response = client.post("/briefs/new/", {**data, "brand": 9999})
    assert "Select a valid choice" in response.text
    response = client.post("/briefs/new/", brief_form(brand, prompt, segments=[segments["new"].pk], channels=["email"], tone_context="party"))
    # tone contexts are a choice among the guide's: an unknown one is named in the form's error
    assert "party is not one of the available choices" in response.text
    response = client.post("/briefs/new/", brief_form(brand, prompt, segments=[segments["new"].pk], channels=["fax"]))
    assert "Select a valid choice" in response.text
    assert not Brief.objects.exists()


def test_it_keeps_reviewers_out_of_brief_writing(client, reviewer, brand, prompt, segments):
    client.force_login(reviewer)
    assert client.get("/briefs/new/").status_code == 403
    assert client.post("/briefs/new/", brief_form(brand, prompt, segments=[segments["new"].pk], channels=["email"])).status_code == 403
    assert not Brief.objects.exists()


def test_it_creates_a_brief_and_audits_it(client, marketer, brand, prompt, segments):
    client.force_login(marketer)
    response = client.post("/briefs/new/", brief_form(brand, prompt, segments=[segments["new"].pk, segments["loyal"].pk], channels=["email", "sms"]))
    brief = Brief.objects.get()
    assert response["Location"] == f"/briefs/{brief.pk}/"
    assert set(brief.segments.values_list("slug", flat=True)) == {"new-customers", "loyal-members"}
    assert AuditEvent.objects.filter(action="brief.create", object_id=str(brief.pk), actor_label=marketer.username).exists()
