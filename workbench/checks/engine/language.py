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

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import chain
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
# Measured on tests/checks/engine/fixtures/language_copy*.jsonl (0 false alarms
# in 229 judged fields, short name-heavy ones included), see bench/README.md.
MIN_LETTERS: Final = 30
MIN_WORDS: Final = 5
# The detector must prefer another language by this much probability (over
# the candidates) before a field is called wrong: ties between close
# languages (es/pt, nl/de) and mixed copy are not judged.
MIN_MARGIN: Final = 0.9
# The detector reads at most this many characters of a field's prose: ample
# to tell a language (its accuracy levels off far below), and it keeps a
# 5,000-character email body as cheap to judge as a push notification.
MAX_PROSE_CHARS: Final = 300
_MAX_SCAN_CHARS: Final = 4 * MAX_PROSE_CHARS  # raw text read to find that much prose

# Fast path: frequent function words of each language (no "la"/"de", common to
# Spanish and French; no English homograph such as German "was" or "hat"). A few
# are shared, each with the language it is also frequent in (Spanish and Dutch
# "van", German and French "du", French and Dutch "je"): a shared word counts
# for the expected language when that is one of its owners, else against it.
# A field whose prose has at least FAST_MIN_WORDS of its locale's and at most
# FAST_MAX_OTHERS of every other language's is plainly in its locale's
# language and skips the detector. It can only spare a field, never
# flag one, and the tests hold it to sparing none of the 3,694 (text, other
# language) pairs the detector flags among the 748 real texts of the test
# fixtures (labelled copy, reading passages and tone sets, in five languages,
# each put in the six other languages), while it decides 537 of the 629 long
# enough to judge in their own language without the detector.
_FUNCTION_WORDS: Final[dict[str, frozenset[str]]] = {
    "en": frozenset("the and your you to of for is are with we our will this that it be have has from".split()),
    "es": frozenset("el los las y tu tus por es está están hemos nuestro nuestra sus ya muy también hoy gracias puedes tienes aquí cuenta pedido tienda "
                    "más cuando hasta ahora usted ustedes nosotros pero mucho muchos mucha muchas donde otro otra otros eso ese esa ellos ellas siempre tiene puede hace van".split()),
    "fr": frozenset("le les et vous votre vos pour est une des du au avec nous notre sur dans sont ce cette sera été être pas merci je".split()),
    "de": frozenset("der die das und sie ihr ihre ist mit für wir unser unsere zu den dem ein eine nicht auf im wird werden haben sich auch noch bei ihnen ihren ihrem ihrer "
                    "von vom zum zur aus nach über oder aber wenn dass weil schon jetzt sind kann können einen einem einer nur sehr mehr uns ich du dich dir dein deine deinen deinem deiner euch".split()),
    "it": frozenset("il gli che tuo tua per è sono della delle nel nella abbiamo nostro nostra".split()),
    "pt": frozenset("os seu sua com é são do das dos na uma nosso nossa você".split()),
    "nl": frozenset("het je jouw uw voor met zijn van een ons onze wij niet op".split()),
}
FAST_MIN_WORDS: Final = 2
FAST_MAX_OTHERS: Final = 1

# What is not prose, one pattern per kind, each run only on text holding its
# mark (most copy holds none): merge fields, links, tags and entities, then
# words holding a digit or an "@" (numbers, prices, addresses, handles). Those
# words are matched from their start only (the look-behind), each character
# read once (the possessive run).
_MERGE_FIELD_RE: Final = re.compile(r"\{\{.*?\}\}")
_LINK_RE: Final = re.compile(r"https?://\S+|www\.\S+")
_TAG_OR_ENTITY_RE: Final = re.compile(r"<[^>]*>|&\w+;")
_ADDRESS_OR_NUMBER_RE: Final = re.compile(r"(?<!\S)[^\s\d@]*+[\d@]\S*")


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


_ASCII_CAPS_RUN_RE: Final = re.compile(r"[A-Z]{4}")


def shouting_words(text: str, exempt: frozenset[str], language: str | None = None) -> Iterator[re.Match[str]]:
    """All-caps words of 4+ letters in ``text`` that are neither in ``exempt`` nor the language's acronyms."""
    if text.isascii() and _ASCII_CAPS_RUN_RE.search(text) is None:
        return  # no four capitals in a row: nothing shouts (a fast scan; most copy ends here)
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


@lru_cache(maxsize=32)
def _identifier_for(languages: frozenset[str]) -> Any:
    """An identifier that only scores ``languages`` (probabilities renormalised over them).

    A shallow copy: set_languages replaces the copy's own score tables with
    column slices of the shared model, so the full identifier is untouched and
    each copy is read-only afterwards (safe to share between threads)."""
    full = _identifier()
    restricted = copy.copy(full)
    restricted.set_languages(sorted(languages & set(full.nb_classes)))
    return restricted


_DIGIT_RE: Final = re.compile(r"\d")


def prose(text: str) -> str:
    """The words of ``text`` a detector should read: merge fields, links, addresses, tags and numbers removed.

    Only the start of a long text is read (at most MAX_PROSE_CHARS of prose)."""
    head = text[:_MAX_SCAN_CHARS]
    if "{{" in head:
        head = _MERGE_FIELD_RE.sub(" ", head)
    if "://" in head or "www." in head:
        head = _LINK_RE.sub(" ", head)
    if "<" in head or "&" in head:
        head = _TAG_OR_ENTITY_RE.sub(" ", head)
    if "@" in head or _DIGIT_RE.search(head) is not None:
        head = _ADDRESS_OR_NUMBER_RE.sub(" ", head)
    return head[:MAX_PROSE_CHARS]


# ASCII bytes that are not letters become blanks; the bytes of other scripts'
# letters (UTF-8, all >= 0x80) stay, so "está" and "für" remain words.
_WORD_BYTES: Final = bytes(b if (65 <= b <= 90 or 97 <= b <= 122 or b >= 128) else 32 for b in range(256))
# Punctuation and blanks outside ASCII that copy sets beside words: ¡¿ «» ’ and
# French typography's no-break spaces before ! ? : ;
_NON_ASCII_BREAKS: Final = "\u00a0\u202f\u2009\u00a1\u00bf\u00ab\u00bb\u2018\u2019\u201c\u201d\u201e\u2026\u2013\u2014"


def _words_of(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters only), split C-level rather than by a Unicode regex.

    Runs of letters: "c'est" is two words, "{{" none (prose has removed them anyway)."""
    text = text.lower()
    if not text.isascii():
        for mark in _NON_ASCII_BREAKS:
            if mark in text:
                text = text.replace(mark, " ")
    return text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES).decode("utf-8", "replace").split()


def judgeable(text: str) -> bool:
    """Whether ``text`` (already reduced to prose) is long enough to tell its language."""
    return _long_enough(_words_of(text))


def _long_enough(words: list[str]) -> bool:
    return len(words) >= MIN_WORDS and sum(map(len, words)) >= MIN_LETTERS


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
    return _guess_prose(words, candidates, expected)


def _guess_prose(words: str, candidates: Iterable[str], expected: str) -> LanguageGuess | None:
    ranked = _identifier_for(frozenset(candidates) | {expected}).rank(words)
    if not ranked or ranked[0][1] <= 0:
        return None
    best, best_p = ranked[0]
    expected_p = next((p for lang, p in ranked if lang == expected), 0.0)
    return LanguageGuess(best, best_p, expected_p)


def _plainly_in(words: list[str], expected: str) -> bool:
    """Whether these function words alone show the text is in ``expected`` (the fast path above)."""
    if expected not in _FUNCTION_WORDS:
        return False
    # the owners of every function word among ``words``, in C (most words are none)
    found = list(filter(None, map(_function_word_owners().get, words)))
    if sum(expected in owners for owners in found) < FAST_MIN_WORDS:
        return False
    # A word the expected language shares with others (Spanish "van", Dutch
    # "van") is evidence for it, never against it.
    others = list(chain.from_iterable(o for o in found if expected not in o))
    return len(others) <= FAST_MAX_OTHERS or all(
        others.count(lang) <= FAST_MAX_OTHERS for lang in set(others))


@lru_cache(maxsize=1)
def _function_word_owners() -> dict[str, tuple[str, ...]]:
    owners: dict[str, tuple[str, ...]] = {}
    for lang, words in _FUNCTION_WORDS.items():
        for word in words:
            owners[word] = (*owners.get(word, ()), lang)
    return owners


def wrong_language(text: str, expected: str, guide_languages: Iterable[str] = ()) -> LanguageGuess | None:
    """The language ``text`` is written in when it clearly is not ``expected``; None otherwise."""
    if len(text) < MIN_LETTERS:  # cheap early out: most titles, subjects and CTAs
        return None
    read = prose(text)
    words = _words_of(read)
    if not _long_enough(words) or _plainly_in(words, expected):
        return None
    guess = _guess_prose(read, COMMON_LANGUAGES | set(guide_languages), expected)
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
