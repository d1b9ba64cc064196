"""Copy is checked as the customer reads it (issue 10): HTML as displayed, hidden text found,
apostrophes kept inside words, field size bounded, time linear in the text."""

from __future__ import annotations

import gc
import io
import time

import pytest

from workbench.checks.engine import (
    MAX_FIELD_CHARS,
    CompiledGuide,
    EngineInputError,
    FieldTooLargeError,
    check_fields,
    compile_guide,
)
from workbench.checks.engine.cli import run
from workbench.checks.engine.html_text import read_html

from .conftest import NORTHWIND

GUIDE: CompiledGuide = compile_guide({
    "slug": "reading", "name": "Reading",
    "disallowed": [
        {"term": "cheap"}, {"term": "free", "except": ["free shipping"]}, {"term": "act now"},
        {"term": "he'll"}, {"term": "we'll"}, {"term": "it's"}, {"term": "hell"}, {"term": "sale"},
    ],
    "claims": [{"term": "clinically proven"}],
    "taboo_topics": [{"name": "weather", "terms": ["hurricane"]}],
    "links": {"allowed_domains": ["northwind.example"]},
    "contacts": {"emails": ["help@northwind.example"]},
})
LEXICON_KINDS = {"disallowed_word", "taboo_topic", "claim"}


def findings(text: str, channel: str = "email", field: str = "body") -> list[tuple[str, str, str]]:
    result = check_fields(GUIDE, channel, {field: text})
    for f in result.findings:
        assert text[f.start:f.end] == f.match
    return [(f.kind, f.rule, f.match) for f in result.findings]


def terms(text: str, channel: str = "email") -> list[tuple[str, str]]:
    return [(rule, match) for kind, rule, match in findings(text, channel)
            if kind in LEXICON_KINDS and rule != "obfuscated_text"]


def hidden(text: str, channel: str = "email") -> list[str]:
    return [match for _, rule, match in findings(text, channel) if rule == "obfuscated_text"]


# -- HTML read as displayed ---------------------------------------------------------

@pytest.mark.parametrize("body, match", [
    ("<p>Ch<b></b>eap boots</p>", "Ch<b></b>eap"),
    ("<p>Ch<span class='x' data-a=\"1>2\"></span>eap</p>", "Ch<span class='x' data-a=\"1>2\"></span>eap"),
    ("Ch&#101;ap", "Ch&#101;ap"),
    ("Ch&#x65;ap", "Ch&#x65;ap"),
    ("&#X43;heap", "&#X43;heap"),
    ("Ch&eacute;ap", "Ch&eacute;ap"),
    ("Ch<!-- -->eap", "Ch<!-- -->eap"),
    ("Ch<!---->eap", "Ch<!---->eap"),
    ("Ch<?php ?>eap", "Ch<?php ?>eap"),
    ("<i>c</i><i>h</i><i>e</i><i>a</i><i>p</i>", "c</i><i>h</i><i>e</i><i>a</i><i>p"),
    ("risk <b>act</b>&nbsp;now", "act</b>&nbsp;now"),
])
def test_markup_inside_a_word_never_hides_it(body: str, match: str) -> None:
    got = terms(body)
    assert len(got) == 1 and got[0][1] == match


@pytest.mark.parametrize("body", [
    "<p>che</p><p>ap</p>", "che<br>ap", "<td>che</td><td>ap</td>", "<li>che<li>ap", "che<div></div>ap",
])
def test_block_level_tags_separate_words(body: str) -> None:
    assert terms(body) == []


def test_content_the_reader_never_sees_is_not_copy() -> None:
    body = "<style>.cheap { color: red }</style><script>var cheap = 1;</script><p>Warm boots</p>"
    assert terms(body) == []
    assert read_html(body).text.strip() == "Warm boots"


@pytest.mark.parametrize("hider", [
    '<span style="display:none">zz</span>', "<span style='font-size:0px'>zz</span>", '<b hidden>z<b>z</b>z</b>',
    '<i style="color:red; opacity: 0.0">x</i>', '<span style="VISIBILITY:hidden">zz</span>',
    '<font style="max-height:0;overflow:hidden">zz</font>', '<span style="line-height:0;font-size:0">zz</span>',
])
def test_letters_hidden_by_an_element_inside_a_word_never_hide_it(hider: str) -> None:
    body = f"<p>So ch{hider}eap today</p>"
    assert terms(body) == [("cheap", f"ch{hider}eap")]
    assert hidden(body) == [hider]  # text hiding inside a word is itself a finding
    assert hidden(f"<p>Warm bo{hider}ots</p>") == [hider]  # whatever the word


def test_an_empty_hidden_element_or_one_between_words_hides_nothing() -> None:
    assert hidden('<p>Warm bo<span style="display:none"></span>ots</p>') == []
    assert hidden('<p>Warm <span style="display:none">zz</span> boots</p>') == []


def test_text_an_inbox_preview_shows_is_still_read_and_nothing_is_reported_twice() -> None:
    # a hidden preheader shows in the inbox list, so its words are copy too
    assert terms('<div style="display:none">Cheap boots inside</div><p>Hello</p>') == [("cheap", "Cheap")]
    assert hidden('<div style="display:none">Cheap boots inside</div><p>Hello</p>') == []
    body = '<p>Cheap. So ch<span style="display:none">zz</span>eap, cheap</p>'
    assert [match for _, match in terms(body)] == ["Cheap", 'ch<span style="display:none">zz</span>eap', "cheap"]


@pytest.mark.parametrize("body", [
    '<p>Ch<span style="font-size:10px">zz</span>eap</p>', '<p>Ch<i style="opacity:0.5">x</i>eap</p>',
    '<p>Ch<span class="hidden-xs">zz</span>eap</p>', '<p>Ch<img hidden src="https://northwind.example/a.png">zz eap</p>',
])
def test_elements_that_stay_visible_keep_their_text(body: str) -> None:
    assert terms(body) == []


def test_reading_without_hidden_elements_is_linear() -> None:
    body = '<b style="display:none">x</b>' * 20_000 + "<b hidden>" * 3_000
    assert read_html(body, drop_hidden=True).text == ""
    assert read_html(body).hides


@pytest.mark.parametrize("body, match", [
    ('<p>Warm boots <img src="https://northwind.example/a.png" alt="Cheap boots"></p>', "Cheap"),
    ("<p>Warm<img src=x alt='ch&#101;ap'>today</p>", "ch&#101;ap"),
    ('<p><img alt=CHEAP src="https://northwind.example/b.png"></p>', "CHEAP"),
    ('<map><area shape="rect" coords="0,0,1,1" href="https://northwind.example/" alt="Cheap"></map>', "Cheap"),
])
def test_an_images_alt_text_is_copy_as_a_mail_client_blocking_images_shows_it(body: str, match: str) -> None:
    assert terms(body) == [("cheap", match)]


def test_alt_text_stands_apart_from_the_words_around_the_image() -> None:
    assert terms('<p>Ch<img src="https://northwind.example/a.png" alt="e">ap</p>') == []
    assert read_html('<p>Boots<img alt="for the trail">now</p>').text == "\nBoots for the trail now\n"


def test_an_unclosed_tag_swallows_the_rest_as_a_browser_does() -> None:
    assert read_html("Warm <a href='x cheap").text == "Warm "
    assert read_html("a < b & c").text == "a < b & c"


def test_plain_text_fields_are_not_read_as_html() -> None:
    assert terms("Ch&#101;ap", channel="push") == []
    assert terms("Ch&#101;ap", channel="email")  # the email body is HTML


def test_rendered_spans_map_back_to_the_markup() -> None:
    body = "<p>Hello &amp; welcome</p>"
    shown = read_html(body)
    start = shown.text.index("&")
    assert body[slice(*shown.span(start, start + 1))] == "&amp;"
    assert body[slice(*shown.span(start + 2, start + 9))] == "welcome"


@pytest.mark.parametrize("body, kind, match", [
    ("Write to bob&#64;gmail.com", "pii", "bob&#64;gmail.com"),
    ("Write to bob&commat;gmail&period;com", "pii", "bob&commat;gmail&period;com"),
    ("Write to <b>bob</b>@gmail.com", "pii", "bob</b>@gmail.com"),
    ('<a href="//evil.example/x">shop</a>', "link", "//evil.example/x"),
    ("<a href='\\\\evil.example/x'>shop</a>", "link", "\\\\evil.example/x"),
    ('<a href="&#47;&#47;evil.example">shop</a>', "link", "&#47;&#47;evil.example"),
    ('<a href=" https://evil.example">shop</a>', "link", " https://evil.example"),
    ('<img src=https://evil.example/pixel.gif>', "link", "https://evil.example/pixel.gif"),
    ('<a href="https://northwind.example@evil.example/">x</a>', "link", "https://northwind.example@evil.example/"),
    ('<a href="javascript:alert(1)">x</a>', "link", "javascript:alert(1)"),
    ('<a href="mailto:bob@gmail.com">mail us</a>', "pii", "mailto:bob@gmail.com"),
    ("Visit https&#58;//evil.example/deal", "link", "https&#58;//evil.example/deal"),
])
def test_links_and_personal_data_are_read_from_markup_and_attributes(body: str, kind: str, match: str) -> None:
    assert (kind, match) in [(k, m) for k, _, m in findings(body)]


@pytest.mark.parametrize("body", [
    '<a href="/boots">Boots</a>', '<a href="boots?id=1">Boots</a>', '<a href="#top">Top</a>',
    '<a href="https://northwind.example/boots">Boots</a>', '<a href="//shop.northwind.example/x">x</a>',
    '<a href="{{ unsubscribe_url }}">Unsubscribe</a>', '<a href="mailto:help@northwind.example">Help</a>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
])
def test_relative_and_allowed_links_are_fine(body: str) -> None:
    assert [f for f in findings(body) if f[0] in ("link", "pii")] == []


# -- hidden text ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Ch\u0435\u0430p boots",            # Cyrillic е, а
    "\u0441heap boots",                 # Cyrillic с
    "Che\u03b1p boots",                 # Greek alpha
    "Cheap" + "\u0455",                 # Cyrillic dze at the end: "Cheapѕ"
    "Cheap boots",                      # control: plain Latin, nothing hidden
])
def test_letters_from_other_scripts_inside_a_latin_word_are_found_and_flagged(text: str) -> None:
    assert [r for r, _ in terms(text)] == ["cheap"]
    plain = text.isascii()
    assert bool(hidden(text)) is not plain


@pytest.mark.parametrize("text, rule", [
    ("Ch\u0131\u0131eap".replace("\u0131\u0131", ""), "cheap"),
    ("\u1d04heap", "cheap"),                       # small capital c
    ("\u1d04\u029c\u1d07\u1d00\u1d18", "cheap"),      # small capitals, every letter
    ("\u24d2\u24d7\u24d4\u24d0\u24df", "cheap"),      # circled letters (symbols by category)
    ("\U0001f172\U0001f177\U0001f174\U0001f170\U0001f17f", "cheap"),  # negative squared letters (no decomposition)
    ("\U0001f152\U0001f157\U0001f154\U0001f150\U0001f15f", "cheap"),  # negative circled letters
    ("Boots\U0001f1fa\U0001f1f8 cheap\U0001f1e8\U0001f1e6", "cheap"),  # a flag against a word is no letter: it hides nothing
    ("\U0001f1e8 \U0001f1ed \U0001f1ea \U0001f1e6 \U0001f1f5", "cheap"),  # regional indicators apart: boxed letters
    ("\U0001f1e8\u200b\U0001f1ed\u200b\U0001f1ea\u200b\U0001f1e6\u200b\U0001f1f5", "cheap"),
    ("\U0001f1e8\U0001f1ed\U0001f1ea\U0001f1e6\U0001f1f5", None),  # side by side: flags (CH, EA) and a P
    ("ch\u200aeap", "cheap"),                      # hair space inside a word
    ("che\u2009ap", "cheap"),                      # thin space
    ("c\u202fheap", "cheap"),                      # narrow no-break space
    ("Bonjour\u202f! Prix\u00a0: 1\u202f000\u00a0\u20ac, \u00ab\u202fcheap\u202f\u00bb", "cheap"),  # French spacing joins nothing
    ("\uff43\uff48\uff45\uff41\uff50", "cheap"),   # fullwidth
    ("\U0001d41c\U0001d421\U0001d41e\U0001d41a\U0001d429", "cheap"),  # mathematical bold
    ("hurr\u0131cane", "weather"),                 # dotless i
    ("\u13df\u13bb\u13ac\u13aa\u13e2".lower(), None),  # Cherokee word: not a Latin term
])
def test_look_alike_latin_and_compatibility_forms_never_hide_a_term(text: str, rule: str | None) -> None:
    assert [r for r, _ in terms(text)] == ([rule] if rule else [])


@pytest.mark.parametrize("invisible", [
    "\u034f", "\ufe0f", "\u3164", "\u115f", "\u2800", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060",
    "\u180e", "\ufeff", "\U000e0041", "\u200e", "\u17b4", "\ufe00",
])
def test_an_invisible_character_inside_a_word_is_found_and_flagged(invisible: str) -> None:
    text = f"Clinically pro{invisible}ven results"
    assert terms(text) == [("clinically proven", f"Clinically pro{invisible}ven")]
    assert hidden(text) == [f"pro{invisible}ven"]


def test_a_right_to_left_override_around_a_reversed_word_is_read_as_shown() -> None:
    text = "Boots so \u202epaehc\u202c today"
    assert terms(text) == [("cheap", "paehc")]
    assert hidden(text) == ["\u202epaehc\u202c"]
    text = "Totally \u202ewon tca"
    assert terms(text) == [("act now", "won tca")]


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202d", "\u2066", "\u2067", "\u2068"])
def test_bidi_controls_in_copy_are_flagged(control: str) -> None:
    assert hidden(f"Warm {control}boots\u202c today") or hidden(f"Warm {control}boots\u2069 today")


@pytest.mark.parametrize("text", [
    "Family night \U0001f468\u200d\U0001f469\u200d\U0001f467 and love \u2764\ufe0f",
    "Keycaps 1\ufe0f\u20e30\ufe0f\u20e3 flags \U0001f1e8\U0001f1e6 \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "Skin tones \U0001f44d\U0001f3fd and \u263a\ufe0e",
    "Caf\u00e9 a\u00f1o sch\u00f6n gar\u00e7on na\u00efve \u0131l\u0131k \u00c5ngstr\u00f6m",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?",
    "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03c3\u03b1\u03c2",
    "\u6771\u4eac\u30bf\u30ef\u30fc\u3078\u884c\u3053\u3046 T\u30b7\u30e3\u30c4",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",      # Persian with ZWNJ
    "\u0915\u094d\u200d\u0937 \u0928\u092e\u0938\u094d\u0924\u0947",  # Devanagari with ZWJ
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
    "5\u00b5g dose, 20\u00b0C, \u00bd price",
    "\u201cQuoted\u201d \u2018words\u2019 \u2014 dashes\u2026",
    "Bonjour\u202f! Prix\u00a0: 1\u202f000\u00a0\u20ac \u00ab\u202fmerci\u202f\u00bb",
])
def test_ordinary_unicode_is_not_hidden_text(text: str) -> None:
    assert hidden(text) == []
    assert hidden(text, channel="push") == []


# -- apostrophes --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Go to hell", ["hell"]),
    ("He'll love it", ["he'll"]),
    ("He\u2019ll love it", ["he'll"]),
    ("Well, see you", []),
    ("We'll see you", ["we'll"]),
    ("Its laces are new", []),
    ("It\u2019s here", ["it's"]),
    ("Our cheap's days are over", ["cheap"]),
    ("'cheap' boots", ["cheap"]),
    ("ch3ap and fr33 and $ale", ["cheap", "free", "sale"]),
    ("f.r.e.e and @ct now", ["free", "act now"]),
])
def test_apostrophes_never_join_two_words_into_a_third(text: str, expected: list[str]) -> None:
    assert [r for r, _ in terms(text, channel="push")] == expected


# -- size and time ------------------------------------------------------------------

def test_a_field_over_the_maximum_size_is_refused() -> None:
    body = "x" * (MAX_FIELD_CHARS + 1)
    with pytest.raises(FieldTooLargeError, match="100,000"):
        check_fields(GUIDE, "email", {"body": body})
    assert issubclass(FieldTooLargeError, EngineInputError)
    check_fields(GUIDE, "email", {"body": body[:-1]})


def test_check_copy_exits_2_for_an_over_size_field() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(["--guide", str(NORTHWIND), "--channel", "email", "--field", "body", "-"],
                 io.StringIO("a" * (MAX_FIELD_CHARS + 1)), stdout, stderr, lambda slug: {})
    assert status == 2 and "100,000" in stderr.getvalue() and stdout.getvalue() == ""


def _cpu_seconds(text: str) -> float:
    # The best of seven with the garbage collector held off: one slow run (a collection,
    # a busy neighbour under xdist) must not decide a ratio of milliseconds.
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(7):
            start = time.process_time()
            check_fields(GUIDE, "email", {"body": text})
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("unit", [
    "cheap ", "ch3ap fr33 ", "free shipping free ", "<b>ch</b>&#101;ap ", "\u0441heap ", "ch\u200beap ",
    "bob@gmail.com https://evil.example/x ", "he'll well ", "4111 1111 1111 1111 555-123-4567 ",
])
def test_time_grows_linearly_with_the_number_of_hits(unit: str) -> None:
    small = _cpu_seconds(unit * 300)
    large = _cpu_seconds(unit * 2_400)
    # linear is ~8x; the quadratic scan this replaced was ~64x
    assert large / max(small, 1e-4) < 20, (small, large)


def test_required_text_is_found_as_shown_or_as_stored() -> None:
    guide = compile_guide({"slug": "r", "name": "R", "required": {"email": ["Reply STOP to opt out", "{{ unsubscribe_url }}"]}})

    def missing(body: str) -> list[str]:
        return [f.rule for f in check_fields(guide, "email", {"body": body}).findings if f.kind == "required_text"]

    assert missing('<p>Reply <b>STOP</b> to&nbsp;opt out. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>') == []
    assert missing("<p>Reply <!-- STOP --> to opt out</p>") == ["Reply STOP to opt out", "{{ unsubscribe_url }}"]


def test_ideographic_variation_selectors_between_han_letters_are_not_hidden_text() -> None:
    assert hidden("\u845b\U000e0100\u57ce\u5e02") == []
    assert hidden("ch\U000e0100eap") == ["ch\U000e0100eap"]


def test_the_latin_1_shortcut_skips_nothing_hidden_text_could_flag() -> None:
    from workbench.checks.engine.hidden import _SUSPECT_RE, find_hidden_text

    suspects = [c for c in map(chr, range(256)) if _SUSPECT_RE.search(c)]
    assert suspects == ["\xad"]  # the soft hyphen, which the shortcut sends on to the full reading
    assert find_hidden_text("ch\xadeap") != []
