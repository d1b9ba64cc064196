"""Changing one section of a guide's YAML while keeping every other line as the admin wrote it.

The guide forms (terms, required texts, channel limits, tone contexts) edit the parsed guide; the
new version must still be a YAML file that reads like the one in `brandguide/`, comments and all.
So a form's save rewrites only the lines of the section it changed (for example `disallowed:` and
its items) and leaves the rest of the text untouched. Comments *inside* the rewritten section are
not kept. When the file's layout does not allow that (the section is written in flow style, say
`en-US: {}`), the smallest enclosing block is rewritten instead, and as a last resort the whole
guide is exported again (then no comment survives, and the caller is told so).

Whatever the splice produces is parsed again and must equal the intended guide, so a splice can
lose comments but never change what the guide says.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from workbench.checks.engine import GuideError, dump_guide_yaml, parse_guide_yaml

SectionPath = tuple[str, ...]
_DELETE = object()


@dataclass(frozen=True)
class Rewrite:
    text: str
    kept_layout: bool  # False: the whole guide was exported again and its comments were lost


def guide_with(data: dict[str, Any], path: SectionPath, value: Any) -> dict[str, Any]:
    """A copy of the guide with the value at `path` replaced (None removes the key)."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = copy.deepcopy(value)
    return out


def rewrite_sections(source: str, changes: Sequence[tuple[SectionPath, Any]]) -> Rewrite:
    """`source` with each (path, value) applied in turn; a change that changes nothing touches no line."""
    kept = True
    for path, value in changes:
        rewrite = rewrite_section(source, path, value)
        source, kept = rewrite.text, kept and rewrite.kept_layout
    return Rewrite(source, kept)


def rewrite_section(source: str, path: SectionPath, value: Any) -> Rewrite:
    """`source` with the section at `path` set to `value` (None removes it), the rest kept as written."""
    current = parse_guide_yaml(source)
    expected = guide_with(current, path, value)
    if expected == current:
        return Rewrite(source, True)
    target: SectionPath = path
    while target:
        new_value = _get(expected, target)
        try:
            text = _splice(source, target, new_value)
        except _CannotSplice:
            target = target[:-1]
            continue
        try:
            if parse_guide_yaml(text) == expected:
                return Rewrite(text, True)
        except GuideError:
            pass
        target = target[:-1]
    return Rewrite(dump_guide_yaml(expected), False)


class _CannotSplice(Exception):
    pass


def _get(data: dict[str, Any], path: SectionPath) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _DELETE
        node = node[key]
    return node


def _splice(source: str, path: SectionPath, value: Any) -> str:
    root = yaml.compose(source, Loader=yaml.SafeLoader)
    if root is None:
        raise _CannotSplice
    parent: yaml.Node = root
    for key in path[:-1]:
        child = _child(parent, key)
        if child is None:
            raise _CannotSplice
        parent = child
    if not isinstance(parent, yaml.MappingNode) or parent.flow_style or not parent.value:
        raise _CannotSplice
    lines = source.splitlines(keepends=True)
    key = path[-1]
    pair = next(((k, v) for k, v in parent.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    indent = parent.value[0][0].start_mark.column
    if pair is None:
        if value is _DELETE:
            return source
        # A new key goes after the last line of its parent mapping, at the indentation of its siblings.
        after = _last_line(parent)
        block = _emit(key, value, indent)
        head = "".join(lines[: after + 1])
        if head and not head.endswith("\n"):
            head += "\n"
        return head + block + "".join(lines[after + 1 :])
    key_node, value_node = pair
    first, column = key_node.start_mark.line, key_node.start_mark.column
    if lines[first][:column].strip():
        raise _CannotSplice  # the key shares its line with something else
    last = max(first, _last_line(value_node))
    if value is _DELETE:
        if len(parent.value) == 1:
            raise _CannotSplice  # the parent would be left empty: rewrite the parent instead
        block = ""
    else:
        block = _emit_reusing(key, value, column, value_node, _get(parse_guide_yaml(source), path), lines)
        comment = _key_comment(lines[first], key_node, value_node)
        if comment and block.count("\n") > 1:
            # Keep the note beside the section's key (`disallowed:   # whole words...`).
            head, rest = block.split("\n", 1)
            block = f"{head}{comment}\n{rest}"
    tail = "".join(lines[last + 1 :])
    return "".join(lines[:first]) + block + tail


def _emit_reusing(key: str, value: Any, indent: int, old_node: yaml.Node, old: Any, lines: list[str]) -> str:
    """Like _emit, but an entry that did not change keeps its lines as written (spacing, quotes, comments)."""
    if not _nested(value) or not isinstance(old_node, (yaml.MappingNode, yaml.SequenceNode)) or old_node.flow_style or not old_node.value:
        return _emit(key, value, indent)
    out = f"{' ' * indent}{_flow(key)}:\n"
    if isinstance(value, list) and isinstance(old_node, yaml.SequenceNode) and isinstance(old, list) and len(old) == len(old_node.value):
        pad = _line_indent(lines[old_node.value[0].start_mark.line])
        unused = list(zip(old, old_node.value, strict=True))
        for item in value:
            match = next((pair for pair in unused if pair[0] == item and _starts_line(lines, pair[1], "-")), None)
            if match is not None:
                unused.remove(match)
                out += "".join(lines[match[1].start_mark.line : _last_line(match[1]) + 1])
            else:
                out += f"{pad}- {_flow(item)}\n"
        return out
    if isinstance(value, dict) and isinstance(old_node, yaml.MappingNode) and isinstance(old, dict):
        pairs = {k.value: (k, v) for k, v in old_node.value if isinstance(k, yaml.ScalarNode)}
        column = old_node.value[0][0].start_mark.column
        for k, v in value.items():
            pair = pairs.get(k)
            if pair is not None and old.get(k) == v and _starts_line(lines, pair[0], ""):
                out += "".join(lines[pair[0].start_mark.line : max(pair[0].start_mark.line, _last_line(pair[1])) + 1])
            else:
                out += _emit(str(k), v, column)
        return out
    return _emit(key, value, indent)


def _line_indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _starts_line(lines: list[str], node: yaml.Node, marker: str) -> bool:
    """Whether the node is the first thing on its line (after `- ` for a sequence item)."""
    prefix = lines[node.start_mark.line][: node.start_mark.column].strip()
    return prefix == marker


def _key_comment(line: str, key_node: yaml.Node, value_node: yaml.Node) -> str:
    """The comment after `key:` when the value starts on a later line, with the spaces before it."""
    if value_node.start_mark.line == key_node.start_mark.line and not isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
        return ""
    if value_node.start_mark.line == key_node.start_mark.line and getattr(value_node, "flow_style", False):
        return ""
    rest = line[key_node.end_mark.column :].rstrip("\r\n")
    if not rest.startswith(":"):
        return ""
    after = rest[1:]
    return after if after.strip().startswith("#") else ""


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _last_line(node: yaml.Node) -> int:
    """The 0-based line where the node's own text ends (not where the next token starts)."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        return max(_last_line(child) for child in children)
    end = node.end_mark
    # A block scalar (`|`) ends at the start of the line after its text.
    if end.column == 0 and end.line > node.start_mark.line:
        return int(end.line) - 1
    return int(end.line)


class _FlowDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Single words stay plain (the emitter still quotes `yes`, `0100` and the like); phrases are
    # double-quoted as the guides in brandguide/ write them.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=None if _WORD.fullmatch(value) else '"')


_WORD = re.compile(r"[\w.@+-]+")
_FlowDumper.add_representer(str, _represent_str)


def _flow(value: Any) -> str:
    options: dict[str, Any] = {"Dumper": _FlowDumper, "default_flow_style": True, "allow_unicode": True, "sort_keys": False, "width": 2**31}
    if isinstance(value, (dict, list)):
        return str(yaml.dump(value, **options)).strip()
    return str(yaml.dump([value], **options)).strip()[1:-1]


def _nested(value: Any) -> bool:
    """Written as a block (one line per entry) rather than on one line."""
    if isinstance(value, dict):
        return any(isinstance(v, (dict, list)) and v for v in value.values())
    if isinstance(value, list):
        return any(isinstance(item, (dict, list)) for item in value)
    return False


def _emit(key: str, value: Any, indent: int) -> str:
    """`key: value` in the guides' house style: blocks down to one line per entry, each entry in flow style."""
    pad = " " * indent
    name = _flow(key)
    if not _nested(value):
        return f"{pad}{name}: {_flow(value)}\n"
    if isinstance(value, list):
        return f"{pad}{name}:\n" + "".join(f"{pad}  - {_flow(item)}\n" for item in value)
    return f"{pad}{name}:\n" + "".join(_emit(str(k), v, indent + 2) for k, v in value.items())
