"""Lexicon matching: guide terms and tone phrases in one Aho-Corasick automaton.

How a text is scanned:

1. ``normalise`` (NFKC, case, accents, quotes, zero-width) keeps an offset map.
2. ``fold`` reads digits/symbols as letters (``fr33`` -> ``free``); length-preserving.
3. The folded text is cut into word tokens (runs of letters/digits; an
   apostrophe inside a word starts a token of its own, so ``he'll`` is
   ``he 'll`` and never reads as ``hell``, while ``cheap's`` still holds
   ``cheap``) and joined
   with single spaces, padded at both ends: ``" act now "``. Every term key is
   padded the same way, so the automaton can only report whole words, and a
   multi-word term matches across any run of spaces, hyphens or punctuation.
   Because the hits are already whole words, no candidate needs a Python-side
   boundary check, which keeps the scan close to a bare automaton scan.
4. Letter-spaced writing (``f r e e``, ``f.r.e.e``) shows up as a run of 3+
   one-character tokens; only texts with such a run get a second view where the
   run is merged into one word.
5. Stretched words (``cheeeap``, ``freeeee``, ``frrreeee``): a letter written
   three or more times in a row stands for itself once or twice. The automaton
   holds each tripled vowel as an extra, unpadded key, so the main scan notices
   a stretched word (copy stretches its vowels; a consonant stretched beside
   them is read too) for ~3 % more automaton time and no extra pass; only then
   are the word's readings scanned, each run written once and twice.

Terms in another language than English (a locale's own rules) are matched as
that language: single words by stem, token by token (stemming.py, which also
holds the accent rule and German/Dutch compounds); multi-word terms as listed
forms in the automaton, with the accent rule applied to their hits.

Each single-word English term is stored with its inflections (-s, -es, -ed, -ing, -er, -est,
e-drop, consonant doubling, y->ies/ied/ier/iest); a multi-word term with its last word's
plurals (``lowest prices``), and also in its joined form (``actnow``). Terms containing ``l``
get extra keys with ``l`` read as ``i`` because the fold reads ``1`` as ``i`` (``sa1e``) and a
capital ``I`` (or a look-alike of it) lower-cases to ``i`` (``cIinically``).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import compress, product, repeat
from operator import itemgetter
from typing import Any, Final, NamedTuple

# Imported by name: pyahocorasick ships no type stubs, and this keeps mypy
# --strict quiet both with and without ignore_missing_imports.
ahocorasick: Any = importlib.import_module("ahocorasick")
from .normalize import FOLD_TABLE, Normalised, normalise, normalise_plain
from .stemming import StemTable, feminine_forms, has_accented_letter, has_accented_stem, plural_forms

# A word-internal apostrophe (straight; curly ones are straight after
# normalisation) belongs to the token it starts: "he'll" -> "he", "'ll".
TOKEN_RE: Final = re.compile(r"(?:(?<=[^\W_])')?[^\W_]+")
# When more hits than this are found in one text, token positions are read in
# one linear pass instead of one anchored regex per hit.
_FEW_HITS: Final = 8
# Signs that also read as a letter: the long s is the "f" it looks like (UTS #39's
# prototype, as normalize.py reads it: "ſree") and the "s" NFKC makes it ("riſk");
# currency signs stand in for letters inside words ("ch€ap", "¢heap") as "$" and
# "@" do (those fold in FOLD_TABLE, but € and ¢ must stay themselves for prices).
# A match made of signs and digits only still needs a letter ("€10" is no word).
_SECOND_READING: Final = str.maketrans({"\u017f": "s", "\u20ac": "e", "\u00a2": "c", "\u00a9": "c", "\u00ae": "r"})
_SECOND_READING_RE: Final = re.compile("[\u017f\u20ac\u00a2\u00a9\u00ae]")
# An exclamation mark (either way up) or a bar between two letters is the i it is
# drawn for ("b!llig", "grat¡s", "fr|ee"); at the end of a word it is punctuation.
# (The sign comes first in the pattern so the regex engine skips to it; a look-behind first
# would be tried at every position of every text.)
_I_SIGN_RE: Final = re.compile(r"[!\u00a1|](?<=[^\W\d_][!\u00a1|])(?=[^\W\d_])")
_LETTER_RE: Final = re.compile(r"[^\W\d_]")
# a letter or digit outside ASCII: neither ASCII nor a non-word character
_NON_ASCII_WORD_CHAR_RE: Final = re.compile(r"[^\x00-\x7f\W]")
# three or more one-character tokens in a row: " f r e e "
_RUN_RE: Final = re.compile(r" [^ ] [^ ] [^ ] ")
# a letter three or more times in a row in a token of the view
_STRETCH_RUN_RE: Final = re.compile(r"([a-z])\1{2,}")
# the automaton's entry for a tripled letter (rule -1 is an except phrase)
_STRETCH: Final = -2
_STRETCHABLE: Final = "aeiouy"  # each consonant would cost the automaton ~1.5 % more on all copy
_VOWELS: Final = frozenset("aeiou")
_NO_DOUBLE: Final = frozenset("aeiouwxy")


def _second_reading(original: str) -> str | None:
    """The text with the signs that stand for letters in its words read as those letters,
    one character for one (so spans stay); None when it has none."""
    read = original
    if not original.isascii() and _signs_as_letters(original):
        read = read.translate(_SECOND_READING)
    if ("!" in original or "|" in original or "\u00a1" in original) and _I_SIGN_RE.search(original) is not None:
        read = _I_SIGN_RE.sub("i", read)
    return None if read is original else read


# A word broken into pieces by single hyphens, middle dots or emoji: "ba-ra-tas", "FR-EE",
# "fr🎁ee". Read joined as well, as letter-spaced words are ("f-r-e-e"), when each piece has
# a letter, one is a stub of three or fewer ("gluten-free" stays two words) and the joined
# word is a term's form (so "e-mail" costs no second reading). Dots and underscores are
# left out: they join domains ("example.com") and merge-field names ("cart_url") all day.
_BREAKS: Final = "\\-\u00b7\u2600-\u27bf\U0001f300-\U0001faff"
_BREAK_CHARS: Final = frozenset("-\u00b7")  # the breaks a word is walked back over (emoji are rare)
_BROKEN_WORD_RE: Final = re.compile(rf"(?:[^\W_]+[{_BREAKS}])+[^\W_]+(?![^\W_])")
_BREAK_RE: Final = re.compile(rf"[{_BREAKS}]")
# Its sign, searched first (the break opens the pattern, so the regex engine skips to breaks):
# a break between two letters or digits.
_BREAK_HINT_RE: Final = re.compile(rf"[{_BREAKS}](?<=[^\W_].)(?=[^\W_])")
_HYPHEN_HINT_RE: Final = re.compile(r"-(?<=[^\W_]-)(?=[^\W_])")
_BROKEN_WORD_MAX: Final = 24  # letters: longer runs are addresses and lists, not a disguised word
_WINDOW_CHARS: Final = 40  # text read on each side of a joined word, for phrases that run through it


def _broken_words(text: str) -> list[tuple[int, int]]:
    """Spans of the broken words in ``text``, found from each break between two word characters."""
    spans: list[tuple[int, int]] = []
    reach = 0
    for hint in _BREAK_HINT_RE.finditer(text):
        if hint.start() < reach:
            continue
        start = hint.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _BREAK_CHARS):
            start -= 1
        while start < hint.start() and not text[start].isalnum():
            start += 1
        m = _BROKEN_WORD_RE.match(text, start)
        if m is None:
            continue
        reach = m.end()
        pieces = _BREAK_RE.split(m.group())
        if (sum(map(len, pieces)) <= _BROKEN_WORD_MAX and min(map(len, pieces)) <= 3
                and all(_LETTER_RE.search(piece) for piece in pieces)):
            spans.append(m.span())
    return spans


def _joined_windows(
    folded: str, ranges: list[tuple[int, int]], token_re: re.Pattern[str], is_term: Callable[[str], bool],
) -> Iterator[tuple[list[str], list[tuple[int, int]]]]:
    """For each of ``ranges`` (offsets into ``folded``) whose joined word ``is_term``, the tokens
    around it with those inside it joined into one: only that much of the field is read again."""
    for begin, end in ranges:
        if not is_term("".join(token_re.findall(folded, begin, end))):
            continue
        low, high = max(0, begin - _WINDOW_CHARS), min(len(folded), end + _WINDOW_CHARS)
        found = [(m.group(), m.span()) for m in token_re.finditer(folded, low, high)]
        # a token at a window's edge may be a word cut in two: left out
        if low > 0 and found and found[0][1][1] <= begin:
            found.pop(0)
        if high < len(folded) and found and found[-1][1][0] >= end:
            found.pop()
        inside = [i for i, (_, (s, e)) in enumerate(found) if s >= begin and e <= end]
        if len(inside) < 2:
            continue
        first, last = inside[0], inside[-1]
        tokens = [t for t, _ in found]
        spans = [span for _, span in found]
        yield (
            [*tokens[:first], "".join(tokens[first:last + 1]), *tokens[last + 1:]],
            [*spans[:first], (spans[first][0], spans[last][1]), *spans[last + 1:]],
        )


def _signs_as_letters(text: str) -> bool:
    """Whether a sign of ``_SECOND_READING`` stands in a word that has a letter ("ch€ap",
    "¢heap", "riſk", "10€/mes"), so a second reading could find a term there.

    Prices ("19,99 €", "€10", "50¢"), which European copy is full of, are not read twice.
    Linear: the words are split in C and only those holding a sign are searched."""
    if _SECOND_READING_RE.search(text) is None:
        return False
    return any(_LETTER_RE.search(word) for word in text.split() if _SECOND_READING_RE.search(word))


@dataclass(frozen=True, slots=True)
class LexRule:
    """One matchable term. ``kind`` is a Contract 2 finding kind, or ``tone``."""

    kind: str
    rule: str
    term: str
    severity: str
    message: str
    suggestion: str | None
    group: int  # except phrases of the same group suppress matches inside them
    needs_letter: bool  # a term with letters needs a letter in the match ("505" is not "sos")
    # a term without diacritics in a language where they tell words apart
    # never matches a word written with them ("ano" is not "año")
    strict_accents: bool = False


class LexHit(NamedTuple):  # a tuple: made for every hit, so cheap to build
    rule: int  # index into Lexicon.rules
    start: int  # original text offsets
    end: int


def term_tokens(term: str) -> list[str]:
    return TOKEN_RE.findall(normalise_plain(term).translate(FOLD_TABLE))


def inflections(word: str) -> set[str]:
    """An English word's plural and verb forms (-s, -es, -ed, -ing, e-drop, consonant doubling, y -> ies/ied)."""
    forms = {word}
    if not word.isalpha() or not word.isascii() or len(word) < 2:
        return forms
    forms.update((word + "s", word + "es", word + "ed", word + "ing"))
    if word.endswith("e"):
        forms.update((word + "d", word[:-1] + "ing"))
    if word[-1] == "y" and word[-2] not in _VOWELS:
        forms.update((word[:-1] + "ies", word[:-1] + "ied"))
    if _doubles(word):
        forms.update((word + word[-1] + "ed", word + word[-1] + "ing"))
    return forms


def degrees(word: str) -> set[str]:
    """An English word's comparative and superlative (``cheap``: ``cheaper``, ``cheapest``).

    The comparative doubles no consonant: ``bet`` is not ``better``, ``ban`` not ``banner``;
    the superlative does (``hottest``), since no other word is spelled that way.
    """
    if not word.isalpha() or not word.isascii() or len(word) < 2:
        return set()
    if word.endswith("e"):
        return {word + "r", word + "st"}
    if word[-1] == "y" and word[-2] not in _VOWELS:
        return {word[:-1] + "ier", word[:-1] + "iest"}
    return {word + "er", word + "est", *([word + word[-1] + "est"] if _doubles(word) else [])}


def _doubles(word: str) -> bool:
    """Whether the word doubles its last consonant before an ending (stop: stopped)."""
    return len(word) >= 3 and word[-1] not in _NO_DOUBLE and word[-2] in _VOWELS and word[-3] not in _VOWELS


def plurals(word: str) -> set[str]:
    """An English word and its plural forms (-s, -es, y -> ies)."""
    if not word.isalpha() or not word.isascii() or len(word) < 2:
        return {word}
    forms = {word, word + "s", word + "es"}
    if word[-1] == "y" and word[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    return forms


def term_keys(term: str, inflect: bool) -> set[str]:
    tokens = term_tokens(term)
    if not tokens:
        return set()
    # Degrees and a phrase's plurals get no l-as-i keys: they would grow the automaton by half
    # again (every key costs every scan some cache) for a disguise inside a rarer form.
    if len(tokens) == 1:
        forms = inflections(tokens[0]) if inflect else {tokens[0]}
        rarer = degrees(tokens[0]) if inflect else set()
    else:
        # a phrase's last word takes its plural: "lowest price" finds "lowest prices" (its verb and
        # degree forms would quadruple a phrase's keys for forms copy hardly writes)
        forms = {" ".join(tokens), "".join(tokens)}
        rarer = {form for last in (plurals(tokens[-1]) - {tokens[-1]} if inflect else ())
                 for form in (" ".join([*tokens[:-1], last]), "".join([*tokens[:-1], last]))}
    keys = forms | rarer
    for form in forms:
        keys.update(_l_as_i(form))
    return keys


def _l_as_i(form: str) -> list[str]:
    """``form`` with its ``l``s read as ``i`` (``1``, ``I``, ``Ｉ``... all read as ``i``), each
    one alone or together: ``cIinically`` has one ``l`` disguised, not both. Up to 4
    ``l``s get every combination; beyond that, all or none."""
    positions = [i for i, c in enumerate(form) if c == "l"]
    if not positions:
        return []
    if len(positions) > 4:
        return [form.replace("l", "i")]
    out = []
    for mask in range(1, 1 << len(positions)):
        chars = list(form)
        for bit, at in enumerate(positions):
            if mask >> bit & 1:
                chars[at] = "i"
        out.append("".join(chars))
    return out


# (rule index or -1 for an except phrase, group, key length incl. padding)
_Entry = tuple[int, int, int]


class LexiconBuilder:
    def __init__(self) -> None:
        self.rules: list[LexRule] = []
        self._keys: dict[str, list[_Entry]] = {}
        self._stem_tables: dict[str, StemTable] = {}
        self._groups = 0

    def new_group(self) -> int:
        self._groups += 1
        return self._groups

    def add_term(self, rule: LexRule, inflect: bool, language: str = "en") -> None:
        """Add a term written in ``language`` (English inflections in the automaton, else stems)."""
        index = len(self.rules)
        if language != "en":
            if not has_accented_letter(rule.term):
                rule = replace(rule, strict_accents=True)
            tokens = term_tokens(rule.term)
            if inflect and len(tokens) == 1 and tokens[0].isalpha():
                self.rules.append(rule)
                word = tokens[0]
                # the term as written too: a stemmer reads "huracán" (stem "huracan", as
                # "huracanes") differently from its folded "huracan" (stem "hurac")
                written = unicodedata.normalize("NFC", rule.term).strip().lower()
                forms = {word, *_l_as_i(word), *([written] if written.isalpha() else [])}
                forms.update(*(feminine_forms(form, language) | plural_forms(form, language)
                               for form in (word, written) if form.isalpha()))
                self._stem_table(language).add(forms, (index, rule.group))
                return
            if inflect and len(tokens) > 1 and all(t.isalpha() for t in tokens):
                # the listed form stays in the automaton (its joined form catches
                # letter spacing); the stems catch its inflected forms
                # each word also in the plural its stemmer reads apart: "feu de forêt", "feux de forêt"
                for variant in product(*({token} | plural_forms(token, language) for token in tokens)):
                    self._stem_table(language).add_phrase(list(variant), (index, rule.group))
            inflect = False
        self.rules.append(rule)
        for key in term_keys(rule.term, inflect):
            padded = f" {key} "
            entries = self._keys.setdefault(padded, [])
            entry = (index, rule.group, len(padded))
            if entry not in entries:
                entries.append(entry)

    def _stem_table(self, language: str) -> StemTable:
        table = self._stem_tables.get(language)
        if table is None:
            table = self._stem_tables[language] = StemTable(language)
        return table

    def add_except(self, phrase: str, group: int, language: str = "en") -> None:
        tokens = term_tokens(phrase)
        if language != "en" and tokens and all(t.isalpha() for t in tokens):
            # "envío gratis" also excuses "envíos gratis"
            self._stem_table(language).add_phrase(tokens, (-1, group))
        for key in term_keys(phrase, False):
            padded = f" {key} "
            self._keys.setdefault(padded, []).append((-1, group, len(padded)))

    def build(self) -> Lexicon:
        automaton = None
        if self._keys:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
            for key, entries in self._keys.items():
                automaton.add_word(key, tuple(entries))
            for letter in _STRETCHABLE:
                automaton.add_word(letter * 3, ((_STRETCH, ord(letter), 3),))
            automaton.make_automaton()
        return Lexicon(tuple(self.rules), automaton, tuple(self._stem_tables.values()))


class Lexicon:
    def __init__(self, rules: tuple[LexRule, ...], automaton: Any, stem_tables: tuple[StemTable, ...] = ()) -> None:
        self.rules = rules
        self.automaton = automaton
        self.stem_tables = stem_tables

    def scan(self, norm: Normalised, *, second_reading: bool = True) -> list[LexHit]:
        """All lexicon hits in a text, with spans into the original text."""
        if self.automaton is None and not self.stem_tables:
            return []
        original = norm.original
        if second_reading and (not original.isascii() or "!" in original or "|" in original) and (
                reread := _second_reading(original)) is not None:
            # read once more with those signs as letters; one for one, so the spans stay
            return list(dict.fromkeys([
                *self.scan(norm, second_reading=False),
                *self.scan(normalise(reread), second_reading=False),
            ]))
        text = norm.text
        if text.isascii() or _NON_ASCII_WORD_CHAR_RE.search(text) is None:
            # Hot path, C-level only: one byte table folds digits and symbols and
            # blanks separators while keeping every index in place. Normalisation
            # often makes non-ASCII copy ASCII (curly quotes, accents), so this
            # covers most texts; the signs and punctuation it leaves (¡ ¿ € —)
            # separate words as ASCII ones do: each becomes one "?", a blank.
            folded = text.encode("ascii", "replace").translate(_VIEW_BYTES).decode("ascii")
            # without an apostrophe the folded text is words and blanks only, for
            # which simpler (3x faster) regexes find the tokens
            spaced = "'" not in folded
            tokens: list[str] = folded.split() if spaced else TOKEN_RE.findall(folded)
        else:
            folded = norm.folded
            spaced = False
            tokens = TOKEN_RE.findall(folded)
        if not tokens:
            return []
        view = " " + " ".join(tokens) + " "
        stretched: set[int] = set()
        raw = self._scan_view(view, tokens, stretched)
        has_run = _RUN_RE.search(view) is not None
        # confirmed on the copy as written: the tripled letter may be folded digits ("1000")
        has_stretch = bool(stretched) and any(chr(c) * 3 in text for c in stretched)
        # ASCII copy (most) can only break a word with a hyphen: a literal the regex engine skips to
        broken = (_broken_words(text) if (_HYPHEN_HINT_RE if text.isascii() else _BREAK_HINT_RE).search(text) is not None
                  else []) if "-" in text or not text.isascii() else []
        if not raw and not has_run and not has_stretch and not broken:
            return []
        found: dict[tuple[int, int, int], None] = {}
        rules = self.rules
        spans: list[tuple[int, int]] | None = None
        token_re = _SPACED_TOKEN_RE if spaced else TOKEN_RE
        if len(raw) > _FEW_HITS or has_run or has_stretch:
            spans = [m.span() for m in token_re.finditer(folded)]
        locate = _locate_spaced_tokens if spaced else _locate_tokens
        for rule, _group, first, last in raw:
            if spans is not None:
                f_start, f_end = spans[first][0], spans[last][1]
            else:
                # a few hits: token positions from a cached "skip n tokens"
                # regex, so no per-token Python loop runs for long bodies
                located = locate(first, last - first + 1).match(folded)
                if located is None:  # pragma: no cover - the view was built from these tokens
                    continue
                f_start, f_end = located.start(1), located.end(1)
            self._keep(rules[rule], rule, norm, f_start, f_end, found)
        if has_run:
            assert spans is not None
            self._scan_alternative(*_merge_runs(tokens, spans), norm, found)
        for window in _joined_windows(folded, broken, token_re, self._is_term):
            self._scan_alternative(*window, norm, found)
        if has_stretch:
            assert spans is not None
            for alt_tokens in _stretch_views(tokens):
                self._scan_alternative(alt_tokens, spans, norm, found)
        return [LexHit(r, s, e) for (r, s, e) in found]

    def _is_term(self, token: str) -> bool:
        """Whether a folded token is a form of some term (or opens a phrase)."""
        if self.automaton is not None and self.automaton.exists(f" {token} "):
            return True
        return any(table.lookup(token) for table in self.stem_tables)

    def _scan_alternative(
        self, tokens: list[str], spans: list[tuple[int, int]], norm: Normalised,
        found: dict[tuple[int, int, int], None],
    ) -> None:
        """Hits of another reading of the text (letter runs merged, stretched words shortened): ``tokens``
        with ``spans``, each token's place in the folded text."""
        view = " " + " ".join(tokens) + " "
        for rule, _group, first, last in self._scan_view(view, tokens):
            self._keep(self.rules[rule], rule, norm, spans[first][0], spans[last][1], found)

    @staticmethod
    def _keep(
        rule: LexRule, index: int, norm: Normalised, f_start: int, f_end: int,
        found: dict[tuple[int, int, int], None],
    ) -> None:
        if norm.offsets is None and norm.original.isascii():
            o_start, o_end = f_start, f_end  # ASCII copy (isascii is O(1)): the same span, no combining mark after it
        else:
            o_start, o_end = norm.span(f_start, f_end)
        if rule.needs_letter and _LETTER_RE.search(norm.original, o_start, o_end) is None and not any(
                c.isalpha() for c in normalise_plain(norm.original[o_start:o_end])):
            return  # digits and symbols only ("$$$", "3"); circled letters (ⓒⓗⓔⓐⓟ, 🅲🅷🅴🅰🅿) are letters in disguise
        if rule.strict_accents and has_accented_stem(norm.original[o_start:o_end]):
            return
        found[(index, o_start, o_end)] = None

    def _scan_view(
        self, view: str, tokens: list[str], stretched: set[int] | None = None,
    ) -> list[tuple[int, int, int, int]]:
        """(rule, group, first token, last token) of each hit, in token order, except phrases applied.

        ``view`` is " " + " ".join(tokens) + " ". The letters seen tripled in it are noted in ``stretched``."""
        hits: list[tuple[int, int, int, int]] = []
        excepts: list[tuple[int, int, int]] = []
        if self.automaton is not None:
            keys: list[tuple[int, int, int, int]] = []  # (view start, view end, rule, group)
            for end, entries in self.automaton.iter(view):
                for rule, group, length in entries:
                    if rule == _STRETCH:
                        if stretched is not None:
                            stretched.add(group)
                    else:
                        # the key is " term ": drop the padding from the span
                        keys.append((end - length + 2, end, rule, group))
            if keys:
                _key_tokens(view, keys, hits, excepts)
        if self.stem_tables:
            for table in self.stem_tables:
                _stem_hits(table, tokens, hits, excepts)
            hits.sort(key=_BY_FIRST_TOKEN)
        if excepts and hits:
            hits = _outside_excepts(hits, excepts)
        return hits


_BY_FIRST_TOKEN: Final = itemgetter(2)


def _key_tokens(
    view: str, keys: list[tuple[int, int, int, int]], hits: list[tuple[int, int, int, int]],
    excepts: list[tuple[int, int, int]],
) -> None:
    """Automaton matches in token numbers: counted from the single blanks of the view,
    walking the matches in order so the whole text is counted once, not once per match."""
    if len(keys) > 1:
        keys.sort()
    position, count = 0, -1
    for vstart, vend, rule, group in keys:
        count += view.count(" ", position, vstart)
        position = vstart
        last = count + view.count(" ", vstart, vend)
        if rule >= 0:
            hits.append((rule, group, count, last))
        else:
            excepts.append((group, count, last))


def _stem_hits(
    table: StemTable, tokens: list[str], hits: list[tuple[int, int, int, int]],
    excepts: list[tuple[int, int, int]],
) -> None:
    """Hits of a language's terms and except phrases, by token stem, in token numbers."""
    # C-level cache reads for the tokens seen before (nearly all of them in a
    # running worker); Python-level stemming only for new ones
    found: list[tuple[tuple[int, int], ...] | None] = list(map(table.cache.get, tokens))
    if None in found:
        found = [table.lookup(t) if f is None else f for t, f in zip(tokens, found)]
    for i in compress(range(len(tokens)), found):  # C-level: the tokens that are a term's form or start a phrase
        for rule, group in found[i] or ():
            if rule >= 0:
                hits.append((rule, group, i, i))
            else:  # PHRASE_START
                _stem_phrases_at(table, tokens, i, hits, excepts)


def _stem_phrases_at(
    table: StemTable, tokens: list[str], i: int, hits: list[tuple[int, int, int, int]],
    excepts: list[tuple[int, int, int]],
) -> None:
    """The phrases whose first word's stem is token ``i``'s, when the next tokens' stems follow."""
    for rest, (rule, group) in table.phrases[table.stem_token(tokens[i])]:
        last = i + len(rest)
        if last >= len(tokens) or tuple(map(table.stem_token, tokens[i + 1:last + 1])) != rest:
            continue
        if rule < 0:
            excepts.append((group, i, last))
        else:
            hits.append((rule, group, i, last))


def _outside_excepts(
    hits: list[tuple[int, int, int, int]], excepts: list[tuple[int, int, int]]
) -> list[tuple[int, int, int, int]]:
    """The hits that no except phrase of their own group contains.

    Per group the except spans are sorted by start with a running maximum of
    their ends, so each hit is one binary search: O((hits + excepts) log n).
    """
    by_group: dict[int, tuple[list[int], list[int]]] = {}
    for group, start, end in sorted(excepts, key=lambda x: (x[0], x[1])):
        starts, max_ends = by_group.setdefault(group, ([], []))
        starts.append(start)
        max_ends.append(max(end, max_ends[-1]) if max_ends else end)
    kept = []
    for hit in hits:
        entry = by_group.get(hit[1])
        if entry is not None:
            i = bisect_right(entry[0], hit[2]) - 1
            if i >= 0 and entry[1][i] >= hit[3]:
                continue
        kept.append(hit)
    return kept


_MAX_STRETCH_VIEWS: Final = 16


def _stretch_views(tokens: list[str]) -> list[list[str]]:
    """The token lists to scan for stretched words: every combination of their readings while
    there are at most 16 (a phrase of two stretched words: "riiisk freeee"), else view k reads
    every stretched token its k-th way (each reading of each word is still scanned)."""
    stretched = {i: ways for i, t in enumerate(tokens) if len(t) > 2 and len(ways := _unstretched(t)) > 1}
    if not stretched:
        return []
    combinations = 1
    for ways in stretched.values():
        combinations *= len(ways)
        if combinations > _MAX_STRETCH_VIEWS:
            break
    if combinations <= _MAX_STRETCH_VIEWS:
        picks = list(product(*stretched.values()))
    else:
        picks = [tuple(w[k % len(w)] for w in stretched.values()) for k in range(max(map(len, stretched.values())))]
    views = []
    for pick in picks:
        view = list(tokens)
        for i, way in zip(stretched, pick):
            view[i] = way
        views.append(view)
    return views


def _unstretched(token: str) -> list[str]:
    """The ways to read ``token`` with each run of 3+ of a letter as that letter once or twice
    ("frrreeee": "fre", "free", "frre", "frree"); beyond three runs, the others once."""
    runs = list(_STRETCH_RUN_RE.finditer(token))
    if not runs:
        return [token]
    ways = []
    for mask in range(1 << min(len(runs), 3)):
        parts, at = [], 0
        for i, run in enumerate(runs):
            parts.append(token[at:run.start()])
            parts.append(run.group(1) * (2 if i < 3 and mask >> i & 1 else 1))
            at = run.end()
        parts.append(token[at:])
        ways.append("".join(parts))
    return ways


def _build_view_bytes() -> bytes:
    table = bytearray(b" " * 256)
    for c in range(128):
        ch = chr(c)
        if ch.isalnum() or ch == "'":
            table[c] = ord(ch.lower())
    for k, v in FOLD_TABLE.items():
        table[k] = v
    return bytes(table)


_VIEW_BYTES: Final = _build_view_bytes()


@lru_cache(maxsize=4096)
def _locate_tokens(first: int, count: int) -> re.Pattern[str]:
    """Group 1 spans tokens ``first`` .. ``first + count - 1`` of a folded text."""
    # An apostrophe token ("'ll") is found as its letters after a separator;
    # a match never starts with one (terms lose leading apostrophes).
    return re.compile(
        r"(?:[\W_]*[^\W_]+){%d}[\W_]*([^\W_]+(?:[\W_]+[^\W_]+){%d})" % (first, count - 1)
    )


_SPACED_TOKEN_RE: Final = re.compile(r"[^ ]+")


@lru_cache(maxsize=4096)
def _locate_spaced_tokens(first: int, count: int) -> re.Pattern[str]:
    """As ``_locate_tokens``, for a folded text of words and blanks only."""
    return re.compile(r" *(?:[^ ]+ +){%d}([^ ]+(?: +[^ ]+){%d})" % (first, count - 1))


_ONE_LETTER_RUN_RE: Final = re.compile(rb"\x01{3,}")


def _merge_runs(
    tokens: list[str], spans: list[tuple[int, int]]
) -> tuple[list[str], list[tuple[int, int]]]:
    """The tokens with every run of three or more one-letter tokens joined into one ("f r e e")."""
    # one byte per token, 1 for a one-letter token: the runs are found in C
    lengths = bytes(map(min, map(len, tokens), repeat(2)))
    out_tokens: list[str] = []
    out_spans: list[tuple[int, int]] = []
    at = 0
    for run in _ONE_LETTER_RUN_RE.finditer(lengths):
        first, end = run.span()
        out_tokens += tokens[at:first]
        out_spans += spans[at:first]
        out_tokens.append("".join(tokens[first:end]))
        out_spans.append((spans[first][0], spans[end - 1][1]))
        at = end
    out_tokens += tokens[at:]
    out_spans += spans[at:]
    return out_tokens, out_spans
