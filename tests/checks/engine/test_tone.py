"""Tone dimensions, per-context inheritance, and their traps."""

from __future__ import annotations

import pytest

from workbench.checks.engine import CompiledGuide, EngineInputError, check_fields, compile_guide


def tone_guide(default: dict, contexts: dict | None = None, **extra: object) -> CompiledGuide:
    data: dict = {"slug": "t", "name": "T", "tone": {"default": default}}
    if contexts:
        data["tone"]["contexts"] = contexts
    data.update(extra)
    return compile_guide(data)


def tone_rules(guide: CompiledGuide, text: str, context: str | None = None, channel: str = "push",
               field: str = "body") -> list[tuple[str, str]]:
    result = check_fields(guide, channel, {field: text}, context)
    out = []
    for f in result.findings:
        assert text[f.start:f.end] == f.match
        if f.kind == "tone":
            assert f.severity == "warn"
            out.append((f.rule, f.match))
    return out


ALL_OFF = {"max_exclamations": 0, "shouting": False, "promotional": False, "urgency": False, "celebratory": False}


@pytest.mark.parametrize(
    ("dimension", "text", "expected"),
    [
        ("max_exclamations", "Hi! There", [("max_exclamations", "!")]),
        ("max_exclamations", "Hi\uff01", [("max_exclamations", "\uff01")]),  # fullwidth ! counts
        ("shouting", "This is HUGE news", [("shouting", "HUGE")]),
        ("shouting", "ÜBERSIZED coats", [("shouting", "ÜBERSIZED")]),
        ("promotional", "Get 50% off boots", [("promotional", "50% off")]),
        ("promotional", "Buy now while it lasts", [("promotional", "Buy now")]),
        ("promotional", "Use promo code WINTER", [("promotional", "promo code")]),
        ("promotional", "Save $20 off today", [("promotional", "Save $20 off")]),
        ("urgency", "Only 3 left in your size", [("urgency", "Only 3 left")]),
        ("urgency", "Hurry, it expires tonight", [("urgency", "Hurry"), ("urgency", "expires tonight")]),
        ("urgency", "Last chance to join", [("urgency", "Last chance")]),
        ("urgency", "Act now", [("urgency", "Act now")]),
        ("celebratory", "Great news about your order", [("celebratory", "Great news")]),
        ("celebratory", "Woohoo, it shipped", [("celebratory", "Woohoo")]),
        ("celebratory", "It shipped \U0001F389", [("celebratory", "\U0001F389")]),
        ("celebratory", "It shipped \U0001F973\ufe0f", [("celebratory", "\U0001F973")]),
    ],
)
def test_each_dimension_flags(dimension: str, text: str, expected: list) -> None:
    guide = tone_guide({dimension: 0 if dimension == "max_exclamations" else False})
    assert tone_rules(guide, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Your order shipped.",
        "Reply STOP to opt out",  # STOP is part of a required text
        "Read our FAQ and NASA and USA and GDPR pages",  # known acronyms
        "FYI the BIG day",  # all caps but under 4 letters
        "COVID19 update",
        "We offered a refund and dealt with it",  # neutral service words
        "Call 555 0100",
        "Your {{ FIRST_NAME }} is here",
    ],
)
def test_all_dimensions_off_but_nothing_to_flag(text: str) -> None:
    guide = tone_guide(ALL_OFF, required={"sms": ["Reply STOP to opt out"]})
    assert tone_rules(guide, text) == []


def test_exclamation_limit_is_per_field_and_points_at_first_excess() -> None:
    guide = tone_guide({"max_exclamations": 1})
    result = check_fields(guide, "push", {"title": "Hi!", "body": "Wow! Great! Yes!"})
    tone = [f for f in result.findings if f.kind == "tone"]
    assert [(f.field, f.start, f.match) for f in tone] == [("body", 10, "!")]
    assert tone[0].message == "Body has 3 exclamation marks; the guide's default tone allows at most 1"
    assert result.passed  # tone is advisory


def test_contexts_inherit_missing_keys_from_default(northwind: CompiledGuide) -> None:
    text = "Great news! Big day! 50% off"
    # default: 1 exclamation allowed, no promo limits
    assert tone_rules(northwind, text) == [("max_exclamations", "!")]
    # promotional context: 2 allowed, shouting still inherited from default
    assert tone_rules(northwind, text + " HUGE", "promotional") == [("shouting", "HUGE")]
    got = tone_rules(northwind, text, "service_recovery")
    assert ("celebratory", "Great news") in got
    assert ("promotional", "50% off") in got
    assert ("max_exclamations", "!") in got


def test_context_message_names_context(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "sms", {"body": "Hurry! Reply STOP to opt out"}, "billing_issue")
    messages = [f.message for f in result.findings if f.kind == "tone"]
    assert 'Pressure language ("Hurry") does not fit the billing_issue context' in messages


def test_unknown_context_is_an_input_error(northwind: CompiledGuide) -> None:
    with pytest.raises(EngineInputError, match="unknown context 'gala'"):
        check_fields(northwind, "sms", {"body": "hi"}, "gala")
    # "default" names the default tone explicitly
    check_fields(northwind, "sms", {"body": "hi"}, "default")


LONG_HARD = (
    "Notwithstanding considerable organisational complexities, the comprehensive documentation "
    "accompanying institutional procurement authorisations necessitates exceptionally meticulous "
    "verification, particularly regarding environmental sustainability certifications."
)
LONG_EASY = (
    "Your boots are on the way. They should get to you by Friday. If they do not fit, send them "
    "back to us. We will help you find a new pair. Thanks for shopping with us."
)


def test_reading_grade_flags_hard_body_only() -> None:
    guide = tone_guide({"max_reading_grade": 9})
    result = check_fields(guide, "email", {"subject": LONG_HARD, "body": LONG_HARD})
    tone = [f for f in result.findings if f.kind == "tone"]
    assert [(f.field, f.rule, f.start, f.end, f.match) for f in tone] == [
        ("body", "max_reading_grade", 0, 0, ""),
    ]
    assert tone[0].message.startswith("Reading grade ")
    assert tone_rules(guide, LONG_EASY, channel="email") == []


def test_reading_grade_skips_short_bodies() -> None:
    guide = tone_guide({"max_reading_grade": 1})
    assert tone_rules(guide, "Notwithstanding institutional authorisations.") == []


def test_missing_tone_section_checks_nothing() -> None:
    guide = compile_guide({"slug": "t", "name": "T"})
    assert tone_rules(guide, "HUGE SALE!!! Hurry 🎉 " + LONG_HARD) == []


# -- an email body is HTML: its tone is the tone of what the reader sees ---------------------------

def test_markup_in_an_email_body_is_not_read_as_exclamations_or_shouting() -> None:
    guide = tone_guide({"max_exclamations": 0, "shouting": False})
    body = '<!DOCTYPE html><!-- HEADER --><DIV CLASS="WRAP"><P>Your boots are on their way.</P></DIV>'
    assert tone_rules(guide, body, channel="email") == []


def test_tone_in_an_email_body_is_found_in_the_text_with_spans_into_the_markup() -> None:
    guide = tone_guide({"max_exclamations": 0, "shouting": False})
    body = "<p>Your boots are <b>HERE</b>!</p>"
    rules = tone_rules(guide, body, channel="email")
    assert ("shouting", "HERE") in rules
    assert ("max_exclamations", "!") in rules


def test_it_skips_the_digit_patterns_only_when_every_one_needs_a_digit() -> None:
    from workbench.checks.engine.tone import requires_char, tone_lexicon, tone_pattern_spans

    assert requires_char(r"\bsave \d+\s*%", str.isdigit)
    assert requires_char(r"(?:\$|€)\s*\d+(?:[.,]\d+)?\s*off\b", str.isdigit)
    assert not requires_char(r"\bsave(?: \d+)?", str.isdigit)  # the digit is optional
    assert not requires_char(r"\d*%|half off", str.isdigit)  # one alternative has none
    assert requires_char("[\U0001F389\u2728]", lambda c: not c.isascii())
    assert not requires_char("[a\u2728]", lambda c: not c.isascii())
    lexicon = tone_lexicon()
    assert {"promotional", "urgency"} <= lexicon.need_digit
    assert "celebratory" in lexicon.need_non_ascii
    off = frozenset({"promotional", "urgency", "celebratory"})
    # the skips change nothing: text with a digit or an emoji is still read
    assert tone_pattern_spans("save 20% today \U0001F389", off) == {
        "promotional": [(0, 8)], "urgency": [], "celebratory": [(15, 16)]}
    assert tone_pattern_spans("only 3 left", off)["urgency"] == [(0, 11)]
    assert tone_pattern_spans("nothing to see here", off) == {}
