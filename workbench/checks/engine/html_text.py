"""Reading an HTML field as the customer sees it, with a map back to the stored markup.

An email body is HTML: the reader sees its text with tags and comments gone and
character references decoded, so ``Ch<b></b>eap``, ``Ch&#101;ap`` and
``Ch<!-- -->eap`` all read ``Cheap``. Checks run on that text; every offset in
it maps back to the stored original (``RenderedText.span``) so findings still
highlight the markup that shows the word. Links are also read from URL
attributes (``href``, ``src``...), which the reader never sees as text.

The scanner follows the HTML tokenizer's rules where they decide what is text:
a tag starts with ``<`` + ASCII letter (or ``</`` + letter) and runs to the
first ``>`` outside a quoted attribute value; comments run to ``-->``; ``<!``,
``<?`` and ``</`` + non-letter open bogus comments that run to ``>``; the
contents of ``script``/``style``/``template``/``title`` are never shown; a tag
left open at the end swallows the rest (as a browser drops it). Block-level
tags separate words; inline ones (``b``, ``span``, ``a``...) do not. Every step
consumes what it looked at, so reading is linear in the text's length.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Final

# Tags whose boundaries the reader sees as a line or cell break.
BLOCK_TAGS: Final = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "head", "header", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "option", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Elements whose content is never displayed as text.
HIDDEN_CONTENT_TAGS: Final = frozenset({"script", "style", "template", "title", "noembed", "noframes", "iframe"})
# Attributes whose value is a URL the reader can be sent to or that is fetched.
URL_ATTRIBUTES: Final = frozenset({"href", "src", "action", "formaction", "background", "poster", "cite", "srcset"})

_WS = "\t\n\f\r "
_MARKUP_RE: Final = re.compile(r"[<&]")
# One start or end tag; possessive quantifiers keep it linear (the attribute
# loop can only stop at ">" or the end of the text).
_TAG_RE: Final = re.compile(
    r"<(/?)([A-Za-z][^\t\n\f\r />]*+)"
    r"((?:[\t\n\f\r /]++"
    r"|[^\t\n\f\r />][^\t\n\f\r />=]*+(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"?|'[^']*+'?|[^\t\n\f\r >]*+))?+"
    r")*+)(>|\Z)"
)
_ATTR_RE: Final = re.compile(
    r"([^\t\n\f\r />][^\t\n\f\r />=]*+)(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+"
    r"(?:\"([^\"]*+)\"?|'([^']*+)'?|([^\t\n\f\r >]*+)))?+"
)
_URL_ATTR_HINT_RE: Final = re.compile(r"(?i)href|src|action|background|poster|cite")
_COMMENT_END_RE: Final = re.compile(r"--!?>")
_CHARREF_RE: Final = re.compile(r"&(?:#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")


@dataclass(frozen=True, slots=True)
class AttributeLink:
    """A URL from an attribute: its name, the decoded value and its span in the original (inside the quotes)."""

    attribute: str
    url: str
    start: int
    end: int


@dataclass(slots=True)
class RenderedText:
    """Displayed text of an HTML field; ``starts[i]``/``ends[i]`` bound the original
    characters that display character ``i`` (None: identical to the original)."""

    original: str
    text: str
    starts: list[int] | None = None
    ends: list[int] | None = None
    links: list[AttributeLink] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of displayed [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]


class _Builder:
    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def copy(self, text: str, start: int, end: int) -> None:
        if end > start:
            self.pieces.append(text[start:end])
            self.starts.extend(range(start, end))
            self.ends.extend(range(start + 1, end + 1))

    def emit(self, shown: str, start: int, end: int) -> None:
        """``shown`` stands for original [start, end) as a whole (a decoded reference, a break)."""
        self.pieces.append(shown)
        self.starts.extend([start] * len(shown))
        self.ends.extend([end] * len(shown))


def read_html(text: str) -> RenderedText:
    """The text an HTML field displays, with its offset map and the URLs of its attributes."""
    if "<" not in text and "&" not in text:
        return RenderedText(text, text)
    out = _Builder()
    links: list[AttributeLink] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _MARKUP_RE.search(text, pos)
        if m is None:
            out.copy(text, pos, n)
            break
        at = m.start()
        out.copy(text, pos, at)
        if text[at] == "&":
            pos = _charref(text, at, out)
        else:
            pos = _markup(text, at, out, links)
    return RenderedText(text, "".join(out.pieces), out.starts, out.ends, links)


def _charref(text: str, at: int, out: _Builder) -> int:
    ref = _CHARREF_RE.match(text, at)
    if ref is None:
        out.copy(text, at, at + 1)
        return at + 1
    decoded = html.unescape(ref.group())
    if decoded == ref.group():
        out.copy(text, at, at + 1)
        return at + 1
    out.emit(decoded, at, ref.end())
    return ref.end()


def _markup(text: str, at: int, out: _Builder, links: list[AttributeLink]) -> int:
    """Read the markup at ``text[at] == "<"``; return where reading goes on."""
    n = len(text)
    nxt = text[at + 1] if at + 1 < n else ""
    if text.startswith("<!--", at):
        if text.startswith(">", at + 4):
            return at + 5
        if text.startswith("->", at + 4):
            return at + 6
        closer = _COMMENT_END_RE.search(text, at + 4)
        return n if closer is None else closer.end()
    is_tag = nxt.isascii() and nxt.isalpha() or (
        nxt == "/" and at + 2 < n and text[at + 2].isascii() and text[at + 2].isalpha()
    )
    if not is_tag:
        if nxt in ("!", "?") or (nxt == "/" and at + 2 < n):
            # bogus comment: never shown
            close = text.find(">", at + 2)
            return n if close == -1 else close + 1
        out.copy(text, at, at + 1)
        return at + 1
    tag = _TAG_RE.match(text, at)
    assert tag is not None  # the attribute loop only stops at ">" or the end
    if not tag.group(4):
        return n  # a tag still open at the end swallows the rest
    name = tag.group(2).lower()
    end = tag.end()
    if name in BLOCK_TAGS:
        out.emit("\n", at, end)
    attrs = tag.group(3)
    if attrs and not tag.group(1) and _URL_ATTR_HINT_RE.search(attrs):
        _collect_links(text, tag.start(3), tag.end(3), links)
    if not tag.group(1) and name in HIDDEN_CONTENT_TAGS:
        closing = re.compile(r"(?i)</%s[\t\n\f\r />]" % re.escape(name)).search(text, end)
        if closing is None:
            return n
        out.emit("\n", closing.start(), closing.start())
        return closing.start()
    return end


def _collect_links(text: str, start: int, end: int, links: list[AttributeLink]) -> None:
    pos = start
    while pos < end:
        if text[pos] in _WS or text[pos] == "/":
            pos += 1
            continue
        attr = _ATTR_RE.match(text, pos, end)
        if attr is None or attr.end() == pos:  # pragma: no cover - the tag pattern accepted these attributes
            break
        pos = attr.end()
        attribute = attr.group(1).lower()
        if attribute not in URL_ATTRIBUTES:
            continue
        for group in (2, 3, 4):
            if attr.group(group) is not None:
                v_start, v_end = attr.span(group)
                value = html.unescape(text[v_start:v_end])
                if attribute == "srcset":
                    for candidate in value.split(","):
                        url = candidate.strip().split(" ")[0]
                        if url:
                            links.append(AttributeLink(attribute, url, v_start, v_end))
                elif value.strip():
                    links.append(AttributeLink(attribute, value, v_start, v_end))
                break
