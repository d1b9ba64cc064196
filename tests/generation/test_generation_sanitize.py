"""Plain-text fields carry no markup; only an email body is HTML."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.checks.engine.markup import TAG_LIKE_RE
from workbench.generation.sanitize import sanitize_fields

TAG_LIKE = [
    "<img src=x onerror=alert(1)//",
    "<script>alert(1)",
    "</x",
    "<!-- hidden",
    "<svg/onload=alert(1)>",
    "&lt;img src=x onerror=alert(1)//",
    "&amp;lt;script&amp;gt;alert(1)",
    "<<b>img src=x onerror=alert(1)//",
    "<?xml version='1.0'",
]


@pytest.mark.parametrize("attack", TAG_LIKE)
@pytest.mark.parametrize(("channel", "field"), [("sms", "body"), ("push", "title"), ("push", "body"),
                                                 ("in_app", "cta"), ("email", "subject")])
def test_it_strips_anything_tag_like_from_plain_text_fields(channel: str, field: str, attack: str) -> None:
    clean = sanitize_fields(channel, {field: f"Your boots shipped. {attack}"})[field]
    assert "<" not in clean.replace("< ", "")
    assert clean.startswith("Your boots shipped.")


def test_it_keeps_text_after_an_unclosed_tag_on_the_next_line() -> None:
    clean = sanitize_fields("sms", {"body": "Boots are back <img src=x onerror=alert(1)//\nReply STOP to opt out"})
    assert clean["body"] == "Boots are back \nReply STOP to opt out"


def test_it_keeps_angle_brackets_that_are_not_tags() -> None:
    assert sanitize_fields("sms", {"body": "We <3 you & 2 < 3"})["body"] == "We <3 you & 2 < 3"


def test_it_keeps_the_safe_html_of_an_email_body() -> None:
    body = sanitize_fields("email", {"body": "<p>Hi <b>Ann</b></p><img src=x onerror=alert(1)>"})["body"]
    assert body == "<p>Hi <b>Ann</b></p>"


@given(st.lists(st.sampled_from(list("<>/!?&;ltgamp img=x\n") + ["<img", "</", "<!--", "&lt;", "&#60;"]), max_size=40))
def test_it_leaves_no_tag_in_a_plain_field(pieces: list[str]) -> None:
    text = "".join(pieces)
    clean = sanitize_fields("push", {"body": text})["body"]
    assert TAG_LIKE_RE.search(clean) is None
