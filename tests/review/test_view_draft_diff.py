"""The draft page's diff reads as text: word level, spacing kept, one deletion and one insertion per change."""

from __future__ import annotations

import pytest

from workbench.review.presenters import word_diff


def rendered(pieces: list[tuple[str, str]]) -> str:
    """What a reader sees, or a screen reader reads, with the markup gone."""
    return "".join(text for _, text in pieces)


@pytest.mark.parametrize(
    ("before", "after", "reads"),
    [
        ("Shop the Alpine range now", "Back in all range now", "Shop the Alpine Back in all range now"),
        ("Second subject", "Third subject", "Second Third subject"),
        ("Guess what is back in all", "Guess what is back", "Guess what is back in all"),
        ("Hello world", "Hello there, world", "Hello there, world"),
        ("Two  spaces\nand a line", "Two  spaces\nand a new line", "Two  spaces\nand a new line"),
    ],
)
def test_it_never_runs_words_together_and_keeps_the_spacing(before: str, after: str, reads: str) -> None:
    pieces = word_diff(before, after)
    assert rendered(pieces) == reads
    assert "".join(t for op, t in pieces if op in ("same", "del")) == before
    assert "".join(t for op, t in pieces if op in ("same", "ins")) == after


def test_it_shows_a_multi_word_change_as_one_deletion_and_one_insertion() -> None:
    pieces = word_diff("Shop the Alpine range", "Back in all range")
    assert [op for op, _ in pieces] == ["del", "gap", "ins", "same"]
    assert pieces[0] == ("del", "Shop the Alpine") and pieces[2] == ("ins", "Back in all")
