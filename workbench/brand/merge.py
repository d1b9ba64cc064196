"""Merge fields: the `{{ field }}` placeholders in copy, and the one substitution that fills them.

The delivery API (render=true) and the workbench's channel previews both fill placeholders
with this function, so what a previewer sees is what a journey engine is served.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.html import escape

MERGE_FIELD = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def merge_fields_in(fields: Mapping[str, str]) -> list[str]:
    return sorted({m.group(1) for text in fields.values() for m in MERGE_FIELD.finditer(text)})


def render_merge_fields(fields: Mapping[str, str], attributes: Mapping[str, object], known: frozenset[str]) -> tuple[dict[str, str], list[str]]:
    """Fill the guide's known {{ field }} placeholders with HTML-escaped attribute values (invariant 5).

    A plain substitution: the content is never evaluated as a template. Placeholders the guide
    doesn't know, or that have no value, stay as written and are returned so the caller sees them.
    """
    unfilled: set[str] = set()

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = attributes.get(name)
        if name not in known or value is None:
            unfilled.add(name)
            return match.group(0)
        return str(escape(str(value)))

    return {name: MERGE_FIELD.sub(fill, text) for name, text in fields.items()}, sorted(unfilled)


def known_merge_fields(guide: Mapping[str, object]) -> frozenset[str]:
    """The merge fields a brand guide declares: the only placeholders the substitution fills."""
    declared = guide.get("merge_fields") or []
    return frozenset(str(name) for name in declared) if isinstance(declared, (list, tuple)) else frozenset()
