"""Showing stored audit values, whatever they are.

Audit events are append-only and hold what anyone typed (a failed login's username) or
stored by hand: a value that cannot be put in a URL, contains a lone surrogate (which UTF-8
cannot encode), bidirectional controls or 10,000 characters must still render, or the page
would answer 500 for everyone for as long as the event exists.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

SURROGATE = re.compile("[\ud800-\udfff]")
# Enough to recognise a value on the page; the exports carry every value in full.
SHOWN_CHARS = 120
CHANGES_SHOWN_CHARS = 2000


def encodable(text: str) -> str:
    """The text with lone surrogates (never valid in UTF-8) replaced by U+FFFD, so a response can be encoded."""
    return SURROGATE.sub("\ufffd", text)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more characters in the export)"


@register.filter
def as_json(value: object) -> str:
    """Changes as the JSON they are hashed as (null, true), not Python's repr (None, True). Escaped by the template."""
    return _clipped(encodable(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)), CHANGES_SHOWN_CHARS)


@register.simple_tag
def shown(value: object, limit: int = SHOWN_CHARS) -> SafeString:
    """A stored value as text: escaped, encodable, clipped, and isolated (<bdi>) so bidi controls in it
    cannot reorder the rest of the row."""
    text = encodable(str(value))
    clipped = _clipped(text, limit)
    if clipped == text:
        return format_html("<bdi>{}</bdi>", text)
    return format_html('<bdi title="{}">{}</bdi>', text[:2000], clipped)


@register.filter
def history_url(event: object) -> str:
    """The history page of an event's object, or the log filtered to it when the id cannot be a path segment
    (a slash, an empty id); empty when the value cannot be put in a URL at all."""
    object_type, object_id = str(getattr(event, "object_type", "")), str(getattr(event, "object_id", ""))
    try:
        return reverse("audit_object", args=[object_type, object_id])
    except (NoReverseMatch, UnicodeError):
        pass
    try:
        return reverse("audit_log") + "?" + urlencode({"object_type": object_type, "object_id": object_id})
    except UnicodeError:
        return ""


@register.filter(name="encodable")
def encodable_filter(value: object) -> str:
    return encodable(str(value))
