"""Split a field's text into plain and flagged pieces so templates can mark findings (auto-escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Piece:
    text: str
    finding: dict[str, Any] | None = None


def pieces(text: str, findings: list[dict[str, Any]]) -> list[Piece]:
    spans = sorted(
        (f for f in findings if isinstance(f.get("start"), int) and f["end"] > f["start"]),
        key=lambda f: (f["start"], -f["end"]),
    )
    out: list[Piece] = []
    cursor = 0
    for finding in spans:
        start, end = finding["start"], min(finding["end"], len(text))
        if start < cursor or start >= len(text):
            continue  # overlapping spans: the earlier, longer one is already marked
        if start > cursor:
            out.append(Piece(text[cursor:start]))
        out.append(Piece(text[start:end], finding))
        cursor = end
    if cursor < len(text):
        out.append(Piece(text[cursor:]))
    return out
