"""Markup in plain-text fields.

Only the fields the channel registry (channels.py) marks HTML -- the email
body -- are HTML; every other field is plain text that a journey engine may paste
into a web view or an HTML template. Anything an HTML parser would read as
the start of a tag -- ``<`` directly followed by a letter, ``/``, ``!`` or
``?``: an element, an end tag, a comment, a declaration -- is a
``disallowed_word`` finding with rule ``markup`` (severity ``block``), closed
or not: ``<img src=x onerror=alert(1)//`` has no ``>`` and becomes a live tag
as soon as the page around it supplies one. Sanitising strips the same
pattern on every write path (workbench/generation/sanitize.py); this finding
catches what reaches the checks another way (the check API, the CLI, a row
edited in the admin). ``<3`` and ``a < b`` are not tags.
"""

from __future__ import annotations

import re
from typing import Final

from .channels import is_html_field

# "<" + what opens a tag, up to the next ">" or, for an unclosed one, the end of its line
TAG_LIKE_RE: Final = re.compile(r"<[A-Za-z/!?][^>\n]*>?")
_SHOWN: Final = 40


def plain_text_field(channel: str, field: str) -> bool:
    return not is_html_field(channel, field)


def find_markup(text: str) -> list[tuple[str, int, int, str, str | None]]:
    """(rule, start, end, message, suggestion) for each tag-like stretch of a plain-text field."""
    if "<" not in text:
        return []
    found: list[tuple[str, int, int, str, str | None]] = []
    for m in TAG_LIKE_RE.finditer(text):
        shown = m.group()[:_SHOWN] + ("…" if len(m.group()) > _SHOWN else "")
        found.append(("markup", m.start(), m.end(),
                      f"Markup (\u201c{shown}\u201d) in a plain-text field: this field is sent as text and "
                      "must carry no tags", None))
    return found
