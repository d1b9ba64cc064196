"""SMS segment counting (GSM 03.38 basic charset + extension table, else UCS-2).

Parts are laid out the way Twilio's message-segment-calculator lays them out,
so a count here is the count the carrier bills:

* The message is split into extended grapheme clusters (Unicode UAX #29, via
  the ``regex`` module's ``\\X``), except that CR LF counts as two characters.
  A part never ends inside a cluster: not inside an escape pair (GSM-7
  extension characters take two septets), a surrogate pair, an emoji
  sequence (flag, skin tone, ZWJ sequence, keycap, VS16) or a letter with its
  combining marks.
* GSM-7 when every cluster is one character of the GSM 03.38 tables, else
  UCS-2, where a cluster costs its UTF-16 code units.
* A part holds 1120 bits (140 octets). A message that fits in one part has no
  header: 160 septets or 70 code units. Otherwise every part carries a 48-bit
  concatenation header, leaving 153 septets or 67 code units; clusters are
  placed greedily and a cluster that does not fit starts the next part.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import regex

GSM7_BASIC: Final[frozenset[str]] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as ESC + char, so each costs two septets.
GSM7_EXTENSION: Final[frozenset[str]] = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE: Final = 160
GSM7_MULTI: Final = 153  # 7 septets per part go to the concatenation header
UCS2_SINGLE: Final = 70
UCS2_MULTI: Final = 67

_PART_BITS: Final = 1120  # 140 octets
_HEADER_BITS: Final = 48  # 6-octet user data header of a concatenated message
_SEPTET: Final = 7
_CODE_UNIT: Final = 16

_GRAPHEME_RE: Final = regex.compile(r"\X")


_NOT_GSM7_RE: Final = re.compile("[^" + "".join(re.escape(c) for c in sorted(GSM7_BASIC | GSM7_EXTENSION)) + "]")
_GSM7_EXTENSION_RE: Final = re.compile("[" + "".join(re.escape(c) for c in sorted(GSM7_EXTENSION)) + "]")


def non_gsm_chars(text: str) -> list[str]:
    """Distinct characters (in order of appearance) that force UCS-2."""
    return list(dict.fromkeys(_NOT_GSM7_RE.findall(text)))


def _is_gsm7(text: str) -> bool:
    return _NOT_GSM7_RE.search(text) is None


@lru_cache(maxsize=8)
def _clusters(text: str) -> tuple[str, list[tuple[int, int]]]:
    """(encoding, [(end index in ``text``, size in bits)] per cluster); callers only read the list.

    Cached: an over-long message is laid out once for its segment count and
    again to find where it stops fitting."""
    if _is_gsm7(text):
        # Every GSM-7 character is a cluster of its own (CR LF is counted as
        # two, as Twilio does), so no segmentation pass is needed.
        return "GSM-7", [(i + 1, 2 * _SEPTET if c in GSM7_EXTENSION else _SEPTET) for i, c in enumerate(text)]
    if len(_GRAPHEME_RE.findall(text)) == len(text):
        # Every character is a cluster of its own (accented copy in most
        # languages: "á", "ç" written precomposed): no per-cluster Python loop.
        return "UCS-2", [(i + 1, 2 * _CODE_UNIT if ord(c) > 0xFFFF else _CODE_UNIT) for i, c in enumerate(text)]
    clusters: list[tuple[int, int]] = []
    for m in _GRAPHEME_RE.finditer(text):
        cluster = m.group()
        if cluster == "\r\n":
            clusters.append((m.start() + 1, _CODE_UNIT))
            clusters.append((m.end(), _CODE_UNIT))
            continue
        # UTF-16 code units: characters beyond the BMP (most emoji) take two
        units = sum(2 if ord(c) > 0xFFFF else 1 for c in cluster)
        clusters.append((m.end(), units * _CODE_UNIT))
    return "UCS-2", clusters


def sms_segments(text: str) -> tuple[str, int]:
    """Return (encoding, segment count). An empty text is 0 segments."""
    encoding, ends = sms_layout(text)
    return encoding, len(ends)


# Characters that can join the one before or after them into one grapheme
# cluster (UAX #29: CR LF, extenders, joiners, spacing marks, prepended
# characters, regional indicators, Hangul jamo). Text without any, all in the
# BMP, is one cluster and one UTF-16 unit per character.
_JOINING_RE: Final = regex.compile(
    r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}\p{GCB=Regional_Indicator}"
    r"\p{GCB=L}\p{GCB=V}\p{GCB=T}]"
)


def sms_layout(text: str) -> tuple[str, list[int]]:
    """(encoding, end index in ``text`` of each segment)."""
    if not text:
        return "GSM-7", []
    # Where every character is a cluster of the same size the parts are laid
    # out by arithmetic, with no per-character loop: GSM-7 text without
    # extension characters, and most UCS-2 copy (accented letters, CJK).
    uniform = _uniform_layout(text)
    if uniform is not None:
        encoding, bits = uniform
        return encoding, uniform_segment_ends(len(text), bits)
    encoding, clusters = _clusters(text)
    return encoding, _segment_ends(clusters)


def _uniform_layout(text: str) -> tuple[str, int] | None:
    """(encoding, bits per character) when every character is a cluster of the same size, else None."""
    if _is_gsm7(text):
        return ("GSM-7", _SEPTET) if _GSM7_EXTENSION_RE.search(text) is None else None
    if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text) and _JOINING_RE.search(text) is None:
        return "UCS-2", _CODE_UNIT
    return None


def uniform_segment_ends(count: int, bits: int) -> list[int]:
    """Segment ends for ``count`` one-character clusters of ``bits`` each (what _segment_ends gives them)."""
    if count * bits <= _PART_BITS:
        return [count]
    per_part = (_PART_BITS - _HEADER_BITS) // bits
    return [*range(per_part, count, per_part), count]


def sms_fit(text: str, max_segments: int) -> int:
    """Index in ``text`` where it stops fitting in ``max_segments`` parts.

    Always a cluster boundary; ``len(text)`` when the whole text fits.
    """
    if max_segments < 1:
        return 0
    uniform = _uniform_layout(text)
    if uniform is not None:
        bits = uniform[1]
        if max_segments == 1:
            return min(len(text), _PART_BITS // bits)
        ends = uniform_segment_ends(len(text), bits)
        return len(text) if len(ends) <= max_segments else ends[max_segments - 1]
    _, clusters = _clusters(text)
    if max_segments == 1:
        used = start = 0
        for end, bits in clusters:
            used += bits
            if used > _PART_BITS:
                return start
            start = end
        return len(text)
    ends = _segment_ends(clusters)
    if len(ends) <= max_segments:
        return len(text)
    return ends[max_segments - 1]


def _segment_ends(clusters: list[tuple[int, int]]) -> list[int]:
    """End index of each part, laid out exactly as Twilio's calculator does."""
    if not clusters:
        return []
    total = sum(bits for _, bits in clusters)
    if total <= _PART_BITS:
        return [clusters[-1][0]]
    # Each part: [bits used, list of (end, bits)]. The first part only gains
    # its header when a second part is needed; whatever no longer fits then
    # moves to the second part, as the reference implementation does.
    parts: list[tuple[list[int], list[tuple[int, int]]]] = [([0], [])]
    first_has_header = False
    for end, bits in clusters:
        used, items = parts[-1]
        if _PART_BITS - used[0] < bits:
            new_used, new_items = [_HEADER_BITS], []
            if not first_has_header:
                first_has_header = True
                used[0] += _HEADER_BITS
                moved: list[tuple[int, int]] = []
                while used[0] > _PART_BITS and items:
                    item = items.pop()
                    used[0] -= item[1]
                    moved.append(item)
                for item in reversed(moved):
                    new_items.append(item)
                    new_used[0] += item[1]
            parts.append((new_used, new_items))
            used, items = new_used, new_items
        items.append((end, bits))
        used[0] += bits
    ends: list[int] = []
    for _, items in parts:
        ends.append(items[-1][0] if items else (ends[-1] if ends else 0))
    return ends
