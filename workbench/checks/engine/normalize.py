"""Text normalisation with an offset map back to the original text.

Every lexicon match is found in a normalised copy of the text, but findings must
point at the original characters, so normalisation keeps, for every normalised
character, the index of the original character it came from.

Two layers:
* ``normalise``: NFKC, diacritics folded, case folded, curly quotes and dashes
  made ASCII, zero-width/format characters dropped. Used for tone patterns and
  required texts.
* ``fold``: a length-preserving digit/symbol substitution on top of it
  (``3``->``e``, ``$``->``s``...) so ``fr33``/``$ale``/``@ct`` read as words.
  Because it preserves length, it shares the normalised offset map.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_SPECIAL: Final[dict[str, str]] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
}

# Length-preserving obfuscation fold. '1' is read as 'i'; terms containing 'l'
# get an extra i-variant at compile time instead of merging i/l in the text
# (merging would make "fall" match a disallowed "fail").
FOLD_TABLE: Final[dict[int, int]] = {
    ord(k): ord(v) for k, v in {"3": "e", "0": "o", "1": "i", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t"}.items()
}


def _normalise_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if unicodedata.category(c) == "Cf":
        # zero-width space/joiners, BOM, soft hyphen, bidi controls: invisible,
        # so they must not split a word for matching purposes
        return ""
    k = unicodedata.normalize("NFKC", c)
    d = unicodedata.normalize("NFKD", k)
    if any(unicodedata.combining(ch) for ch in d):
        # Recompose what is left so e.g. Hangul stays one character
        k = unicodedata.normalize("NFKC", "".join(ch for ch in d if not unicodedata.combining(ch)))
    k = k.casefold()
    return "".join(_SPECIAL.get(ch, ch) for ch in k)


class _NormTable(dict[int, str]):
    """Lazily filled translate table: each distinct character is analysed once per process."""

    def __missing__(self, key: int) -> str:
        value = _normalise_char(chr(key))
        self[key] = value
        return value


_NORM: Final = _NormTable()
_NON_ASCII_RE: Final = re.compile(r"([^\x00-\x7f]+)")


def _fold_bytes() -> bytes:
    table = bytearray(range(256))
    for k, v in FOLD_TABLE.items():
        table[k] = v
    return bytes(table)


# ASCII bytes never occur inside a multi-byte UTF-8 sequence, so folding the
# UTF-8 bytes is a C-speed, length-preserving fold of the code points.
FOLD_BYTES: Final = _fold_bytes()


class Normalised:
    """A normalised text with its map back to the original.

    ``offsets`` is None when the normalised text is index-aligned with the
    original (the common case); otherwise ``offsets[i]`` is the original index of
    normalised character ``i``.
    """

    __slots__ = ("original", "text", "offsets", "_folded")

    def __init__(self, original: str, text: str, offsets: list[int] | None) -> None:
        self.original = original
        self.text = text
        self.offsets = offsets
        self._folded: str | None = None

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = self.text.encode("utf-8").translate(FOLD_BYTES).decode("utf-8")
        return self._folded

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) for normalised [start, end); end > start."""
        offsets = self.offsets
        if offsets is None:
            o_start, o_end = start, end
        else:
            o_start, o_end = offsets[start], offsets[end - 1] + 1
        original = self.original
        # A decomposed accent (e + U+0301) is dropped from the normalised text;
        # keep it inside the highlighted span.
        while o_end < len(original) and unicodedata.combining(original[o_end]):
            o_end += 1
        return o_start, o_end

    def index(self, i: int) -> int:
        """Original index of normalised character ``i``."""
        return i if self.offsets is None else self.offsets[i]


def normalise(text: str) -> Normalised:
    if text.isascii():
        return Normalised(text, text.lower(), None)
    # Only the non-ASCII runs go through the per-character table; ASCII stretches
    # are lower-cased and offset-mapped in C (str.lower, range()).
    pieces = _NON_ASCII_RE.split(text)
    norm = _NORM
    out: list[str] = []
    aligned = True
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out.append(piece.lower())
        else:
            mapped = [norm[ord(c)] for c in piece]
            if aligned and any(len(m) != 1 for m in mapped):
                aligned = False
            out.append("".join(mapped))
    if aligned:
        return Normalised(text, "".join(out), None)
    offsets: list[int] = []
    pos = 0
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            offsets.extend(range(pos, pos + len(piece)))
        else:
            for j, c in enumerate(piece):
                m = norm[ord(c)]
                if m:
                    offsets.extend([pos + j] * len(m))
        pos += len(piece)
    return Normalised(text, "".join(out), offsets)


def normalise_plain(text: str) -> str:
    """Normalised text only, for comparing guide strings (required texts, terms)."""
    return normalise(text).text
