"""Refuse hostile YAML before any object is built.

PyYAML composes and constructs recursively, so a list nested 50,000 deep
overflows the C stack (SIGSEGV in the C loader) before any depth check in
our own converter runs, and an alias names a node that is copied into every
place it appears, so a 205 KB file can expand into hundreds of megabytes.
This guard reads the parser's flat event stream, which PyYAML produces with
an explicit state stack (no recursion), and stops at the first event past a
budget: bytes of source, nesting depth, and the size the document would have
once every alias were expanded. Pure Python on PyYAML; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import yaml

from .errors import GuideError

MAX_GUIDE_BYTES: Final = 1_000_000
MAX_DEPTH: Final = 64
# Characters of scalar text plus one per node, counting each alias as a full copy of what it names.
MAX_EXPANDED_SIZE: Final = 4_000_000

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Frame:
    anchor: str | None
    size: int = 1


def _line(event: yaml.Event) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def guard_yaml(
    text: str,
    *,
    max_bytes: int = MAX_GUIDE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_expanded: int = MAX_EXPANDED_SIZE,
) -> None:
    """Raise GuideError when the text is over a budget; return None when it is safe to compose."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise GuideError("", f"the guide is {size:,} bytes; the limit is {max_bytes:,} bytes")
    anchors: dict[str, int] = {}
    stack: list[_Frame] = [_Frame(anchor=None, size=0)]
    expanded = 0  # the whole document's size with every alias expanded

    def add(amount: int, event: yaml.Event, *, new: int | None = None) -> None:
        # amount: the node's expanded size, added to its parent; new: how much of it was not counted yet.
        nonlocal expanded
        expanded += amount if new is None else new
        stack[-1].size += amount
        if expanded > max_expanded:
            raise GuideError(
                "", f"the guide would expand to more than {max_expanded:,} characters once its aliases are resolved", _line(event)
            )

    try:
        for event in yaml.parse(text, Loader=_Parser):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) > max_depth:
                    raise GuideError("", f"the guide is nested more than {max_depth} levels deep", _line(event))
                stack.append(_Frame(anchor=event.anchor))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor] = frame.size
                add(frame.size, event, new=1)  # its children were counted as they came
            elif isinstance(event, yaml.ScalarEvent):
                amount = 1 + len(event.value)
                if event.anchor is not None:
                    anchors[event.anchor] = amount
                add(amount, event)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise GuideError("", f"unknown alias *{event.anchor}", _line(event))
                add(anchors[event.anchor], event)
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(exc) from None


def yaml_syntax_error(exc: yaml.YAMLError) -> GuideError:
    """PyYAML's error as a GuideError with the line it points at."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        return GuideError("", f"invalid YAML: {problem}", mark.line + 1 if mark else None)
    return GuideError("", f"invalid YAML: {exc}")
