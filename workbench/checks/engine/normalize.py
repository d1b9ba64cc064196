"""Text normalisation with an offset map back to the original text.

Every lexicon match is found in a normalised copy of the text, but findings must
point at the original characters, so normalisation keeps, for every normalised
character, the index of the original character it came from.

Two layers:
* ``normalise``: NFKC, diacritics folded, look-alike letters read as the ASCII
  letter they imitate (Unicode's UTS #39 confusables), case folded, curly quotes
  and dashes made ASCII, invisible characters (format characters and every
  Default_Ignorable_Code_Point, plus the braille blank) dropped, and a
  right-to-left override read in the order the reader sees it. Used for the
  lexicon, tone patterns and required texts.
* ``fold``: a length-preserving digit/symbol substitution on top of it
  (``3``->``e``, ``$``->``s``...) so ``fr33``/``$ale``/``@ct`` read as words.
  Because it preserves length, it shares the normalised offset map.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

import regex
from confusable_homoglyphs.confusables import confusables_data

_SPECIAL: Final[dict[str, str]] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    # Long s: NFKC says "s", but it looks like an "f" and modern copy only uses it
    # to pass for one ("ſree"); UTS #39 gives "f" as its prototype.
    "\u017f": "f",
}

# Length-preserving obfuscation fold. '1' is read as 'i'; terms containing 'l'
# get an extra i-variant at compile time instead of merging i/l in the text
# (merging would make "fall" match a disallowed "fail"). '6' and '9' are the
# g they are drawn for ("6ratis", "9ratuit"), '8' the b ("8illig").
FOLD_TABLE: Final[dict[int, int]] = {
    ord(k): ord(v) for k, v in {
        "3": "e", "0": "o", "1": "i", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t", "6": "g", "9": "g", "8": "b",
    }.items()
}


# Characters a reader cannot see. Default_Ignorable_Code_Point comes from the
# `regex` module's Unicode data (unicodedata does not expose it): it covers
# U+034F, variation selectors, Hangul fillers, ZW*, bidi controls, soft hyphen,
# tag characters... The braille blank U+2800 is not default-ignorable but
# renders as nothing, so it is read as invisible too.
INVISIBLE_RE: Final = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]")


def _confusable_prototypes() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it is confusable with.

    From Unicode's UTS #39 confusables.txt as shipped by confusable-homoglyphs:
    only single characters whose prototype is a single ASCII letter or digit
    (``е`` -> ``e``, ``ı`` -> ``i``, ``ᴄ`` -> ``c``, ``Ꮯ`` -> ``C``); multi-character
    prototypes (``æ`` -> ``ae``) are left to NFKC.
    """
    table: dict[str, str] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or unicodedata.category(char)[0] not in "LSN":
            continue
        targets = {h["c"].lower() for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()}
        if len(targets) == 1:
            table[char] = targets.pop()
    # Letters with a hook or stroke that read as the plain letter and that UTS #39 leaves out.
    table.update({"\u0192": "f", "\u0191": "f"})
    return table


CONFUSABLE: Final[dict[str, str]] = _confusable_prototypes()


# Letters with no decomposition and (most) no confusable prototype, whose
# Unicode names say which letter they show: small capitals (ʜᴇᴀᴘ) and negative
# squared and circled letters (🅲🅷🅴🅰🅿, 🅒🅗🅔🅐🅟). Not regional indicators: in
# pairs they are flags, and read as letters a flag written against a word
# ("Sale🇺🇸") would glue onto it and hide it.
_LETTER_NAME_RE: Final = re.compile(
    r"LATIN LETTER SMALL CAPITAL ([A-Z]|AE|OE)|NEGATIVE (?:SQUARED|CIRCLED) LATIN CAPITAL LETTER ([A-Z])"
)


def _normalise_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if INVISIBLE_RE.match(c):
        # zero-width space/joiners, BOM, soft hyphen, bidi controls, variation
        # selectors, Hangul fillers: invisible, so they must not split a word
        # for matching purposes
        return ""
    k = unicodedata.normalize("NFKC", c)
    named = _LETTER_NAME_RE.fullmatch(unicodedata.name(c, "")) if not k.isascii() else None
    if named is not None:
        return next(filter(None, named.groups())).lower()
    if not k.isascii() and c in CONFUSABLE:
        # NFKC does not make it plain ASCII (it may even split it: "ͺ" is
        # " " + a combining mark); the look-alike's prototype says what it shows
        return CONFUSABLE[c]
    d = unicodedata.normalize("NFKD", k)
    if any(unicodedata.combining(ch) for ch in d):
        # Recompose what is left so e.g. Hangul stays one character
        k = unicodedata.normalize("NFKC", "".join(ch for ch in d if not unicodedata.combining(ch)))
    # Look-alikes are read as what they imitate, after accents are gone (``ё``
    # is ``е`` + diaeresis, read as ``e``); terms go through the same mapping.
    k = "".join(CONFUSABLE.get(ch, ch) for ch in k)
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

    __slots__ = ("original", "text", "offsets", "_folded", "monotonic")

    def __init__(self, original: str, text: str, offsets: list[int] | None, monotonic: bool = True) -> None:
        self.original = original
        self.text = text
        self.offsets = offsets
        self._folded: str | None = None
        # False when a right-to-left override was read in visual order: the
        # offsets of one match then run backwards.
        self.monotonic = monotonic

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
        elif self.monotonic:
            o_start, o_end = offsets[start], offsets[end - 1] + 1
        else:
            covered = offsets[start:end]
            o_start, o_end = min(covered), max(covered) + 1
        original = self.original
        # A decomposed accent (e + U+0301) is dropped from the normalised text;
        # keep it inside the highlighted span.
        while o_end < len(original) and unicodedata.combining(original[o_end]):
            o_end += 1
        return o_start, o_end

    def index(self, i: int) -> int:
        """Original index of normalised character ``i``."""
        return i if self.offsets is None else self.offsets[i]


_OVERRIDE_RE: Final = re.compile(
    # a right-to-left override runs to its pop (U+202C), the end of an isolate
    # (U+2069) or the end of the paragraph
    "\u202e([^\u202c\u2069\n\r\u2029]*)"
)


def visual_order(text: str) -> list[int] | None:
    """Original indices in reading order when the text has right-to-left overrides, else None.

    Inside U+202E every character is displayed right to left, so ``\u202epaehc``
    shows as ``cheap``: the run is reversed. Only the override reorders Latin
    letters; embeddings and isolates do not, so they are left alone.
    """
    if "\u202e" not in text:
        return None
    order = list(range(len(text)))
    for m in _OVERRIDE_RE.finditer(text):
        start, end = m.span(1)
        order[start:end] = range(end - 1, start - 1, -1)
    return order


# Characters read by their place rather than alone, replaced one for one (so every
# offset stays) before the per-character table: a regional indicator letter with no
# other beside it shows as its letter in a box ("🇨 🇭 🇪 🇦 🇵"; two side by side are a
# flag, left alone), and a hair, thin, six-per-em, punctuation or narrow no-break space
# between two letters is next to invisible ("ch\u200aeap"), so it is read as a
# zero-width space, which the table drops.
_REGIONAL: Final = "\U0001F1E6-\U0001F1FF"
_BY_PLACE_RE: Final = re.compile(
    f"(?<![{_REGIONAL}])[{_REGIONAL}](?![{_REGIONAL}])|(?<=[^\\W\\d_])[\u2006\u2008\u2009\u200a\u202f](?=[^\\W\\d_])"
)

# a plain character-class search (fast) finds the texts that hold one at all
_BY_PLACE_HINT_RE: Final = re.compile(f"[{_REGIONAL}\u2006\u2008\u2009\u200a\u202f]")


def _read_by_place(m: re.Match[str]) -> str:
    c = m.group()
    return "\u200b" if c <= "\u202f" else chr(ord(c) - 0x1F1E6 + ord("a"))


def normalise(text: str) -> Normalised:
    if text.isascii():
        return Normalised(text, text.lower(), None)
    shown = _BY_PLACE_RE.sub(_read_by_place, text) if _BY_PLACE_HINT_RE.search(text) is not None else text
    order = visual_order(shown)
    if order is None:
        normalised = _normalise(shown)
        normalised.original = text
        return normalised
    visual = _normalise("".join(shown[i] for i in order))
    offsets = visual.offsets if visual.offsets is not None else range(len(visual.text))
    return Normalised(text, visual.text, [order[i] for i in offsets], monotonic=False)


def _normalise(text: str) -> Normalised:
    if text.isascii():
        return Normalised(text, text.lower(), None)
    # Only the non-ASCII runs go through the per-character table; ASCII stretches
    # are lower-cased and offset-mapped in C (str.lower, range()).
    pieces = _NON_ASCII_RE.split(text)
    # Most runs are one accented letter that copy repeats ("é", "ñ", "ü"): read from
    # a cache, and when each maps to one character the offsets are the identity.
    runs = list(map(_aligned_run, pieces[1::2]))
    if None not in runs:
        pieces[1::2] = runs
        pieces[0::2] = map(str.lower, pieces[0::2])
        return Normalised(text, "".join(pieces), None)
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


@lru_cache(maxsize=8192)
def _aligned_run(run: str) -> str | None:
    """A run of non-ASCII characters normalised, or None when a character becomes none or several."""
    mapped = [_NORM[ord(c)] for c in run]
    return "".join(mapped) if all(len(m) == 1 for m in mapped) else None


def normalise_plain(text: str) -> str:
    """Normalised text only, for comparing guide strings (required texts, terms)."""
    return normalise(text).text
