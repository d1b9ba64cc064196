"""Copydesk checks engine: pure-Python brand-guide validation and copy checks.

No Django here: the web app, the API and the ``check_copy`` command all call
these functions, and the benchmark runs them standalone.
"""

from __future__ import annotations

from .channels import CHANNEL_FIELDS, CHANNELS, DEFAULT_LIMITS, HTML_FIELDS, Channel, FieldSpec
from .engine import (
    KINDS,
    MAX_FIELD_CHARS,
    CheckResult,
    CompiledGuide,
    Finding,
    check_fields,
    compile_guide,
)
from .errors import EngineInputError, FieldTooLargeError, GuideError
from .guide import dump_guide_yaml, parse_guide_yaml, validate_guide
from .sms import sms_segments

__all__ = [
    "CHANNELS",
    "CHANNEL_FIELDS",
    "Channel",
    "FieldSpec",
    "DEFAULT_LIMITS",
    "HTML_FIELDS",
    "KINDS",
    "MAX_FIELD_CHARS",
    "CheckResult",
    "CompiledGuide",
    "EngineInputError",
    "FieldTooLargeError",
    "Finding",
    "GuideError",
    "check_fields",
    "compile_guide",
    "dump_guide_yaml",
    "parse_guide_yaml",
    "sms_segments",
    "validate_guide",
]
