"""SMS segment counting (GSM 03.38 basic charset + extension table, else UCS-2)."""

from __future__ import annotations

from typing import Final

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


def non_gsm_chars(text: str) -> list[str]:
    """Distinct characters (in order of appearance) that force UCS-2."""
    seen: dict[str, None] = {}
    for c in text:
        if c not in GSM7_BASIC and c not in GSM7_EXTENSION:
            seen.setdefault(c, None)
    return list(seen)


def _units(text: str) -> tuple[str, list[int]]:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return "GSM-7", [2 if c in GSM7_EXTENSION else 1 for c in text]
    # UTF-16 code units: characters beyond the BMP (most emoji) take two
    return "UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text]


def sms_segments(text: str) -> tuple[str, int]:
    """Return (encoding, segment count). An empty text is 0 segments."""
    encoding, ends = sms_layout(text)
    return encoding, len(ends)


def sms_layout(text: str) -> tuple[str, list[int]]:
    """(encoding, end index in ``text`` of each segment)."""
    encoding, units = _units(text)
    return encoding, _segment_ends(encoding, units)


def _segment_ends(encoding: str, units: list[int]) -> list[int]:
    total = sum(units)
    if total == 0:
        return []
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_MULTI)
    if total <= single:
        return [len(units)]
    # Greedy fill: an escape pair or a surrogate pair is never split across
    # two parts, so a part may end one unit short of ``multi``.
    ends: list[int] = []
    used = 0
    for i, u in enumerate(units):
        if used + u > multi:
            ends.append(i)
            used = 0
        used += u
    ends.append(len(units))
    return ends
