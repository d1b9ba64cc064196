"""Per-language pieces of the tone checks and the wrong-language check.

* Shouting that knows German ``ß``: ``"STRAßE".isupper()`` is False because
  ``ß`` is a lowercase letter with no single-letter capital in common use, so
  the plain test let all-caps German words through. ``ß`` is read as neutral.
* Known acronyms per language (``data/acronyms_<lang>.txt``), on top of the
  English list every guide already exempts (brands write "HTML" in any language).
* Wrong language: a field long enough to tell whose language is not the
  locale's. The detector is py3langid (langid.py's model, shipped inside the
  package: no download at run time), loaded once per process and asked only
  to choose among the guide's languages and a few common ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Final

from .tone import SHOUT_RE

LANGUAGE_NAMES: Final[dict[str, str]] = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch",
}
# Always among the candidates, whatever the guide declares: the languages copy
# is most often mixed up with in the markets Copydesk serves.
COMMON_LANGUAGES: Final = frozenset(LANGUAGE_NAMES)

# Texts shorter than this are not judged: a subject line such as "Hola Ana"
# or "Merci !" carries too little to tell (and brand or product names dominate).
# Measured on tests/checks_engine/fixtures/language_copy_*.jsonl, see bench/README.md.
MIN_LETTERS: Final = 40
MIN_WORDS: Final = 6
# The detector must prefer another language by this much probability (over
# the candidates) before a field is called wrong: ties between close
# languages (es/pt, nl/de) and mixed copy are not judged.
MIN_MARGIN: Final = 0.9

_NOT_PROSE_RE: Final = re.compile(
    r"\{\{.*?\}\}|https?://\S+|www\.\S+|\S+@\S+\.\S+|<[^>]*>|&\w+;|\S*\d\S*"
)
_LETTER_RE: Final = re.compile(r"[^\W\d_]")


def _data_lines(name: str) -> list[str]:
    path = resources.files(__package__).joinpath("data", name)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=16)
def language_acronyms(language: str | None) -> frozenset[str]:
    """Upper-cased acronyms known for ``language`` (empty for English: the guide's base list covers it)."""
    if not language or language == "en":
        return frozenset()
    return frozenset(line.upper() for line in _data_lines(f"acronyms_{language}.txt"))


def is_all_caps(word: str) -> bool:
    """Every cased letter upper case, with ``ß`` read as neutral ("STRAßE", "GROß")."""
    return word.replace("ß", "").isupper()


def shouting_words(text: str, exempt: frozenset[str], language: str | None = None) -> Iterator[re.Match[str]]:
    """All-caps words of 4+ letters in ``text`` that are neither in ``exempt`` nor the language's acronyms."""
    own = language_acronyms(language)
    for m in SHOUT_RE.finditer(text):
        word = m.group()
        if not is_all_caps(word):
            continue
        upper = word.upper()
        if upper in exempt or upper in own:
            continue
        yield m


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # py3langid ships no type stubs; importing by name keeps mypy clean and
    # the ~0.8 s model load out of import time (only fields long enough load it).
    langid = __import__("py3langid.langid", fromlist=["LanguageIdentifier"])
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def prose(text: str) -> str:
    """The words of ``text`` a detector should read: merge fields, links, addresses, tags and numbers removed."""
    return _NOT_PROSE_RE.sub(" ", text)


def judgeable(text: str) -> bool:
    """Whether ``text`` (already reduced to prose) is long enough to tell its language."""
    return len(text.split()) >= MIN_WORDS and len(_LETTER_RE.findall(text)) >= MIN_LETTERS


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    probability: float  # among the candidates
    expected_probability: float


def guess_language(text: str, candidates: Iterable[str], expected: str) -> LanguageGuess | None:
    """The most likely of ``candidates`` (plus ``expected``) for ``text``, or None if too short to tell."""
    words = prose(text)
    if not judgeable(words):
        return None
    wanted = set(candidates) | {expected}
    ranked = [(lang, p) for lang, p in _identifier().rank(words) if lang in wanted]
    total = sum(p for _, p in ranked)
    if not ranked or total <= 0:
        return None
    best, best_p = ranked[0]
    expected_p = next((p for lang, p in ranked if lang == expected), 0.0)
    return LanguageGuess(best, best_p / total, expected_p / total)


def wrong_language(text: str, expected: str, guide_languages: Iterable[str] = ()) -> LanguageGuess | None:
    """The language ``text`` is written in when it clearly is not ``expected``; None otherwise."""
    guess = guess_language(text, COMMON_LANGUAGES | set(guide_languages), expected)
    if guess is None or guess.language == expected:
        return None
    if guess.probability - guess.expected_probability < MIN_MARGIN:
        return None
    return guess


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def wrong_language_message(field_label: str, guess: LanguageGuess, expected: str) -> str:
    return (f"{field_label} reads as {language_name(guess.language)} "
            f"(detector confidence {guess.probability:.2f}), not {language_name(expected)}, "
            "the language of its locale")
