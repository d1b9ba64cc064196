"""Length limits and SMS segment counting."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.checks.engine import DEFAULT_LIMITS, check_fields, compile_guide, sms_segments
from workbench.checks.engine.sms import sms_fit, sms_layout


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


# --- agreement with Twilio's message-segment-calculator --------------------
# The vectors below restate the reference's own test cases (body -> encoding,
# parts); twilio_segments.jsonl holds random messages built around part
# boundaries (flags, skin tones, ZWJ sequences, keycaps, combining accents,
# escape characters, CR LF) with the part counts the reference
# (TwilioDevEd/message-segment-calculator, commit a50230f) gave for them.
DIGITS = "1234567890"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ((DIGITS * 16), ("GSM-7", 1)),
        ((DIGITS * 17)[:161], ("GSM-7", 2)),
        ((DIGITS * 31)[:307], ("GSM-7", 3)),
        ("😜" + (DIGITS * 7)[1:69], ("UCS-2", 1)),
        ("😜" + (DIGITS * 8)[1:70], ("UCS-2", 2)),
        ("😜" + (DIGITS * 14)[1:134], ("UCS-2", 3)),
        ("🇮🇹" + (DIGITS * 7)[1:67], ("UCS-2", 1)),
        ("🇮🇹" + (DIGITS * 7)[1:68], ("UCS-2", 2)),
        ("🏳️‍🌈" + (DIGITS * 7)[1:65], ("UCS-2", 1)),
        ("🏳️‍🌈" + (DIGITS * 7)[1:66], ("UCS-2", 2)),
        ("😀" + "]" * 68, ("UCS-2", 1)),
        ("😀" + "]" * 69, ("UCS-2", 2)),
        ("e\u0301\u0301\u0301" + "a" * 66, ("UCS-2", 1)),
        ("e\u0301\u0301\u0301" + "a" * 67, ("UCS-2", 2)),
        *[(c + (DIGITS * 16)[:158], ("GSM-7", 1)) for c in "|^€{}[]~\\"],
        *[(c + (DIGITS * 16)[:159], ("GSM-7", 2)) for c in "|^€{}[]~\\"],
        *[(c * 70, ("UCS-2", 1)) for c in "ÁÚúçíÍóÓ"],
        *[(c * 71, ("UCS-2", 2)) for c in "ÁÚúçíÍóÓ"],
    ],
)
def test_it_agrees_with_the_reference_calculators_own_cases(text: str, expected: tuple[str, int]) -> None:
    assert sms_segments(text) == expected


def _reference_vectors() -> list[dict[str, object]]:
    path = Path(__file__).parent / "fixtures" / "twilio_segments.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_it_agrees_with_the_reference_on_random_messages_around_part_boundaries() -> None:
    vectors = _reference_vectors()
    assert len(vectors) >= 300
    wrong = [(v["text"], sms_segments(str(v["text"])), v["segments"]) for v in vectors
             if sms_segments(str(v["text"])) != (v["encoding"], v["segments"])]
    assert wrong == []


@pytest.mark.parametrize("cluster", ["🇮🇹", "👍🏽", "👩‍👩‍👧‍👦", "1️⃣", "❤️", "e\u0301", "a\u0308\u0301", "😀"])
@pytest.mark.parametrize("shift", range(0, 6))
def test_it_never_ends_a_part_inside_a_cluster(cluster: str, shift: int) -> None:
    text = "a" * (67 * 2 - shift) + cluster * 4 + "b" * 10
    _, ends = sms_layout(text)
    boundaries = {m.end() for m in regex.finditer(r"\X", text)}
    assert all(end in boundaries for end in ends)


def test_it_counts_a_flag_across_a_part_boundary_as_one_more_part() -> None:
    # 65 units + a 4-unit flag: the flag cannot be split, so it opens part two,
    # which then has no room for 64 more units
    assert sms_segments("ç" * 65 + "🇮🇹" + "ç" * 63) == ("UCS-2", 2)
    assert sms_segments("ç" * 65 + "🇮🇹" + "ç" * 64) == ("UCS-2", 3)
    assert sms_layout("ç" * 65 + "🇮🇹" + "ç" * 64)[1][0] == 65


_ATOMS = st.sampled_from(
    ["a", " ", ".", "€", "]", "é", "’", "中", "😀", "🇮🇹", "👍🏽", "👩‍👩‍👧‍👦", "1️⃣", "e\u0301", "\r\n", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ATOMS, min_size=50, max_size=400))
def test_it_lays_parts_on_cluster_boundaries_and_fills_each_part(atoms: list[str]) -> None:
    text = "".join(atoms)
    encoding, ends = sms_layout(text)
    boundaries = {m.end() for m in regex.finditer(r"\X", text)} | {i + 1 for i, c in enumerate(text) if c == "\r"}
    assert ends[-1] == len(text) and all(e in boundaries for e in ends)

    def cost(s: str) -> int:
        if encoding == "GSM-7":
            return sum(2 if c in "^{}\\[~]|€\f" else 1 for c in s)
        return len(s.encode("utf-16-le")) // 2

    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    if len(ends) == 1:
        assert cost(text) <= single
        return
    starts = [0, *ends[:-1]]
    for start, end in zip(starts, ends):
        assert cost(text[start:end]) <= multi
    # greedy: the cluster that opens a part did not fit in the part before it
    for start, end, nxt in zip(starts, ends, ends[1:]):
        first = regex.match(r"\X", text[end:nxt].replace("\r\n", "\r", 1)).group()
        assert cost(text[start:end]) + cost(first) > multi
    assert sms_fit(text, len(ends)) == len(text)
    assert sms_fit(text, len(ends) - 1) == ends[-2] if len(ends) > 2 else True


def test_it_cuts_a_one_part_limit_before_the_cluster_that_overflows() -> None:
    text = "ü" * 68 + "👩‍👩‍👧‍👦" + "ü"
    [f] = length_findings(sms_guide(1), "sms", {"body": text})
    assert (f.start, f.end) == (68, len(text))
    assert f.match == "👩‍👩‍👧‍👦ü"


# Copy in one kind of character is laid out by arithmetic; with that shortcut
# switched off every text goes cluster by cluster, the layout the reference
# cases above pin down.
MIXED_COPY = st.text(alphabet=st.sampled_from(list("ae é ñ Ä€^{ 한國ا\u0301\r\n\u200d👍🏽🇫")), min_size=1, max_size=500)


def cluster_by_cluster(function, *args):  # type: ignore[no-untyped-def]
    from workbench.checks.engine import sms

    with mock.patch.object(sms, "_uniform_layout", return_value=None):
        return function(*args)


@settings(max_examples=300, deadline=None)
@given(MIXED_COPY, st.integers(min_value=0, max_value=5))
def test_the_arithmetic_layout_agrees_with_the_cluster_by_cluster_one(text: str, parts: int) -> None:
    assert sms_layout(text) == cluster_by_cluster(sms_layout, text)
    assert sms_fit(text, parts) == cluster_by_cluster(sms_fit, text, parts)


@pytest.mark.parametrize("text", ["a" * 400, "é" * 400, "한" * 200, "Ä" * 161, "ñ" * 71, "ñ" * 70])
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_copy_of_one_kind_of_character_is_laid_out_like_the_reference(text: str, parts: int) -> None:
    assert sms_layout(text) == cluster_by_cluster(sms_layout, text)
    assert sms_fit(text, parts) == cluster_by_cluster(sms_fit, text, parts)
