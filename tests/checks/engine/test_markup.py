"""Tag-like text in plain-text fields blocks (disallowed_word / markup)."""

from __future__ import annotations

import pytest

from workbench.checks.engine import check_fields, compile_guide

GUIDE = compile_guide({"slug": "m", "name": "M"})


def markup(channel: str, fields: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for f in check_fields(GUIDE, channel, fields).findings:
        if f.rule == "markup":
            assert f.kind == "disallowed_word" and f.severity == "block"
            assert fields[f.field][f.start:f.end] == f.match
            out.append((f.field, f.match))
    return out


@pytest.mark.parametrize(
    ("channel", "fields", "expected"),
    [
        ("sms", {"body": "Hi <img src=x onerror=alert(1)// Reply STOP"},
         [("body", "<img src=x onerror=alert(1)// Reply STOP")]),
        ("push", {"title": "Sale</x", "body": "ok <!-- x -->"}, [("title", "</x"), ("body", "<!-- x -->")]),
        ("in_app", {"cta": "<b>Go</b>"}, [("cta", "<b>"), ("cta", "</b>")]),
        ("email", {"subject": "Hi <script>", "body": "<p>HTML is fine here</p>"}, [("subject", "<script>")]),
    ],
)
def test_it_blocks_tag_like_text_in_plain_text_fields(
    channel: str, fields: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert markup(channel, fields) == expected


def test_it_leaves_hearts_and_comparisons_alone() -> None:
    assert markup("sms", {"body": "We <3 you, and 2 < 3"}) == []
