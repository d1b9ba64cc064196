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
from collections.abc import Iterator
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
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
# One start or end tag; possessive quantifiers keep it linear (the attribute
# loop can only stop at ">" or the end of the text).
_TAG_RE: Final = re.compile(
    r"<(?P<slash>/?)(?P<name>[A-Za-z][^\t\n\f\r />]*+)"
    r"(?P<attrs>(?:[\t\n\f\r /]++"
    r"|[^\t\n\f\r />][^\t\n\f\r />=]*+(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"[^\"]*+\"?|'[^']*+'?|[^\t\n\f\r >]*+))?+"
    r")*+)(?:>|\Z)"
)
_ATTR_RE: Final = re.compile(
    r"([^\t\n\f\r />][^\t\n\f\r />=]*+)(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+"
    r"(?:\"([^\"]*+)\"?|'([^']*+)'?|([^\t\n\f\r >]*+)))?+"
)
_URL_ATTR_HINT_RE: Final = re.compile(r"(?i)href|src|action|background|poster|cite")
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
    """Displayed text of an HTML field and its map back to the original.

    The map is one entry per stretch, not per character: displayed text from
    ``positions[i]`` on comes from the original at ``origins[i]``, one to one
    when ``copied[i]``, else as a whole from original ``[origins[i], ends[i])``
    (a decoded reference, a tag read as a line break). None: the text is the
    original.
    """

    original: str
    text: str
    positions: list[int] | None = None
    origins: list[int] | None = None
    ends: list[int] | None = None
    copied: list[bool] | None = None
    links: list[AttributeLink] = field(default_factory=list)
    # Whether an element is hidden by its own attributes (``hidden``, ``display:none``,
    # ``font-size:0``...): its text is read here, as an inbox preview shows a hidden
    # preheader, and ``read_html(..., drop_hidden=True)`` reads the body without it.
    hides: bool = False
    # Read with ``drop_hidden``: each hidden element left out, as (where it was in the
    # displayed text, its start and end in the original, end tag included).
    dropped: list[tuple[int, int, int]] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of displayed [start, end), end > start."""
        if self.positions is None or self.origins is None or self.ends is None or self.copied is None:
            return start, end
        i = bisect_right(self.positions, start) - 1
        o_start = self.origins[i] + (start - self.positions[i] if self.copied[i] else 0)
        j = bisect_right(self.positions, end - 1) - 1
        o_end = self.origins[j] + (end - self.positions[j]) if self.copied[j] else self.ends[j]
        return o_start, o_end


_MARKUP_RE: Final = re.compile(r"[<&]")
_READ_RE: Final = re.compile(
    r"(?P<comment><!--(?:-?>|.*?(?:--!?>|\Z)))"
    r"|(?P<bogus><(?:[!?]|/(?![A-Za-z>]))[^>]*+(?:>|\Z)|</>)"
    r"|(?P<tag>" + _TAG_RE.pattern + ")"
    r"|(?P<ref>" + _CHARREF_RE.pattern + ")",
    re.S,
)


# Inline styles and attributes that keep an element's text off the screen: the
# ways copy hides letters inside a word ("che<span style="font-size:0">zz</span>ap").
_HIDING_RE: Final = re.compile(
    r"(?i)(?:^|[\t\n\f\r /])hidden(?:[\t\n\f\r /=]|$)"
    r"|(?:display\s*+:\s*+none|visibility\s*+:\s*+(?:hidden|collapse)"
    r"|(?:font-size|opacity|(?:max-)?(?:height|width)|line-height)\s*+:\s*+[-+]?(?:0*+\.)?0++(?![.\d]*[1-9]))"
)
# Elements without content: hiding one hides no text.
_VOID_TAGS: Final = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
})


@lru_cache(maxsize=256)
def _tags_named(name: str) -> re.Pattern[str]:
    return re.compile(r"(?i)<(/?)%s(?=[\t\n\f\r />])" % re.escape(name))


def _element_end(text: str, name: str, pos: int) -> int:
    """Where the element opened just before ``pos`` ends: the start of its matching end tag, or the text's end."""
    depth = 1
    for m in _tags_named(name).finditer(text, pos):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return len(text)


@lru_cache(maxsize=4096)
def _decode(ref: str) -> str:
    return html.unescape(ref)


def read_html(text: str, *, drop_hidden: bool = False) -> RenderedText:
    """The text an HTML field displays, with its offset map and the URLs of its attributes.

    ``drop_hidden``: without the text of elements hidden by their attributes (see ``RenderedText.hides``)."""
    if "<" not in text and "&" not in text:
        return RenderedText(text, text)
    hides = False
    dropped: list[tuple[int, int, int]] = []
    pieces: list[str] = []
    positions: list[int] = []
    origins: list[int] = []
    ends: list[int] = []
    copied: list[bool] = []
    links: list[AttributeLink] = []
    length = 0

    def stretch(shown: str, start: int, end: int, is_copy: bool) -> None:
        nonlocal length
        pieces.append(shown)
        positions.append(length)
        origins.append(start)
        ends.append(end)
        copied.append(is_copy)
        length += len(shown)

    pos, n = 0, len(text)
    # find the next "<" or "&" with a plain character search (fast), then read
    # what is there with the anchored pattern
    find, read = _MARKUP_RE.search, _READ_RE.match
    while pos < n:
        found = find(text, pos)
        if found is None:
            break
        at = found.start()
        m = read(text, at)
        if m is None:  # a "<" that opens nothing: text
            stretch(text[pos:at + 1], pos, at + 1, True)
            pos = at + 1
            continue
        if at > pos:
            stretch(text[pos:at], pos, at, True)
        pos = m.end()
        kind = m.lastgroup
        if kind == "ref":
            ref = m.group()
            decoded = _decode(ref)
            if decoded == ref:  # not a reference: "&" is text
                stretch("&", at, at + 1, True)
                pos = at + 1
            else:
                stretch(decoded, at, pos, False)
        elif kind == "tag":
            closing, name, attrs = m.group("slash"), m.group("name").lower(), m.group("attrs")
            if name in BLOCK_TAGS:
                stretch("\n", at, pos, False)
            if attrs and not closing and _URL_ATTR_HINT_RE.search(attrs):
                _collect_links(text, m.start("attrs"), m.end("attrs"), links)
            if name in _ALT_TAGS and attrs and not closing:
                # an image's alt text is what a mail client shows while images are blocked
                # (the default in many): read where the image stands, apart from the words around it
                alt = _attribute(text, m.start("attrs"), m.end("attrs"), "alt")
                if alt is not None:
                    v_start, v_end = alt
                    raw = text[v_start:v_end]
                    stretch(" ", at, at, False)
                    if "&" in raw:
                        stretch(html.unescape(raw), v_start, v_end, False)
                    else:
                        stretch(raw, v_start, v_end, True)
                    stretch(" ", pos, pos, False)
            if attrs and not closing and name not in _VOID_TAGS and _HIDING_RE.search(attrs):
                hides = True
                if drop_hidden:
                    pos = _element_end(text, name, pos)
                    close = _TAG_RE.match(text, pos)
                    dropped.append((length, at, close.end() if close is not None else pos))
                    continue
            if not closing and name in HIDDEN_CONTENT_TAGS:
                hidden_end = re.compile(r"(?i)</%s[\t\n\f\r />]" % re.escape(name)).search(text, pos)
                if hidden_end is None:
                    pos = n
                else:
                    stretch("\n", hidden_end.start(), hidden_end.start(), False)
                    pos = hidden_end.start()
        # comments and bogus comments show nothing
    if pos < n:
        stretch(text[pos:], pos, n, True)
    return RenderedText(text, "".join(pieces), positions, origins, ends, copied, links, hides, dropped)


_ALT_TAGS: Final = frozenset({"img", "area", "input"})


def _attributes(text: str, start: int, end: int) -> Iterator[tuple[str, tuple[int, int] | None]]:
    """Each attribute among ``text[start:end]`` (a tag's attributes): its lower-case name and its value's span."""
    pos = start
    while pos < end:
        if text[pos] in _WS or text[pos] == "/":
            pos += 1
            continue
        attr = _ATTR_RE.match(text, pos, end)
        if attr is None or attr.end() == pos:  # pragma: no cover - the tag pattern accepted these attributes
            return
        pos = attr.end()
        value = next((attr.span(group) for group in (2, 3, 4) if attr.group(group) is not None), None)
        yield attr.group(1).lower(), value


def _attribute(text: str, start: int, end: int, wanted: str) -> tuple[int, int] | None:
    """The span of attribute ``wanted``'s value among a tag's attributes, or None."""
    return next((value for name, value in _attributes(text, start, end) if name == wanted), None)


def _collect_links(text: str, start: int, end: int, links: list[AttributeLink]) -> None:
    for attribute, value in _attributes(text, start, end):
        if attribute not in URL_ATTRIBUTES or value is None:
            continue
        v_start, v_end = value
        url_text = html.unescape(text[v_start:v_end])
        if attribute == "srcset":
            for candidate in url_text.split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    links.append(AttributeLink(attribute, url, v_start, v_end))
        elif url_text.strip():
            links.append(AttributeLink(attribute, url_text, v_start, v_end))
