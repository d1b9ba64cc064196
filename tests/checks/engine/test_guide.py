"""Contract 1: guide validation with paths and line numbers, and lossless round trip."""

from __future__ import annotations

import copy
import textwrap

import pytest

from workbench.checks.engine import (
    GuideError,
    compile_guide,
    dump_guide_yaml,
    parse_guide_yaml,
    validate_guide,
)

from .conftest import FIXTURES, NORTHWIND


def test_northwind_demo_guide_validates_and_compiles(northwind_data: dict) -> None:
    assert northwind_data["slug"] == "northwind"
    assert northwind_data["disallowed"][0] == {
        "term": "cheap", "severity": "block", "suggestion": "affordable", "reason": "cheapens the brand",
    }
    compiled = compile_guide(northwind_data)
    assert compiled.contexts == {"promotional", "service_recovery", "billing_issue"}
    assert compiled.data == northwind_data


def test_defaults_are_not_filled_in() -> None:
    data = parse_guide_yaml((FIXTURES / "minimal.yaml").read_text())
    assert data == {"slug": "minimal", "name": "Minimal Guide"}


@pytest.mark.parametrize("path", [NORTHWIND, FIXTURES / "minimal.yaml", FIXTURES / "lexicon.yaml"])
def test_round_trip_is_lossless(path) -> None:  # type: ignore[no-untyped-def]
    data = parse_guide_yaml(path.read_text(encoding="utf-8"))
    dumped = dump_guide_yaml(data)
    assert parse_guide_yaml(dumped) == data
    assert dump_guide_yaml(parse_guide_yaml(dumped)) == dumped


def test_round_trip_keeps_tricky_strings() -> None:
    data = {
        "slug": "tricky", "name": "no",
        "disallowed": [{"term": "yes"}, {"term": "on sale", "reason": "multi\nline\n"},
                       {"term": "#1", "suggestion": " padded "}, {"term": "100%"}],
        "contacts": {"phones": ["0100"]},
        "tone": {"default": {"max_reading_grade": 8.5}, "contexts": {"quiet": {}}},
    }
    validated = validate_guide(data)
    assert parse_guide_yaml(dump_guide_yaml(validated)) == validated == data


def test_plain_scalars_that_yaml_types_are_read_as_written_where_strings_are_expected() -> None:
    data = parse_guide_yaml("slug: s\nname: 2024\ndisallowed:\n  - {term: no}\ncontacts: {phones: [5550100]}\n")
    assert data["name"] == "2024"
    assert data["disallowed"][0]["term"] == "no"
    assert data["contacts"]["phones"] == ["5550100"]


def test_first_error_has_path_and_line_from_fixture() -> None:
    with pytest.raises(GuideError) as info:
        parse_guide_yaml((FIXTURES / "bad_severity.yaml").read_text())
    err = info.value
    assert str(err) == "disallowed[3].severity: expected block or warn (line 8)"
    assert err.path == "disallowed[3].severity"
    assert err.line == 8


BASE = "slug: northwind\nname: Northwind\n"

ERROR_CASES = [
    # (yaml after the two base lines, expected str(GuideError))
    ("colour: blue\n", "colour: unknown key (expected one of: slug, name, voice, disallowed, taboo_topics, "
     "claims, required, channels, merge_fields, links, contacts, tone, language, locales, approval) (line 3)"),
    ("disallowed:\n  - {term: cheap, severity: maybe}\n", "disallowed[0].severity: expected block or warn (line 4)"),
    ("disallowed:\n  - {term: cheap, sevrity: warn}\n",
     "disallowed[0].sevrity: unknown key (expected one of: term, severity, suggestion, reason, except) (line 4)"),
    ("disallowed:\n  - {severity: warn}\n", "disallowed[0].term: required (line 4)"),
    ("disallowed:\n  - {term: '!!!'}\n", "disallowed[0].term: must contain at least one letter or digit (line 4)"),
    ("disallowed: cheap\n", "disallowed: expected a list, got a string (line 3)"),
    ("disallowed:\n  - {term: free, except: free shipping}\n",
     "disallowed[0].except: expected a list, got a string (line 4)"),
    ("taboo_topics:\n  - {name: politics, terms: []}\n", "taboo_topics[0].terms: must list at least one term (line 4)"),
    ("taboo_topics:\n  - {name: politics}\n", "taboo_topics[0].terms: required (line 4)"),
    ("claims:\n  - {term: [a, b]}\n", "claims[0].term: expected a string, got a list (line 4)"),
    ("required:\n  fax: [hello]\n",
     "required.fax: unknown key (expected one of: email, sms, push, in_app) (line 4)"),
    ("channels:\n  sms: {max_segments: 0}\n", "channels.sms.max_segments: must be at least 1 (line 4)"),
    ("channels:\n  sms: {subject_max_chars: 10}\n",
     "channels.sms.subject_max_chars: unknown key (expected one of: max_segments, body_max_chars) (line 4)"),
    ("channels:\n  push: {title_max_chars: '40'}\n",
     "channels.push.title_max_chars: expected an integer, got a string (line 4)"),
    ("channels:\n  email: {subject_max_chars: true}\n",
     "channels.email.subject_max_chars: expected an integer, got a boolean (line 4)"),
    ("merge_fields: [first_name, 'cart url']\n",
     "merge_fields[1]: must be a name of letters, digits and underscores, like first_name (line 3)"),
    ("links:\n  allowed_domains: ['https://northwind.example']\n",
     "links.allowed_domains[0]: expected a bare domain like northwind.example (no scheme, path or port) (line 4)"),
    ("contacts:\n  emails: [help]\n", "contacts.emails[0]: expected an email address (line 4)"),
    ("tone:\n  default: {max_exclamations: 1.5}\n",
     "tone.default.max_exclamations: expected an integer, got a number (line 4)"),
    ("tone:\n  default: {shouting: 'no'}\n", "tone.default.shouting: expected true or false, got a string (line 4)"),
    ("tone:\n  default: {max_reading_grade: high}\n",
     "tone.default.max_reading_grade: expected a number, got a string (line 4)"),
    ("tone:\n  contexts:\n    promo:\n      promotional: 1\n",
     "tone.contexts.promo.promotional: expected true or false, got an integer (line 6)"),
    ("tone:\n  contexts:\n    promo: {loud: true}\n",
     "tone.contexts.promo.loud: unknown key (expected one of: max_exclamations, shouting, max_reading_grade, "
     "promotional, urgency, celebratory) (line 5)"),
    ("tone:\n  contexts:\n    Promo Mode: {}\n",
     "tone.contexts.Promo Mode: context names use [a-z0-9_-]+ and cannot be 'default' (line 5)"),
    ("voice:\n  examples:\n    - {channel: fax, good: true, text: hi}\n",
     "voice.examples[0].channel: expected one of email, sms, push, in_app (line 5)"),
    ("slug: again\n", "slug: duplicate key (line 3)"),
]


@pytest.mark.parametrize(("tail", "expected"), ERROR_CASES)
def test_guide_errors_name_path_and_line(tail: str, expected: str) -> None:
    with pytest.raises(GuideError) as info:
        parse_guide_yaml(BASE + tail)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\n", "slug: required (line 1)"),
        ("slug: North Wind\nname: x\n", "slug: must contain only lowercase letters, digits and hyphens ([a-z0-9-]+) (line 1)"),
        ("slug: x\nname: ''\n", "name: must not be empty (line 2)"),
        ("", "the guide is empty (line 1)"),
        ("- a\n- b\n", "guide: expected a mapping, got a list (line 1)"),
        ("slug: x\nname: [unclosed\n", "invalid YAML: did not find expected ',' or ']' (line 3)"),
        ("slug: !!python/object:os.system x\nname: y\n", None),
        ("slug: x\nname: y\n---\nslug: z\n", None),
    ],
)
def test_top_level_and_yaml_errors(text: str, expected: str | None) -> None:
    with pytest.raises(GuideError) as info:
        parse_guide_yaml(text)
    if expected is not None:
        assert str(info.value) == expected


def test_all_errors_are_collected() -> None:
    text = BASE + "disallowed:\n  - {term: a, severity: x}\n  - {term: b, severity: y}\nbogus: 1\n"
    with pytest.raises(GuideError) as info:
        parse_guide_yaml(text)
    assert [(p, line) for p, line, _ in info.value.errors] == [
        ("bogus", 6), ("disallowed[0].severity", 4), ("disallowed[1].severity", 5),
    ] or [(p, line) for p, line, _ in info.value.errors] == [
        ("disallowed[0].severity", 4), ("disallowed[1].severity", 5), ("bogus", 6),
    ]


def test_validate_guide_reports_paths_without_lines(northwind_data: dict) -> None:
    data = copy.deepcopy(northwind_data)
    data["disallowed"][1]["severity"] = "BLOCK"
    with pytest.raises(GuideError) as info:
        validate_guide(data)
    assert str(info.value) == "disallowed[1].severity: expected block or warn"
    assert info.value.line is None
    with pytest.raises(GuideError, match="guide: expected a mapping"):
        validate_guide(["not", "a", "guide"])


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "slug: x\nname: y\nvoice:\n  traits: *a7\n" + textwrap.indent("\n".join(lines), "")
    with pytest.raises(GuideError):
        parse_guide_yaml("anchors:\n" + textwrap.indent("\n".join(lines), "  ") + "\n" + text.replace("voice", "voice"))


@pytest.mark.parametrize(("extra", "expected"), [
    ("channels: {sms: {max_segments: 2026-02-30}}", "channels.sms.max_segments: '2026-02-30' is not a valid date"),
    ("channels: {sms: {max_segments: !!int abc}}", "channels.sms.max_segments: 'abc' is not a valid whole number"),
    ("channels: {sms: {max_segments: !!bool maybe}}", "channels.sms.max_segments: 'maybe' is not a valid true or false"),
    ("channels: {sms: {max_segments: 1" + "0" * 400 + "}}", "channels.sms.max_segments: must be at most 1,000,000,000"),
    ('disallowed: [{term: "a\\0b"}]', 'disallowed[0].term: contains a NUL character'),
    ("approval: {rules: [{when: {sensitive_segment: true}, approvals: 1000}]}",
     "approval.rules[0].approvals: must be at most 10"),
    ("approval: {due_hours: {default: 100000000}}", "approval.due_hours.default: must be at most 8,784"),
])
def test_a_value_yaml_cannot_build_or_no_team_could_meet_is_a_guide_error_on_its_line(extra: str, expected: str) -> None:
    with pytest.raises(GuideError) as raised:
        parse_guide_yaml(f"slug: t\nname: T\n{extra}\n")
    assert str(raised.value).startswith(expected) and str(raised.value).endswith("(line 3)")


def test_check_copy_exits_2_on_a_guide_file_with_a_value_yaml_cannot_build(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from workbench.checks.engine.cli import run

    guide = tmp_path / "g.yaml"
    guide.write_text("slug: t\nname: T\nchannels: {sms: {max_segments: 2026-02-30}}\n", encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(["--guide", str(guide), "--channel", "push", "-"], io.StringIO("Hello"), stdout, stderr, lambda slug: {})
    assert status == 2 and "is not a valid date" in stderr.getvalue()
