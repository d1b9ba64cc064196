"""Public API shape and input errors."""

from __future__ import annotations

import dataclasses
import json

import pytest

from workbench.checks import engine
from workbench.checks.engine import (
    CHANNEL_FIELDS,
    CheckResult,
    CompiledGuide,
    EngineInputError,
    Finding,
    check_fields,
)

PUBLIC = ["GuideError", "EngineInputError", "parse_guide_yaml", "validate_guide", "dump_guide_yaml",
          "compile_guide", "check_fields", "CHANNEL_FIELDS", "Finding", "CheckResult", "sms_segments"]


def test_public_names_exist() -> None:
    for name in PUBLIC:
        assert hasattr(engine, name), name
    assert CHANNEL_FIELDS == {"email": ("subject", "preheader", "body"), "sms": ("body",),
                              "push": ("title", "body"), "in_app": ("title", "body", "cta")}


def test_finding_is_frozen_and_serialises_per_contract() -> None:
    f = Finding("claim", "guaranteed", "warn", "body", 0, 10, "guaranteed", "msg", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 3  # type: ignore[misc]
    assert list(f.to_dict()) == ["kind", "rule", "severity", "field", "start", "end", "match", "message", "suggestion"]
    assert f.to_dict()["suggestion"] is None


def test_result_passed_and_to_dict(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "sms", {"body": "Boots are ch3ap. Reply STOP to opt out"})
    assert isinstance(result, CheckResult)
    d = result.to_dict(id="m-1")
    assert d["id"] == "m-1" and d["passed"] is False
    assert json.loads(json.dumps(d)) == d
    warn_only = check_fields(northwind, "sms", {"body": "Guaranteed fit. Reply STOP to opt out"})
    assert warn_only.passed and warn_only.findings[0].severity == "warn"
    assert warn_only.to_dict()["id"] is None


def test_clean_copy_passes(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "email", {
        "subject": "Your boots are on their way", "preheader": "Track them any time",
        "body": "Hi {{ first_name }}, your order {{ order_id }} shipped. Track it at "
                "https://northwind.example/track. Questions? help@northwind.example or +1 555 0100. "
                "Unsubscribe: {{ unsubscribe_url }}",
    })
    assert result.findings == [] and result.passed


def test_findings_are_ordered_by_field_then_position(northwind: CompiledGuide) -> None:
    result = check_fields(northwind, "email", {"body": "cheap then free", "subject": "free then cheap"})
    keys = [(f.field, f.start) for f in result.findings]
    assert keys == sorted(keys, key=lambda k: (("subject", "preheader", "body").index(k[0]), k[1]))


@pytest.mark.parametrize(
    ("channel", "fields", "context", "message"),
    [
        ("fax", {"body": "hi"}, None, "unknown channel 'fax'"),
        ("sms", {"title": "hi"}, None, "unknown field 'title' for channel sms"),
        ("sms", {"body": ""}, None, "all fields are empty"),
        ("email", {"subject": "  ", "body": "\n"}, None, "all fields are empty"),
        ("sms", {}, None, "all fields are empty"),
        ("sms", {"body": 5}, None, "must be text"),
        ("sms", {"body": "hi"}, "gala", "unknown context 'gala'"),
    ],
)
def test_input_errors(northwind: CompiledGuide, channel: str, fields: dict, context: str | None,
                      message: str) -> None:
    with pytest.raises(EngineInputError, match=message):
        check_fields(northwind, channel, fields, context)


def test_no_django_import_in_engine() -> None:
    import pathlib
    import re

    root = pathlib.Path(engine.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+django", source, re.MULTILINE), path
