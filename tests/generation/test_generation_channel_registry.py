"""The channel registry is the one place a channel is defined: a channel added there reaches every reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.brand.models import Brand, BrandGuideVersion, Segment
from workbench.checks.engine import CHANNEL_FIELDS, EngineInputError, GuideError, check_fields, compile_guide, validate_guide
from workbench.checks.engine.channels import CHANNELS, Channel, FieldSpec, register_channel, unregister_channel
from workbench.generation.context import prompt_context
from workbench.generation.forms import CHANNEL_HELP, BriefForm, DraftEditForm
from workbench.generation.limits import draft_field_limit
from workbench.generation.models import Brief
from workbench.generation.prompting import render_in_process
from workbench.generation.providers import response_schema
from workbench.generation.sanitize import sanitize_fields

WHATSAPP = Channel(
    name="whatsapp", label="WhatsApp",
    fields=(FieldSpec("body", "Body", default_max_chars=90, stored_max_chars=4_096),),
    help="One plain-text chat message.",
    prompt_guidance="WhatsApp: one friendly chat message of a sentence or two, plain text.",
)

GUIDE = {"slug": "acme", "name": "Acme", "disallowed": [{"term": "cheap", "severity": "block"}]}


@pytest.fixture
def whatsapp() -> Iterator[Channel]:
    register_channel(WHATSAPP)
    try:
        yield WHATSAPP
    finally:
        unregister_channel(WHATSAPP.name)


def test_it_checks_copy_on_a_channel_added_to_the_registry(whatsapp: Channel) -> None:
    guide = validate_guide({**GUIDE, "channels": {"whatsapp": {"body_max_chars": 40}}, "required": {"whatsapp": ["Reply STOP"]}})
    compiled = compile_guide(guide)

    result = check_fields(compiled, "whatsapp", {"body": "Our cheap boots are back <b>today</b>, come and see them all."})

    rules = {(f.kind, f.rule) for f in result.findings}
    assert ("disallowed_word", "cheap") in rules
    assert ("length", "body_max_chars") in rules  # the guide's 40 over the registry's 90
    assert ("disallowed_word", "markup") in rules  # a plain-text field
    assert ("required_text", "Reply STOP") in rules
    assert CHANNEL_FIELDS["whatsapp"] == ("body",)
    with pytest.raises(EngineInputError, match="unknown field 'title' for channel whatsapp"):
        check_fields(compiled, "whatsapp", {"title": "Hi"})


def test_it_applies_the_registry_default_limit_of_an_added_channel(whatsapp: Channel) -> None:
    compiled = compile_guide(validate_guide(GUIDE))

    result = check_fields(compiled, "whatsapp", {"body": "Your boots are on their way. " * 4})

    assert [(f.rule, f.start) for f in result.findings if f.kind == "length"] == [("body_max_chars", 90)]


def test_it_validates_guides_against_the_registry(whatsapp: Channel) -> None:
    validate_guide({**GUIDE, "channels": {"whatsapp": {"body_max_chars": 100}}})
    with pytest.raises(GuideError, match=r"channels\.whatsapp\.title_max_chars: unknown key \(expected one of: body_max_chars\)"):
        validate_guide({**GUIDE, "channels": {"whatsapp": {"title_max_chars": 10}}})


@pytest.mark.django_db  # the brief form reads the brands' declared locales
def test_it_refuses_an_unregistered_channel_everywhere_the_registry_is_read() -> None:
    assert "whatsapp" not in CHANNELS
    with pytest.raises(GuideError, match=r"channels\.whatsapp: unknown key"):
        validate_guide({**GUIDE, "channels": {"whatsapp": {"body_max_chars": 100}}})
    with pytest.raises(EngineInputError, match="unknown channel 'whatsapp'"):
        check_fields(compile_guide(validate_guide(GUIDE)), "whatsapp", {"body": "Hi"})
    assert "whatsapp" not in dict(BriefForm().fields["channels"].choices)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_offers_an_added_channel_in_the_brief_form(whatsapp: Channel) -> None:
    form = BriefForm(data={"channels": ["whatsapp"]})

    assert dict(form.fields["channels"].choices)["whatsapp"] == "WhatsApp"  # type: ignore[attr-defined]
    form.is_valid()
    assert "channels" not in form.errors
    assert CHANNEL_HELP["whatsapp"] == "One plain-text chat message."
    edit = DraftEditForm(channel_fields=CHANNEL_FIELDS["whatsapp"])
    assert list(edit.fields) == ["base_version", "body"]
    assert draft_field_limit("body") >= 4_096


def test_it_builds_the_provider_schema_of_an_added_channel(whatsapp: Channel) -> None:
    item = response_schema("whatsapp")["properties"]["variants"]["items"]

    assert item["required"] == ["body"]
    assert item["properties"] == {"body": {"type": "string", "description": "Body, plain text"}}


def test_it_sanitises_an_added_channel_as_plain_text(whatsapp: Channel) -> None:
    dirty = {"body": "Hi <b>there</b> &amp; welcome <img src=x onerror=alert(1)//"}

    assert sanitize_fields("whatsapp", dirty) == {"body": "Hi there & welcome"}
    # the email body is the registry's HTML field: kept as safe HTML
    assert sanitize_fields("email", {"body": "<p>Hi <b>there</b></p><script>x</script>"})["body"] == "<p>Hi <b>there</b></p>x"


def test_it_tells_an_added_channel_s_guidance_and_limits_to_the_model(whatsapp: Channel, prompt) -> None:  # type: ignore[no-untyped-def]
    brand = Brand(slug="acme", name="Acme")
    guide = BrandGuideVersion(brand=brand, number=1, data=validate_guide(GUIDE))
    brief = Brief(brand=brand, title="Launch", goal="Sell boots", key_message="New boots", offer="", call_to_action="See them", variants_per_segment=1)
    segment = Segment(brand=brand, slug="new", name="New", description="", tone_context="")
    context = prompt_context(brief=brief, segment=segment, channel="whatsapp", guide=guide, past_rejections=[])

    version = prompt.current_version()
    rendered = render_in_process(version.system_source, version.user_source, context)

    assert "WhatsApp: one friendly chat message" in rendered.system
    assert "body_max_chars = 90" in rendered.system
    assert "each with the fields body as strings" in rendered.system


@pytest.mark.parametrize("channel", ["email", "sms", "push", "in_app"])
@pytest.mark.parametrize("guide_channels", [{}, {"email": {"subject_max_chars": 50}, "sms": {"max_segments": 2}, "push": {"body_max_chars": 99}}])
def test_it_tells_the_model_the_limits_the_checks_apply(channel: str, guide_channels: dict[str, dict[str, int]]) -> None:
    data = validate_guide({**GUIDE, "channels": guide_channels})
    brand = Brand(slug="acme", name="Acme")
    guide = BrandGuideVersion(brand=brand, number=1, data=data)
    brief = Brief(brand=brand, title="Launch", goal="Sell boots", key_message="New boots", offer="", call_to_action="See them", variants_per_segment=1)
    segment = Segment(brand=brand, slug="new", name="New", description="", tone_context="")

    context = prompt_context(brief=brief, segment=segment, channel=channel, guide=guide, past_rejections=[])

    assert context["channel"]["limits"] == compile_guide(data).limits[channel]
