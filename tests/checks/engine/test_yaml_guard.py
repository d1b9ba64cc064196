"""Hostile YAML is refused from the event stream, before PyYAML composes or constructs anything."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from workbench.checks.engine import GuideError, parse_guide_yaml
from workbench.checks.engine.cli import run
from workbench.checks.engine.yaml_guard import MAX_DEPTH, guard_yaml

from .conftest import NORTHWIND


def deep_list(depth: int) -> str:
    return "slug: x\nname: X\nvoice: " + "[" * depth + "]" * depth + "\n"


def laughs(levels: int = 9, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def aliased_string(copies: int = 1000, size: int = 200_000) -> str:
    return f"slug: x\nname: &big '{'y' * size}'\nmerge_fields: [" + ", ".join(["*big"] * copies) + "]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (deep_list(50_000), "nested more than"),
        (deep_list(MAX_DEPTH + 1), "nested more than"),
        ("a: " + "{b: " * 5000 + "1" + "}" * 5000, "nested more than"),
        (laughs(), "expand to more than"),
        (aliased_string(), "expand to more than"),
        ("a: " + "x" * 1_100_000, "bytes; the limit is"),
    ],
    ids=["list-50000-deep", "one-past-the-limit", "mapping-5000-deep", "billion-laughs", "big-string-aliased-1000-times", "too-many-bytes"],
)
def test_it_refuses_hostile_yaml_quickly_with_a_message(text: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(GuideError) as caught:
        parse_guide_yaml(text)
    assert message in str(caught.value)
    assert time.monotonic() - started < 2


def test_it_keeps_ordinary_guides_and_small_aliases() -> None:
    parse_guide_yaml(NORTHWIND.read_text())
    guard_yaml(deep_list(MAX_DEPTH - 1))
    guard_yaml("a: &x [1, 2]\nb: *x\nc: *x\n")


def test_it_counts_an_alias_as_a_full_copy_of_what_it_names() -> None:
    text = "a: &x '" + "z" * 1000 + "'\nb: [" + ", ".join(["*x"] * 50) + "]\n"
    guard_yaml(text, max_expanded=60_000)
    with pytest.raises(GuideError, match="expand"):
        guard_yaml(text, max_expanded=40_000)


def test_it_names_the_line_of_the_alias_that_breaks_the_budget() -> None:
    with pytest.raises(GuideError) as caught:
        guard_yaml("a: &x '" + "z" * 100 + "'\n\nb: [*x, *x, *x]\n", max_expanded=250)
    assert caught.value.line == 3


@pytest.mark.parametrize("text", [deep_list(50_000), laughs(), aliased_string()], ids=["deep", "laughs", "aliased"])
def test_it_exits_2_from_check_copy_guide(tmp_path: Path, text: str) -> None:
    guide = tmp_path / "hostile.yaml"
    guide.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--guide", str(guide), "--channel", "sms", "-"], io.TextIOWrapper(io.BytesIO(b"hi")), out, err, lambda slug: {})
    assert code == 2
    assert "invalid guide" in err.getvalue() and out.getvalue() == ""
