"""Reading ids and numbers from query strings and forms, where anything may arrive."""

from __future__ import annotations

import re

# The largest id any supported database stores (a signed 64-bit integer); SQLite raises OverflowError above it.
MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def id_param(raw: object) -> int | None:
    """A database id from user input, or None: only ASCII digits ("²" and "١٢" pass str.isdigit), never above MAX_ID."""
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
