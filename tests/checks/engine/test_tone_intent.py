"""Tone reads intent: sales pushes and deadlines however phrased, in sensitive contexts."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from workbench.checks.engine import CompiledGuide, check_fields, compile_guide

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def guide() -> CompiledGuide:
    return compile_guide({
        "slug": "t", "name": "T",
        "tone": {"contexts": {
            "service_recovery": {"promotional": False, "urgency": False, "celebratory": False},
            "promotional": {},
        }},
    })


def tone(guide: CompiledGuide, text: str, context: str | None = "service_recovery") -> list[tuple[str, str]]:
    result = check_fields(guide, "push", {"body": text}, context)
    found = []
    for f in result.findings:
        if f.kind == "tone":
            assert text[f.start:f.end] == f.match and f.severity == "warn"
            found.append((f.rule, f.match))
    return found


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Shop the Alpine parka today.", "promotional"),
        ("Buy the Alpine parka today", "promotional"),
        ("So, why not upgrade to the family plan?", "promotional"),
        ("Add a tablet to your plan for $10.", "promotional"),
        ("Plans start from $12/month.", "promotional"),
        ("You should treat yourself to the new fleece.", "promotional"),
        ("Snap up the Trailblazer boots in three colours.", "promotional"),
        ("The sale ends at midnight.", "urgency"),
        ("Ends Sunday.", "urgency"),
        ("Buy now while stocks last.", "urgency"),
        ("Get yours before they're all gone.", "urgency"),
        ("Only a handful left in your size.", "urgency"),
        ("Order by Friday to lock in this price.", "urgency"),
    ],
)
def test_it_flags_a_sales_push_or_a_deadline_however_phrased(guide: CompiledGuide, text: str, rule: str) -> None:
    assert rule in {r for r, _ in tone(guide, text)}


@pytest.mark.parametrize(
    "text",
    [
        "We've credited $10 to your account.",
        "Your replacement phone ships today.",
        "You can shop with confidence: your refund is processed.",
        "Try restarting the router, then check the lights.",
        "Get in touch with our team any time.",
        "Shop opening hours have changed for the holidays.",
        "Order updates will arrive by text.",
        "Maintenance finishes at 6am and nothing is needed from you.",
        "Our help line is open until 8pm tonight.",
        "Your store credit of $25 never expires.",
        "Please pay the balance by Friday to avoid a late fee.",
        "Save this email for your records.",
    ],
)
def test_it_leaves_help_that_mentions_products_money_or_dates_alone(guide: CompiledGuide, text: str) -> None:
    assert tone(guide, text) == []


def test_it_reads_intent_only_where_the_context_forbids_it(guide: CompiledGuide) -> None:
    assert tone(guide, "Shop the Alpine parka today.", "promotional") == []
    assert tone(guide, "Shop the Alpine parka today.", None) == []


def test_it_reads_through_curly_quotes_and_case(guide: CompiledGuide) -> None:
    text = "WHY NOT UPGRADE TO PREMIUM? It’s only $4 a month."
    rules = [r for r, _ in tone(guide, text)]
    assert rules.count("promotional") >= 1


def test_it_shows_the_stock_phrase_rather_than_the_clause_around_it(guide: CompiledGuide) -> None:
    # "buy now" (lexicon) lies inside the imperative clause: one finding, the precise one
    assert tone(guide, "Buy now, the parka is back.") == [("promotional", "Buy now")]
    result = check_fields(guide, "push", {"body": "Buy now and save on the parka before Sunday."}, "service_recovery")
    spans = sorted((f.start, f.end) for f in result.findings if f.rule == "promotional")
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def _evaluate(path: Path) -> dict[str, dict[str, object]]:
    spec = importlib.util.spec_from_file_location(
        "eval_tone_intent", Path(__file__).resolve().parents[3] / "bench" / "eval_tone_intent.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate(path)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["tone_intent.jsonl", "tone_intent_holdout.jsonl"])
def test_it_keeps_precision_and_recall_on_the_labelled_sets(name: str) -> None:
    rows = [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 60
    report = _evaluate(FIXTURES / name)
    for dim in ("promotional", "urgency"):
        assert report[dim]["precision"] >= 0.95, (dim, report[dim]["false_alarms"])
        assert report[dim]["recall"] >= 0.9, (dim, report[dim]["misses"])


def test_it_flags_the_same_text_with_or_without_the_anchor_shortcuts(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.checks.engine import intent
    from workbench.checks.engine.normalize import normalise

    texts = [json.loads(line)["text"] for name in ("tone_intent.jsonl", "tone_intent_holdout.jsonl")
             for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts.append(" ".join(texts[:40]))  # many sentences in one field
    dims = intent.INTENT_DIMENSIONS
    gated = [intent.intent_spans(normalise(t).text, dims) for t in texts]
    monkeypatch.setattr(intent, "GATED", False)
    full = [intent.intent_spans(normalise(t).text, dims) for t in texts]
    def overlaps(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> bool:
        return all(any(s < f and t < e for t, f in y) for s, e in x)

    # the same stretches of text are flagged (a command's span may or may not take in its lead)
    for text, a, b in zip(texts, gated, full):
        for dim in dims:
            assert overlaps(a[dim], b[dim]) and overlaps(b[dim], a[dim]), (text, dim, a[dim], b[dim])


@pytest.mark.parametrize(("text", "sells"), [
    ("Get it before it sells out.", True),  # a weak verb, and scarcity is what makes it a sale
    ("Take one home before they're gone.", True),
    ("Don't miss out.", False),  # the pressure itself, urgency only
    ("Claim your refund before it's too late.", False),  # service, however pressing
    ("Now's the perfect time to refresh your winter gear.", True),
])
def test_a_weak_command_beside_scarcity_sells(guide: CompiledGuide, text: str, sells: bool) -> None:
    rules = {rule for rule, _ in tone(guide, text)}
    assert ("promotional" in rules) is sells, rules
