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

Everything runs on the normalised text (case-folded, ASCII quotes and dashes),
one regex pass per clause; spans map back to the original text.
"""

from __future__ import annotations

import re
from typing import Final

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
    r"the last few|more|now|today|a pair|pairs?|ad-free|kit|look|outfit|wardrobe)\b|[$€£]\s?\d|\d\s?%"
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
    r"|\blimited (?:time|stock|quantities|edition|availability|spots|places)\b|\bquantities are limited\b"
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
_CLAUSE_RE: Final = re.compile(r"[^.!?;:\n]+[.!?;:]*")
_SUBCLAUSE_SPLIT: Final = re.compile(r",\s+|\s+-\s+|\s+(?:and|or|but|then)\s+(?=\w)")
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


def _pieces(text: str) -> list[tuple[int, int]]:
    """Spans of the sub-clauses of ``text`` (sentences split at commas, dashes and conjunctions)."""
    spans: list[tuple[int, int]] = []
    for m in _CLAUSE_RE.finditer(text):
        start = m.start()
        for sub in _SUBCLAUSE_SPLIT.finditer(m.group()):
            spans.append((start, m.start() + sub.start()))
            start = m.start() + sub.end()
        spans.append((start, m.end()))
    return [(s, e) for s, e in ((s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans) if e > s]


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


def intent_spans(text: str, dimensions: frozenset[str]) -> dict[str, list[tuple[int, int]]]:
    """Spans (in ``text``, a normalised field) of clauses that push a sale or set a deadline."""
    spans: dict[str, list[tuple[int, int]]] = {d: [] for d in dimensions}
    want_promo = "promotional" in dimensions
    want_urgency = "urgency" in dimensions
    for sentence in _CLAUSE_RE.finditer(text):
        s_start = sentence.start()
        s_text = sentence.group()
        owed = _OWED.search(s_text) is not None
        offer = _OFFER_WORD.search(s_text) is not None
        selling = False
        for start, end in _pieces(s_text):
            clause = s_text[start:end]
            clause_span = (s_start + start, s_start + end)
            pushes = _commerce_imperative(clause) or (not owed and (
                _PRICE_OFFER.search(clause) is not None
                or (_OFFER_NOUN.search(clause) is not None and _SERVICE.search(clause) is None)
                or (_ANNOUNCE.search(clause) is not None and _OWN_ITEM.search(clause) is None
                    and _SERVICE.search(clause) is None)))
            selling = selling or pushes
            if pushes and want_promo:
                spans["promotional"].append(clause_span)
        if not want_urgency:
            continue
        stripped = s_text.strip()
        for m in _SCARCITY.finditer(s_text):
            spans["urgency"].append((s_start + m.start(), s_start + m.end()))
        if (offer and not owed) or selling or _DEADLINE_VERB_OPENING.match(stripped):
            for m in _DEADLINE.finditer(s_text):
                spans["urgency"].append((s_start + m.start(), s_start + m.end()))
    return spans
