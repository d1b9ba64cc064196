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
# nothing that folds into a term): the "clean copy" vocabulary.
SAFE_WORDS = ["boots", "trail", "warm", "layers", "your", "order", "shipped", "today", "with", "care",
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
