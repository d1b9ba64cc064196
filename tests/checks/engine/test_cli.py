"""The check_copy core: modes, exit codes, error handling."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from workbench.checks.engine.cli import run

from .conftest import NORTHWIND


class BinaryStdin(io.TextIOWrapper):
    """A text stream with a .buffer, like sys.stdin."""


def stdin_bytes(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def brands(slug: str) -> dict[str, Any]:
    if slug == "northwind":
        from workbench.checks.engine import parse_guide_yaml

        return parse_guide_yaml(NORTHWIND.read_text())
    if slug == "broken":
        return {"slug": "broken"}
    raise LookupError(slug)


def call(argv: list[str], data: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(argv, stdin_bytes(data), out, err, brands)
    return code, out.getvalue(), err.getvalue()


GUIDE = ["--guide", str(NORTHWIND)]


def test_single_stdin_pass() -> None:
    code, out, err = call(GUIDE + ["--channel", "sms", "-"], b"Your boots shipped. Reply STOP to opt out\n")
    assert code == 0, err
    assert json.loads(out) == {"id": None, "passed": True, "findings": []}


def test_single_blocked_from_file_uses_file_name_as_id(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text("So ch3ap! Reply STOP to opt out\n")
    code, out, _ = call(["--brand", "northwind", "--channel", "sms", str(copy)])
    assert code == 1
    result = json.loads(out)
    assert result["id"] == str(copy) and result["passed"] is False
    assert result["findings"][0]["match"] == "ch3ap"


def test_single_field_and_context() -> None:
    code, out, _ = call(GUIDE + ["--channel", "email", "--field", "subject", "--context", "service_recovery"],
                        b"Great news!")
    assert code == 1  # the unsubscribe link is required in every email
    kinds = [(f["kind"], f["rule"]) for f in json.loads(out)["findings"]]
    assert ("tone", "celebratory") in kinds and ("required_text", "{{ unsubscribe_url }}") in kinds


@pytest.mark.parametrize(
    ("argv", "data", "message"),
    [
        (["--guide", "missing.yaml", "--channel", "sms"], b"hi", "guide file not found: missing.yaml"),
        (["--brand", "nobody", "--channel", "sms"], b"hi", "unknown brand: nobody"),
        (["--brand", "broken", "--channel", "sms"], b"hi", "invalid guide for brand broken: name: required"),
        (GUIDE + ["--channel", "fax"], b"hi", "invalid choice: 'fax'"),
        (GUIDE + ["--channel", "sms", "--context", "gala"], b"hi", "unknown context 'gala'"),
        (GUIDE + ["--channel", "sms", "--field", "title"], b"hi", "unknown field 'title'"),
        (GUIDE + ["--channel", "sms"], b"\n", "all fields are empty"),
        (GUIDE + ["--channel", "sms"], b"caf\xe9", "standard input is not valid UTF-8"),
        (GUIDE + ["--channel", "sms", "nope.txt"], b"", "input file not found: nope.txt"),
        (GUIDE, b"hi", "--channel is required"),
        (["--channel", "sms"], b"hi", "one of the arguments --brand --guide is required"),
        (GUIDE + ["--bogus"], b"hi", "unrecognized arguments: --bogus"),
        (GUIDE + ["--jsonl", "-", "file.txt"], b"", "cannot be combined"),
    ],
)
def test_bad_input_exits_2_with_message(argv: list[str], data: bytes, message: str) -> None:
    code, out, err = call(argv, data)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_invalid_guide_file_reports_line(tmp_path: Path) -> None:
    guide = tmp_path / "g.yaml"
    guide.write_text("slug: g\nname: G\ndisallowed:\n  - {term: x, severity: loud}\n")
    code, _, err = call(["--guide", str(guide), "--channel", "sms"], b"hi")
    assert code == 2
    assert "disallowed[0].severity: expected block or warn (line 4)" in err


def test_help_exits_0() -> None:
    code, out, _ = call(["--help"])
    assert code == 0 and "--jsonl" in out


JSONL = b"\n".join([
    b'{"id": "a", "channel": "sms", "text": "Boots shipped. Reply STOP to opt out"}',
    b'{"id": "b", "channel": "sms", "text": "So ch3ap. Reply STOP to opt out"}',
    b"",
    b'{"id": "c", "channel": "email", "context": "promotional", "fields": {"subject": "Hi", "body": "{{ unsubscribe_url }}"}}',
]) + b"\n"


def test_jsonl_in_order_exit_1(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(JSONL)
    code, out, err = call(GUIDE + ["--jsonl", str(src)])
    assert code == 1, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["passed"]) for r in lines] == [("a", True), ("b", False), ("c", True)]


def test_jsonl_all_passed_to_out_file(tmp_path: Path) -> None:
    out_file = tmp_path / "out.jsonl"
    data = b'{"id": 1, "channel": "push", "text": "Boots shipped"}\n{"id": 2, "channel": "push", "text": "Ok"}'
    code, out, _ = call(GUIDE + ["--jsonl", "-", "--out", str(out_file)], data)
    assert code == 0 and out == ""
    assert [json.loads(x)["id"] for x in out_file.read_text().splitlines()] == [1, 2]


def test_jsonl_bad_lines_yield_error_results_and_exit_2() -> None:
    data = b"\n".join([
        b'{"id": "ok", "channel": "sms", "text": "Fine. Reply STOP to opt out"}',
        b'{"id": "broken", "channel": "sms", "text": ',
        b'{"id": "fax", "channel": "fax", "text": "hi"}',
        b'{"id": "bin", "channel": "sms", "text": "caf\xe9"}',
        b'{"id": "empty", "channel": "sms", "text": ""}',
        b'{"id": "both", "channel": "sms", "text": "a", "fields": {"body": "b"}}',
        b'{"id": "extra", "channel": "sms", "txt": "a"}',
        b'[1, 2]',
        b'{"id": "last", "channel": "sms", "text": "cheap. Reply STOP to opt out"}',
    ])
    code, out, err = call(GUIDE + ["--jsonl", "-"], data)
    assert code == 2
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["ok", None, "fax", None, "empty", "both", "extra", None, "last"]
    assert results[0]["passed"] is True and results[-1]["passed"] is False
    errors = [r["error"] for r in results if "error" in r]
    assert errors[0].startswith("line 2: invalid JSON")
    assert errors[1] == "line 3: unknown channel 'fax' (expected one of: email, sms, push, in_app)"
    assert errors[2] == "line 4: not valid UTF-8"
    assert "all fields are empty" in errors[3]
    assert "7 lines could not be checked" in err and "Traceback" not in err


def test_jsonl_channel_default_from_command_line() -> None:
    code, out, _ = call(GUIDE + ["--jsonl", "-", "--channel", "push"], b'{"id": 1, "text": "cheap"}\n')
    assert code == 1 and json.loads(out)["findings"][0]["rule"] == "cheap"


def test_single_mode_checks_in_the_locale_given() -> None:
    text = "Botas baratas. Responde STOP para cancelar\n".encode()
    code, out, err = call(GUIDE + ["--channel", "sms", "--locale", "es-US", "-"], text)
    assert code == 1, err
    assert [(f["rule"], f["match"]) for f in json.loads(out)["findings"]] == [("barato", "baratas")]
    # without --locale: the brand's default locale (en-US)
    code, out, _ = call(GUIDE + ["--channel", "sms", "-"], text)
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["Reply STOP to opt out"]


def test_an_undeclared_locale_exits_2_with_a_message() -> None:
    code, out, err = call(GUIDE + ["--channel", "sms", "--locale", "de-DE", "-"], b"Hallo")
    assert (code, out) == (2, "")
    assert err == "check_copy: error: unknown locale 'de-DE' for this brand guide (declared: en-US, es-US, fr-CA)\n"
    code, out, err = call(GUIDE + ["--jsonl", "-", "--locale", "xx"], b'{"id": 1, "channel": "push", "text": "hi"}\n')
    assert (code, out) == (2, "") and "unknown locale 'xx'" in err


def test_jsonl_lines_carry_their_locale() -> None:
    data = "\n".join([
        '{"id": "es", "channel": "push", "locale": "es-US", "text": "Una oferta gratis"}',
        '{"id": "fr", "channel": "push", "locale": "fr-CA", "text": "Une offre gratuite"}',
        '{"id": "default", "channel": "push", "text": "Una oferta gratis, une offre gratuite"}',
        '{"id": "cli-default", "channel": "push", "text": "Botas baratas"}',
        '{"id": "bad", "channel": "push", "locale": "de-DE", "text": "Hallo"}',
        '{"id": "typed", "channel": "push", "locale": 7, "text": "Hallo"}',
    ]).encode()
    code, out, err = call(GUIDE + ["--jsonl", "-", "--locale", "es-US"], data)
    assert code == 2
    results = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert [f["rule"] for f in results["es"]["findings"]] == ["gratis"]
    assert [f["rule"] for f in results["fr"]["findings"]] == ["gratuit"]
    assert [f["rule"] for f in results["cli-default"]["findings"]] == ["barato"]  # --locale is the lines' default
    assert results["bad"]["error"] == (
        "line 5: unknown locale 'de-DE' for this brand guide (declared: en-US, es-US, fr-CA)"
    )
    assert results["typed"]["error"] == "line 6: locale must be a string such as es-US"
    code, out, _ = call(GUIDE + ["--jsonl", "-"], data.splitlines()[2] + b"\n")
    assert code == 0 and json.loads(out)["findings"] == []
