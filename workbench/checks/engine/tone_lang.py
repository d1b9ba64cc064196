"""Promotional, urgency and celebratory tone for Spanish, French and German.

Two layers, like English (tone.py lexicons + intent.py):

* Lexicons: ``data/tone_<lang>.txt`` (stock phrases: "última oportunidad",
  "-50 %", "achetez maintenant", "jetzt kaufen"...) plus ``data/tone_any.txt``
  (loan words and party emoji read in any language).
* Intent, read per clause of the normalised text (case folded, accents
  folded, ß read as ss):

  - a commerce imperative: a commerce verb in the imperative opening the
    clause (after leads such as "ya", "maintenant", "jetzt"), followed by
    what an object starts with -- Spanish tú/usted forms ("compra",
    "aprovecha", "descubre", "mejora tu plan"...), French vous/tu forms
    ("achetez", "profitez", "découvrez", "commandez"...), German Sie-imperatives
    ("kaufen Sie", "bestellen Sie", "sichern Sie sich", "entdecken Sie"...)
    and verb-final calls ("jetzt kaufen"). A clause about the customer's own
    case (refund, account, order tracking, repair...) is never a push;
  - a priced offer ("por solo 19 €", "à partir de 9,99 €/mois", "ab 19 €",
    "nur 4,99 € im Monat") unless the sentence is about money owed or charged
    ("abonado", "remboursement", "gutgeschrieben"...);
  - a deadline ("termina esta noche", "jusqu'à minuit", "endet heute") that
    is attached to an offer (an offer word or a price in the sentence),
    opens a sentence, or bounds a commerce imperative. A service deadline
    ("La maintenance se termine ce soir", "Die Wartung endet heute") is not
    pressure.

Every span is in the normalised text's coordinates; the engine maps it back.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Final

import ahocorasick

from .normalize import normalise
from .tone import requires_char

TONE_LANGUAGES: Final = frozenset({"es", "fr", "de"})
_DIMENSIONS: Final = ("promotional", "urgency", "celebratory")


@dataclass(frozen=True)
class _Grammar:
    """The intent patterns of one language, all on normalised text."""

    command: re.Pattern[str]  # a commerce imperative at the start of a clause
    service: re.Pattern[str]  # the clause is about the customer's own case
    price_offer: re.Pattern[str]
    owed: re.Pattern[str]  # money the customer is owed or was charged
    offer_word: re.Pattern[str]
    deadline: re.Pattern[str]
    deadline_opening: re.Pattern[str]  # a sentence that opens with its deadline ("Termina esta noche.")

    @cached_property
    def command_words(self) -> frozenset[str]:
        """Every word a commerce command's verb can start with (see ``opening_words``)."""
        return opening_words(self.command.pattern)

    @cached_property
    def deadline_words(self) -> frozenset[str]:
        """Every word a deadline can start with ("termina", "hasta", "jusqu", "endet"...)."""
        return opening_words(self.deadline.pattern)


def opening_words(regex: str) -> frozenset[str]:
    """The words a match of ``regex`` can open with, after its optional leads.

    Read from the parse tree by the ``re`` module's own parser: leading
    anchors and optional repeats (the leads) are skipped, then every branch is
    followed letter by letter up to the first character or assertion that
    cannot continue a word (a run of ``\\w``); look-arounds, which read no
    letters, are passed over. A field none of whose words is one of these
    cannot hold a match, so its clauses need not be tried. Raises ValueError
    for a pattern whose opening word is not spelled out (a class or a repeat
    that could add letters): the shortcut would not be sound for it.
    """
    parser: Any = importlib.import_module("re._parser")
    const: Any = importlib.import_module("re._constants")
    repeats = (const.MAX_REPEAT, const.MIN_REPEAT, const.POSSESSIVE_REPEAT)
    items = list(parser.parse(regex))
    while items and (items[0][0] == const.AT or (items[0][0] in repeats and items[0][1][0] == 0)):
        items.pop(0)
    words: set[str] = set()

    def ends_word(op: Any, arg: Any) -> bool:  # nothing a word (a run of \w) can go on with
        if op == const.LITERAL:
            return _NON_WORD_RE.fullmatch(chr(arg)) is not None
        if op == const.IN:
            return all((o == const.LITERAL and _NON_WORD_RE.fullmatch(chr(a)) is not None)
                       or (o == const.CATEGORY and a == const.CATEGORY_SPACE) for o, a in arg)
        return bool(op == const.AT)

    def walk(seq: list[Any], word: str) -> None:
        if not seq:
            raise ValueError(f"a match of {regex!r} may end inside its opening word {word!r}")
        (op, arg), rest = seq[0], seq[1:]
        if op == const.LITERAL and chr(arg).isalpha():
            walk(rest, word + chr(arg))
        elif ends_word(op, arg):
            if word:
                words.add(word)
            else:
                walk(rest, word)
        elif op == const.IN and all(o == const.LITERAL and chr(a).isalpha() for o, a in arg):
            for _, letter in arg:  # a class of letters spelled out: [oa]
                walk(rest, word + chr(letter))
        elif op == const.SUBPATTERN:
            walk([*arg[-1], *rest], word)
        elif op == const.BRANCH:
            for branch in arg[1]:
                walk([*branch, *rest], word)
        elif op in repeats and arg[0] == 0 and arg[1] == 1:
            walk(rest, word)
            walk([*arg[2], *rest], word)
        elif op in (const.ASSERT, const.ASSERT_NOT):
            walk(rest, word)  # a look-around reads no letters: the word goes on after it
        else:
            raise ValueError(f"the opening word of {regex!r} is not spelled out ({op})")

    walk(items, "")
    return frozenset(words)


_MONEY: Final = r"(?:\d+(?:[.,]\d+)?\s?(?:€|\$|£|eur|euros?|dolares|dollars)|(?:€|\$|£)\s?\d+(?:[.,]\d+)?)"
_PERCENT: Final = r"\d+(?:[.,]\d+)?\s?%"

_ES_TIME: Final = (
    r"(?:esta noche|hoy|manana|medianoche|el mediodia|este fin de semana|el fin de semana|"
    r"(?:el )?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)|fin de mes|"
    r"las \d{1,2}(?::\d\d)?|\d{1,2}(?::\d\d)? ?h|(?:el )?\d{1,2} de \w+|dentro de \d+ (?:horas|dias))"
)
_FR_TIME: Final = (
    r"(?:ce soir|aujourd'hui|demain|minuit|midi|ce week-?end|cette semaine|la fin de (?:la )?(?:semaine|mois|journee)|"
    r"(?:ce )?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?: soir| minuit)?|"
    r"\d{1,2} ?h(?:\d\d)?|(?:le )?\d{1,2} \w+|dans \d+ (?:heures|jours))"
)
_DE_TIME: Final = (
    r"(?:heute(?: abend| nacht)?|morgen|mitternacht|diese woche|dieses wochenende|am wochenende|"
    r"(?:am )?(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)(?:abend)?|monatsende|"
    r"\d{1,2}(?::\d\d)? uhr|(?:dem )?\d{1,2}\. ?\w+|in \d+ (?:stunden|tagen))"
)

_GRAMMARS: Final[dict[str, _Grammar]] = {
    "es": _Grammar(
        command=re.compile(
            r"^(?:(?:ya|ahora|hoy|y|asi que|no esperes(?: mas)?(?: y)?|no lo pienses(?: mas)?(?: y)?|"
            r"es el momento de|aprovecha y|ven y|corre a|entra y)\b[,:]?\s*)*"
            r"(?:"
            # strong: sells whatever follows
            r"(?:compra|compre|compralo|compralos|comprala|compralas|adquiere|adquiera|aprovecha|aproveche|"
            r"aprovechalo|aprovechala|aprovechalos|hazte con|hagase con|date un capricho|consiente(?:te)?|"
            r"suscribete|suscribase|mejora a|pasate a|pasese a|renueva ya|llevate|llevese|reserva ya|pide ya|"
            # a browsing verb with its object as an enclitic pronoun ("consíguelo", "pruébala", "pídelos")
            r"(?:descubre|explora|prueba|pide|encarga|elige|consigue|estrena|regala|reserva|obten)(?:lo|la|los|las))\b"
            r"|"
            # browsing / upgrading: sells when an object or a commercial word follows
            r"(?:descubre|descubra|explora|explore|prueba|pruebe|pide|pida|encarga|encargue|elige|elija|"
            r"consigue|consiga|mejora|mejore|renueva|renueve|reserva|reserve|estrena|estrene|regala|regale|"
            r"ahorra|ahorre|activa|active|obten|obtenga)\s"
            r"(?:ya\b|ahora\b|hoy\b|el |la |los |las |nuestr\w+ |un |una |unos |unas |tu |tus |su |sus |este |esta |"
            r"estos |estas |lo |la nueva|\d|€|\$|todo|nuevo|nueva|gratis|mas\b)"
            r")"
        ),
        service=re.compile(
            r"\b(?:reembolso\w*|devolucion\w*|cuenta|contrasena|seguimiento|ayuda|soporte|atencion al cliente|"
            r"incidencia|reclamacion|garantia|reparacion|factura\w*|cita|formulario|instrucciones|estado de tu|"
            r"encuesta|opinion|tecnico|recibo|datos|direccion|paquete|entrega)\b"
        ),
        price_offer=re.compile(
            rf"\b(?:por (?:solo |solamente |tan solo )?|desde (?:solo )?|a partir de |solo |solamente )(?:{_MONEY})"
            rf"|(?:{_MONEY}|{_PERCENT})\s?(?:al|/|por|cada) ?(?:mes|ano|semana|dia)\b"
            rf"|\b(?:{_MONEY}) (?:menos|mas barato)\b|\bal mismo precio\b|\bprecio de socio\b"
            r"|\b\d+ (?:meses|semanas|dias) gratis\b|\bgratis durante \d+\b"
        ),
        owed=re.compile(
            r"\b(?:abon\w*|reembols\w*|devuelto|devolvemos|devolucion|cargo\w*|cobr\w*|factura\w*|credito|saldo|"
            r"compensacion|importe|pagado|pago|recibo|te debemos|sin coste|sin cargo)\b"
        ),
        offer_word=re.compile(
            rf"\b(?:ofertas?|descuentos?|rebajas?|promocion\w*|promo|codigo|cupon\w*|precios?|ahorro|ahorra\w*|"
            rf"2x1|3x2)\b|{_PERCENT}|{_MONEY}"
        ),
        deadline=re.compile(
            rf"\b(?:termina|terminan|acaba|acaban|finaliza|finalizan|caduca|caducan|expira|expiran|vence|"
            rf"valid[oa]s?|disponibles?|dura)\b[^.;!?]{{0,24}}?\b(?:hasta |a |el |antes de |en )?{_ES_TIME}\b"
            rf"|\b(?:hasta|antes de|antes del) (?:(?:esta|este|el|la) )?{_ES_TIME}\b"
        ),
        deadline_opening=re.compile(
            r"^(?:(?:la |esta )?(?:oferta|promocion|promo|rebaja)s? )?(?:termina|acaba|finaliza|caduca|expira|"
            r"vence|solo hasta|hasta)\b"
        ),
    ),
    "fr": _Grammar(
        command=re.compile(
            r"^(?:(?:et|alors|maintenant|aujourd'hui|vite|n'attendez plus(?: et)?|n'attendez pas(?: et)?|"
            r"c'est le moment de|venez|foncez(?: et)?)\b[,:]?\s*)*"
            r"(?:"
            r"(?:achetez|achete|achetez-le|achetez-la|achetez-les|profitez|profite|craquez|craque|"
            r"offrez-vous|offre-toi|faites-vous plaisir|fais-toi plaisir|abonnez-vous|abonne-toi|"
            r"passez a|passe a|shoppez|foncez sur|jetez-vous sur|precommandez|precommande|"
            r"commandez vite|commandez des maintenant|reservez vite)\b"
            r"|"
            r"(?:decouvrez|decouvre|explorez|explore|essayez|essaie|commandez|commande|reservez|reserve|"
            r"choisissez|choisis|obtenez|obtiens|economisez|economise|offrez|offre|ameliorez|ameliore|"
            r"adoptez|adopte|optez pour|opte pour|testez|teste)\s"
            r"(?:des maintenant|maintenant|vite|aujourd'hui|le |la |les |l'|notre |nos |un |une |des |du |"
            r"ce |cet |cette |ces |votre |vos |ton |ta |tes |\d|€|\$|tout|toute|nouvel|nouveau|nouvelle)"
            r")"
        ),
        service=re.compile(
            r"\b(?:rembours\w*|retour\w*|compte|mot de passe|suivi|suivez votre colis|aide|assistance|"
            r"service client|reclamation|garantie|reparation|factur\w*|rendez-vous|formulaire|instructions|"
            r"questionnaire|avis|technicien|recu|coordonnees|adresse|colis|livraison)\b"
        ),
        price_offer=re.compile(
            rf"\b(?:pour (?:seulement |juste |(?:a |au )?peine )?|a partir de |des |seulement |que )(?:{_MONEY})"
            rf"|(?:{_MONEY}|{_PERCENT})\s?(?:par|/|le|la|chaque) ?(?:mois|an|annee|semaine|jour)\b"
            rf"|\b(?:{_MONEY}) (?:de moins|moins cher)\b|\bau meme prix\b|\bprix (?:membre|adherent)\b"
            r"|\b\d+ (?:mois|semaines|jours) (?:offerts?|gratuits?)\b|\bgratuit pendant \d+\b"
        ),
        owed=re.compile(
            r"\b(?:rembours\w*|credit\w*|factur\w*|debit\w*|preleve\w*|frais|solde|avoir|compensation|"
            r"montant|paye|paiement|recu|dedommag\w*|sans frais pour vous)\b"
        ),
        offer_word=re.compile(
            rf"\b(?:offres?|promos?|promotions?|reductions?|remises?|soldes|rabais|codes?|prix|bons? plans?|"
            rf"economisez|economies)\b|{_PERCENT}|{_MONEY}"
        ),
        deadline=re.compile(
            rf"\b(?:se termine|se terminent|termine|prend fin|prennent fin|expire|expirent|valable|valables|"
            rf"disponible|disponibles|dure)\b[^.;!?]{{0,24}}?\b(?:jusqu'a |a |le |avant |dans |d'ici )?{_FR_TIME}\b"
            rf"|\b(?:jusqu'a|jusqu'au|avant|d'ici) (?:(?:ce|cette|le|la) )?{_FR_TIME}\b"
        ),
        deadline_opening=re.compile(
            r"^(?:(?:l'|cette )?(?:offre|promo|promotion|vente)s? )?(?:se termine|termine|prend fin|expire|"
            r"valable|jusqu'a|jusqu'au)\b"
        ),
    ),
    "de": _Grammar(
        command=re.compile(
            r"^(?:(?:und|also|jetzt|gleich|heute|schnell|einfach|nicht warten|worauf warten sie)\b[,:!?]?\s*)*"
            r"(?:"
            r"(?:kaufen sie|kauf dir|kauf|bestellen sie|bestell dir|sichern sie sich|sichere dir|sicher dir|"
            r"gonnen sie sich|gonn dir|greifen sie zu|greif zu|shoppen sie|shoppe|holen sie sich|hol dir|"
            r"abonnieren sie|upgraden sie|wechseln sie jetzt|wechseln sie zu|steigen sie um|"
            r"jetzt (?:kaufen|bestellen|sichern|zugreifen|shoppen|entdecken|upgraden|buchen|testen|abonnieren))\b"
            r"|"
            r"(?:entdecken sie|entdecke|probieren sie|probier|testen sie|teste|buchen sie|buche|"
            r"verschenken sie|verschenke|sparen sie|spare|nutzen sie|nutze|wahlen sie|wahle|"
            r"erleben sie|erlebe|machen sie|mach)\s"
            r"(?:jetzt\b|gleich\b|heute\b|den |die |das |der |unser\w* |ein |eine |einen |ihr\w* |dein\w* |"
            r"diese\w* |\d|€|\$|alle|neue\w*|mehr\b)"
            r")"
        ),
        service=re.compile(
            r"\b(?:erstattung\w*|ruckerstatt\w*|rucksendung\w*|konto|passwort|sendungsverfolgung|hilfe|"
            r"kundenservice|service|reklamation|garantie\w*|reparatur\w*|rechnung\w*|termin\w*|formular\w*|"
            r"anleitung\w*|umfrage|bewertung|techniker\w*|beleg|adresse|paket|lieferung|ersatz\w*)\b"
        ),
        price_offer=re.compile(
            rf"\b(?:fur (?:nur |schon |gerade mal )?|ab (?:nur )?|schon ab |nur |bereits ab )(?:{_MONEY})"
            rf"|(?:{_MONEY}|{_PERCENT})\s?(?:im|pro|/|je|a) ?(?:monat|jahr|woche|tag)\b"
            rf"|\b(?:{_MONEY}) (?:weniger|gunstiger|billiger)\b|\bzum gleichen preis\b|\bmitgliederpreis\b"
            r"|\b\d+ (?:monate|wochen|tage) (?:gratis|kostenlos)\b|\bgratis fur \d+\b"
        ),
        owed=re.compile(
            r"\b(?:erstatt\w*|ruckerstatt\w*|gutgeschrieben|gutschrift\w*|rechnung\w*|berechnet|abgebucht|"
            r"belastet|gebuhr\w*|guthaben|betrag|bezahlt|zahlung\w*|entschadigung|kostenlos fur sie)\b"
        ),
        offer_word=re.compile(
            rf"\b(?:angebot\w*|rabatt\w*|aktion\w*|sale|deals?|gutschein\w*|code|preis\w*|sparen|spare|"
            rf"reduziert|schnappchen)\b|{_PERCENT}|{_MONEY}"
        ),
        deadline=re.compile(
            rf"\b(?:endet|enden|lauft|laufen|gilt|gelten|gultig|verfugbar|ablaufen|lauft ab|lauft aus)\b"
            rf"[^.;!?]{{0,24}}?\b(?:bis |um |am |vor |in )?{_DE_TIME}\b"
            rf"|\b(?:bis|vor) (?:(?:zum|zur|diesen|diesem|kommenden?) )?{_DE_TIME}\b"
        ),
        deadline_opening=re.compile(
            r"^(?:(?:das |die |unser |unsere )?(?:angebot|aktion|sale|rabatt)e? )?(?:endet|lauft|gilt|nur bis|bis)\b"
        ),
    ),
}

# Sentences end at . ! ? ; : or a line break (¡ ¿ open them); clauses also at
# commas, spaced dashes and conjunctions.
_SENTENCE_RE: Final = re.compile(r"[^.!?;:\n]+[.!?;:]*")
_CLAUSE_SPLIT_RE: Final = re.compile(r",\s+|\s+-\s+|\s+(?:y|e|o|pero|et|ou|mais|und|oder|aber)\s+(?=\w)")
_OPENERS: Final = "¡¿\"'( \t"
# Every priced offer holds a digit, a currency sign or a price word: sentences
# without any skip the price patterns (most service copy).
_PRICE_WORDS: Final = frozenset({"precio", "prix", "preis", "mitgliederpreis"})
_PRICE_GATE: Final = re.compile(r"[\d€$£]|\b(?:" + "|".join(sorted(_PRICE_WORDS)) + r")\b")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    phrases: Any  # pyahocorasick automaton: " word word " -> (key length, dimensions)
    patterns: dict[str, re.Pattern[str] | None]  # the "re:" lines, one alternation per dimension
    # dimensions each of whose patterns needs a digit / a character outside ASCII (tone.requires_char)
    need_digit: frozenset[str]
    need_non_ascii: frozenset[str]
    # the words every match of a dimension's patterns opens with, where each pattern spells them out
    need_word: dict[str, frozenset[str]]


# Every character that is not part of a word becomes a blank, one for one
# (offsets unchanged): phrases then match as " word word " keys in one C-level
# pass, whole words only, across any single space, hyphen, apostrophe or sign.
_NON_WORD_RE: Final = re.compile(r"\W")
_ASCII_VIEW: Final = bytes(b if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b == 95) else 32
                           for b in range(256))
_DIGIT_RE: Final = re.compile(r"\d")


def _sections(name: str) -> dict[str, list[str]]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {dim: [] for dim in _DIMENSIONS}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections[line[1:-1]]
        elif current is not None:
            current.append(line)
    return sections


def _phrase_key(phrase: str) -> str:
    return " " + " ".join(_NON_WORD_RE.sub(" ", normalise(phrase).text).split()) + " "


@lru_cache(maxsize=8)
def _lexicon(language: str) -> _Lexicon:
    own = _sections(f"tone_{language}.txt")
    shared = _sections("tone_any.txt")
    automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
    patterns: dict[str, re.Pattern[str] | None] = {}
    need_digit: set[str] = set()
    need_non_ascii: set[str] = set()
    need_word: dict[str, frozenset[str]] = {}
    for dim in _DIMENSIONS:
        lines = own[dim] + shared[dim]
        for line in lines:
            if not line.startswith("re:"):
                key = _phrase_key(line)
                _, found = automaton.get(key, (0, ()))
                automaton.add_word(key, (len(key), (*found, dim)))
        regexes = [line[3:] for line in lines if line.startswith("re:")]
        patterns[dim] = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
        if regexes and all(requires_char(r, str.isdigit) for r in regexes):
            need_digit.add(dim)
        if regexes and all(requires_char(r, lambda c: not c.isascii()) for r in regexes):
            need_non_ascii.add(dim)
        try:
            need_word[dim] = frozenset().union(*(opening_words(r) for r in regexes))
        except ValueError:
            pass  # a pattern opening with a digit or a class: the character gates above apply
    automaton.make_automaton()
    return _Lexicon(automaton, patterns, frozenset(need_digit), frozenset(need_non_ascii), need_word)


def _clauses(sentence: str, offset: int) -> list[tuple[int, int]]:
    found = []
    start = 0
    for m in [*_CLAUSE_SPLIT_RE.finditer(sentence), None]:
        end = m.start() if m is not None else len(sentence)
        s = start
        while s < end and sentence[s] in _OPENERS:
            s += 1
        if s < end:
            found.append((offset + s, offset + end))
        if m is not None:
            start = m.end()
    return found


# Off only in tests: every clause is read, to show the field-wide shortcuts never change a result.
GATED = True


def _intent(
    text: str, grammar: _Grammar, dimensions: frozenset[str], words: frozenset[str], has_digit: bool
) -> dict[str, list[tuple[int, int]]]:
    """``words``: the field's words (runs of ``\\w``); ``has_digit``: whether it holds a digit."""
    spans: dict[str, list[tuple[int, int]]] = {d: [] for d in dimensions}
    # What the whole field can hold, found once (most copy holds none of it):
    # a command needs one of its verbs as a word, a priced offer a digit, a
    # currency sign or a price word, a deadline a match of its own pattern.
    may_command = not GATED or not grammar.command_words.isdisjoint(words)
    field_may_price = (not GATED or has_digit or "€" in text or "$" in text or "£" in text
                       or not _PRICE_WORDS.isdisjoint(words))
    may_deadline = "urgency" in spans and (not GATED or (
        not grammar.deadline_words.isdisjoint(words) and grammar.deadline.search(text) is not None))
    if not (may_command or field_may_price or may_deadline):
        return spans
    for sm in _SENTENCE_RE.finditer(text):
        s_start = sm.start()
        while s_start < sm.end() and text[s_start] in _OPENERS:
            s_start += 1
        sentence = text[s_start:sm.end()]
        if not sentence.strip():
            continue
        owed: bool | None = None  # searched once, and only when a priced offer or an offer word needs it
        selling = False
        may_price = field_may_price and _PRICE_GATE.search(sentence) is not None
        if not (may_command or may_price or may_deadline):
            continue
        for c_start, c_end in _clauses(sentence, s_start):
            clause = text[c_start:c_end]
            command = (may_command and grammar.command.match(clause) is not None
                       and grammar.service.search(clause) is None)
            priced = False
            if not command and may_price and grammar.price_offer.search(clause) is not None:
                if owed is None:
                    owed = grammar.owed.search(sentence) is not None
                priced = not owed
            if command or priced:
                selling = True
                if "promotional" in spans:
                    spans["promotional"].append((c_start, c_end))
        if may_deadline:
            deadlines = list(grammar.deadline.finditer(sentence))
            if not deadlines:
                continue
            offer = False
            if not selling and grammar.offer_word.search(sentence) is not None:
                if owed is None:
                    owed = grammar.owed.search(sentence) is not None
                offer = not owed
            if offer or selling or grammar.deadline_opening.match(sentence):
                spans["urgency"].extend((s_start + m.start(), s_start + m.end()) for m in deadlines)
    return spans


def language_tone_spans(text: str, dimensions: frozenset[str], language: str) -> dict[str, list[tuple[int, int]]]:
    """Spans (in ``text``, a normalised field) of sales, pressure and exuberant language in ``language``.

    Empty for a language without its own tone data (the English lexicons then apply)."""
    if language not in TONE_LANGUAGES or not dimensions:
        return {}
    lexicon = _lexicon(language)
    spans: dict[str, list[tuple[int, int]]] = {d: [] for d in dimensions}
    is_ascii = text.isascii()
    if is_ascii:
        # C-level, one for one: word bytes kept, every other byte a blank
        view = " " + text.encode("ascii").translate(_ASCII_VIEW).decode("ascii") + " "
    else:
        view = " " + _NON_WORD_RE.sub(" ", text) + " "
    for end, (length, key_dims) in lexicon.phrases.iter(view):
        for dim in key_dims:
            if dim in spans:
                # ``view`` is ``text`` shifted by one blank; the key's own blanks
                # stand just before and after the phrase
                spans[dim].append((end - length + 1, end - 1))
    has_digit = _DIGIT_RE.search(text) is not None
    words = frozenset(view.split())
    for dim in dimensions:
        pattern = lexicon.patterns.get(dim)
        # a pattern that needs a digit (percentages, amounts saved), an emoji or one of
        # its opening words ("quedan") is not run on text without one
        if pattern is None or (dim in lexicon.need_digit and not has_digit) or (
                dim in lexicon.need_non_ascii and is_ascii) or (
                GATED and dim in lexicon.need_word and lexicon.need_word[dim].isdisjoint(words)):
            continue
        spans[dim].extend((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
    intent_dims = dimensions & {"promotional", "urgency"}
    if intent_dims:
        for dim, found in _intent(text, _GRAMMARS[language], frozenset(intent_dims), words, has_digit).items():
            spans[dim].extend(found)
    return spans
