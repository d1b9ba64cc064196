"""Reading difficulty per language, as a US-school-grade-like figure.

The guide's tone key ``max_reading_grade`` keeps its name in every locale: each
language is measured with a formula made for it, and the result is either a
school grade already or is mapped to one, so one threshold works everywhere.

======== =============================== ==========================================
language formula                         figure compared with ``max_reading_grade``
======== =============================== ==========================================
en       Flesch-Kincaid grade            the grade itself (tone.reading_grade)
es       Crawford (1984)                 the grade itself (years of schooling)
de       Wiener Sachtextformel, variant 1 the grade itself (school grade 4-15)
fr       Kandel & Moles (1958) reading   mapped with Flesch's (1949) ease -> grade
         ease                            table (FLESCH_EASE_TO_GRADE)
nl       Flesch-Douma reading ease       mapped with the same table
pt       Flesch adapted by Martins et    mapped with the same table
         al. (1996)
it       Gulpease index                  mapped with Lucisano & Piemontese's bands
                                         (GULPEASE_TO_GRADE)
======== =============================== ==========================================

Counting follows textstat (the reference implementation the tests compare
with): its word list and sentence count (``tone._words``, ``tone._sentence_count``),
letters as word characters. Syllables come from pyphen's hyphenation patterns
for the language, as in textstat, but allowing one-letter syllables at either
end of a word (textstat's pyphen default needs two, so it counts "oferta" as
two syllables, "o-fer-ta" is three). That is the only difference; the tests
hold every formula within a documented tolerance of textstat's figure.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast

from .tone import _STRIP_FOR_GRADE_RE, MIN_WORDS_FOR_SHORT_GRADE, _sentence_count, _words

# Flesch (1949): reading ease -> school grade (90-100 "5th grade", 80-90 6th,
# 70-80 7th, 60-70 8th-9th, 50-60 10th-12th, 30-50 college, 0-30 college
# graduate); interpolated linearly between the band edges below.
FLESCH_EASE_TO_GRADE: Final[tuple[tuple[float, float], ...]] = (
    (100.0, 4.0), (90.0, 5.0), (80.0, 6.0), (70.0, 7.0), (60.0, 9.0), (50.0, 12.0), (30.0, 16.0), (0.0, 18.0),
)
# Lucisano & Piemontese (1988): Gulpease below 80 is hard for readers with
# elementary schooling (5 years), below 60 for middle school (8 years), below
# 40 for upper secondary (13 years).
GULPEASE_TO_GRADE: Final[tuple[tuple[float, float], ...]] = (
    (100.0, 2.0), (80.0, 5.0), (60.0, 8.0), (40.0, 13.0), (20.0, 18.0), (0.0, 20.0),
)
# Reading-ease constants (base, per word-per-sentence, per syllable-per-word)
_EASE: Final[dict[str, tuple[float, float, float]]] = {
    "fr": (207.0, 1.015, 73.6),  # Kandel & Moles
    "nl": (206.835, 0.93, 77.0),  # Douma
    "pt": (248.835, 1.015, 84.6),  # Martins et al.
}
FORMULA_NAMES: Final[dict[str, str]] = {
    "en": "Flesch-Kincaid",
    "es": "Crawford",
    "de": "Wiener Sachtextformel",
    "fr": "Kandel-Moles reading ease, mapped to a grade",
    "nl": "Flesch-Douma reading ease, mapped to a grade",
    "pt": "Flesch-Martins reading ease, mapped to a grade",
    "it": "Gulpease index, mapped to a grade",
}
GRADED_LANGUAGES: Final = frozenset(FORMULA_NAMES)


@dataclass(frozen=True, slots=True)
class Grade:
    grade: float
    words: int
    formula: str
    raw: float  # the formula's own figure (an ease or index score before mapping)


def _interpolate(value: float, table: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear lookup in a table ordered by descending score; clamped at both ends."""
    if value >= table[0][0]:
        return table[0][1]
    for (hi, hi_grade), (lo, lo_grade) in zip(table, table[1:]):
        if value >= lo:
            return lo_grade + (value - lo) * (hi_grade - lo_grade) / (hi - lo)
    return table[-1][1]


@lru_cache(maxsize=8)
def _hyphenator(language: str) -> Any:
    # pyphen ships no type stubs (see tone._pyphen)
    return importlib.import_module("pyphen").Pyphen(lang=language, left=1, right=1)


# Syllables per word, per language: read with one C-level dict lookup per word
# (nearly every word of a running worker's copy has been seen before).
_SYLLABLES: dict[str, dict[str, int]] = {}
_SYLLABLES_PER_LANGUAGE: Final = 50_000


def syllables(word: str, language: str) -> int:
    known = _SYLLABLES.setdefault(language, {})
    count = known.get(word)
    if count is None:
        count = len(_hyphenator(language).positions(word)) + 1
        if len(known) < _SYLLABLES_PER_LANGUAGE:
            known[word] = count
    return count


def language_grade(text: str, language: str) -> Grade | None:
    """The reading grade of ``text`` in ``language`` (not English), or None if too short or not graded."""
    if language not in GRADED_LANGUAGES or language == "en":
        return None
    if len(text.split(None, MIN_WORDS_FOR_SHORT_GRADE)) < MIN_WORDS_FOR_SHORT_GRADE:
        return None  # fewer blank-separated tokens than words needed: too short whatever they are
    if "{{" in text or "http" in text or "www." in text:
        text = _STRIP_FOR_GRADE_RE.sub(" ", text)
    words = _words(text, lowercase=True)
    n = len(words)
    if n < MIN_WORDS_FOR_SHORT_GRADE:
        return None
    sentences = _sentence_count(text)
    found = list(map(_SYLLABLES.get(language, {}).get, words))
    counts = ([syllables(w, language) if c is None else c for w, c in zip(words, found)] if None in found
              else cast("list[int]", found))
    per_sentence = n / sentences
    per_word = sum(counts) / n
    formula = FORMULA_NAMES[language]
    if language == "es":
        grade = -0.205 * (100 * sentences / n) + 0.049 * (100 * per_word) - 3.407
        return Grade(grade, n, formula, grade)
    if language == "de":
        polysyllables = 100 * sum(1 for c in counts if c >= 3) / n
        monosyllables = 100 * sum(1 for c in counts if c == 1) / n
        # words split at apostrophes too (textstat's way for this formula); without one they are ``words``
        split = _words(text.replace("'", " ")) if "'" in text else words
        long_words = 100 * sum(1 for w in split if len(w) > 6) / n
        grade = 0.1935 * polysyllables + 0.1672 * per_sentence + 0.1297 * long_words - 0.0327 * monosyllables - 0.875
        return Grade(grade, n, formula, grade)
    if language == "it":
        letters = sum(len(w.replace("'", "")) for w in words)
        index = 89 + (300 * sentences - 10 * letters) / n
        return Grade(_interpolate(index, GULPEASE_TO_GRADE), n, formula, index)
    base, per_length, per_syllable = _EASE[language]
    ease = base - per_length * per_sentence - per_syllable * per_word
    return Grade(_interpolate(ease, FLESCH_EASE_TO_GRADE), n, formula, ease)
