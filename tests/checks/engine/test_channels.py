"""The channel registry's shape: limit keys, defaults and HTML fields derived from one entry per channel."""

from __future__ import annotations

import pytest

from workbench.checks.engine import CHANNEL_FIELDS, DEFAULT_LIMITS, HTML_FIELDS
from workbench.checks.engine.channels import (
    CHANNELS,
    Channel,
    FieldSpec,
    describe_channels,
    field_label,
    register_channel,
    unregister_channel,
)

SEGMENTED = Channel(
    name="rcs", label="RCS", fields=(FieldSpec("body", "Body", sms_segments=True), FieldSpec("note", "Note", kind="html")),
    help="", prompt_guidance="", default_max_segments=2,
)


def test_it_derives_each_channel_s_guide_keys_and_defaults_from_its_fields() -> None:
    assert CHANNELS["email"].limit_keys == ("subject_max_chars", "preheader_max_chars", "body_max_chars")
    assert CHANNELS["sms"].limit_keys == ("max_segments", "body_max_chars")
    assert CHANNELS["sms"].default_limits == {"max_segments": 3}
    assert CHANNELS["in_app"].limits({"channels": {"in_app": {"cta_max_chars": 12}}}) == {
        "title_max_chars": 60, "body_max_chars": 300, "cta_max_chars": 12,
    }
    assert CHANNELS["push"].limits({}) == DEFAULT_LIMITS["push"]
    assert list(HTML_FIELDS) == [("email", "body")]
    assert field_label("cta") == "CTA"


def test_it_shows_a_registered_channel_in_every_view_until_it_is_removed() -> None:
    register_channel(SEGMENTED)
    try:
        assert CHANNEL_FIELDS["rcs"] == ("body", "note")
        assert DEFAULT_LIMITS["rcs"] == {"max_segments": 2}
        assert SEGMENTED.limit_keys == ("max_segments", "body_max_chars", "note_max_chars")
        assert ("rcs", "note") in HTML_FIELDS and ("rcs", "body") not in HTML_FIELDS
        assert "rcs: body, note (HTML)" in describe_channels()
    finally:
        unregister_channel("rcs")
    assert "rcs" not in CHANNEL_FIELDS and ("rcs", "note") not in HTML_FIELDS


def test_it_refuses_a_second_channel_of_the_same_name_and_keeps_the_built_in_ones() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_channel(Channel(name="sms", label="SMS", fields=(FieldSpec("body", "Body"),), help="", prompt_guidance=""))
    with pytest.raises(ValueError, match="distinct names"):
        register_channel(Channel(name="x", label="X", fields=(FieldSpec("a", "A"), FieldSpec("a", "A")), help="", prompt_guidance=""))
    with pytest.raises(ValueError, match="built in"):
        unregister_channel("email")
    assert list(CHANNELS) == ["email", "sms", "push", "in_app"]
