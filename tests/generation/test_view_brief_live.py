"""The brief page while generating: progress and grid in one polled part that settles, Generate again asked first,
and the draft count and cost that Generate will make, on the form (live) and beside the button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.pipeline import generate_now, make_brief
from workbench.generation import actions
from workbench.generation.models import GenerationRun
from workbench.generation.services import run_job

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def brief(brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    return make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)


def live_part(client, brief) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("brief_detail", args=[brief.pk]) + "?part=live", **HTMX).content.decode()


def test_progress_and_grid_come_in_one_part_that_stops_polling_when_the_run_ends(logged_in, brief, marketer):
    client = logged_in(marketer)
    run = actions.generation_start(brief, acting_user=marketer, enqueue=False)
    polled = live_part(client, brief)
    assert polled.lstrip().startswith('<div id="live"') and "<html" not in polled
    assert 'hx-trigger="every 1s"' in polled and 'id="progress"' in polled and 'id="drafts"' in polled
    assert "All <span>0</span>" in polled

    first, *rest = list(run.jobs.all())
    run_job(first.pk)
    polled = live_part(client, brief)
    assert "All <span>2</span>" in polled and "1 of 4 parts finished" in polled and 'hx-trigger="every 1s"' in polled

    for job in rest:
        run_job(job.pk)
    settled = live_part(client, brief)
    assert "All <span>8</span>" in settled and "every 1s" not in settled
    assert 'hx-get' not in settled and "Generate again adds 8 drafts" in settled


def test_the_filter_is_kept_while_polling(logged_in, brief, marketer):
    actions.generation_start(brief, acting_user=marketer, enqueue=False)
    page = logged_in(marketer).get(reverse("brief_detail", args=[brief.pk]) + "?state=draft").content.decode()
    assert "?part=live&amp;state=draft" in page


def test_generate_again_asks_first_and_says_how_many_it_adds(logged_in, brief, marketer):
    generate_now(brief, marketer)
    client = logged_in(marketer)
    page = client.get(reverse("brief_detail", args=[brief.pk])).content.decode()
    assert 'hx-confirm="Generate again? This adds 8 more drafts to the 8 this brief has' in page

    response = client.post(reverse("brief_generate", args=[brief.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("brief_generate_confirm", args=[brief.pk])
    assert GenerationRun.objects.filter(brief=brief).count() == 1
    confirm = client.get(response["Location"]).content.decode()
    assert "This adds 8 drafts" in confirm and "to the 8 this brief already has" in confirm and "costs nothing" in confirm

    response = client.post(reverse("brief_generate", args=[brief.pk]), {"confirm": "yes"})
    assert response.status_code == 302 and GenerationRun.objects.filter(brief=brief).count() == 2


def test_generate_again_through_htmx_redirects_the_page(logged_in, brief, marketer):
    generate_now(brief, marketer)
    response = logged_in(marketer).post(reverse("brief_generate", args=[brief.pk]), {"confirm": "yes"}, **HTMX)
    assert response["HX-Redirect"] == reverse("brief_detail", args=[brief.pk])
    assert GenerationRun.objects.filter(brief=brief).count() == 2


def test_the_first_generate_needs_no_confirmation(logged_in, brief, marketer):
    response = logged_in(marketer).post(reverse("brief_generate", args=[brief.pk]))
    assert response["Location"] == reverse("brief_detail", args=[brief.pk]) and GenerationRun.objects.filter(brief=brief).exists()


def test_the_brief_page_says_what_generate_makes_and_costs(logged_in, brief, marketer):
    page = logged_in(marketer).get(reverse("brief_detail", args=[brief.pk])).content.decode()
    assert "Generate makes 8 drafts" in page and "2 segments × 2 channels × 1 locale × 2 variants" in page
    assert "The offline stand-in costs nothing." in page


def test_the_form_estimate_follows_what_is_picked(logged_in, brand, segments, marketer):
    client = logged_in(marketer)
    data = {"brand": brand.pk, "segments": [segments["new"].pk, segments["loyal"].pk, segments["complaint"].pk], "channels": ["email", "push"], "variants_per_segment": "3"}
    part = client.post(reverse("brief_estimate"), data, **HTMX).content.decode()
    assert part.lstrip().startswith("<p><strong>Generate makes") and "Generate makes 18 drafts" in part and "costs nothing" in part
    part = client.post(reverse("brief_estimate"), {**data, "channels": ["email"], "variants_per_segment": "x"}, **HTMX).content.decode()
    assert "Pick segments, channels and variants" in part
    form_page = client.get(reverse("brief_create")).content.decode()
    assert 'hx-post="/briefs/estimate/"' in form_page


def test_with_a_priced_provider_the_estimate_gives_a_cost(logged_in, brand, segments, marketer, settings):
    settings.LLM_PROVIDER, settings.OPENAI_API_KEY, settings.OPENAI_MODEL = "openai", "sk-test", "gpt-4o-mini"
    data = {"brand": brand.pk, "segments": [segments["new"].pk], "channels": ["email"], "variants_per_segment": "2"}
    part = logged_in(marketer).post(reverse("brief_estimate"), data, **HTMX).content.decode()
    # 1 call of 1,500 tokens in at $0.15/M, 2 variants of 200 tokens out at $0.60/M = $0.000465
    assert "Generate makes 2 drafts" in part and "About $0.0005 with openai (gpt-4o-mini)" in part
    part = logged_in(marketer).post(reverse("brief_estimate"), {**data, "llm_model": "house-model"}, **HTMX).content.decode()
    assert "No price is listed for house-model" in part


def test_only_authors_get_the_estimate(logged_in, reviewer):
    assert logged_in(reviewer).post(reverse("brief_estimate"), {}).status_code == 403
