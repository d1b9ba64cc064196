"""A guide's YAML read as the brand app stores it: the check engine's parser, and what a database can hold.

The engine reports what is wrong with a guide as a GuideError with the key path and line. Two kinds of text
get past it, and this module turns both into such a GuideError, so the editor shows them beside the others:

- a value PyYAML cannot build: a date that is no day (`2026-02-30`, `0000-00-00`), `!!int abc`, `!!bool maybe`,
  or a whole number too large to compare as a number. The engine lets the exception PyYAML or float() raises
  through (ValueError, KeyError, OverflowError...), which a view answered with a 500;
- a NUL character (YAML's "\\0" escape), which PostgreSQL refuses in text and JSON columns, so saving failed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from workbench.checks.engine import GuideError, parse_guide_yaml
from workbench.checks.engine.guide import format_path

_KINDS = {
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:int": "whole number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true or false",
}
_Path = tuple[str | int, ...]


def read_guide_yaml(text: str) -> dict[str, Any]:
    """Parse and validate a guide (parse_guide_yaml); every problem with the text is a GuideError."""
    try:
        data = parse_guide_yaml(text)
    except GuideError:
        raise
    except (ValueError, TypeError, LookupError, AttributeError, OverflowError):
        problem = _unreadable_value(text)
        if problem is None:
            raise  # not a value of the text: a bug, shown as one
        raise problem from None
    if _holds_nul(data):
        raise _nul_error(text)
    return data


def _scalars(text: str) -> Iterator[tuple[_Path, yaml.ScalarNode, bool]]:
    """Every scalar of the document with its key path and whether it is a key; an alias's node is visited once."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    seen: set[int] = set()

    def walk(node: yaml.Node, path: _Path) -> Iterator[tuple[_Path, yaml.ScalarNode, bool]]:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    yield path, key, True
                yield from walk(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode):
            yield path, node, False

    if root is not None:
        yield from walk(root, ())


def _unreadable_value(text: str) -> GuideError | None:
    """The first value (not key: the engine reads keys as text) that cannot be built or compared, or None."""
    constructor = yaml.SafeLoader("")
    for path, node, is_key in _scalars(text):
        if is_key:
            continue
        kind = _KINDS.get(node.tag, "value")
        try:
            value = constructor.construct_object(node, deep=True)
            if isinstance(value, int) and not isinstance(value, bool):
                float(value)  # the engine compares numbers as floats; a 400-digit integer is not one
        except OverflowError:
            return GuideError(format_path(path), f"the {kind} {node.value[:40]} is too large", node.start_mark.line + 1)
        except Exception as exc:  # noqa: BLE001  PyYAML's scalar constructors raise whatever the conversion raises
            detail = f" ({exc})" if isinstance(exc, ValueError) else ""
            message = f"{node.value[:40]!r} is not a valid {kind}{detail}; put it in quotes if it is meant as text"
            return GuideError(format_path(path), message, node.start_mark.line + 1)
    return None


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _nul_error(text: str) -> GuideError:
    for path, node, _is_key in _scalars(text):
        if "\x00" in node.value:
            return GuideError(format_path(path), 'contains a NUL character ("\\0"), which cannot be stored; remove it', node.start_mark.line + 1)
    return GuideError("", 'the guide contains a NUL character ("\\0"), which cannot be stored; remove it')  # pragma: no cover
