"""Model output is untrusted: strip it to plain text, or a small safe HTML subset for HTML fields.

Each field's kind comes from the channel registry (checks/engine/channels.py):
only the email body is HTML. Every other field is plain text, and a journey
engine may paste it into HTML, so nothing tag-like survives in it: bleach drops complete tags, and
what it leaves as text -- an unclosed ``<img src=x onerror=alert(1)//``, a
stray ``</x`` or ``<!--`` -- is removed too, from the ``<`` to its ``>`` or
the end of the line (the check engine's ``markup`` rule reads the same
pattern, for text that reaches the checks another way).
"""

from __future__ import annotations

import html

import bleach

from workbench.checks.engine.markup import TAG_LIKE_RE, plain_text_field

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
    # bleach keeps an unclosed tag as text ("<img src=x onerror=..." with no
    # ">"); pasted into a page it becomes a live tag. Remove until none is left
    # (removing one can join the halves of another: "<<b>img").
    for _ in range(_MAX_UNWRAP_ROUNDS):
        stripped = TAG_LIKE_RE.sub("", text)
        if stripped == text:
            break
        text = stripped
    else:
        text = text.replace("<", "")
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
        name: plain_text(text) if plain_text_field(channel, name) else email_html(text)
        for name, text in fields.items()
    }
