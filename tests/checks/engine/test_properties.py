"""Property-based tests: spans, obfuscation robustness, no false positives."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench.checks.engine import CompiledGuide, check_fields, compile_guide

TERMS = ["cheap", "free", "act now", "risk free", "guaranteed", "clinically proven", "sale", "bargain"]
GUIDE: CompiledGuide = compile_guide({
    "slug": "prop", "name": "Prop",
    "disallowed": [{"term": t} for t in TERMS[:4] + TERMS[6:]],
    "claims": [{"term": "guaranteed"}, {"term": "clinically proven"}],
    "taboo_topics": [{"name": "politics", "terms": ["election", "senator"]}],
    "merge_fields": ["first_name"],
    "links": {"allowed_domains": ["northwind.example"]},
    "tone": {"default": {"max_exclamations": 0, "shouting": False, "promotional": False,
                         "urgency": False, "celebratory": False, "max_reading_grade": 6}},
})
# CHECKS_HYPOTHESIS_EXAMPLES=5000 for a deeper local run; no example database
# is written so test runs leave nothing behind in the work tree.
EXAMPLES = int(os.environ.get("CHECKS_HYPOTHESIS_EXAMPLES", "300"))
LEXICON_KINDS = {"disallowed_word", "taboo_topic", "claim"}
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]

# Words that contain no term and cannot form one together (no single letters,
# nothing that folds into a term, no verb that reads as a sales imperative — "order today"
# pushes a purchase): the "clean copy" vocabulary.
SAFE_WORDS = ["boots", "trail", "warm", "layers", "your", "parcel", "shipped", "today", "with", "care",
              "mountain", "wool", "socks", "rain", "shell", "camp", "mug", "thanks", "team", "packed",
              "arrive", "soon", "season", "repair", "sturdy", "pack", "river", "cabin", "freedom",
              "cheapside", "wholesale", "actor", "nowhere", "riskier", "freezer", "salesman"]
SEPARATORS = [" ", "  ", ", ", ". ", "! ", " - ", "\n", "; ", "? ", " “", "” ", "\u00a0"]

any_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
        list("fr33 ch3ap $ale @ct now {}!.-") + ZERO_WIDTH + ["é", "\u0301", "ﬁ", "ß", "İ", "🎉"]),
    max_size=200,
)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_spans_always_index_the_original_text(text: str) -> None:
    assume(text.strip())
    for channel, field in (("sms", "body"), ("push", "title")):
        result = check_fields(GUIDE, channel, {field: text})
        for f in result.findings:
            assert 0 <= f.start <= f.end <= len(text)
            assert text[f.start:f.end] == f.match


@st.composite
def text_with_term(draw: st.DrawFn) -> tuple[str, str, int]:
    before = draw(st.lists(st.sampled_from(SAFE_WORDS), max_size=5))
    after = draw(st.lists(st.sampled_from(SAFE_WORDS), max_size=5))
    term = draw(st.sampled_from(["cheap", "free", "act now", "guaranteed", "election", "sale"]))
    prefix = " ".join(before) + (" " if before else "")
    return prefix + term + (" " if after else "") + " ".join(after), term, len(prefix)


def mutate(draw: st.DrawFn, text: str, start: int, length: int) -> str:
    out = []
    for i, c in enumerate(text):
        if start <= i < start + length:
            if draw(st.booleans()):
                c = c.upper()
            if i > start and draw(st.integers(0, 3)) == 0:
                c = draw(st.sampled_from(ZERO_WIDTH)) + c
        out.append(c)
    return "".join(out)


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.data())
def test_zero_width_and_case_never_hide_a_term(data: st.DataObject) -> None:
    text, term, start = data.draw(text_with_term())
    mutated = mutate(data.draw, text, start, len(term))
    result = check_fields(GUIDE, "push", {"body": mutated})
    hits = [f for f in result.findings if f.kind in LEXICON_KINDS]
    assert hits, (mutated, term)
    for f in hits:
        assert mutated[f.start:f.end] == f.match
    # the finding covers the term where it was planted
    assert any(f.start == start for f in hits)


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(SAFE_WORDS), st.sampled_from(SEPARATORS), st.booleans()),
                min_size=1, max_size=30))
def test_text_without_lexicon_terms_has_no_lexicon_finding(parts: list[tuple[str, str, bool]]) -> None:
    text = "".join((w.upper() if up else w) + sep for w, sep, up in parts)
    result = check_fields(GUIDE, "push", {"body": text})
    assert [f for f in result.findings if f.kind in LEXICON_KINDS] == []
    assert [f for f in result.findings if f.kind == "tone" and f.rule in
            ("promotional", "urgency", "celebratory")] == []


# -- disguises (issue 10): every class keeps the finding, spans index the original --------

import html as html_module  # noqa: E402
import unicodedata  # noqa: E402

import regex  # noqa: E402
from confusable_homoglyphs.categories import alias as script_alias  # noqa: E402

from workbench.checks.engine.normalize import CONFUSABLE  # noqa: E402

DISGUISE_TERMS = ["cheap", "free", "act now", "risk free", "guaranteed", "clinically proven", "election", "bargain"]
# Look-alike letters straight from Unicode's confusables data (not a hand-made list):
# every letter, from any script, whose prototype is the ASCII letter.
LOOKALIKES: dict[str, list[str]] = {}
for _char, _letter in CONFUSABLE.items():
    if unicodedata.category(_char).startswith("L"):
        LOOKALIKES.setdefault(_letter, []).append(_char)
# Compatibility forms, also from Unicode's data: every character of the BMP and plane 1
# whose NFKC form is the ASCII letter (fullwidth, circled, mathematical, modifier letters),
# and the letters Unicode names after the letter they show: small capitals, negative
# squared and circled letters.
COMPATIBLE: dict[str, list[str]] = {}
for _code in range(0x80, 0x20000):
    _char = chr(_code)
    _nfkc = unicodedata.normalize("NFKC", _char)
    if len(_nfkc) == 1 and _nfkc.isascii() and _nfkc.isalpha():
        COMPATIBLE.setdefault(_nfkc.lower(), []).append(_char)
    _named = regex.fullmatch(r"(?:LATIN LETTER SMALL CAPITAL|NEGATIVE (?:SQUARED|CIRCLED) LATIN CAPITAL LETTER) ([A-Z])",
                             unicodedata.name(_char, ""))
    if _named:
        COMPATIBLE.setdefault(_named.group(1).lower(), []).append(_char)
# Every invisible character Unicode knows in the BMP and the tag block:
# Default_Ignorable_Code_Point (assigned ones) plus the braille blank.
_DI = regex.compile(r"\p{Default_Ignorable_Code_Point}")
INVISIBLES = [chr(c) for c in [*range(0x10000), *range(0xE0000, 0xE0080)]
              if _DI.match(chr(c)) and unicodedata.category(chr(c)) != "Cn"
              and c != 0x202E] + ["\u2800"]  # a right-to-left override reorders what is shown: its own test
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INLINE_MARKUP = ["<b></b>", "<span></span>", "<i class=\"x\"></i>", "<!-- -->", "<!---->", "<a href=\"/x\"></a>",
                 "<strong\n></strong>", "<span title='>'></span>"]


def _entity(c: str, how: int) -> str:
    if how == 0:
        return f"&#{ord(c)};"
    if how == 1:
        return f"&#x{ord(c):x};"
    named = html_module.entities.codepoint2name.get(ord(c))
    return f"&{named};" if named else f"&#X{ord(c):X};"


@st.composite
def disguised(draw: st.DrawFn, html: bool) -> tuple[str, str, int, int, bool]:
    """(text, term, start, end of the disguised term in text, whether it must read as hidden text)."""
    term = draw(st.sampled_from(DISGUISE_TERMS))
    classes = ["confusable", "compatibility", "invisible", "spacing", "case", "stretch"] + (["markup", "entity"] if html else [])
    how = draw(st.sampled_from(classes))
    out: list[str] = []
    flagged = False
    letters = [i for i, c in enumerate(term) if c.isalpha()]
    chosen = set(draw(st.lists(st.sampled_from(letters), min_size=1, max_size=3)))
    stretched = draw(st.sampled_from([i for i, c in enumerate(term) if c in "aeiouy"]))
    for i, c in enumerate(term):
        if how == "confusable" and i in chosen and LOOKALIKES.get(c):
            look = draw(st.sampled_from(LOOKALIKES[c]))
            # a letter of another script inside a Latin word is a spoof as well as a disguise
            flagged = flagged or script_alias(look) not in ("LATIN", "COMMON", "INHERITED")
            c = look
        elif how == "compatibility" and i in chosen:
            c = draw(st.sampled_from(COMPATIBLE[c]))
        elif how == "case" and i in chosen:
            c = c.upper()
        elif how == "stretch" and i == stretched:
            # one vowel written 3-6 times: "cheeeap", "freeeeee" (a doubled one too), "guaaaranteed"
            c = c * draw(st.integers(3, 6))
        out.append(c)
        if i + 1 < len(term) and term[i].isalpha() and term[i + 1].isalpha():
            if how == "invisible" and i in chosen:
                out.append(draw(st.sampled_from(INVISIBLES)))
                flagged = True
            elif how == "markup" and i in chosen:
                out.append(draw(st.sampled_from(INLINE_MARKUP)))
            elif how == "spacing":
                out.append(draw(st.sampled_from([" ", ".", "-", "_", " . "])) if " " not in term else "")
    if how == "entity":
        out = [(_entity(c, draw(st.integers(0, 2))) if i in chosen else c) for i, c in enumerate(out)]
    word = "".join(out)
    before = " ".join(draw(st.lists(st.sampled_from(SAFE_WORDS), max_size=4)))
    after = " ".join(draw(st.lists(st.sampled_from(SAFE_WORDS), max_size=4)))
    prefix = before + " " if before else ""
    text = prefix + word + (" " + after if after else "")
    return text, term, len(prefix), len(prefix) + len(word), flagged


def _assert_found(text: str, term: str, start: int, end: int, flagged: bool, channel: str) -> None:
    result = check_fields(GUIDE, channel, {"body": text})
    for f in result.findings:
        assert text[f.start:f.end] == f.match
    hits = [f for f in result.findings if f.kind in LEXICON_KINDS and f.rule != "obfuscated_text"]
    assert any(f.start <= start and end <= f.end for f in hits), (text, term, [f.to_dict() for f in hits])
    if flagged:
        hidden = [f for f in result.findings if f.rule == "obfuscated_text"]
        assert any(f.start < end and start < f.end for f in hidden), (text, [f.to_dict() for f in result.findings])
        assert not result.passed


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(disguised(html=False))
def test_no_disguise_hides_a_term_in_plain_copy(case: tuple[str, str, int, int, bool]) -> None:
    _assert_found(*case, channel="push")


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(disguised(html=True))
def test_no_disguise_hides_a_term_in_an_email_html_body(case: tuple[str, str, int, int, bool]) -> None:
    _assert_found(*case, channel="email")


HARMLESS = ["é", "ñ", "ö", "ç", "à", "ø", "å", "ß", "“", "”", "‘", "’", "—", "…", "🎉", "❤️", "👍🏽",
            "👨\u200d👩\u200d👧", "🇨🇦", "1️⃣", "☺︎", "«", "»", "°", "½", "€"]


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(SAFE_WORDS), st.sampled_from(HARMLESS), st.sampled_from(SEPARATORS),
                          st.integers(0, 2)), min_size=1, max_size=20))
def test_harmless_unicode_keeps_clean_copy_clean(parts: list[tuple[str, str, str, int]]) -> None:
    # harmless characters go at a word's edge or replace a vowel with its accented form
    words = []
    for word, extra, sep, where in parts:
        if where == 0:
            word = word + extra
        elif where == 1:
            word = extra + sep + word
        else:
            word = word.replace("e", "é", 1).replace("o", "ö", 1)
        words.append(word + sep)
    text = "".join(words)
    for channel in ("push", "email"):
        result = check_fields(GUIDE, channel, {"body": text})
        assert [f for f in result.findings if f.kind in LEXICON_KINDS] == [], text


html_soup = st.lists(st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<br>", "<!-- x -->", "<!--", "-->", "&amp;", "&#101;", "&#x63;", "&nbsp;", "&bogus",
     "<a href=\"//evil.example\">", "<a href='/x'>", "</a>", "<", ">", "\"", "'", "cheap", "ch", "eap", "free", " ",
     "bob@gmail.com", "https://evil.example/x", "\u200b", "\u0435", "\u202e", "\u202c", "{{ first_name }}", "é", "🎉"]),
    max_size=40).map("".join)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup)
def test_spans_index_the_stored_html_whatever_the_markup(text: str) -> None:
    assume(text.strip())
    result = check_fields(GUIDE, "email", {"body": text})
    for f in result.findings:
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start:f.end] == f.match
