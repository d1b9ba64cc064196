"""Precision and recall of the tone checks on a labelled set (plain script).

`python bench/eval_tone_intent.py [PATH.jsonl [LANGUAGE]]` -- default
tests/checks/engine/fixtures/tone_intent.jsonl in English (the sets
tone_intent_{es,fr,de}.jsonl are read with LANGUAGE es, fr, de: the guide's
language, so its tone lexicons and grammar apply), one {"text", "promotional",
"urgency"} object per line, labelled by hand: true when the sentence pushes a
purchase or an upgrade (promotional) or sets a deadline or scarcity
(urgency). Each text is checked as an SMS-free push body in a context where
`promotional` and `urgency` are false, and a dimension counts as predicted when
the full engine (lexicons and sentence intent together) gives a finding with
that rule. Prints precision, recall and the misses of each dimension.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.checks.engine import check_fields, compile_guide  # noqa: E402

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "checks" / "engine" / "fixtures" / "tone_intent.jsonl"
DIMENSIONS = ("promotional", "urgency")


def evaluate(path: Path, language: str = "en") -> dict[str, dict[str, object]]:
    guide = compile_guide({
        "slug": "eval", "name": "Eval", "language": language,
        "tone": {"contexts": {"sensitive": {"promotional": False, "urgency": False}}},
    })
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report: dict[str, dict[str, object]] = {}
    for dim in DIMENSIONS:
        tp = fp = fn = 0
        misses: list[str] = []
        false_alarms: list[str] = []
        for row in rows:
            result = check_fields(guide, "in_app", {"body": row["text"]}, "sensitive")
            predicted = any(f.kind == "tone" and f.rule == dim for f in result.findings)
            if predicted and row[dim]:
                tp += 1
            elif predicted:
                fp += 1
                false_alarms.append(row["text"])
            elif row[dim]:
                fn += 1
                misses.append(row["text"])
        report[dim] = {
            "positives": tp + fn, "negatives": len(rows) - tp - fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "misses": misses, "false_alarms": false_alarms,
        }
    return report


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET
    report = evaluate(path, sys.argv[2] if len(sys.argv) > 2 else "en")
    for dim, r in report.items():
        print(f"{dim:12s} positives {r['positives']:3d}  negatives {r['negatives']:3d}  "
              f"precision {r['precision']:.3f}  recall {r['recall']:.3f}")
    for dim, r in report.items():
        for text in r["false_alarms"]:  # type: ignore[attr-defined]
            print(f"  {dim} false alarm: {text}")
        for text in r["misses"]:  # type: ignore[attr-defined]
            print(f"  {dim} missed:      {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
