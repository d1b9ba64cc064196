"""Text that hides itself (Contract 1, rule ``obfuscated_text``).

Three things only a disguise does, whatever the word:

* a word mixing scripts the way UTS #39's "highly restrictive" level forbids
  (Latin with Cyrillic, Greek with Latin...; Latin with Han/Hiragana/Katakana,
  Han/Bopomofo or Han/Hangul is ordinary CJK writing and allowed). Common and
  Inherited characters (digits, punctuation, combining accents) belong to every
  script. Scripts come from Unicode's Scripts.txt as shipped by
  confusable-homoglyphs;
* an invisible character (Default_Ignorable_Code_Point, format characters,
  the braille blank) between two letters or digits of one word. Joiners and
  variation selectors keep their real jobs: inside emoji sequences (no letters
  around them) and between letters of scripts that need them (Arabic, Indic,
  Han...), never inside a Latin, Greek, Cyrillic or Armenian word;
* a bidirectional embedding, override or isolate control anywhere in copy.

Linear: one regex pass over the words, and only words that are not ASCII are
looked at character by character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

import regex
from confusable_homoglyphs.categories import alias as script_alias

from .normalize import INVISIBLE_RE

Raw = tuple[str, int, int, str, str | None]
RULE: Final = "obfuscated_text"

_BIDI_CONTROLS: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_RE: Final = regex.compile(
    "[\u202a\u202b\u202d\u202e\u2066\u2067\u2068][^\u202c\u2069\\n\\r\u2029]*[\u202c\u2069]?|[\u202c\u2069]"
)
# Letters, marks, digits and invisible characters, bidi controls excepted (they
# are reported on their own).
_WORD_RE: Final = regex.compile(
    r"[[\p{L}\p{M}\p{N}\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]--[" + _BIDI_CONTROLS + r"]]+",
    regex.V1,
)
# Anything that could matter: non-ASCII outside Latin/Common/Inherited, or invisible.
_SUSPECT_RE: Final = regex.compile(
    r"[[^\x00-\x7f]--[\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]]"
    r"|[\p{Default_Ignorable_Code_Point}\p{Cf}\u2800]",
    regex.V1,
)
_NEUTRAL: Final = frozenset({"COMMON", "INHERITED", "Unknown"})
# UTS #39 highly restrictive: one script, or one of these CJK combinations.
_CJK_SETS: Final = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# Scripts where joiners and variation selectors have no job inside a word.
_NO_JOINER_SCRIPTS: Final = frozenset({"LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "COMMON", "Unknown"})
_JOINER_LIKE: Final = (
    frozenset("\u200c\u200d\u180b\u180c\u180d\u180f")
    | frozenset(chr(c) for c in range(0xFE00, 0xFE10))  # variation selectors 1-16
    | frozenset(chr(c) for c in range(0xE0100, 0xE01F0))  # ideographic variation selectors 17-256
)
_MESSAGE_MIXED: Final = (
    "\"{word}\" mixes letters from different scripts ({scripts}), as only disguised text does: "
    "retype it in one script"
)
_MESSAGE_INVISIBLE: Final = (
    "\"{word}\" has invisible characters inside it ({names}), which hide what it says: remove them"
)
_MESSAGE_BIDI: Final = (
    "Bidirectional control characters ({names}) change the order the reader sees the text in: remove them"
)


@lru_cache(maxsize=8192)
def _script(c: str) -> str:
    return script_alias(c)


@lru_cache(maxsize=8192)
def _letter_script(c: str) -> str:
    """A letter's script; a compatibility letter of the Common script (mathematical
    alphanumerics, letterlike symbols such as U+2134) counts as the script of the
    letter it stands for, so "𝐧ℴѡ" mixes Latin with Cyrillic."""
    script = _script(c)
    if script in _NEUTRAL:
        folded = unicodedata.normalize("NFKC", c)
        if folded != c and folded[:1].isalpha():
            return _script(folded[0])
    return script


def _invisible(c: str) -> bool:
    return INVISIBLE_RE.match(c) is not None


def _names(chars: list[str]) -> str:
    seen = list(dict.fromkeys(chars))
    shown = [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in seen[:3]]
    return ", ".join(shown) + (", ..." if len(seen) > 3 else "")


def _latin1_without_soft_hyphen(text: str) -> bool:
    """Cheap gate (C-level, a copy for most copy): every character of Latin-1 is
    Latin, Common or visible, but the soft hyphen, so such text has nothing to hide."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\xad" not in text


def find_hidden_text(text: str) -> list[Raw]:
    if text.isascii() or _latin1_without_soft_hyphen(text) or _SUSPECT_RE.search(text) is None:
        return []
    out: list[Raw] = []
    for m in _BIDI_RE.finditer(text):
        controls = [c for c in m.group() if c in _BIDI_CONTROLS]
        out.append((RULE, m.start(), m.end(), _MESSAGE_BIDI.format(names=_names(controls)), None))
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if word.isascii():
            continue
        raw = _word_finding(word, m.start())
        if raw is not None:
            out.append(raw)
    return out


def _word_finding(word: str, offset: int) -> Raw | None:
    scripts: set[str] = set()
    hidden: list[str] = []
    base = ""  # the last visible letter or digit (marks attach to it)
    pending: list[str] = []  # invisible characters since that letter
    for c in word:
        if _invisible(c):
            if base:
                pending.append(c)
            continue
        category = unicodedata.category(c)
        if category[0] == "M":
            if pending:  # a mark after an invisible: not a letter, the run is not between letters
                pending = []
                base = ""
            continue
        script = _letter_script(c) if category[0] == "L" else _script(c)
        if script not in _NEUTRAL and category[0] == "L":
            scripts.add(script)
        if pending:
            if not all(p in _JOINER_LIKE for p in pending) or _script(base) in _NO_JOINER_SCRIPTS or script in _NO_JOINER_SCRIPTS:
                hidden.extend(pending)
            pending = []
        base = c
    end = offset + len(word)
    start = offset
    # the span is the word without invisible characters hanging off its edges
    while start < end and _invisible(word[start - offset]):
        start += 1
    while end > start and _invisible(word[end - offset - 1]):
        end -= 1
    shown = word[start - offset:end - offset]
    if hidden:
        visible = "".join(c for c in shown if not _invisible(c))
        return (RULE, start, end, _MESSAGE_INVISIBLE.format(word=visible, names=_names(hidden)), visible)
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in _CJK_SETS):
        names = ", ".join(s.title() for s in sorted(scripts))
        return (RULE, start, end, _MESSAGE_MIXED.format(word=shown, scripts=names), None)
    return None
