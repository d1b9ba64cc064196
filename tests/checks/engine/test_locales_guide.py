"""Locales in a guide (PRODUCT.md "Locales"): schema, defaults, overlays, round trip."""

from __future__ import annotations

import textwrap

import pytest

from workbench.checks.engine import (
    EngineInputError,
    GuideError,
    check_fields,
    compile_guide,
    dump_guide_yaml,
    parse_guide_yaml,
)

BASE = "slug: t\nname: T\n"

LOCALE_GUIDE = BASE + textwrap.dedent(
    """\
    language: en
    disallowed:
      - {term: cheap}
    required:
      sms: ["Reply STOP to opt out"]
      email: ["{{ unsubscribe_url }}"]
    tone:
      default: {max_exclamations: 1, shouting: false}
      contexts:
        service_recovery: {max_exclamations: 0}
    locales:
      en-US: {}
      es-US:
        name: "Español (EE. UU.)"
        voice: {summary: "Cercana."}
        disallowed:
          - {term: barato, severity: warn, suggestion: económico}
        taboo_topics:
          - {name: politics, terms: [elecciones]}
        claims:
          - {term: garantizado}
        required: {sms: ["Responde STOP para cancelar"]}
        tone:
          default: {max_exclamations: 2}
          contexts: {service_recovery: {promotional: false}}
      fr-CA:
    """
)


def test_it_accepts_language_and_locales_and_round_trips() -> None:
    data = parse_guide_yaml(LOCALE_GUIDE)
    assert list(data["locales"]) == ["en-US", "es-US", "fr-CA"]
    assert data["locales"]["fr-CA"] == {}
    assert parse_guide_yaml(dump_guide_yaml(data)) == data


def test_it_defaults_to_the_first_locale_or_the_language() -> None:
    compiled = compile_guide(parse_guide_yaml(LOCALE_GUIDE))
    assert compiled.default_locale == "en-US"
    assert compiled.locales == ("en-US", "es-US", "fr-CA")
    assert compiled.language_of("es-US") == "es"
    assert compiled.language_of("PT-br") == "pt"
    plain = compile_guide(parse_guide_yaml(BASE))
    assert plain.default_locale == "en" and plain.locales == ("en",)
    german = compile_guide(parse_guide_yaml(BASE + "language: de\n"))
    assert german.default_locale == "de" and german.language == "de"


def test_it_refuses_a_locale_the_guide_does_not_declare() -> None:
    compiled = compile_guide(parse_guide_yaml(LOCALE_GUIDE))
    with pytest.raises(EngineInputError, match="unknown locale 'de-DE'.*en-US, es-US, fr-CA"):
        check_fields(compiled, "push", {"body": "hola"}, locale="de-DE")
    # tags are case-insensitive
    assert check_fields(compiled, "push", {"body": "hola"}, locale="es-us").passed


def test_locale_terms_are_added_and_top_level_terms_still_apply() -> None:
    compiled = compile_guide(parse_guide_yaml(LOCALE_GUIDE))
    es = check_fields(compiled, "push", {"body": "Botas barato, cheap, elecciones, garantizado"}, locale="es-US")
    assert [(f.kind, f.rule, f.severity) for f in es.findings] == [
        ("disallowed_word", "barato", "warn"), ("disallowed_word", "cheap", "block"),
        ("taboo_topic", "politics", "block"), ("claim", "garantizado", "block"),
    ]
    # another locale does not get the Spanish additions
    en = check_fields(compiled, "push", {"body": "Botas barato, elecciones"})
    assert en.findings == []
    fr = check_fields(compiled, "push", {"body": "Botas barato, elecciones"}, locale="fr-CA")
    assert fr.findings == []


def test_locale_required_texts_replace_the_channel_entry_only() -> None:
    compiled = compile_guide(parse_guide_yaml(LOCALE_GUIDE))
    es_sms = check_fields(compiled, "sms", {"body": "Hola. Responde STOP para cancelar"}, locale="es-US")
    assert es_sms.passed
    es_english_opt_out = check_fields(compiled, "sms", {"body": "Hola. Reply STOP to opt out"}, locale="es-US")
    assert [f.rule for f in es_english_opt_out.findings] == ["Responde STOP para cancelar"]
    es_email = check_fields(compiled, "email", {"body": "Hola"}, locale="es-US")
    assert [f.rule for f in es_email.findings] == ["{{ unsubscribe_url }}"]
    fr_sms = check_fields(compiled, "sms", {"body": "Bonjour"}, locale="fr-CA")
    assert [f.rule for f in fr_sms.findings] == ["Reply STOP to opt out"]


def test_locale_tone_is_merged_key_by_key() -> None:
    compiled = compile_guide(parse_guide_yaml(LOCALE_GUIDE))
    es = compiled.for_locale("es-US")
    assert es.tone[None].max_exclamations == 2
    assert es.tone[None].shouting is False  # inherited from the top level
    recovery = es.tone["service_recovery"]
    assert recovery.max_exclamations == 0 and recovery.promotional is False
    en = compiled.for_locale(None)
    assert en.tone[None].max_exclamations == 1 and en.tone["service_recovery"].promotional is not False


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("language: English\n", "language: expected a lower-case ISO 639 language code such as en, es, fr or de (line 3)"),
        ("locales: [en-US]\n", "locales: expected a mapping of locale tags (en-US, es-US...), got a list (line 3)"),
        ("locales: {}\n", "locales: must declare at least one locale (the first one is the default) (line 3)"),
        ("locales:\n  english: {}\n", "locales.english: expected a BCP 47 locale tag such as en-US, es-US or fr-CA (line 4)"),
        ("locales:\n  es-US: {slug: x}\n",
         "locales.es-US.slug: unknown key (expected one of: name, voice, disallowed, taboo_topics, claims, required, "
         "tone) (line 4)"),
        ("locales:\n  es-US:\n    disallowed:\n      - {term: barato, severity: maybe}\n",
         "locales.es-US.disallowed[0].severity: expected block or warn (line 6)"),
        ("locales:\n  es-US:\n    required: {fax: [x]}\n",
         "locales.es-US.required.fax: unknown key (expected one of: email, sms, push, in_app) (line 5)"),
        ("locales:\n  es-US:\n    tone: {default: {shouting: 1}}\n",
         "locales.es-US.tone.default.shouting: expected true or false, got an integer (line 5)"),
        ("locales:\n  es-US: {}\n  es-us: {}\n", "locales.es-us: the same locale as es-US (line 5)"),
    ],
)
def test_locale_errors_name_path_and_line(tail: str, expected: str) -> None:
    with pytest.raises(GuideError) as info:
        parse_guide_yaml(BASE + tail)
    assert str(info.value) == expected


def test_northwind_demo_guide_speaks_spanish_and_french(northwind) -> None:  # type: ignore[no-untyped-def]
    assert northwind.locales == ("en-US", "es-US", "fr-CA")
    es = check_fields(northwind, "sms", {"body": "Botas barato. Responde STOP para cancelar"}, locale="es-US")
    assert [f.rule for f in es.findings] == ["barato"]
    fr = check_fields(northwind, "sms", {"body": "Bottes neuves. Répondez STOP pour vous désabonner"}, locale="fr-CA")
    assert fr.passed


def test_locales_that_add_no_terms_share_one_lexicon_per_language() -> None:
    guide = compile_guide(parse_guide_yaml(LOCALE_GUIDE.replace("  fr-CA:\n", "  fr-CA:\n  en-GB: {}\n  fr-FR:\n")))
    assert guide.for_locale("en-GB").lexicon is guide.for_locale("en-US").lexicon
    assert guide.for_locale("fr-FR").lexicon is guide.for_locale("fr-CA").lexicon
    assert guide.for_locale("es-US").lexicon is not guide.for_locale("en-US").lexicon
    assert guide.for_locale("fr-CA").language == "fr"
