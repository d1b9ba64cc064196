from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def as_json(value: object) -> str:
    """Changes as the JSON they are hashed as (null, true), not Python's repr (None, True). Escaped by the template."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
