"""Tone settings, lexicon data and the non-lexicon tone measures.

Tone findings are always severity ``warn``: tone is a judgement call a reviewer
should see and weigh, not a hard rule like a banned word, so it must not block
approval on its own.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final

TONE_LEXICON_DIMENSIONS: Final[tuple[str, ...]] = ("promotional", "urgency", "celebratory")

# Fewer words than this and Flesch-Kincaid is noise (one long word swings the
# grade by several points), so short bodies (all SMS, most push) are not graded.
MIN_WORDS_FOR_GRADE: Final = 20


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


@lru_cache(maxsize=1)
def tone_lexicon() -> ToneLexicon:
    phrases: dict[str, tuple[str, ...]] = {}
    patterns: dict[str, re.Pattern[str] | None] = {}
    for dim in TONE_LEXICON_DIMENSIONS:
        lines = _data_lines(f"{dim}.txt")
        phrases[dim] = tuple(line for line in lines if not line.startswith("re:"))
        regexes = [line[3:] for line in lines if line.startswith("re:")]
        # one alternation per dimension: one regex pass per field, not one per pattern
        patterns[dim] = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
    return ToneLexicon(phrases, patterns)


@lru_cache(maxsize=1)
def known_acronyms() -> frozenset[str]:
    return frozenset(line.upper() for line in _data_lines("acronyms.txt"))


# 4+ letters, no lowercase ASCII; isupper() afterwards rules out other scripts' lowercase
SHOUT_RE: Final = re.compile(r"\b[^\W\d_a-z]{4,}\b")
_STRIP_FOR_GRADE_RE: Final = re.compile(r"\{\{.*?\}\}|https?://\S+|www\.\S+")
_SYLLABLES: dict[str, int] = {}


def _syllables(word: str) -> int:
    count = _SYLLABLES.get(word)
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
def _textstat() -> tuple[Any, Any]:
    return (importlib.import_module("textstat.backend.counts"),
            importlib.import_module("textstat.backend.selections"))


def reading_grade(text: str) -> tuple[float, int] | None:
    """(Flesch-Kincaid grade, word count), or None for bodies under MIN_WORDS_FOR_GRADE words.

    Uses textstat's word and sentence counting and its formula
    (0.39 * words/sentence + 11.8 * syllables/word - 15.59). Syllables come from
    textstat's own pyphen fallback rather than its CMU-dictionary path:
    textstat 0.7 downloads the CMU dictionary through nltk at run time, which
    fails offline and would make grades differ between machines.
    """
    counts, selections = _textstat()
    count_sentences = counts.count_sentences
    list_words = selections.list_words

    text = _STRIP_FOR_GRADE_RE.sub(" ", text)
    words: list[str] = list_words(text, lowercase=True)
    if len(words) < MIN_WORDS_FOR_GRADE:
        return None
    sentences: int = count_sentences(text)
    syllables = sum(_syllables(w) for w in words)
    grade = 0.39 * (len(words) / max(sentences, 1)) + 11.8 * (syllables / len(words)) - 15.59
    return grade, len(words)
