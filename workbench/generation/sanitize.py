"""Model output is untrusted: strip it to plain text, or a small safe HTML subset for email bodies."""

from __future__ import annotations

import html

import bleach

EMAIL_BODY_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"})
EMAIL_BODY_ATTRIBUTES = {"a": ["href", "title"]}
EMAIL_BODY_PROTOCOLS = frozenset({"https", "http", "mailto"})
# Each round peels one layer of entity encoding; deeper nesting loses its angle brackets.
_MAX_UNWRAP_ROUNDS = 10


def plain_text(value: str) -> str:
    """Drop every tag. Unescape entities so '&' stays '&', then strip again in case that revealed a tag."""
    text = value
    for _ in range(_MAX_UNWRAP_ROUNDS):
        stripped = html.unescape(bleach.clean(text, tags=set(), attributes={}, strip=True, strip_comments=True))
        if stripped == text:
            break
        text = stripped
    else:
        # Still changing: entity-encoded more deeply than we unwrap (a stored
        # "<script>" would otherwise survive). Drop the angle brackets instead.
        text = text.replace("<", "").replace(">", "")
    # What is left has no tag an HTML parser would see; every consumer still escapes it.
    return text.strip()


def email_html(value: str) -> str:
    return bleach.clean(
        value,
        tags=EMAIL_BODY_TAGS,
        attributes=EMAIL_BODY_ATTRIBUTES,
        protocols=EMAIL_BODY_PROTOCOLS,
        strip=True,
        strip_comments=True,
    ).strip()


def sanitize_fields(channel: str, fields: dict[str, str]) -> dict[str, str]:
    return {
        name: email_html(text) if (channel == "email" and name == "body") else plain_text(text)
        for name, text in fields.items()
    }
