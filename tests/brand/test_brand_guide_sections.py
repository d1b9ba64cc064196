"""Rewriting one section of a guide's YAML: the guide says what was asked, every other line stays as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from workbench.brand.guide_sections import guide_with, rewrite_section, rewrite_sections
from workbench.checks.engine import parse_guide_yaml

NORTHWIND = (Path(settings.BASE_DIR) / "brandguide" / "northwind.yaml").read_text()
DATA = parse_guide_yaml(NORTHWIND)

CASES = [
    (("disallowed",), DATA["disallowed"] + [{"term": "bargain: bin", "severity": "warn", "except": ["a, b", "yes"]}]),
    (("disallowed",), DATA["disallowed"][1:]),
    (("disallowed",), None),
    (("required",), {"sms": ["Reply STOP to opt out"], "push": ["Tap «stop»"]}),
    (("locales", "en-US", "required"), {"sms": ["Text STOP"]}),
    (("locales", "es-US", "required"), None),
    (("locales", "es-US", "disallowed"), [{"term": "ganga", "severity": "block"}]),
    (("channels",), {"email": {"subject_max_chars": 50}}),
    (("tone", "contexts"), {**DATA["tone"]["contexts"], "winback": {"shouting": True}}),
    (("tone", "default"), None),
    (("merge_fields",), ["first_name", "no", "on"]),
    (("contacts",), {"phones": ["0100", "+1 555 0100"]}),
]


@pytest.mark.parametrize(("path", "value"), CASES)
def test_the_rewrite_says_what_was_asked(path, value):
    rewrite = rewrite_section(NORTHWIND, path, value)
    assert rewrite.kept_layout
    assert parse_guide_yaml(rewrite.text) == guide_with(DATA, path, value)


def test_comments_and_lines_outside_the_section_are_kept_and_unchanged_entries_keep_their_line():
    value = [*DATA["disallowed"][:2], {"term": "deal", "severity": "warn"}, *DATA["disallowed"][2:]]
    text = rewrite_section(NORTHWIND, ("disallowed",), value).text
    before, after = NORTHWIND.splitlines(), text.splitlines()
    assert [line for line in after if line not in before] == ["  - {term: deal, severity: warn}"]
    assert [line for line in before if line not in after] == []
    assert "disallowed:                     # whole words/phrases, any case, see matching rules" in after


def test_a_change_that_changes_nothing_touches_no_line():
    assert rewrite_section(NORTHWIND, ("locales", "en-US", "required"), None).text == NORTHWIND
    assert rewrite_sections(NORTHWIND, [(("channels",), DATA["channels"]), (("required",), DATA["required"])]).text == NORTHWIND


def test_a_block_scalar_before_the_next_key_is_not_swallowed():
    source = "slug: s\nname: S\nvoice:\n  summary: |\n    Two\n    lines\n# about terms\ndisallowed:\n  - {term: cheap}\n"
    rewrite = rewrite_section(source, ("voice",), {"summary": "One"})
    assert rewrite.kept_layout and "# about terms\ndisallowed:\n  - {term: cheap}\n" in rewrite.text
    assert parse_guide_yaml(rewrite.text)["voice"] == {"summary": "One"}


def test_a_new_section_goes_at_the_end_and_a_flow_style_file_is_written_out_in_full():
    source = "slug: s   # the slug\nname: S\n"
    rewrite = rewrite_section(source, ("required",), {"sms": ["STOP"]})
    assert rewrite.kept_layout and rewrite.text == "slug: s   # the slug\nname: S\nrequired:\n  sms: [STOP]\n"
    flow = rewrite_section("{slug: s, name: S}\n", ("required",), {"sms": ["STOP"]})
    assert not flow.kept_layout and parse_guide_yaml(flow.text) == {"slug": "s", "name": "S", "required": {"sms": ["STOP"]}}
