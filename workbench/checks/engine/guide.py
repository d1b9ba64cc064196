"""Brand guide parsing, validation and export (Contract 1).

The YAML is composed into nodes (not loaded directly) so every value keeps its
line number; validation then reports ``path: problem (line N)``. The validated
guide is a plain dict with defaults NOT filled in, so exporting it gives back
the same file content (``parse_guide_yaml(dump_guide_yaml(d)) == d``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any, Final

import yaml

# Channel names and their limit keys come from the channel registry, read live so a registered
# channel is accepted at once: `name in CHANNELS`, `CHANNELS[name].limit_keys`.
from .channels import CHANNELS
from .errors import GuideError
from .normalize import normalise_plain
from .yaml_guard import guard_yaml, yaml_syntax_error

SEVERITIES: Final[tuple[str, ...]] = ("block", "warn")
TONE_KEYS: Final[dict[str, str]] = {
    "max_exclamations": "int",
    "shouting": "bool",
    "max_reading_grade": "number",
    "promotional": "bool",
    "urgency": "bool",
    "celebratory": "bool",
}

# A BCP 47 tag as guides write it: a language subtag, then optional script /
# region / variant subtags ("en", "es-US", "zh-Hant-TW", "es-419").
LOCALE_RE: Final = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
LANGUAGE_RE: Final = re.compile(r"[a-z]{2,3}")
DEFAULT_LANGUAGE: Final = "en"
# What a locale may add to or change in the top-level rules.
LOCALE_KEYS: Final[tuple[str, ...]] = (
    "name", "voice", "disallowed", "taboo_topics", "claims", "required", "tone",
)
# The approval policy (PRODUCT.md "Approval policy"): what a rule's `when` may test, the roles a
# reviewer can hold beyond "reviewer" (accounts' ReviewRole mirrors this), and the finding kinds a
# rule may name (the engine's kinds plus the locales' `language` kind).
APPROVAL_WHEN_KEYS: Final[tuple[str, ...]] = ("sensitive_segment", "finding_kind", "overridden_block", "locale")
APPROVAL_ROLES: Final[tuple[str, ...]] = ("legal",)
APPROVAL_FINDING_KINDS: Final[tuple[str, ...]] = (
    "disallowed_word", "taboo_topic", "claim", "tone", "length",
    "required_text", "pii", "merge_field", "link", "language",
)

_SLUG_RE: Final = re.compile(r"[a-z0-9-]+")
_CONTEXT_RE: Final = re.compile(r"[a-z0-9_-]+")
_IDENT_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOMAIN_RE: Final = re.compile(
    r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*",
    re.IGNORECASE,
)
_EMAIL_RE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_RE: Final = re.compile(r"\+?[0-9 ().\-]+")
_WORDCHAR_RE: Final = re.compile(r"[^\W_]")

_MAX_NODES: Final = 500_000  # guards against alias bombs ("billion laughs")
_MAX_DEPTH: Final = 40

Path = tuple[str | int, ...]

_SCALAR_KINDS: Final[dict[str, str]] = {
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:int": "whole number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true or false",
}
# Numbers a guide may hold: far beyond any limit that means something (a 400-digit
# integer cannot even be compared with a float), small enough for every use.
_MAX_NUMBER: Final = 10**9
_STR_TAG: Final = "tag:yaml.org,2002:str"
_MAP_TAG: Final = "tag:yaml.org,2002:map"
_SEQ_TAG: Final = "tag:yaml.org,2002:seq"

# The C loader is ~10x faster on 5,000-term guides and keeps line marks too;
# PyYAML built without libyaml falls back to the pure-Python one.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# --------------------------------------------------------------------------
# YAML -> python with line numbers
# --------------------------------------------------------------------------


class _Composed:
    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        # Plain (unquoted) scalars that YAML typed as non-strings, e.g. `no`,
        # `on`, `0100`: when the schema wants a string we use the text as written.
        self.raw: dict[Path, str] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")


def _convert(node: yaml.Node, path: Path, st: _Composed, line: int) -> Any:
    st.count += 1
    if st.count > _MAX_NODES or len(path) > _MAX_DEPTH:
        raise GuideError(format_path(path), "guide is too large or too deeply nested", line)
    st.lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise GuideError(format_path(path), f"unsupported YAML tag {node.tag}", line)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise GuideError(format_path(path), "keys must be plain strings", key_line)
            key = str(key_node.value)
            if key == "<<":
                raise GuideError(format_path(path), "YAML merge keys (<<) are not supported", key_line)
            if key in result:
                raise GuideError(format_path(path + (key,)), "duplicate key", key_line)
            result[key] = _convert(value_node, path + (key,), st, key_line)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise GuideError(format_path(path), f"unsupported YAML tag {node.tag}", line)
        return [
            _convert(item, path + (i,), st, item.start_mark.line + 1) for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.ScalarNode):
        value_line = node.start_mark.line + 1
        if "\x00" in node.value:
            # no database text column holds it, and no copy needs it
            raise GuideError(format_path(path), 'contains a NUL character ("\\0"); remove it', value_line)
        try:
            value = st.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise GuideError(format_path(path), f"invalid value: {exc}", value_line) from None
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError) as exc:
            # PyYAML's scalar constructors raise whatever the conversion raises:
            # a date that is no day (2026-02-30), !!int abc, !!bool maybe
            kind = _SCALAR_KINDS.get(node.tag, "value")
            detail = f" ({exc})" if isinstance(exc, ValueError) and str(exc) else ""
            raise GuideError(
                format_path(path),
                f"{node.value[:40]!r} is not a valid {kind}{detail}; put it in quotes if it is meant as text",
                value_line,
            ) from None
        # plain style is None in the pure-Python loader and "" in the C one
        if not node.style and not isinstance(value, str) and value is not None:
            st.raw[path] = str(node.value)
        return value
    raise GuideError(format_path(path), "unsupported YAML node", line)  # pragma: no cover


def parse_guide_yaml(text: str) -> dict[str, Any]:
    """Parse and validate a guide from YAML text; raises GuideError with line numbers."""
    guard_yaml(text)  # size, depth and alias budgets, before PyYAML builds anything
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(exc) from None
    if root is None:
        raise GuideError("", "the guide is empty", 1)
    st = _Composed()
    data = _convert(root, (), st, root.start_mark.line + 1)
    return _Validator(st.lines, st.raw).validate(data)


def validate_guide(data: object, *, upper_limits: bool = False) -> dict[str, Any]:
    """Validate an already-parsed guide (from JSON or the database); errors carry paths only.

    ``upper_limits``: also refuse numbers above their bounds, as a guide coming in
    as YAML must; off by default, so a guide stored before a bound existed still compiles."""
    return _Validator({}, {}, upper_limits=upper_limits).validate(data)


class _GuideDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() + ("\n" if value.endswith("\n") else "") else None
    return dumper.represent_scalar(_STR_TAG, value, style=style)


_GuideDumper.add_representer(str, _represent_str)


def dump_guide_yaml(data: dict[str, Any]) -> str:
    """Export a validated guide as YAML that parses back to an equal dict."""
    return yaml.dump(
        data, Dumper=_GuideDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


class _Invalid(Exception):
    """Internal: one value failed; already recorded in the validator's error list."""


class _Validator:
    def __init__(self, lines: dict[Path, int], raw: dict[Path, str], *, upper_limits: bool = True) -> None:
        self.lines = lines
        self.raw = raw
        # Upper bounds on numbers are enforced where a guide comes in as YAML; a
        # guide stored before a bound existed still compiles (its users clamp).
        self.upper_limits = upper_limits
        self.errors: list[tuple[str, int | None, str]] = []

    # -- helpers -----------------------------------------------------------

    def line(self, path: Path) -> int | None:
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def fail(self, path: Path, message: str) -> _Invalid:
        self.errors.append((format_path(path) or "guide", self.line(path), message))
        return _Invalid()

    def mapping(
        self, value: object, path: Path, allowed: Collection[str], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {_type_name(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be strings, got {_type_name(key)}")
            if key not in allowed:
                hint = ", ".join(allowed)
                self.fail(path + (key,), f"unknown key (expected one of: {hint})")
        for key in required:
            if key not in value:
                self.fail(path + (key,), "required")
        return value

    def string(self, value: object, path: Path, *, nonempty: bool = True) -> str:
        if not isinstance(value, str):
            if path in self.raw:
                value = self.raw[path]
            else:
                raise self.fail(path, f"expected a string, got {_type_name(value)}")
        if nonempty and not value.strip():
            raise self.fail(path, "must not be empty")
        return value

    def boolean(self, value: object, path: Path) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {_type_name(value)}")
        return value

    def integer(self, value: object, path: Path, minimum: int, maximum: int = _MAX_NUMBER) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(path, f"expected an integer, got {_type_name(value)}")
        if value < minimum:
            raise self.fail(path, f"must be at least {minimum}")
        if value > maximum and self.upper_limits:
            raise self.fail(path, f"must be at most {maximum:,}")
        return value

    def number(self, value: object, path: Path, maximum: float = _MAX_NUMBER) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"expected a number, got {_type_name(value)}")
        if value > maximum and self.upper_limits:
            raise self.fail(path, f"must be at most {maximum:,g}")
        if isinstance(value, float) and not math.isfinite(value):  # an int is finite, and too large for isfinite()
            raise self.fail(path, f"expected a number, got {_type_name(value)}")
        if value < 0:
            raise self.fail(path, "must not be negative")
        return value

    def str_list(self, value: object, path: Path, check: Any = None) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_type_name(value)}")
        out: list[str] = []
        for i, item in enumerate(value):
            try:
                s = self.string(item, path + (i,))
                if check is not None:
                    check(s, path + (i,))
                out.append(s)
            except _Invalid:
                pass
        return out

    def each(self, value: object, path: Path, fn: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_type_name(value)}")
        out: list[Any] = []
        for i, item in enumerate(value):
            try:
                out.append(fn(item, path + (i,)))
            except _Invalid:
                pass
        return out

    def field(self, out: dict[str, Any], src: dict[str, Any], key: str, path: Path, fn: Any) -> None:
        if key in src:
            try:
                out[key] = fn(src[key], path + (key,))
            except _Invalid:
                pass

    # -- schema --------------------------------------------------------------

    def validate(self, data: object) -> dict[str, Any]:
        out: dict[str, Any] = {}
        try:
            src = self.mapping(
                data,
                (),
                ("slug", "name", "voice", "disallowed", "taboo_topics", "claims", "required",
                 "channels", "merge_fields", "links", "contacts", "tone", "language", "locales", "approval"),
                ("slug", "name"),
            )
            for key in src:
                fn = getattr(self, f"_v_{key}", None)
                if fn is not None:
                    self.field(out, src, key, (), fn)
        except _Invalid:
            pass
        if self.errors:
            path, line, message = self.errors[0]
            raise GuideError(path, message, line, list(self.errors))
        return out

    def _v_slug(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if not _SLUG_RE.fullmatch(s):
            raise self.fail(path, "must contain only lowercase letters, digits and hyphens ([a-z0-9-]+)")
        return s

    def _v_name(self, value: object, path: Path) -> str:
        return self.string(value, path)

    def _v_language(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if not LANGUAGE_RE.fullmatch(s):
            raise self.fail(path, "expected a lower-case ISO 639 language code such as en, es, fr or de")
        return s

    def _v_locales(self, value: object, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of locale tags (en-US, es-US...), got {_type_name(value)}")
        if not value:
            raise self.fail(path, "must declare at least one locale (the first one is the default)")
        out: dict[str, Any] = {}
        seen: dict[str, str] = {}
        for key in value:
            if not isinstance(key, str) or not LOCALE_RE.fullmatch(key):
                self.fail(path + (str(key),), "expected a BCP 47 locale tag such as en-US, es-US or fr-CA")
                continue
            if key.lower() in seen:
                self.fail(path + (key,), f"the same locale as {seen[key.lower()]}")
                continue
            seen[key.lower()] = key
            self.field(out, value, key, path, self._locale)
        return out

    def _locale(self, value: object, path: Path) -> dict[str, Any]:
        if value is None:
            # `en-US:` with nothing after it: the top-level rules as they are
            return {}
        src = self.mapping(value, path, LOCALE_KEYS)
        out: dict[str, Any] = {}
        for key in src:
            fn = getattr(self, f"_v_{key}", None)
            if fn is not None:
                self.field(out, src, key, path, fn)
        return out

    def _v_voice(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("summary", "traits", "do", "dont", "examples"))
        out: dict[str, Any] = {}
        for key in src:
            if key == "summary":
                self.field(out, src, key, path, self.string)
            elif key in ("traits", "do", "dont"):
                self.field(out, src, key, path, self.str_list)
            elif key == "examples":
                self.field(out, src, key, path, lambda v, p: self.each(v, p, self._example))
        return out

    def _example(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("channel", "good", "text", "note"), ("good", "text"))
        out: dict[str, Any] = {}
        for key in src:
            if key == "channel":
                self.field(out, src, key, path, self._channel_name)
            elif key == "good":
                self.field(out, src, key, path, self.boolean)
            elif key in ("text", "note"):
                self.field(out, src, key, path, self.string)
        return out

    def _channel_name(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if s not in CHANNELS:
            raise self.fail(path, f"expected one of {', '.join(CHANNELS)}")
        return s

    def _severity(self, value: object, path: Path) -> str:
        if value not in SEVERITIES:
            raise self.fail(path, "expected block or warn")
        return str(value)

    def _term(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if not _WORDCHAR_RE.search(normalise_plain(s)):
            raise self.fail(path, "must contain at least one letter or digit")
        return s

    def _term_entry(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("term", "severity", "suggestion", "reason", "except"), ("term",))
        return self._entry_fields(src, path)

    def _entry_fields(self, src: dict[str, Any], path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in src:
            if key == "term":
                self.field(out, src, key, path, self._term)
            elif key in ("except", "terms"):
                self.field(out, src, key, path, lambda v, p: self.str_list(v, p, self._term_check))
                if key == "terms" and src[key] == []:
                    self.fail(path + (key,), "must list at least one term")
            elif key == "severity":
                self.field(out, src, key, path, self._severity)
            elif key in ("suggestion", "reason", "name"):
                self.field(out, src, key, path, self.string)
        return out

    def _term_check(self, s: str, path: Path) -> None:
        self._term(s, path)

    def _v_disallowed(self, value: object, path: Path) -> list[Any]:
        return self.each(value, path, self._term_entry)

    def _v_claims(self, value: object, path: Path) -> list[Any]:
        return self.each(value, path, self._term_entry)

    def _v_taboo_topics(self, value: object, path: Path) -> list[Any]:
        def topic(v: object, p: Path) -> dict[str, Any]:
            src = self.mapping(v, p, ("name", "severity", "terms", "suggestion", "reason", "except"), ("name", "terms"))
            return self._entry_fields(src, p)

        return self.each(value, path, topic)

    def _v_required(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, CHANNELS)
        out: dict[str, Any] = {}
        for key in src:
            if key in CHANNELS:
                self.field(out, src, key, path, self.str_list)
        return out

    def _v_channels(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, CHANNELS)
        out: dict[str, Any] = {}
        for key in src:
            if key in CHANNELS:
                self.field(out, src, key, path, lambda v, p, ch=key: self._limits(v, p, ch))
        return out

    def _limits(self, value: object, path: Path, channel: str) -> dict[str, Any]:
        allowed = CHANNELS[channel].limit_keys
        src = self.mapping(value, path, allowed)
        out: dict[str, Any] = {}
        for key in src:
            if key in allowed:
                self.field(out, src, key, path, lambda v, p: self.integer(v, p, 1))
        return out

    def _v_merge_fields(self, value: object, path: Path) -> list[str]:
        def check(s: str, p: Path) -> None:
            if not _IDENT_RE.fullmatch(s):
                raise self.fail(p, "must be a name of letters, digits and underscores, like first_name")

        return self.str_list(value, path, check)

    def _v_links(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("allowed_domains",))
        out: dict[str, Any] = {}

        def check(s: str, p: Path) -> None:
            if not _DOMAIN_RE.fullmatch(s):
                raise self.fail(p, "expected a bare domain like northwind.example (no scheme, path or port)")

        if "allowed_domains" in src:
            self.field(out, src, "allowed_domains", path, lambda v, p: self.str_list(v, p, check))
        return out

    def _v_contacts(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("emails", "phones"))
        out: dict[str, Any] = {}

        def email(s: str, p: Path) -> None:
            if not _EMAIL_RE.fullmatch(s.strip()):
                raise self.fail(p, "expected an email address")

        def phone(s: str, p: Path) -> None:
            if not _PHONE_RE.fullmatch(s.strip()) or sum(c.isdigit() for c in s) < 3:
                raise self.fail(p, "expected a phone number (digits, spaces, + ( ) . -)")

        for key in src:
            if key in ("emails", "phones"):
                self.field(out, src, key, path, lambda v, p, k=key: self.str_list(v, p, email if k == "emails" else phone))
        return out

    def _v_tone(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("default", "contexts"))
        out: dict[str, Any] = {}
        for key in src:
            if key == "default":
                self.field(out, src, key, path, self._tone_dims)
            elif key == "contexts":
                self.field(out, src, key, path, self._contexts)
        return out

    def _contexts(self, value: object, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {_type_name(value)}")
        out: dict[str, Any] = {}
        for key in value:
            if not isinstance(key, str) or not _CONTEXT_RE.fullmatch(key) or key == "default":
                self.fail(path + (str(key),), "context names use [a-z0-9_-]+ and cannot be 'default'")
                continue
            self.field(out, value, key, path, self._tone_dims)
        return out

    def _tone_dims(self, value: object, path: Path) -> dict[str, Any]:
        if value is None:
            # `promotional:` with nothing after it: a context that inherits everything
            return {}
        src = self.mapping(value, path, tuple(TONE_KEYS))
        out: dict[str, Any] = {}
        for key in src:
            kind = TONE_KEYS.get(key)
            if kind == "int":
                self.field(out, src, key, path, lambda v, p: self.integer(v, p, 0))
            elif kind == "bool":
                self.field(out, src, key, path, self.boolean)
            elif kind == "number":
                self.field(out, src, key, path, self.number)
        return out


    # -- approval policy ------------------------------------------------------

    def _v_approval(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("default", "rules", "due_hours"))
        out: dict[str, Any] = {}
        for key in src:
            if key == "default":
                self.field(out, src, key, path, lambda v, p: self._approval_need(self.mapping(v, p, _NEED_KEYS), p))
            elif key == "rules":
                self.field(out, src, key, path, lambda v, p: self.each(v, p, self._approval_rule))
            elif key == "due_hours":
                self.field(out, src, key, path, self._due_hours)
        return out

    def _approval_rule(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("when", *_NEED_KEYS), ("when",))
        out: dict[str, Any] = {}
        self.field(out, src, "when", path, self._approval_when)
        out.update(self._approval_need(src, path))
        if not any(key in src for key in _NEED_KEYS):
            self.fail(path, f"a rule must require something ({', '.join(_NEED_KEYS)})")
        return out

    def _approval_need(self, src: dict[str, Any], path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        # more approvals than any team has reviewers would make every draft unapprovable
        self.field(out, src, "approvals", path, lambda v, p: self.integer(v, p, 1, _MAX_APPROVALS))
        self.field(out, src, "roles", path, lambda v, p: self.str_list(v, p, self._role_check))
        self.field(out, src, "languages", path, lambda v, p: self.str_list(v, p, self._language_check))
        return out

    def _approval_when(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, APPROVAL_WHEN_KEYS)
        if not src:
            raise self.fail(path, f"name at least one condition ({', '.join(APPROVAL_WHEN_KEYS)})")
        out: dict[str, Any] = {}
        for key in src:
            if key in ("sensitive_segment", "overridden_block"):
                self.field(out, src, key, path, self.boolean)
            elif key == "finding_kind":
                self.field(out, src, key, path, self._finding_kind)
            elif key == "locale":
                self.field(out, src, key, path, self._locale_tag)
        return out

    def _finding_kind(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if s not in APPROVAL_FINDING_KINDS:
            raise self.fail(path, f"expected one of {', '.join(APPROVAL_FINDING_KINDS)}")
        return s

    def _locale_tag(self, value: object, path: Path) -> str:
        s = self.string(value, path)
        if not LOCALE_RE.fullmatch(s):
            raise self.fail(path, "expected a BCP 47 tag like es-US or es")
        return s

    def _language_check(self, s: str, path: Path) -> None:
        self._locale_tag(s, path)

    def _role_check(self, s: str, path: Path) -> None:
        if s not in APPROVAL_ROLES:
            raise self.fail(path, f"expected one of {', '.join(APPROVAL_ROLES)}")

    def _due_hours(self, value: object, path: Path) -> dict[str, Any]:
        src = self.mapping(value, path, ("default", "sensitive_segment"))
        out: dict[str, Any] = {}
        for key in src:
            self.field(out, src, key, path, self._positive_hours)
        return out

    def _positive_hours(self, value: object, path: Path) -> int | float:
        hours = self.number(value, path, _MAX_DUE_HOURS)
        if hours <= 0:
            raise self.fail(path, "must be more than 0 hours")
        return hours


_NEED_KEYS: Final[tuple[str, ...]] = ("approvals", "roles", "languages")
_MAX_APPROVALS: Final = 10
_MAX_DUE_HOURS: Final = 24 * 366  # a review due more than a year out is no deadline


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return {
        bool: "a boolean", int: "an integer", float: "a number", str: "a string",
        list: "a list", dict: "a mapping",
    }.get(type(value), type(value).__name__)
