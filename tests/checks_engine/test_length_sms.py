"""Length limits and SMS segment counting."""

from __future__ import annotations

import pytest

from workbench.checks.engine import DEFAULT_LIMITS, check_fields, compile_guide, sms_segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("€" * 80, ("GSM-7", 1)),  # extension characters count two: 160 septets
        ("€" * 80 + "a", ("GSM-7", 2)),
        ("a" * 159 + "€", ("GSM-7", 2)),
        ("^{}\\[~]|" * 10, ("GSM-7", 1)),
        ("^{}\\[~]|" * 20, ("GSM-7", 3)),
        ("a" * 152 + "€", ("GSM-7", 1)),
        ("a" * 152 + "€" + "a" * 9, ("GSM-7", 2)),  # escape pair never split: 152 + (2 + 9)
        ("àéèùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉÄÖÑÜ§¿äöñü¡£¥@$", ("GSM-7", 1)),
        ("a" * 69 + "’", ("UCS-2", 1)),  # a curly quote forces UCS-2
        ("a" * 70 + "’", ("UCS-2", 2)),
        ("a" * 68 + "🎉", ("UCS-2", 1)),  # emoji = 2 UTF-16 units: 70
        ("a" * 69 + "🎉", ("UCS-2", 2)),
        ("x" * 134, ("GSM-7", 1)),
        ("ü" * 134 + "ç", ("UCS-2", 3)),  # ç is not GSM-7 (only Ç is): 135 units / 67
        ("中" * 201, ("UCS-2", 3)),
        ("中" * 202, ("UCS-2", 4)),
    ],
)
def test_sms_segments(text: str, expected: tuple[str, int]) -> None:
    assert sms_segments(text) == expected


def sms_guide(max_segments: int = 1) -> object:
    return compile_guide({"slug": "s", "name": "S", "channels": {"sms": {"max_segments": max_segments}}})


def length_findings(guide: object, channel: str, fields: dict[str, str]) -> list:
    result = check_fields(guide, channel, fields)  # type: ignore[arg-type]
    return [f for f in result.findings if f.kind == "length"]


def test_160_gsm_chars_is_one_segment_and_passes() -> None:
    assert length_findings(sms_guide(), "sms", {"body": "a" * 160}) == []


def test_161_gsm_chars_is_blocked_with_counts() -> None:
    text = "a" * 161
    [f] = length_findings(sms_guide(), "sms", {"body": text})
    assert f.rule == "max_segments" and f.severity == "block"
    assert f.message == "2 SMS segments (GSM-7, 161 characters), the guide allows 1"
    assert (f.start, f.end, f.match) == (160, 161, "a")


def test_curly_quote_forces_ucs2_and_message_names_it() -> None:
    text = "It’s here. " + "a" * 60
    [f] = length_findings(sms_guide(), "sms", {"body": text})
    assert f.message == "2 SMS segments (UCS-2 because of \u201c\u2019\u201d), the guide allows 1"
    assert f.start == 70 and text[f.start:f.end] == f.match


def test_euro_counts_two() -> None:
    assert length_findings(sms_guide(), "sms", {"body": "€" * 80}) == []
    [f] = length_findings(sms_guide(), "sms", {"body": "€" * 81})
    assert f.start == 80


def test_multi_segment_limit_highlights_beyond_allowed_parts() -> None:
    [f] = length_findings(sms_guide(2), "sms", {"body": "a" * 307})
    assert (f.start, f.end) == (306, 307)


@pytest.mark.parametrize(
    ("channel", "field", "limit"),
    [("email", "subject", 60), ("email", "preheader", 100), ("push", "title", 40), ("push", "body", 120),
     ("in_app", "title", 40), ("in_app", "body", 200), ("in_app", "cta", 20)],
)
def test_char_limits_from_guide(northwind, channel: str, field: str, limit: int) -> None:  # type: ignore[no-untyped-def]
    fields = {field: "x" * limit}
    assert length_findings(northwind, channel, fields) == []
    fields = {field: "x" * (limit + 3)}
    [f] = length_findings(northwind, channel, fields)
    assert f.rule == f"{field}_max_chars"
    assert (f.start, f.end, f.severity) == (limit, limit + 3, "block")
    assert f.message.endswith(f"is {limit + 3} characters; the guide allows {limit}")


def test_defaults_apply_when_guide_omits_channels() -> None:
    guide = compile_guide({"slug": "s", "name": "S", "channels": {"push": {"body_max_chars": 10}}})
    assert DEFAULT_LIMITS["push"]["title_max_chars"] == 50
    assert length_findings(guide, "push", {"title": "t" * 50, "body": "b" * 10}) == []
    assert [f.rule for f in length_findings(guide, "push", {"title": "t" * 51, "body": "b" * 11})] == [
        "title_max_chars", "body_max_chars",
    ]
    assert [f.rule for f in length_findings(guide, "sms", {"body": "a" * 459})] == []
    assert [f.rule for f in length_findings(guide, "sms", {"body": "a" * 460})] == ["max_segments"]
