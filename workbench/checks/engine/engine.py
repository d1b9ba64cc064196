"""Compiling a guide and checking copy against it (Contract 2 findings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from .channels import CHANNEL_FIELDS, CHANNELS, HTML, Channel, FieldSpec, field_label
from .errors import EngineInputError, FieldTooLargeError
from .guide import DEFAULT_LANGUAGE, validate_guide
from .hidden import find_hidden_text
from .html_text import RenderedText, read_html
from .intent import INTENT_DIMENSIONS, intent_spans
from .language import shouting_words, wrong_language, wrong_language_message
from .markup import find_markup
from .lexicon import Lexicon, LexiconBuilder, LexRule, term_tokens
from .normalize import Normalised, normalise, normalise_plain
from .sms import GSM7_EXTENSION, non_gsm_chars, sms_fit, sms_layout
from .structural import (
    Raw,
    SpanSet,
    find_bad_attribute_links,
    find_bad_links,
    find_merge_problems,
    find_pii,
    mask_merge_fields,
    required_pattern,
)
from .readability import language_grade
from .tone_lang import TONE_LANGUAGES, language_tone_spans
from .truncation import find_truncations
from .tone import (
    SHOUT_RE,
    TONE_LEXICON_DIMENSIONS,
    ToneSettings,
    grade_exceeds,
    known_acronyms,
    reading_grade,
    tone_lexicon,
    tone_pattern_spans,
)

# The longest field any entrance accepts (API, CLI, forms, provider output):
# twice the longest email body a guide allows by default, far beyond any real
# copy, and small enough that a check stays well under a second.
MAX_FIELD_CHARS: Final = 100_000

KINDS: Final[tuple[str, ...]] = (
    "disallowed_word", "taboo_topic", "claim", "tone", "length",
    "required_text", "pii", "merge_field", "link", "language",
)

_KIND_ORDER: Final[dict[str, int]] = {k: i for i, k in enumerate(KINDS)}
_DEFAULT_SEVERITY: Final = "block"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    rule: str
    severity: str
    field: str
    start: int
    end: int
    match: str
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "rule": self.rule, "severity": self.severity, "field": self.field,
            "start": self.start, "end": self.end, "match": self.match,
            "message": self.message, "suggestion": self.suggestion,
        }


@dataclass(slots=True)
class CheckResult:
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(f.severity == "block" for f in self.findings)

    def to_dict(self, id: Any = None) -> dict[str, Any]:  # noqa: A002 - Contract 2's key
        return {"id": id, "passed": self.passed, "findings": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True, slots=True, eq=False)
class CompiledGuide:
    """Everything check_fields needs, built once per guide version.

    Immutable and shareable between threads; compare/hash by identity (callers
    cache it under their own version key). ``lexicon``, ``tone``, ``required``
    and ``shout_exempt`` are the default locale's; ``by_locale`` holds one
    CompiledGuide per declared locale (the default locale's entry is this one),
    sharing every part a locale does not change.
    """

    data: dict[str, Any]
    contexts: frozenset[str]
    lexicon: Lexicon
    tone: dict[str | None, ToneSettings]
    limits: dict[str, dict[str, int]]
    required: dict[str, tuple[tuple[str, Any], ...]]
    merge_fields: frozenset[str]
    allowed_domains: tuple[str, ...]
    contact_emails: frozenset[str]
    contact_phones: tuple[str, ...]
    suggest_email: str | None
    suggest_phone: str | None
    shout_exempt: frozenset[str]
    default_locale: str = DEFAULT_LANGUAGE
    locales: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    locale: str = DEFAULT_LANGUAGE  # the locale these rules are for
    language: str = DEFAULT_LANGUAGE  # that locale's language
    by_locale: dict[str, CompiledGuide] = field(default_factory=dict, repr=False)

    @staticmethod
    def language_of(locale: str) -> str:
        """The primary language subtag, lower-case: ``es-US`` -> ``es``."""
        return locale.split("-", 1)[0].lower()

    def for_locale(self, locale: str | None) -> CompiledGuide:
        """The rules for ``locale`` (None: the brand's default); EngineInputError if undeclared."""
        if locale is None:
            locale = self.default_locale
        found = self.by_locale.get(locale)
        if found is None:
            # BCP 47 tags are case-insensitive: es-us is es-US
            found = next((g for tag, g in self.by_locale.items() if tag.lower() == str(locale).lower()), None)
        if found is None:
            raise EngineInputError(
                f"unknown locale {locale!r} for this brand guide (declared: {', '.join(self.locales)})"
            )
        return found


def compile_guide(data: dict[str, Any]) -> CompiledGuide:
    """Validate and compile a guide once; the result is immutable and reusable across threads."""
    data = validate_guide(data)
    base_language = data.get("language", DEFAULT_LANGUAGE)
    locale_data: dict[str, dict[str, Any]] = data.get("locales") or {base_language: {}}
    locales = tuple(locale_data)
    default_locale = locales[0]

    tone_data = data.get("tone", {})
    contexts = tone_data.get("contexts", {})
    limits = {name: channel.limits(data) for name, channel in CHANNELS.items()}
    contacts = data.get("contacts", {})
    emails = contacts.get("emails", [])
    phones = contacts.get("phones", [])
    lexicons: dict[tuple[str, str], Lexicon] = {}
    by_locale: dict[str, CompiledGuide] = {}
    for locale, overlay in locale_data.items():
        language = CompiledGuide.language_of(locale)
        # Locales that add no terms share a lexicon per language.
        lexicon_key = (language, locale if _has_terms(overlay) else "")
        if lexicon_key not in lexicons:
            lexicons[lexicon_key] = _compile_lexicon(data, base_language, overlay, language)
        required_texts = {**data.get("required", {}), **overlay.get("required", {})}
        by_locale[locale] = CompiledGuide(
            data=data,
            contexts=frozenset(contexts) | frozenset(overlay.get("tone", {}).get("contexts", {})),
            lexicon=lexicons[lexicon_key],
            tone=_compile_tone(tone_data, overlay.get("tone", {})),
            limits=limits,
            required={
                ch: tuple((text, required_pattern(normalise_plain(text))) for text in texts)
                for ch, texts in required_texts.items()
            },
            merge_fields=frozenset(data.get("merge_fields", [])),
            allowed_domains=tuple(d.lower().rstrip(".") for d in data.get("links", {}).get("allowed_domains", [])),
            contact_emails=frozenset(e.strip().lower() for e in emails),
            contact_phones=tuple("".join(c for c in p if c.isdigit()) for p in phones),
            suggest_email=emails[0] if emails else None,
            suggest_phone=phones[0] if phones else None,
            shout_exempt=_shout_exempt(required_texts),
            default_locale=default_locale,
            locales=locales,
            locale=locale,
            language=language,
            by_locale=by_locale,
        )
    return by_locale[default_locale]


def _has_terms(overlay: dict[str, Any]) -> bool:
    return any(overlay.get(key) for key in ("disallowed", "taboo_topics", "claims"))


def _compile_lexicon(
    data: dict[str, Any], base_language: str, overlay: dict[str, Any], language: str
) -> Lexicon:
    """The top-level terms matched as the guide's language, the locale's own as its language."""
    builder = LexiconBuilder()

    def add_entries(kind: str, entries: list[dict[str, Any]], term_language: str) -> None:
        for entry in entries:
            group = builder.new_group()
            for phrase in entry.get("except", ()):
                builder.add_except(phrase, group, language=term_language)
            terms = entry["terms"] if kind == "taboo_topic" else [entry["term"]]
            for term in terms:
                builder.add_term(_term_rule(kind, entry, term, group), inflect=True, language=term_language)

    for source, term_language in ((data, base_language), (overlay, language)):
        add_entries("disallowed_word", source.get("disallowed", []), term_language)
        add_entries("taboo_topic", source.get("taboo_topics", []), term_language)
        add_entries("claim", source.get("claims", []), term_language)
    lexicon_data = tone_lexicon()
    for dim in TONE_LEXICON_DIMENSIONS:
        for phrase in lexicon_data.phrases[dim]:
            # listed forms only: inflecting "offer"/"deal" style words would flag neutral service copy
            builder.add_term(
                LexRule("tone", dim, phrase, "warn", "", None, builder.new_group(), _has_alpha(phrase)),
                inflect=False,
            )
    return builder.build()


def _compile_tone(tone_data: dict[str, Any], overlay: dict[str, Any]) -> dict[str | None, ToneSettings]:
    """Tone settings per context; a locale's tone is merged over the top-level one key by key."""
    default = {**tone_data.get("default", {}), **overlay.get("default", {})}
    contexts: dict[str, dict[str, Any]] = {name: dict(o) for name, o in tone_data.get("contexts", {}).items()}
    for name, override in overlay.get("contexts", {}).items():
        contexts[name] = {**contexts.get(name, {}), **override}
    tone: dict[str | None, ToneSettings] = {None: ToneSettings.resolve(default, {})}
    for name, override in contexts.items():
        tone[name] = ToneSettings.resolve(default, override)
    return tone


def _shout_exempt(required_texts: dict[str, list[str]]) -> frozenset[str]:
    shout_exempt = set(known_acronyms())
    for texts in required_texts.values():
        for text in texts:
            shout_exempt.update(w.group() for w in SHOUT_RE.finditer(text))
    return frozenset(shout_exempt)


def _has_alpha(term: str) -> bool:
    return any(c.isalpha() for c in term)


def _term_rule(kind: str, entry: dict[str, Any], term: str, group: int) -> LexRule:
    reason = entry.get("reason")
    if kind == "disallowed_word":
        rule, message = term, f"\"{term}\" is not allowed"
    elif kind == "taboo_topic":
        rule, message = entry["name"], f"\"{term}\" touches a taboo topic ({entry['name']})"
    else:
        rule, message = term, f"\"{term}\" is a claim that needs substantiation before it ships"
    if reason:
        message += f": {reason}"
    # Guard against a term that only has letters after folding (e.g. "$$$"):
    # such a term must still be matched by its digits/symbols.
    needs_letter = _has_alpha(term) and bool(term_tokens(term))
    return LexRule(kind, rule, term, entry.get("severity", _DEFAULT_SEVERITY), message,
                   entry.get("suggestion"), group, needs_letter)


def check_fields(
    compiled: CompiledGuide, channel: str, fields: dict[str, str], context: str | None = None,
    locale: str | None = None,
) -> CheckResult:
    """Run all checks on one message in ``locale`` (None: the brand's default locale).

    Raises EngineInputError for unusable input, including a locale the guide does not declare."""
    if locale is not None and not isinstance(locale, str):
        raise EngineInputError(f"locale must be a text such as en-US, got {type(locale).__name__}")
    compiled = compiled.for_locale(locale)
    spec = CHANNELS.get(channel)
    if spec is None:
        raise EngineInputError(f"unknown channel {channel!r} (expected one of: {', '.join(CHANNEL_FIELDS)})")
    if not isinstance(fields, dict):
        raise EngineInputError("fields must be a mapping of field name to text")
    field_specs = {f.name: f for f in spec.fields}
    for name, value in fields.items():
        if name not in field_specs:
            raise EngineInputError(
                f"unknown field {name!r} for channel {channel} (expected: {', '.join(field_specs)})"
            )
        if not isinstance(value, str):
            raise EngineInputError(f"field {name!r} must be text, got {type(value).__name__}")
        if len(value) > MAX_FIELD_CHARS:
            raise FieldTooLargeError(
                f"field {name!r} is {len(value):,} characters; at most {MAX_FIELD_CHARS:,} can be checked"
            )
    if not any(v.strip() for v in fields.values()):
        raise EngineInputError("nothing to check: all fields are empty")
    if context == "default":
        context = None
    if context is not None and context not in compiled.contexts:
        known = ", ".join(sorted(compiled.contexts)) or "none"
        raise EngineInputError(f"unknown context {context!r} for this brand guide (known: {known})")
    tone = compiled.tone[context]
    message = _Message(
        compiled, spec, tone, tone.disallowed_dimensions(),
        f"the {context} context" if context else "the guide's default tone", compiled.language, [],
    )
    normalised: dict[str, Normalised] = {}
    for field_spec in spec.fields:
        name = field_spec.name
        text = fields.get(name, "")
        if not text:
            continue
        norm = normalise(text)
        normalised[name] = norm
        is_html = field_spec.kind == HTML
        # HTML fields are read as displayed; ``shown.span`` maps back to ``text``
        shown = read_html(text) if is_html else RenderedText(text, text)
        shown_norm = _reading_findings(message, name, shown, norm)
        if shown_norm is not norm:
            normalised[f"{name} as shown"] = shown_norm
        _tone_findings(message, name, shown_norm, shown)
        _language_findings(message, name, shown.text)
        _length_findings(message, field_spec, text)
        if not is_html:
            for raw in find_markup(text):
                _add(message.findings, "disallowed_word", "block", name, text, raw)
        for raw in find_merge_problems(text, compiled.merge_fields):
            _add(message.findings, "merge_field", "block", name, text, raw)
    findings = message.findings
    _required_findings(compiled, channel, fields, normalised, findings)

    order = {n: i for i, n in enumerate(field_specs)}
    findings.sort(key=lambda f: (order[f.field], f.start, f.end, _KIND_ORDER[f.kind], f.rule))
    return CheckResult(findings)


@dataclass(slots=True)
class _Message:
    """One message being checked: the rules that apply to it and the findings so far."""

    compiled: CompiledGuide  # the guide's rules for the message's locale
    channel: Channel
    tone: ToneSettings  # the context's tone rules
    off: frozenset[str]  # tone dimensions the context rules out (promotional, urgency...)
    context_label: str  # how messages name the context
    language: str  # the locale's language
    findings: list[Finding]


def _add(findings: list[Finding], kind: str, severity: str, name: str, text: str, raw: Raw) -> None:
    rule, start, end, message, suggestion = raw
    findings.append(Finding(kind, rule, severity, name, start, end, text[start:end], message, suggestion))


def _add_shown(findings: list[Finding], kind: str, severity: str, name: str, shown: RenderedText, raw: Raw) -> None:
    """A finding on displayed text, its span mapped back to the stored original."""
    rule, start, end, message, suggestion = raw
    _add(findings, kind, severity, name, shown.original, (rule, *shown.span(start, end), message, suggestion))


def _reading_findings(message: _Message, name: str, shown: RenderedText, norm: Normalised) -> Normalised:
    """Lexicon, hidden text, links and PII: everything read from the text the customer sees.

    Returns that text normalised (``norm`` itself when it is the stored text)."""
    compiled, findings = message.compiled, message.findings
    text = shown.text
    if text is not shown.original:
        norm = normalise(text)
    # Merge-field names are placeholders, not copy: {{ free_gift_url }}
    # must not read as "free". Blanking keeps every offset unchanged.
    lex_norm = normalise(mask_merge_fields(text)) if "{{" in text else norm
    reported = _lexicon_findings(message, name, lex_norm, shown)
    if shown.hides:
        # Without the text its hidden elements hold, as the open email shows it:
        # "che<span style="font-size:0">zz</span>ap" reads "cheap" there.
        unhidden = read_html(shown.original, drop_hidden=True)
        if unhidden.text != text:
            shown_text = unhidden.text
            _lexicon_findings(message, name, normalise(mask_merge_fields(shown_text) if "{{" in shown_text else shown_text),
                              unhidden, reported=reported, terms_only=True)
            _hidden_inside_words(findings, name, unhidden)
    for raw in find_hidden_text(text):
        _add_shown(findings, "disallowed_word", "block", name, shown, raw)
    links = find_bad_links(text, compiled.allowed_domains)
    for raw in links:
        _add_shown(findings, "link", "block", name, shown, raw)
    if shown.links:
        attribute_links = [(link.attribute, link.url, link.start, link.end) for link in shown.links]
        for raw in find_bad_attribute_links(attribute_links, compiled.allowed_domains):
            _add(findings, "link", "block", name, shown.original, raw)
        for link in shown.links:
            if link.url.lower().startswith(("mailto:", "tel:", "sms:")):
                for pii in _pii(compiled, link.url):
                    _add(findings, "pii", "block", name, shown.original, (pii[0], link.start, link.end, *pii[3:]))
    # "https://northwind.example@evil.com" is reported once, as a link
    link_spans = SpanSet([(s, e) for _, s, e, _, _ in links]) if links else None
    # Addresses and numbers are read normalised as well: "bob＠gmail．com", a Cyrillic
    # letter or an invisible character inside an address hide nothing.
    for rule, n_start, n_end, why, suggestion in _pii(compiled, norm.text):
        start, end = norm.span(n_start, n_end) if n_end > n_start else (n_start, n_end)
        if link_spans is not None and rule == "email" and link_spans.contains(start, end):
            continue
        _add_shown(findings, "pii", "block", name, shown, (rule, start, end, why, suggestion))
    return norm


def _hidden_inside_words(findings: list[Finding], name: str, unhidden: RenderedText) -> None:
    """A hidden element with text of its own between two letters of a word is text hiding itself
    (``che<span style="font-size:0">zz</span>ap``): ``obfuscated_text``, as invisible characters are."""
    shown, original = unhidden.text, unhidden.original
    for at, start, end in unhidden.dropped:
        if not (shown[at - 1:at].isalnum() and shown[at:at + 1].isalnum()):
            continue
        inside = read_html(original[start:end]).text.strip()
        if any(c.isalnum() for c in inside):
            findings.append(Finding(
                "disallowed_word", "obfuscated_text", "block", name, start, end, original[start:end],
                f"Hidden text (\"{inside[:40]}\") sits inside a word, where a reader never sees it: remove it",
                None))


def _pii(compiled: CompiledGuide, text: str) -> list[Raw]:
    return find_pii(text, compiled.contact_emails, compiled.contact_phones,
                    compiled.suggest_email, compiled.suggest_phone)


_TONE_TEXT: Final[dict[str, str]] = {
    "promotional": "Sales language",
    "urgency": "Pressure language",
    "celebratory": "Exuberant language",
}


def _tone_lexicon_message(dim: str, match: str, context_label: str) -> str:
    return f"{_TONE_TEXT[dim]} (\"{match}\") does not fit {context_label}"


def _lexicon_findings(
    message: _Message, name: str, norm: Normalised, shown: RenderedText, *,
    reported: set[tuple[str, str, int, int]] | None = None, terms_only: bool = False,
) -> set[tuple[str, str, int, int]]:
    """Term findings (and, unless ``terms_only``, tone findings) of one reading of a field.

    Returns what it reported, for another reading of the same field to skip (``reported``)."""
    off = message.off
    rules = message.compiled.lexicon.rules
    findings = message.findings
    text = shown.original
    tone_spans: dict[str, list[tuple[int, int]]] = {dim: [] for dim in off}
    # Spanish, French and German copy is read with its own tone lexicons and
    # grammar (tone_lang.py): English stock phrases misread it ("sale" is
    # Spanish for "leaves"). Other languages keep the English ones.
    english_tone = message.language not in TONE_LANGUAGES
    # a locale's "élection" and the top-level "election" in one taboo topic: one finding
    if reported is None:
        reported = set()
    for hit in message.compiled.lexicon.scan(norm):
        rule = rules[hit.rule]
        start, end = shown.span(hit.start, hit.end)
        if rule.kind == "tone":
            if rule.rule in off and english_tone:
                tone_spans[rule.rule].append((start, end))
        elif (rule.kind, rule.rule, start, end) not in reported:
            reported.add((rule.kind, rule.rule, start, end))
            findings.append(Finding(rule.kind, rule.rule, rule.severity, name, start, end,
                                    text[start:end], rule.message, rule.suggestion))
    if terms_only or not off:
        return reported
    if english_tone:
        intent = intent_spans(norm.text, off & INTENT_DIMENSIONS)
        pattern_spans = tone_pattern_spans(norm.text, off)
    else:
        intent = language_tone_spans(norm.text, off, message.language)
        pattern_spans = {}
    for dim in TONE_LEXICON_DIMENSIONS:
        if dim not in off:
            continue
        spans = tone_spans[dim]
        matched = pattern_spans.get(dim)
        if matched:
            spans.extend(shown.span(*norm.span(s, e)) for s, e in matched)
        # What a clause does, not only the stock phrases it uses (intent.py);
        # a stock phrase already found is the more precise span to show.
        for s, e in intent.get(dim, ()):
            start, end = shown.span(*norm.span(s, e))
            if not any(a < end and start < b for a, b in spans):
                spans.append((start, end))
        if not spans:
            continue
        # "promo" inside "promo code", "Save $20" overlapping "$20 off": one
        # finding per stretch of text, not a pile of overlapping ones
        for start, end in _merge_spans(spans):
            match = text[start:end]
            findings.append(Finding("tone", dim, "warn", name, start, end, match,
                                    _tone_lexicon_message(dim, match, message.context_label), None))
    return reported


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _tone_findings(message: _Message, name: str, norm: Normalised, shown: RenderedText) -> None:
    """Exclamations, shouting and reading grade of the text as displayed (``norm`` is the
    displayed text normalised; an email body's markup and comments are not copy), with
    spans mapped back into the stored original through ``shown``."""
    tone, context_label, language, findings = message.tone, message.context_label, message.language, message.findings
    text = shown.text
    original = shown.original
    limit = tone.max_exclamations
    if limit is not None:
        count = norm.text.count("!")
        if count > limit:
            pos = -1
            for _ in range(limit + 1):
                pos = norm.text.index("!", pos + 1)
            start, end = shown.span(*norm.span(pos, pos + 1))
            allowed = "none" if limit == 0 else f"at most {limit}"
            findings.append(Finding(
                "tone", "max_exclamations", "warn", name, start, end, original[start:end],
                f"{field_label(name)} has {count} exclamation mark{'s' if count != 1 else ''}; "
                f"{context_label} allows {allowed}", None))
    if not tone.shouting:
        for m in shouting_words(text, message.compiled.shout_exempt, language):
            word = m.group()
            start, end = shown.span(m.start(), m.end())
            findings.append(Finding(
                "tone", "shouting", "warn", name, start, end, original[start:end],
                f"\"{word}\" is in all caps, which reads as shouting ({context_label} does not allow it)",
                word.lower()))
    if tone.max_reading_grade is not None and name == "body":
        if language == DEFAULT_LANGUAGE:
            graded = reading_grade(text)
            formula = "Flesch-Kincaid"
        else:
            # a formula made for the language, as a school grade (readability.py)
            other = language_grade(text, language)
            graded = (other.grade, other.words) if other is not None else None
            formula = other.formula if other is not None else ""
        if graded is not None and grade_exceeds(graded[0], graded[1], tone.max_reading_grade):
            grade, words = graded
            findings.append(Finding(
                "tone", "max_reading_grade", "warn", name, 0, 0, "",
                f"Reading grade {grade:.1f} ({formula}, {words} words) is above the "
                f"maximum of {tone.max_reading_grade:g} for {context_label}: use shorter sentences "
                "and plainer words", None))


def _language_findings(message: _Message, name: str, shown_text: str) -> None:
    """A field long enough to tell whose language is not its locale's (language.py: thresholds, detector).

    Only for guides that declare ``locales``: a guide without them behaves
    exactly as before (PRODUCT.md, Locales)."""
    compiled, language = message.compiled, message.language
    if not compiled.data.get("locales"):
        return
    guess = wrong_language(shown_text, language, (compiled.language_of(tag) for tag in compiled.locales))
    if guess is not None:
        message.findings.append(Finding("language", "wrong_language", "block", name, 0, 0, "",
                                        wrong_language_message(field_label(name), guess, language), None))


def _length_findings(message: _Message, spec: FieldSpec, text: str) -> None:
    compiled, channel, findings, name = message.compiled, message.channel, message.findings, spec.name
    for cut in find_truncations(text, message.language):
        findings.append(Finding(
            "length", "truncated", "block", name, cut.start, cut.end, text[cut.start:cut.end],
            f"{field_label(name)} stops mid-phrase at \u201c{text[cut.start:cut.end]}\u201d and looks cut off: "
            "finish the phrase", None))
    # a channel registered after the guide was compiled gets its defaults under the guide's settings
    limits = compiled.limits.get(channel.name) or channel.limits(compiled.data)
    max_chars = limits.get(f"{name}_max_chars")
    if max_chars is not None and len(text) > max_chars:
        findings.append(Finding(
            "length", f"{name}_max_chars", "block", name, max_chars, len(text), text[max_chars:],
            f"{field_label(name)} is {len(text)} characters; the guide allows {max_chars}", None))
    if spec.sms_segments:
        max_segments = limits.get("max_segments")
        encoding, ends = sms_layout(text)
        if max_segments is not None and len(ends) > max_segments:
            if encoding == "GSM-7":
                why = f"GSM-7, {sum(2 if c in GSM7_EXTENSION else 1 for c in text)} characters"
            else:
                chars = non_gsm_chars(text)
                shown = "".join(chars[:5]) + ("…" if len(chars) > 5 else "")
                why = f"UCS-2 because of \u201c{shown}\u201d"
            fit = sms_fit(text, max_segments)
            findings.append(Finding(
                "length", "max_segments", "block", name, fit, len(text), text[fit:],
                f"{len(ends)} SMS segments ({why}), the guide allows {max_segments}", None))


def _required_findings(
    compiled: CompiledGuide, channel: str, fields: dict[str, str],
    normalised: dict[str, Normalised], findings: list[Finding],
) -> None:
    wanted = compiled.required.get(channel, ())
    if not wanted:
        return
    body = fields.get("body", "")
    for text, pattern in wanted:
        if any(pattern.search(n.text) for n in normalised.values()):
            continue
        findings.append(Finding(
            "required_text", text, "block", "body", len(body), len(body), "",
            f"Required text is missing: every {channel} message must include \"{text}\"", text))
