"""Pattern checks that are not lexicon lookups: PII, merge fields, links, required text.

Each function returns plain tuples (rule, start, end, message, suggestion) and
leaves Finding construction to the engine, so these stay easy to test alone.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from typing import Final

Raw = tuple[str, int, int, str, str | None]


class SpanSet:
    """Spans added in increasing start order, asked about in increasing order too.

    Both questions walk forward through the spans once (finditer reports in
    text order), so checking every hit against every earlier span stays linear.
    """

    __slots__ = ("_spans", "_i", "_reach")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._spans: list[tuple[int, int]] = sorted(spans) if spans else []
        self._i = 0
        self._reach = -1  # the furthest end among spans already passed

    def add(self, start: int, end: int) -> None:
        self._spans.append((start, end))

    def _advance(self, start: int) -> None:
        spans = self._spans
        while self._i < len(spans) and spans[self._i][0] <= start:
            self._reach = max(self._reach, spans[self._i][1])
            self._i += 1

    def contains(self, start: int, end: int) -> bool:
        """Whether one span holds [start, end) (asked with non-decreasing starts)."""
        self._advance(start)
        return self._reach >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span overlaps [start, end) (asked with non-decreasing starts)."""
        spans = self._spans
        while self._i < len(spans) and spans[self._i][1] <= start:
            self._i += 1
        return self._i < len(spans) and spans[self._i][0] < end

# -- PII ---------------------------------------------------------------------

_EMAIL_RE: Final = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# An address spelled out to slip past filters: "bob (at) gmail (dot) com", "bob[at]gmail.com".
_SPELLED_AT: Final = r"\s*[(\[{<]\s*at\s*[)\]}>]\s*"
_SPELLED_DOT: Final = r"\s*[(\[{<]\s*dot\s*[)\]}>]\s*"
_SPELLED_EMAIL_RE: Final = re.compile(
    rf"(?<![\w.%+-])[a-z0-9._%+-]+(?:@|{_SPELLED_AT})[a-z0-9-]+(?:(?:\.|{_SPELLED_DOT})[a-z0-9-]+)*"
    rf"(?:\.|{_SPELLED_DOT})[a-z]{{2,}}(?![\w-])",
    re.IGNORECASE,
)
_SPELLED_MARK_RE: Final = re.compile(r"[(\[{<]\s*(?:at|dot)\s*[)\]}>]", re.IGNORECASE)
_SPELLED_PART_RE: Final = re.compile(rf"{_SPELLED_AT}|{_SPELLED_DOT}", re.IGNORECASE)
_CARD_RE: Final = re.compile(r"(?<![\d\w])\d(?:[ -]?\d){12,18}(?![\d\w])")
# A loose candidate; _looks_like_phone decides.
_PHONE_RE: Final = re.compile(r"(?<![\w#$€£+/.,-])\+?(?:\(\d{1,5}\)[ .-]?)?\d[\d .()-]{4,22}\d(?![\w%/])")
# A US Social Security number as written (3-2-4 digits; the SSA never issues area 000, 666 or 9xx, group
# 00 or serial 0000), before the phone heuristic, which would call it a phone number.
# The pattern opens with a digit so the regex engine can skip to digits; what may stand before it is checked in
# Python (a look-behind first would be tried at every position of every text).
_SSN_RE: Final = re.compile(r"\d{3}([ -])\d{2}\1\d{4}(?![\w%/]|[.,-]\d)")
_NOT_BEFORE_NUMBER: Final = frozenset("_#$€£+/.,-")
# An IBAN as written on paper (groups of four) or electronically; ISO 13616 mod-97 decides.
# The patterns below open with a digit or a small class so the regex engine can skip to
# candidates (numbers are read in the normalised, lower-cased text, hence IGNORECASE); what
# stands before a match is checked in Python (a look-behind first would be tried at every
# position of every text). An IBAN's two country letters are found that way too.
_IBAN_RE: Final = re.compile(r"\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,3})?(?![\w-])", re.IGNORECASE)
# Spanish DNI (8 digits and a check letter) and NIE (X, Y or Z, 7 digits, check letter).
_DNI_RE: Final = re.compile(r"([xyz\d])(\d{7})[ -]?([a-z])(?![\w-])", re.IGNORECASE)
_DNI_LETTERS: Final = "TRWAGMYFPDXBNJZSQVHLCKE"
# French social security number (NIR): sex, year, month, department (2A/2B in Corsica),
# commune, order, then a two-digit key, 97 minus the number mod 97.
_NIR_RE: Final = re.compile(
    r"([12]) ?(\d{2}) ?(0[1-9]|1[0-2]|[2-9]\d) ?(\d{2}|2[ab]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\w-])", re.IGNORECASE
)
# What names a number as an order, invoice or reference, just before it: that number is no phone.
_NUMBER_MARK_RE: Final = re.compile(
    r"(?:\bn[°º]|\bno\.|\bnr\.?|\bn[úu]m(?:ero|\.)?|\bnum[ée]ro|#|\border|\bref(?:erence|\.)?|\br[ée]f\.?|\bpedido|\bcommande"
    r"|\bbestell\w*|\bauftrag\w*|\brechnung\w*|\bfactura|\bfacture|\binvoice)\s*:?\s*(?:[\d.-]+\s*)?$",
    re.IGNORECASE,
)
_DATE_RE: Final = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}")
_GROUP_SPLIT_RE: Final = re.compile(r"[ .()-]+")
_DIGIT_RE: Final = re.compile(r"\d")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _looks_like_phone(candidate: str) -> bool:
    """Phone heuristics: tuned to skip dates, prices, sizes and order numbers.

    Accepted: international (+...), with an area code in parentheses, grouped
    numbers whose last group has 4+ digits (555 0100, 1-800-555-0199), or 10-11
    digits written together. 7-15 digits in all (E.164 allows 15).
    """
    digits = "".join(c for c in candidate if c.isdigit())
    if not 7 <= len(digits) <= 15:
        return False
    if candidate.count("(") != candidate.count(")"):
        return False
    if _DATE_RE.fullmatch(candidate):
        return False
    if candidate.startswith("+") or "(" in candidate:
        return True
    groups = [g for g in _GROUP_SPLIT_RE.split(candidate) if g]
    if len(groups) == 1:
        return len(digits) in (10, 11)
    if len(groups) >= 3 and all(len(g) >= 2 for g in groups) and _national_grouping(digits, groups):
        return True
    return len(groups[-1]) >= 4 and all(len(g) >= 2 for g in groups[1:-1])


def _national_grouping(digits: str, groups: list[str]) -> bool:
    """European numbers in short groups: a trunk 0 and 9-11 digits (French "06 12 34 56 78", Belgian
    "0470 12 34 56"), or Spanish 9 digits opening with 6, 7, 8 or 9 ("612 345 678", "91 123 45 67")."""
    if digits[0] == "0":
        return 9 <= len(digits) <= 11
    return len(digits) == 9 and digits[0] in "6789" and len(groups[0]) in (2, 3)


def _opens_word(text: str, start: int) -> bool:
    """Whether nothing that continues a word or a number stands just before ``start``."""
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_-")


def _ibans(text: str) -> Iterator[tuple[int, int]]:
    for m in _IBAN_RE.finditer(text):
        start = m.start() - 2  # the country code
        if start >= 0 and text[start:m.start()].isalpha() and text[start:m.start()].isascii() \
                and _opens_word(text, start) and _iban_ok(text[start:m.end()]):
            yield start, m.end()


def _iban_ok(candidate: str) -> bool:
    iban = candidate.replace(" ", "")
    if not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _national_ids(text: str) -> Iterator[tuple[int, int, str]]:
    """Spanish DNI/NIE and French NIR numbers whose check letter or key is right."""
    for m in _DNI_RE.finditer(text):
        if not _opens_word(text, m.start()):
            continue
        lead, rest, letter = (g.upper() for g in m.groups())
        number = int(str("XYZ".find(lead)) + rest if lead in "XYZ" else lead + rest)
        if _DNI_LETTERS[number % 23] == letter:
            yield m.start(), m.end(), "Spanish DNI/NIE number"
    for m in _NIR_RE.finditer(text):
        if not _opens_word(text, m.start()):
            continue
        sex, year, month, department, commune, order, key = m.groups()
        department = {"2A": "19", "2B": "18"}.get(department.upper(), department)
        if 97 - int(sex + year + month + department + commune + order) % 97 == int(key):
            yield m.start(), m.end(), "French social security number (NIR)"


def _phone_allowed(digits: str, allowed: tuple[str, ...]) -> bool:
    # Compared by digits; a number written without its country code
    # (555 0100 vs +1 555 0100) is the same contact.
    for a in allowed:
        if digits == a:
            return True
        short, long_ = (digits, a) if len(digits) < len(a) else (a, digits)
        if len(short) >= 7 and long_.endswith(short):
            return True
    return False


def find_pii(
    text: str, contact_emails: frozenset[str], contact_phones: tuple[str, ...],
    suggest_email: str | None, suggest_phone: str | None,
) -> list[Raw]:
    out: list[Raw] = []
    if "@" in text:
        for m in _EMAIL_RE.finditer(text):
            if m.group().lower() in contact_emails:
                continue
            out.append(("email", m.start(), m.end(),
                        f"Email address \"{m.group()}\" must not appear in copy: it is personal data "
                        "unless it is one of the guide's contact addresses", suggest_email))
    if _SPELLED_MARK_RE.search(text) is not None:
        for m in _SPELLED_EMAIL_RE.finditer(text):
            if "@" in m.group() and _SPELLED_MARK_RE.search(m.group()) is None:
                continue  # a plain address, found above
            address = _SPELLED_PART_RE.sub(lambda p: "@" if "a" in p.group().lower() else ".", m.group())
            if address.lower() in contact_emails:
                continue
            out.append(("email", m.start(), m.end(),
                        f"Email address \"{m.group()}\" ({address}) must not appear in copy: spelling out "
                        "\"at\" and \"dot\" still gives it away", suggest_email))
    if _DIGIT_RE.search(text) is None:
        return out
    # numbers already told apart (found in this order); a phone reading of them is not reported again
    taken: list[tuple[int, int]] = []
    for m in _SSN_RE.finditer(text):
        before = text[m.start() - 1] if m.start() else " "
        if before.isalnum() or before in _NOT_BEFORE_NUMBER:
            continue
        number = m.group()  # "123-45-6789": area, group, serial
        if number[:3] in ("000", "666") or number[0] == "9" or number[4:6] == "00" or number[7:] == "0000":
            continue
        taken.append((m.start(), m.end()))
        out.append(("ssn", m.start(), m.end(),
                    f"\"{m.group()}\" is written like a US Social Security number, which must never appear in copy",
                    None))
    for m in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            taken.append((m.start(), m.end()))
            out.append(("card", m.start(), m.end(),
                        "A payment card number must never appear in copy", None))
    ids: list[tuple[int, int, str, str]] = [(start, end, "iban", "An IBAN (a bank account number)") for start, end in _ibans(text)]
    ids += [(start, end, "national_id", what) for start, end, what in _national_ids(text)]
    for start, end, rule, what in sorted(ids):
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            out.append((rule, start, end, f"{what} must never appear in copy", None))
    told_apart = SpanSet(taken)
    for m in _PHONE_RE.finditer(text):
        cand = m.group().rstrip(" .-(")
        end = m.start() + len(cand)
        if cand.endswith(")") and cand.count("(") < cand.count(")"):
            cand, end = cand[:-1], end - 1
        if told_apart.overlaps(m.start(), end):
            continue
        if not _looks_like_phone(cand) or _NUMBER_MARK_RE.search(text, max(0, m.start() - 24), m.start()):
            continue
        digits = "".join(c for c in cand if c.isdigit())
        if _phone_allowed(digits, contact_phones):
            continue
        out.append(("phone", m.start(), end,
                    f"Phone number \"{cand}\" must not appear in copy: it is personal data "
                    "unless it is one of the guide's contact numbers", suggest_phone))
    return out


# -- merge fields -----------------------------------------------------------

_MERGE_RE: Final = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_BAD_BRACES_RE: Final = re.compile(r"\{+[^{}\n]{0,80}?\}+|\{+|\}+")
_IDENT_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def mask_merge_fields(text: str) -> str:
    """The text with each well-formed {{ name }} blanked out (same length)."""
    return _MERGE_RE.sub(lambda m: " " * len(m.group()), text)


def find_merge_problems(text: str, known: frozenset[str]) -> list[Raw]:
    if "{" not in text and "}" not in text:
        return []
    out: list[Raw] = []
    known_sorted = sorted(known)

    for m in _MERGE_RE.finditer(text):
        name = m.group(1)
        if name in known:
            continue
        listing = ", ".join(known_sorted) if known_sorted else "none"
        close = difflib.get_close_matches(name, known_sorted, n=1)
        out.append((name, m.start(), m.end(),
                    f"Unknown merge field \"{m.group()}\": the guide defines {listing}",
                    f"{{{{ {close[0]} }}}}" if close else None))
    rest = mask_merge_fields(text)
    if "{" not in rest and "}" not in rest:
        return out
    for m in _BAD_BRACES_RE.finditer(rest):
        ident = _IDENT_RE.search(m.group())
        suggestion = None
        if ident:
            name = ident.group()
            if name not in known:
                close = difflib.get_close_matches(name, known_sorted, n=1)
                name = close[0] if close else name
            suggestion = f"{{{{ {name} }}}}"
        out.append(("malformed", m.start(), m.end(),
                    f"Malformed merge field \"{m.group()}\": write merge fields as {{{{ name }}}}, "
                    "two braces on each side", suggestion))
    return out


# -- links ------------------------------------------------------------------

# A link with a scheme or "www.", or a bare domain followed by a path ("bit.ly/x",
# "evil.example/deal"): phones and mail apps make those clickable too.
_URL_RE: Final = re.compile(
    r"(?i)(?<![\w@.])(?:https?://|www\.)[^\s<>\"'`]+"
    r"|(?<![\w@./:-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}/[^\s<>\"'`]*"
)
_TRAILING: Final = ".,;:!?)]}'\""


def _host_of(url: str) -> tuple[str, bool]:
    """(host, had_userinfo) of an http(s) or www. URL."""
    rest = url.split("://", 1)[1] if "://" in url else url
    authority = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
    userinfo = "@" in authority
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.split(":", 1)[0]
    host = unicodedata.normalize("NFKC", host).rstrip(".").lower()
    return host, userinfo


def host_allowed(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def find_bad_links(text: str, domains: tuple[str, ...]) -> list[Raw]:
    lowered = text.lower()
    if "http" not in lowered and "www." not in lowered and "/" not in text:
        return []
    out: list[Raw] = []
    allowed = ", ".join(domains) if domains else "none configured"
    for m in _URL_RE.finditer(text):
        url = m.group()
        while url and url[-1] in _TRAILING and not (url[-1] == ")" and url.count("(") >= url.count(")")):
            url = url[:-1]
        if not url:
            continue
        host, userinfo = _host_of(url)
        start, end = m.start(), m.start() + len(url)
        if userinfo:
            out.append((host or url, start, end,
                        f"Link \"{url}\" actually points to {host or 'an unknown host'}: the part before "
                        "\"@\" is not the site, a common phishing trick", None))
        elif not host or not host_allowed(host, domains):
            out.append((host or url, start, end,
                        f"Link to {host or 'an unknown host'} is not on an allowed domain "
                        f"(allowed: {allowed})", None))
    return out


def find_bad_attribute_links(links: list[tuple[str, str, int, int]], domains: tuple[str, ...]) -> list[Raw]:
    """Links from HTML attributes: (attribute, decoded URL, start, end).

    As a browser reads them: leading/trailing spaces and control characters
    dropped, tabs and newlines inside removed, backslashes read as slashes.
    Relative URLs stay on the sending site and are fine; protocol-relative ones
    (``//host/x``) go to ``host``; ``javascript:`` and ``vbscript:`` run code.
    """
    out: list[Raw] = []
    allowed = ", ".join(domains) if domains else "none configured"
    for attribute, value, start, end in links:
        url = _LINK_STRIP_RE.sub("", value.strip(_C0_AND_SPACE)).replace("\\", "/")
        scheme = _SCHEME_RE.match(url)
        if scheme is not None:
            name = scheme.group(1).lower()
            if name in ("javascript", "vbscript") or (name == "data" and attribute == "href"):
                out.append((f"{name}:", start, end,
                            f"Link uses the {name}: scheme, which runs code or hides content instead of opening a page",
                            None))
                continue
            if name not in ("http", "https"):
                continue  # mailto:, tel:, sms:... are read by the PII check
            url = "//" + url[scheme.end():].lstrip("/")
        elif not url.startswith("//"):
            continue  # relative: the sending site
        host, userinfo = _host_of("http:" + url)
        if userinfo:
            out.append((host or url, start, end,
                        f"Link \"{value}\" actually points to {host or 'an unknown host'}: the part before "
                        "\"@\" is not the site, a common phishing trick", None))
        elif not host or not host_allowed(host, domains):
            out.append((host or url, start, end,
                        f"Link to {host or 'an unknown host'} is not on an allowed domain "
                        f"(allowed: {allowed})", None))
    return out


_LINK_STRIP_RE: Final = re.compile(r"[\t\n\r]")
# what the URL parser strips from both ends: C0 controls and space
_C0_AND_SPACE: Final = "".join(chr(c) for c in range(0x21))
_SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


# -- required text ----------------------------------------------------------


def required_pattern(normalised_required: str) -> re.Pattern[str]:
    """Whitespace-tolerant pattern: any whitespace run matches any other; spaces
    inside merge-field braces are optional ({{unsubscribe_url}} == {{ unsubscribe_url }})."""
    text = re.sub(r"\{\{\s*", "{{", normalised_required.strip())
    text = re.sub(r"\s*\}\}", "}}", text)
    parts: list[str] = []
    for piece in re.split(r"(\s+|\{\{|\}\})", text):
        if not piece:
            continue
        if piece.isspace():
            parts.append(r"\s+")
        elif piece == "{{":
            parts.append(r"\{\{\s*")
        elif piece == "}}":
            parts.append(r"\s*\}\}")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))
