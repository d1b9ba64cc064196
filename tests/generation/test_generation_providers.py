"""LLM providers live in one registry: a new one is one entry, and settings, provenance, pricing and the UI follow it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.pipeline import generate_now, make_brief
from workbench.env import ConfigError
from workbench.generation import providers
from workbench.generation.models import DraftVersion, GenerationJob
from workbench.generation.providers import GenerationRequest, GenerationResult, ProviderSpec, check_settings

pytestmark = pytest.mark.django_db


class EchoProvider:
    """Writes each field as the field's name and the variant's number; every call uses 1,000 in and 500 out tokens."""

    name = "echo"

    def generate(self, request: GenerationRequest) -> GenerationResult:
        variants = [{field: f"{field} {n}" for field in request.fields} for n in range(request.variants)]
        return GenerationResult(
            variants=variants, provider=self.name, model=request.model, parameters=dict(request.parameters),
            input_tokens=1_000, output_tokens=500, latency_ms=1,
        )


@pytest.fixture
def echo_registered(monkeypatch: pytest.MonkeyPatch) -> ProviderSpec:
    spec = ProviderSpec(
        name="echo", build=EchoProvider, default_model=lambda: "echo-large",
        description="a test provider", prices={"echo-large": (2.0, 4.0)},
        required_settings={"ECHO_API_KEY": "COPYDESK_ECHO_KEY"},
    )
    monkeypatch.setitem(providers.PROVIDERS, spec.name, spec)
    return spec


def test_it_selects_records_and_prices_a_provider_registered_in_one_entry(echo_registered, settings, brand, prompt, segments, marketer, client):
    settings.LLM_PROVIDER = "echo"
    settings.ECHO_API_KEY = "set"
    check_settings()
    drafts = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["sms"], variants=2), marketer)

    assert len(drafts) == 2
    version = DraftVersion.objects.filter(draft=drafts[0]).get()
    assert (version.provider, version.model) == ("echo", "echo-large")
    # 1,000 input tokens at $2/M and 500 output at $4/M, for the one job.
    assert GenerationJob.objects.get().cost_usd == Decimal("0.004")
    client.force_login(marketer)
    footer = client.get("/").text
    assert "<strong>echo</strong> (a test provider)" in footer


def test_it_refuses_to_start_with_a_provider_nobody_registered(settings):
    settings.LLM_PROVIDER = "mystery"
    with pytest.raises(ConfigError, match=r"COPYDESK_LLM_PROVIDER='mystery': expected one of offline, openai"):
        check_settings()


def test_it_refuses_to_start_without_the_settings_the_chosen_provider_needs(echo_registered, settings):
    settings.LLM_PROVIDER = "echo"
    settings.ECHO_API_KEY = ""
    with pytest.raises(ConfigError, match="COPYDESK_LLM_PROVIDER=echo needs COPYDESK_ECHO_KEY"):
        check_settings()


def test_the_openai_client_is_built_with_the_configuration_it_is_given(settings):
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.OPENAI_TIMEOUT_SECONDS = "sk-settings", "", 60.0
    given = providers._openai_provider("sk-given", "http://127.0.0.1:1/v1", 7.0)
    assert (given.client.api_key, str(given.client.base_url), given.client.timeout) == ("sk-given", "http://127.0.0.1:1/v1/", 7.0)
    settings.OPENAI_API_KEY, settings.OPENAI_TIMEOUT_SECONDS = "sk-two", 9.0
    configured = providers.get_provider("openai")
    assert isinstance(configured, providers.OpenAIProvider)
    assert (configured.client.api_key, configured.client.timeout) == ("sk-two", 9.0)
    assert providers.get_provider("openai") is configured  # one client per configuration, kept between jobs


def test_the_draft_page_says_a_stand_in_costs_nothing(brand, prompt, segments, marketer, client):
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    client.force_login(marketer)
    page = client.get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert "$0 (offline stand-in)" in page
    assert "the offline stand-in understands shorter, warmer, plainer and remove the offer" in page
