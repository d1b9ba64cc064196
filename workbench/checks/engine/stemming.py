"""Words of a language: stems, accents and compounds for matching guide terms.

English terms keep their hand-made inflections in the automaton (lexicon.py);
terms in every other language are matched token by token on Snowball stems
(PyStemmer: the Snowball algorithms compiled in, no data downloaded at run
time), so Spanish ``barato`` matches ``barata``/``baratos``, French ``gratuit``
matches ``gratuite``/``gratuits`` and German ``günstig`` matches
``günstiger``/``günstige``. Stems are taken of accent-folded words on both
sides (the text is folded by ``normalise``), which keeps
``económico`` <-> ``economico``. A stemmer also joins derivations
(``económico`` and ``economía`` share ``econom``): a guide that bans a word bans
its family, the precision price of catching every inflection.

The accent rule (PRODUCT.md "Locales"): a term written without diacritics never
matches a word written with them (``ano`` is not ``año``, ``schon`` is not
``schön``, ``pena`` is not ``peña``); see ``has_accented_letter``.

Feminine forms of nouns that the stemmers keep apart from the masculine are
added with the term (``feminine_forms``): French ``sénateur`` also bans
``sénatrice`` (and ``vendeur`` ``vendeuse``), Italian ``senatore``
``senatrice``, German ``Senator`` ``Senatorin``/``Senatorinnen``. Spanish and
Portuguese ``-or``/``-ora`` share a stem already.

German and Dutch compounds: a term of ``COMPOUND_MIN_TERM`` letters or more also
matches as the first element of a compound (``gratis`` in ``Gratisversand``,
with a linking ``s``/``e``/``n``/``en``/``es``) or, inflected, as the last one
(``günstig`` in ``preisgünstige``) when the rest is at least
``COMPOUND_MIN_REST`` letters and is not a derivational suffix (``-heit``,
``-lich``, ``-heid``...), so ``frei`` never flags ``Freiheit``. Shorter terms
match whole words only: a four-letter element inside a long word is too often
another word (``frei`` in ``Freizeit``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Final

import Stemmer

# ISO 639-1 -> Snowball algorithm, for the Latin-script languages whose words
# the normaliser keeps readable (it reads other scripts' look-alikes as Latin).
# Dutch uses Kraaij-Pohlmann ("dutch_porter"): it undoubles vowels
# (goedkoop/goedkope), which the Snowball "dutch" algorithm does not.
SNOWBALL: Final[dict[str, str]] = {
    "ca": "catalan", "da": "danish", "de": "german", "en": "english", "es": "spanish",
    "fi": "finnish", "fr": "french", "hu": "hungarian", "id": "indonesian", "it": "italian",
    "nl": "dutch_porter", "nb": "norwegian", "nn": "norwegian", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "sv": "swedish", "tr": "turkish",
}
COMPOUND_LANGUAGES: Final[frozenset[str]] = frozenset({"de", "nl"})
COMPOUND_MIN_TERM: Final = 5
COMPOUND_MIN_REST: Final = 4
# Linking elements between compound parts (Fugen-s, -n-, -en-, -es-, Dutch -s-/-en-)
_LINKS: Final[tuple[str, ...]] = ("", "s", "e", "n", "en", "es")
# A rest that starts like these is a derivation of the term, not a second word.
_DERIVATIONAL: Final[dict[str, tuple[str, ...]]] = {
    "de": ("heit", "keit", "lich", "schaft", "haft", "sam", "chen", "lein", "isch", "ung", "bar", "los", "tum",
           "ling", "igkeit", "erei", "ismus", "ist"),
    "nl": ("heid", "lijk", "schap", "loos", "baar", "tje", "ing", "achtig", "isme", "ist", "erij"),
}
# Degrees of comparison the language's stemmer leaves on (Dutch goedkoper,
# goedkoopste), tried only against terms long enough to be compound elements.
_DEGREE_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {"nl": ("ere", "er", "ste", "st")}
# Absolute superlatives the stemmers leave on (baratísimas, carissimo), as folded
# tokens spell them; the base is read back as its masculine singular, with the
# spelling changes the suffix brings (riquísimo -> rico, larguísimo -> largo,
# amabilísimo -> amable).
_SUPERLATIVES: Final[dict[str, tuple[str, ...]]] = {
    "es": ("isimos", "isimas", "isimo", "isima"),
    "pt": ("issimos", "issimas", "issimo", "issima", "isimos", "isimas", "isimo", "isima"),
    "it": ("issimi", "issime", "issimo", "issima"),
}
# Feminine endings of agent nouns per language, as (masculine ending, feminine
# endings); German adds -in/-innen to the noun (a final -e dropped first). French
# -er words write -ère, which the stemmer (reading the folded "-ere") takes for
# another word: "dernier" is "derni", "derniere" "dernier".
_FEMININE_ENDINGS: Final[dict[str, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "fr": (("teur", ("trice", "teuse")), ("eur", ("euse",)), ("er", ("ere",))),
    "it": (("tore", ("trice",)),),
}
_SUPERLATIVE_BASES: Final = (("qu", "co"), ("gu", "go"), ("bil", "ble"), ("", "o"), ("", "e"), ("", ""))
_CACHE_LIMIT: Final = 200_000


# French plurals in -x the stemmer reads apart from their singular ("feu"/"feux",
# "jeu"/"jeux", "travail"/"travaux", "tuyau"/"tuyaux"); -al/-aux and -eau/-eaux it joins.
_X_PLURALS: Final[tuple[tuple[str, str], ...]] = (("ail", "aux"), ("eu", "eux"), ("au", "aux"))


def plural_forms(word: str, language: str) -> set[str]:
    """The plural forms of ``word`` (lower-case, folded) that its language's stemmer reads apart."""
    if language != "fr":
        return set()
    for ending, plural in _X_PLURALS:
        if word.endswith(ending) and len(word) > len(ending):
            return {word[: -len(ending)] + plural}
    return set()


def feminine_forms(word: str, language: str) -> set[str]:
    """The feminine forms of ``word`` (a lower-case noun or adjective) that its language's stemmer reads apart."""
    if language == "de":
        base = word[:-1] if word.endswith("e") else word
        return {base + "in", base + "innen"} if len(base) >= 4 else set()
    for ending, feminines in _FEMININE_ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return {word[: -len(ending)] + feminine for feminine in feminines}
    return set()


@lru_cache(maxsize=None)
def stemmer_for(language: str) -> Callable[[str], str]:
    """The language's stem function (identity when Snowball has no algorithm for it)."""
    algorithm = SNOWBALL.get(language)
    if algorithm is None:
        return _same
    # One Stemmer per language; PyStemmer's own cache makes repeated words cheap.
    return Stemmer.Stemmer(algorithm).stemWord


def _same(word: str) -> str:
    return word


@lru_cache(maxsize=4096)
def _is_accented(char: str) -> bool:
    decomposition = unicodedata.decomposition(char)
    return bool(decomposition) and not decomposition.startswith("<") and char.isalpha()


# The accented ending of a Spanish or Portuguese absolute superlative: it is
# inflection, not part of the word, so "baratísimas" is still "barato".
_SUPERLATIVE_ENDING_RE: Final = re.compile(r"íss?im[oa]s?$", re.IGNORECASE)


# French writes the vowel before a last consonant grave when an ending follows it: the feminine
# of -er and -et ("cher", "chère"; "dernier", "dernière"; "complet", "complète") and verbs
# ("acheter", "achète", "achètent"). That accent is inflection too, so "pas cher" finds
# "pas chères"; the price is a plain term finding a word that differs by that accent alone
# ("mer" and "mère"), which is rare.
_GRAVE_BEFORE_ENDING_RE: Final = re.compile(r"è(?=[bcdfglmnpqrstv]{1,2}(?:e|es|ent)\b)", re.IGNORECASE)


def has_accented_stem(word: str) -> bool:
    """Whether ``word`` has an accented letter outside an inflectional ending (a Spanish or
    Portuguese absolute superlative's, a French feminine's or verb's grave accent)."""
    if word.isascii():
        return False
    word = _SUPERLATIVE_ENDING_RE.sub("", unicodedata.normalize("NFC", word))
    return has_accented_letter(_GRAVE_BEFORE_ENDING_RE.sub("e", word))


def has_accented_letter(text: str) -> bool:
    """Whether ``text`` has a letter with a diacritic as a language writes it (``ñ``, ``ö``, ``é``).

    Only letters that compose into one character count: a stack of combining
    marks over a plain letter (``c̶h̶e̶a̶p̶``, Zalgo) is a disguise, not an accent,
    so it never stops a term from matching.
    """
    if text.isascii():
        return False
    return any(_is_accented(c) for c in unicodedata.normalize("NFC", text) if ord(c) > 127)


# (rule index, group)
StemEntry = tuple[int, int]
# In a token's cached entries: the token's stem starts a phrase (see StemTable.lookup)
PHRASE_START: Final[StemEntry] = (-2, -2)


class StemTable:
    """Single-word terms of one language, found in text tokens by stem (and compound element)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.stem = stemmer_for(language)
        self.by_stem: dict[str, list[StemEntry]] = {}
        # terms long enough to be a compound element: surface forms (heads) and stems (tails)
        self.by_form: dict[str, list[StemEntry]] = {}
        self.tail_stems: dict[str, list[StemEntry]] = {}
        self.cache: dict[str, tuple[StemEntry, ...]] = {}
        # phrases of several words by the stems of their words, keyed by the
        # first stem: "oferta limitada" also matches "ofertas limitadas"
        self.phrases: dict[str, list[tuple[tuple[str, ...], StemEntry]]] = {}
        self.stems: dict[str, str] = {}
        self._compounds = language in COMPOUND_LANGUAGES
        self._derivational = _DERIVATIONAL.get(language, ())
        self._degrees = _DEGREE_SUFFIXES.get(language, ())
        self._superlatives = _SUPERLATIVES.get(language, ())

    def add(self, forms: set[str], entry: StemEntry) -> None:
        for form in forms:
            entries = self.by_stem.setdefault(self.stem(form), [])
            if entry not in entries:
                entries.append(entry)
            if self._compounds and len(form) >= COMPOUND_MIN_TERM:
                for table, key in ((self.by_form, form), (self.tail_stems, self.stem(form))):
                    listed = table.setdefault(key, [])
                    if entry not in listed:
                        listed.append(entry)

    def add_phrase(self, words: list[str], entry: StemEntry) -> None:
        """A phrase (or an except phrase, rule -1) matched word by word on stems."""
        stems = tuple(self.stem(w) for w in words)
        self.cache.clear()  # a cached token may now start a phrase
        listed = self.phrases.setdefault(stems[0], [])
        if (stems[1:], entry) not in listed:
            listed.append((stems[1:], entry))

    def stem_token(self, token: str) -> str:
        found = self.stems.get(token)
        if found is None:
            found = self.stem(token.lstrip("'"))
            if len(self.stems) >= _CACHE_LIMIT:
                self.stems.clear()
            self.stems[token] = found
        return found

    def lookup(self, token: str) -> tuple[StemEntry, ...]:
        """Terms this token is a form of (cached per token; tokens are folded words), and
        PHRASE_START when its stem is a phrase's first, so one cache read per token finds both."""
        found = self.cache.get(token)
        if found is None:
            found = self._find(token)
            if self.phrases and self.stem_token(token) in self.phrases:
                found = (*found, PHRASE_START)
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[token] = found
        return found

    def _find(self, token: str) -> tuple[StemEntry, ...]:
        # French/Italian elision: "l'offre" is tokenised "l", "'offre"
        word = token.lstrip("'")
        if not word.isalpha():
            return ()
        entries = self.by_stem.get(self.stem(word))
        if entries:
            return tuple(entries)
        for suffix in self._superlatives:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                base = word[: -len(suffix)]
                for ending, replacement in _SUPERLATIVE_BASES:
                    if base.endswith(ending):
                        entries = self.by_stem.get(self.stem(base[: len(base) - len(ending)] + replacement))
                        if entries:
                            return tuple(entries)
                break
        for suffix in self._degrees:
            if word.endswith(suffix) and len(word) - len(suffix) >= COMPOUND_MIN_TERM - 1:
                entries = self.tail_stems.get(self.stem(word[: -len(suffix)]))
                if entries:
                    return tuple(entries)
        if self.by_form and len(word) >= COMPOUND_MIN_TERM + COMPOUND_MIN_REST:
            return self._compound(word)
        return ()

    def _compound(self, word: str) -> tuple[StemEntry, ...]:
        found: list[StemEntry] = []
        n = len(word)
        by_form, tail_stems, stem = self.by_form, self.tail_stems, self.stem
        for split in range(COMPOUND_MIN_TERM, n - COMPOUND_MIN_REST + 1):
            head = word[:split]
            # first element: the term itself, then a linking element, then a word
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                entries = by_form.get(head[: len(head) - len(link)] if link else head)
                if entries and not word.startswith(self._derivational, split):
                    found.extend(e for e in entries if e not in found)
        for split in range(COMPOUND_MIN_REST, n - COMPOUND_MIN_TERM + 1):
            # last element, inflected: "preis|günstige"
            entries = tail_stems.get(stem(word[split:]))
            if entries:
                found.extend(e for e in entries if e not in found)
        return tuple(found)
