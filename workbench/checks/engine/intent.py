"""Sentence intent for the `promotional` and `urgency` tone dimensions.

The tone lexicons know stock phrases ("buy now", "50% off"); copy for a
customer with an open complaint can push a sale in words no list holds
("Shop the Alpine parka today"). Where a context sets `promotional` or
`urgency` to false, each clause is read for what it *does*:

Promotional -- a clause that pushes a purchase or an upgrade:

* an imperative (possibly after a lead such as "So,", "Why not", "you
  should", "it's time to", "ready to") whose verb is a commerce verb.
  *Strong* verbs sell whatever their object ("shop", "buy", "upgrade",
  "treat yourself", "stock up"); *browsing* verbs ("explore", "discover",
  "try", "grab", "order") sell when their object is a noun phrase; *weak*
  verbs ("get", "add", "save", "switch", "claim", "join", "book") only with a
  commercial object -- a price, a plan or tier, something new, "yours", an
  offer word. A clause about the customer's own case (refund, repair,
  account, help, tracking, password...) is never a sales push;
* an offer priced in the clause ("for $10", "from $12/month", "only $3.99",
  "$15 less", "for the price of"), unless the clause is about money the
  customer is owed or was charged (credit, refund, bill, fee, paid...).

The imperative must look like one: the verb opens the clause (after a lead)
and is followed by what an object or particle starts with (a determiner,
pronoun, number, price, particle, or a commercial word), so "Shop opening
hours have changed" and "Order updates arrive by text" are not read as
commands.

Urgency -- a clause that sets a deadline or scarcity:

* scarcity and pressure however phrased ("while supplies last", "only 3
  left", "selling fast", "before they're gone", "don't wait", "today only",
  "N hours left", "running low");
* a time limit ("ends", "expires", "until", "by", "before" + a day, a time,
  "tonight", "midnight", "in N hours") that is attached to an offer (an offer
  word in the clause), opens a clause with no subject ("Ends at midnight."),
  or bounds a commerce imperative ("Order by Sunday to..."). A service
  deadline ("Maintenance ends at midnight", "Our support line is open until
  8pm tonight") is not pressure.

Everything runs on the normalised text (case-folded, ASCII quotes and dashes);
spans map back to the original text. For speed the work is driven by
anchors found in one C-level pass (pyahocorasick): a command is only read
where a commerce verb stands at the start of a clause, the other patterns
only in sentences holding a word or sign every one of their matches needs.
A test runs every pattern on every clause as well and checks the anchors
never change what is flagged.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any
from typing import Final

import ahocorasick

INTENT_DIMENSIONS: Final = frozenset({"promotional", "urgency"})

# --- words ------------------------------------------------------------------

_STRONG_VERBS: Final = (
    r"shop|buy|purchase|upgrade|splurge|snag|pre-?order|indulge|subscribe|bundle|"
    r"treat yourself|treat your\w*|stock up|snap up|scoop up|level up|sign up|go premium|spoil yourself|add to (?:your )?(?:cart|basket|bag)"
)
_BROWSE_VERBS: Final = r"explore|discover|try|order|reserve|pick up|check out|browse|score|nab|bag|gift|upsize"
_WEAK_VERBS: Final = (
    r"get|grab|add|save|switch|swap|claim|redeem|unlock|join|book|start|take|make|give|go|enjoy|complete|"
    r"refresh|see|meet|choose|pick|find|pop|put|how about|you'll love|you will love|you're going to love|don't miss"
)
_LEADS: Final = (
    r"so|now|just|simply|please|then|and|plus|also|or|go ahead and|come and|hurry and|hurry|quick|"
    r"why not|why don't you|you should|you could|you'll want to|you might want to|you may want to|"
    r"don't forget to|remember to|be sure to|make sure to|it's time to|time to|"
    r"now's the (?:perfect |best |right |ideal )?time to|there's never been a better time to|"
    r"(?:are you )?ready to|want to|looking to|feel free to|don't wait(?:,| -|:)? ?|don't miss out(?:,| -|:)? ?|"
    r"today|tonight|this week(?:end)?"
)
_COMMERCIAL: Final = re.compile(
    r"\b(?:new|latest|newest|yours|exclusive|premium|plus|pro|gold|vip|upgrade\w*|deals?|offers?|sales?|"
    r"discounts?|savings?|save|prices?|pricing|bundles?|plans?|tier|membership|subscription|collection|range|"
    r"arrivals|bestsellers?|styles?|picks|favourites?|favorites?|cart|basket|bag|matching|free trial|trial|"
    r"gift cards?|points|rewards?|off|bonus|limited|faster|bigger|unlimited|line|lines|add-ons?|extras?|"
    r"the last few|more|now|today|a pair|pairs?|ad-free|kit|gear|look|outfit|wardrobe)\b|[$€£]\s?\d|\d\s?%"
)
_SERVICE: Final = re.compile(
    r"\b(?:refund\w*|replacement|repair\w*|apolog\w*|sorry|help|support|team|account|settings?|password|"
    r"address|note|tracking|track|status|form|steps?|guides?|cent(?:re|er)|call|receipt|records?|invoice|"
    r"label|troubleshooting|notifications?|calendar|paperwork|complaint|case|ticket|engineer|technician|"
    r"appointment|delivery date|details|instructions|email|message|survey|feedback|router|device|"
    r"touch|back|coffee|break|rest|look at what|care)\b"
)
_OWED: Final = re.compile(
    r"\b(?:credit\w*|refund\w*|reimburs\w*|charg\w*|fees?|bill\w*|paid|payments?|balance|invoice\w*|"
    r"totals?|reversed|waived|owe\w*|statement|compensat\w*|cost you nothing|no cost|no charge)\b"
)
_PRICE_OFFER: Final = re.compile(
    r"(?:\bfor (?:just |only |as little as )?|\bfrom (?:just |only )?|\b(?:just|only) |\bstarting (?:at|from) |"
    r"\bsave )(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?(?:[$€£]|dollars|euros|pounds))"
    r"|(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?%)\s?(?:a|per|/|each)\s?(?:month|mo|year|yr|week|day)\b"
    r"|(?:[$€£]\s?\d[\d,.]*)\s(?:less|cheaper|off|more)\b"
    r"|\bfor the price of\b|\bat half (?:the )?price\b|\b\d+ (?:months?|weeks?|days?) (?:free|for free)\b"
    r"|\bpay (?:less|just|only)\b|\block in\b|\b(?:lower|member|exclusive|special|introductory) prices?\b"
    r"|\bfree for \d+ (?:days|weeks|months)\b|\bget \w+ free\b|\b(?:the )?(?:third|second|next) (?:one )?free\b"
)

_SCARCITY: Final = re.compile(
    r"\bwhile (?:supplies|stocks?|quantities) last\b|\bonly (?:a few|a handful|\d+)(?: \w+)? (?:left|remaining|in stock)\b"
    r"|\b(?:just )?a (?:few|handful) (?:\w+ )?left\b"
    r"|\b(?:just |only )?\d+ (?:hours?|days?|hrs?|minutes?|mins?) (?:left|to go|remaining)\b"
    r"|\b(?:almost|nearly) (?:gone|sold out)\b|\b(?:selling|going) (?:out )?fast\b|\bsells? out\b|\bsold out soon\b"
    r"|\bbefore (?:they're|they are|it's|it is|they|it)(?: all)? (?:gone|sold out|too late)\b|\btoo late\b"
    r"|\bwon't (?:last|be around)\b|\bdon't wait\b|\bdon't miss out\b|\bdon't delay\b"
    r"|\blimited (?:time|stock|quantities|edition|availability|spots|places)\b|\b(?:quantities|spots|places|seats|spaces|slots|availability|supplies|stocks?) (?:is|are) (?:very )?limited\b"
    r"|\bfor a limited time\b|\b(?:today|tonight) only\b|\b(?:this|one) (?:weekend|day|week|night) only\b"
    r"|\blast (?:chance|day|call|few hours|hours)\b|\bfinal (?:hours?|days?|call|chance|countdown)\b"
    r"|\bhurry\b|\bact (?:now|fast|quickly)\b|\bnow or never\b|\btime is running out\b|\brunning (?:out|low)\b"
    r"|\bbe quick\b|\bcountdown\b|\b(?:stock|supplies|stocks) (?:is|are) (?:running )?(?:low|limited)\b|\bbefore it ends\b"
)
_WEEKDAY: Final = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_WHEN: Final = (
    rf"(?:tonight|today|tomorrow|midnight|noon|(?:this|the) (?:weekend|week|evening)|soon|{_WEEKDAY}|"
    r"the end of (?:the )?(?:day|week|month|weekend)|end of (?:day|week|month)|"
    r"in \d+ (?:hours?|days?|hrs?|minutes?|mins?)|\d{1,2}(?::\d\d)? ?(?:am|pm)|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{1,2})"
)
_DEADLINE: Final = re.compile(
    rf"\b(?:ends?|ending|expires?|expiring|closes?|closing|finish(?:es)?|disappears?|vanish(?:es)?|goes up|go up|"
    rf"rises?|increases?|"
    rf"valid|available|runs?|is on|lasts?)\b[^.;]{{0,24}}?\b(?:on |at |by |until |till |before |in )?{_WHEN}\b"
    rf"|\b(?:until|till|by|before) (?:(?:this|next) )?{_WHEN}\b"
)
_DEADLINE_VERB_OPENING: Final = re.compile(r"^(?:offer |sale |deal )?(?:ends?|expires?|closes?|valid|available|runs)\b")
_OFFER_WORD: Final = re.compile(
    r"\b(?:sales?|offers?|deals?|discounts?|prices?|pricing|promotions?|promo|codes?|coupons?|vouchers?|"
    r"savings?|save|rates?|early-bird|bundles?|members? price)\b|\d\s?%|\boff\b"
)

# announcing stock to a customer is selling it ("The new Explorer range is in stores now")
_ANNOUNCE: Final = re.compile(
    r"\b(?:is|are) (?:now )?(?:in stores|on sale|back in stock|in stock|back)\b(?! (?:to|for) you)|"
    r"\bjust (?:landed|dropped|launched)\b|\bnow available\b|\bhas (?:landed|launched)\b"
)
_OWN_ITEM: Final = re.compile(r"\b(?:your|you|we'll|we will)\b")
# naming an offer is sales language in itself ("This offer expires on Sunday")
_OFFER_NOUN: Final = re.compile(
    r"\b(?:offers?|deals?|sales?|discounts?|promotions?|promo|coupons?|early-bird|pricing|prices go up|"
    r"price goes up|prices rise|lowest price|savings)\b|\bsave\b(?! time| (?:this|your|the) (?:email|changes|receipt|page|file))"
)
_IMPERATIVE: Final = re.compile(
    rf"^(?:(?:{_LEADS})\b[,:]?\s*)*(?P<verb>{_STRONG_VERBS}|{_BROWSE_VERBS}|{_WEAK_VERBS})\b\s*(?P<rest>.*)$",
    re.S,
)
_STRONG_RE: Final = re.compile(rf"^(?:{_STRONG_VERBS})$")
_BROWSE_RE: Final = re.compile(rf"^(?:{_BROWSE_VERBS})$")
# "shop opening hours have changed": the "object" is the subject of a finite verb
_SUBJECT_USE: Final = re.compile(
    r"^(?:\S+ )?\S+ (?:is|are|was|were|have|has|had|will|would|can|could|should|may|might|must|do|does|did|"
    r"arrives?|arrived|changed|ships?|shipped|opens?|opened|closes?|closed|starts?|started|meets?)\b"
)


def _commerce_imperative(clause: str) -> bool:
    m = _IMPERATIVE.match(clause)
    if m is None:
        return False
    verb, rest = m.group("verb"), m.group("rest")
    if _SERVICE.search(rest):
        return False
    if verb in ("you'll love", "you will love", "you're going to love", "how about", "don't miss"):
        return bool(_COMMERCIAL.search(rest)) or rest.startswith(("our ", "the new ", "these "))
    if _SUBJECT_USE.match(rest):
        return False
    if _STRONG_RE.match(verb):
        return True
    if _BROWSE_RE.match(verb):
        return rest.startswith(("the ", "a ", "an ", "our ", "yours", "one", "some", "these", "this ", "it"))\
            or bool(_COMMERCIAL.search(rest))
    return bool(_COMMERCIAL.search(rest))


def _any_imperative(clause: str) -> bool:
    """A command with any of the commerce verbs, weak ones too ("Get it", "Take one"), that is not about service."""
    m = _IMPERATIVE.match(clause)
    # "Don't miss out" is the pressure itself, not something to buy
    return (m is not None and m.group("verb") != "don't miss" and _SERVICE.search(m.group("rest")) is None
            and _SUBJECT_USE.match(m.group("rest")) is None)


# Sentences end at . ! ? ; : or a line break; clauses also at commas, spaced
# dashes and conjunctions. One pass over the field finds every boundary.
_BOUNDARY: Final = re.compile(r"[.!?;:]+[ \t]*|\n\s*|,\s+|\s+-\s+|\s+(?:and|or|but|then)\s+(?=\w)")


def _top_level(alternation: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, c in enumerate(alternation):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(alternation[start:i])
            start = i + 1
    out.append(alternation[start:])
    return out


def _first_literals(alternation: str) -> tuple[set[str], set[str]]:
    """(whole words, prefixes) that every match of ``alternation`` starts with, for a cheap pre-check."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for alt in _top_level(alternation):
        while alt.startswith("(?:"):
            group_end = alt.index(")")
            inner_words, inner_prefixes = _first_literals(alt[3:group_end])
            words |= {w.strip() for w in inner_words}
            prefixes |= inner_prefixes
            alt = alt[group_end + 1:].lstrip("?")
        literal = re.match(r"[a-z']*", alt).group()  # type: ignore[union-attr]
        rest = alt[len(literal):]
        if not literal:
            raise ValueError(f"no literal start in {alt!r}")
        if rest == "" or rest.startswith((" ", "\\b", ",")):
            words.add(literal)
        else:
            prefixes.add(literal)
    return words, prefixes


# where a clause can start: after sentence punctuation, a line break, a comma, a spaced dash or a conjunction
_CLAUSE_START: Final = re.compile(r"[.!?;:]+\s*|\n\s*|,\s+|\s-\s+|\s(?:and|or|but|then)\s+")
_CLAUSE_END: Final = re.compile(r"[.!?;:]+|\n|,\s|\s-\s|\s(?:and|or|but|then)\s(?=\w)|$")
_PER_PERIOD_WORDS: Final = frozenset({"month", "mo", "year", "yr", "week", "day", "dollars", "euros", "pounds"})
# words a commerce command's verb starts with (leads alone never make one)
_COMMAND_WORDS: Final = frozenset(
    (_first_literals(f"{_STRONG_VERBS}|{_BROWSE_VERBS}|{_WEAK_VERBS}")[0]
     - {"you", "you'll", "you're", "how", "don't"})
    | {"love", "about", "miss", "preorder", "pre-order", "treat"}
)
_TIME_UNIT_WORDS: Final = frozenset({
    "am", "pm", "hour", "hours", "hrs", "day", "days", "minutes", "mins", "jan", "january", "feb", "february",
    "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept",
    "september", "oct", "october", "nov", "november", "dec", "december"})


# Every match of each pattern contains one of these (checked in the tests), so
# a field without any of them skips the pattern: most copy has none.
_TOKEN_RE: Final = re.compile(r"[a-z][a-z'-]*")
_PRICE_WORDS: Final = frozenset({"price", "prices", "pay", "lock", "free"})
_OFFER_NOUN_WORDS: Final = frozenset({
    "offer", "offers", "deal", "deals", "sale", "sales", "discount", "discounts", "promotion", "promotions", "promo",
    "coupon", "coupons", "early-bird", "pricing", "prices", "price", "savings", "save", "lowest"})
_ANNOUNCE_WORDS: Final = frozenset({"stores", "sale", "back", "stock", "landed", "dropped", "launched", "available"})
_OWED_PREFIXES: Final = ("credit", "refund", "reimburs", "charg", "fee", "bill", "paid", "payment", "balance",
                         "invoice", "total", "reversed", "waived", "owe", "statement", "compensat", "cost")
_OFFER_WORDS: Final = frozenset({
    "sale", "sales", "offer", "offers", "deal", "deals", "discount", "discounts", "price", "prices", "pricing",
    "promotion", "promotions", "promo", "code", "codes", "coupon", "coupons", "voucher", "vouchers", "saving",
    "savings", "save", "rate", "rates", "early-bird", "bundle", "bundles", "off"})
_SCARCITY_WORDS: Final = frozenset({
    "last", "left", "remaining", "stock", "stocks", "supplies", "gone", "sold", "fast", "sell", "sells", "late",
    "won't", "don't", "limited", "only", "final", "hurry", "act", "never", "running", "quick", "countdown", "low",
    "ends"})
_WHEN_WORDS: Final = frozenset({
    "tonight", "today", "tomorrow", "midnight", "noon", "weekend", "week", "evening", "soon", "end", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})


_MONEY_OR_DIGIT: Final = re.compile(r"[\d$€£%]")


# Letters, apostrophes and hyphens stay; every other ASCII byte becomes a space.
_TOKEN_BYTES: Final = bytes(
    b if (97 <= b <= 122 or b in (39, 45)) else 32 for b in range(256)
)
# Off only in tests: every pattern runs, to show the word gates never change a result.
GATED = True


def _has_digit_or_money(text: str) -> bool:
    return _MONEY_OR_DIGIT.search(text) is not None


_ALL_GATE_WORDS: Final = (_PRICE_WORDS | _OFFER_NOUN_WORDS | _ANNOUNCE_WORDS | _OFFER_WORDS | _WHEN_WORDS
                          | _SCARCITY_WORDS | _PER_PERIOD_WORDS | _TIME_UNIT_WORDS | {"go"})


_SENTENCE_END: Final = re.compile(r"[.!?;:]+|\n")
# Common words that only matter beside another one: a time word beside a
# deadline verb or preposition ("ends soon", "until Sunday" -- not "arrives
# soon"), "last"/"only"/"stock"/"don't" beside their partners ("last chance",
# "only 3 left", "while stocks last", "don't wait" -- not "built to last").
_DEADLINE_CUES: Final = frozenset({
    "ends", "end", "ending", "expires", "expire", "expiring", "closes", "close", "closing", "finish", "finishes",
    "disappears", "disappear", "vanish", "vanishes", "goes", "go", "rises", "rise", "increases", "increase",
    "valid", "available", "runs", "run", "on", "lasts", "last", "until", "till", "by", "before"})
_PAIRED_SCARCITY: Final = {
    "last": frozenset({"while", "chance", "day", "call", "few", "hours", "hour"}),
    "only": frozenset({"left", "remaining", "stock", "few", "handful", "today", "tonight", "weekend", "day",
                       "week", "night"}),
    "stock": frozenset({"only", "while", "running", "low", "limited", "is", "are"}),
    "stocks": frozenset({"while", "running", "low", "limited", "is", "are"}),
    "don't": frozenset({"wait", "miss", "delay"}),
    "low": frozenset({"running", "stock", "stocks", "supplies"}),
    "ends": frozenset({"before"}) | _WHEN_WORDS,
}
_CUE_WORDS: Final = _DEADLINE_CUES | frozenset().union(*_PAIRED_SCARCITY.values())
_ANCHOR_WORDS: Final = _ALL_GATE_WORDS | _COMMAND_WORDS | _CUE_WORDS
_OTHER_ANCHORS: Final = _ALL_GATE_WORDS


def _reads(word: str, present: set[str]) -> bool:
    """Whether an anchor word found in a field calls for reading its sentence."""
    partners = _PAIRED_SCARCITY.get(word)
    if partners is not None:
        return not partners.isdisjoint(present) or (word in _WHEN_WORDS and not _DEADLINE_CUES.isdisjoint(present))
    if word in _WHEN_WORDS:
        return not _DEADLINE_CUES.isdisjoint(present)
    return word in _OTHER_ANCHORS
# a digit alone never makes a match (a time, a count or a price also needs one of the words, a sign or "%")
_ANCHOR_CHARS: Final = re.compile(r"[$€£%]")
# what may stand between the start of a clause and its verb: a boundary, then leads
_BEFORE_COMMAND: Final = re.compile(
    rf"(^|[.!?;:,\n]\s*|\s-\s+|\s(?:and|or|but|then)\s+)(?:(?:{_LEADS})\b[,:]?\s*)*$"
)
_LOOKBACK: Final = 48
# verb phrases whose anchor word is not their first ("how about", "you'll love", "don't miss")
_PHRASE_HEADS: Final = ("how ", "you'll ", "you will ", "you're going to ", "don't ")


@lru_cache(maxsize=1)
def _anchor_automaton() -> Any:
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    for word in _ANCHOR_WORDS:
        automaton.add_word(f" {word} ", word)
    automaton.make_automaton()
    return automaton


def _anchor_hits(text: str) -> list[tuple[int, str]]:
    """(position, word) of every anchor word standing as a whole word in ``text``."""
    if text.isascii():
        # C-level only: letters kept, everything else blanked, every index in place
        view = " " + text.encode("ascii").translate(_TOKEN_BYTES).decode("ascii") + " "
        return [(end - len(word) - 1, word) for end, word in _anchor_automaton().iter(view)]
    return [(m.start(), m.group()) for m in _TOKEN_RE.finditer(text) if m.group() in _ANCHOR_WORDS]


def intent_spans(text: str, dimensions: frozenset[str]) -> dict[str, list[tuple[int, int]]]:
    """Spans (in ``text``, a normalised field) of clauses that push a sale or set a deadline.

    Work is driven by anchors: a commerce command is only read where a
    commerce verb stands at the start of a clause (after at most a few leads),
    and the other patterns only in sentences holding one of the words or
    characters every one of their matches needs (a price sign, a digit, an
    offer, time or scarcity word). Most sentences of most copy have none.
    """
    spans: dict[str, list[tuple[int, int]]] = {d: [] for d in dimensions}
    if not dimensions:
        return spans
    hits = _anchor_hits(text)
    char_hit = "$" in text or "%" in text or "€" in text or "£" in text
    if not hits and not char_hit and GATED:
        return spans
    if GATED:
        commands = _commands(text, [(at, w) for at, w in hits if w in _COMMAND_WORDS])
    else:
        commands = _all_commands(text)
    if "promotional" in dimensions:
        spans["promotional"].extend(commands)
    present = {w for _, w in hits}
    read = {w for w in present if _reads(w, present)}
    positions = [at for at, w in hits if w in read]
    if char_hit:
        positions.extend(m.start() for m in _ANCHOR_CHARS.finditer(text))
    if not positions and GATED:
        return spans
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    wanted = sorted({bisect.bisect_right(ends, p) for p in positions}) if GATED else list(range(len(ends)))
    for index in wanted:
        if index >= len(ends):
            continue
        start = ends[index - 1] if index else 0
        end = ends[index]
        while start < end and text[start].isspace():
            start += 1
        words = {w for at, w in hits if start <= at < end} if GATED else _ALL_GATE_WORDS
        selling = any(start <= c < end for c, _ in commands)
        _read_sentence(text[start:end], start, dimensions, spans, selling, words)
    return spans


# the last word of every lead (checked in the tests against reading every clause)
_LEAD_TAILS: Final = (
    "so", "now", "just", "simply", "please", "then", "and", "plus", "also", "or", "hurry", "quick", "not", "you",
    "should", "could", "to", "wait", "out", "today", "tonight", "week", "weekend",
)


_LEAD_TAIL_SET: Final = frozenset(_LEAD_TAILS)
_LOWER_ASCII: Final = "abcdefghijklmnopqrstuvwxyz"


def _may_open_clause(text: str, at: int) -> bool:
    """Cheap test that a verb at ``at`` may open its clause: nothing, a boundary or a lead just before it."""
    head = text[max(0, at - 16):at].rstrip(" \t")
    if not head or head[-1] in ".!?;:,-\n":
        return True
    # the word just before: every lead tail is lower-case ASCII letters, so it is
    # one when that run of letters is a tail and stands after no other letter
    before = head.rstrip(_LOWER_ASCII)
    return head[len(before):] in _LEAD_TAIL_SET and not before[-1:].isalpha()


def _commands(text: str, verbs: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Commerce commands at the given (position, verb) anchors, as clause spans."""
    found: list[tuple[int, int]] = []
    for at, _verb in verbs:
        for head in _PHRASE_HEADS:
            if text.endswith(head, 0, at):
                at -= len(head)
                break
        if not _may_open_clause(text, at):
            continue
        before = _BEFORE_COMMAND.search(text, max(0, at - _LOOKBACK), at)
        if before is None:
            continue
        span = (before.end(1), _clause_end(text, at))
        if span not in found and _commerce_imperative(text[span[0]:span[1]]):
            found.append(span)
    return sorted(found)


def _all_commands(text: str) -> list[tuple[int, int]]:
    """Every clause read as a possible command (no anchors): the reference the anchors are tested against."""
    starts = [0, *(m.end() for m in _CLAUSE_START.finditer(text))]
    found = []
    for start in starts:
        end = _clause_end(text, start + 1)
        if start < end and _commerce_imperative(text[start:end]):
            found.append((start, end))
    return found


def _clause_end(text: str, at: int) -> int:
    m = _CLAUSE_END.search(text, at)
    if m is None:
        return len(text)
    return m.end() if m.group()[:1] in ".!?;:" else m.start()


def _read_sentence(
    text: str, offset: int, dimensions: frozenset[str], spans: dict[str, list[tuple[int, int]]], selling: bool,
    tokens: set[str] | frozenset[str],
) -> None:
    """Priced offers, offers named, announcements and deadlines in one sentence (``tokens``: its anchor words)."""
    want_promo = "promotional" in dimensions
    want_urgency = "urgency" in dimensions
    currency = "$" in text or "€" in text or "£" in text
    percent = "%" in text
    digits = currency or percent or _has_digit_or_money(text) or not GATED
    may_price = (currency or not _PRICE_WORDS.isdisjoint(tokens)
                 or (percent and not _PER_PERIOD_WORDS.isdisjoint(tokens)))
    may_offer_noun = not _OFFER_NOUN_WORDS.isdisjoint(tokens)
    may_announce = not _ANNOUNCE_WORDS.isdisjoint(tokens)
    may_offer_word = percent or not _OFFER_WORDS.isdisjoint(tokens)
    may_deadline = want_urgency and (
        not _WHEN_WORDS.isdisjoint(tokens) or (digits and not _TIME_UNIT_WORDS.isdisjoint(tokens)))
    may_scarcity = want_urgency and (not _SCARCITY_WORDS.isdisjoint(tokens) or (digits and "go" in tokens))
    # second stage: one search over the sentence before reading it clause by clause
    may_price = may_price and _PRICE_OFFER.search(text) is not None
    may_offer_noun = may_offer_noun and _OFFER_NOUN.search(text) is not None
    may_announce = may_announce and _ANNOUNCE.search(text) is not None
    may_deadline = may_deadline and _DEADLINE.search(text) is not None
    owed = (may_price or may_offer_noun or may_announce or may_offer_word) and _OWED.search(text) is not None
    if (may_price or may_offer_noun or may_announce) and not owed:
        for _, _, clauses in _layout(text):
            for c_start, c_end in clauses:
                clause = text[c_start:c_end]
                if ((may_price and _PRICE_OFFER.search(clause) is not None)
                        or (may_offer_noun and _OFFER_NOUN.search(clause) is not None
                            and _SERVICE.search(clause) is None)
                        or (may_announce and _ANNOUNCE.search(clause) is not None
                            and _OWN_ITEM.search(clause) is None and _SERVICE.search(clause) is None)):
                    selling = True
                    if want_promo:
                        spans["promotional"].append((offset + c_start, offset + c_end))
    if may_deadline and (
        (may_offer_word and not owed and _OFFER_WORD.search(text) is not None)
        or selling or _DEADLINE_VERB_OPENING.match(text)
    ):
        for m in _DEADLINE.finditer(text):
            spans["urgency"].append((offset + m.start(), offset + m.end()))
    if may_scarcity:
        scarce = [(offset + m.start(), offset + m.end()) for m in _SCARCITY.finditer(text)]
        spans["urgency"].extend(scarce)
        # "Get it before it sells out": scarcity is what a weak verb's object lacked to read as a sale
        if scarce and want_promo and not selling:
            for _, _, clauses in _layout(text):
                spans["promotional"].extend((offset + c_start, offset + c_end) for c_start, c_end in clauses
                                            if _any_imperative(text[c_start:c_end]))


def _layout(text: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(sentence start, end, [(clause start, end)]) with leading blanks skipped and end punctuation kept."""
    sentences: list[tuple[int, int, list[tuple[int, int]]]] = []
    clauses: list[tuple[int, int]] = []
    start = 0

    def close_clause(end: int) -> None:
        c_start = start
        while c_start < end and text[c_start].isspace():
            c_start += 1
        if c_start < end:
            clauses.append((c_start, end))

    for m in _BOUNDARY.finditer(text):
        head = m.group()[0]
        if head in ".!?;:\n":
            end = m.start() + len(m.group().rstrip()) if head != "\n" else m.start()
            close_clause(end)
            if clauses:
                sentences.append((clauses[0][0], end, clauses))
            clauses = []
        else:
            close_clause(m.start())
        start = m.end()
    close_clause(len(text))
    if clauses:
        sentences.append((clauses[0][0], len(text), clauses))
    return sentences
